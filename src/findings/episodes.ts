// The stretches of a boot its findings are about ("episodes"), and the split of the boot's timed probes
// into timeline groups in which every episode has a group of its own, drawn on its own axis. A boot's
// overview is scaled by its longest stretch (seconds of synchronous pcieport probes); the 16 NVMe probes a
// bound-queue-serialization finding is about take a few ms of it and vanish into one text column or 2 px.
// Renderers draw these groups; they decide nothing about which probes belong together.
//
// An episode's window runs from the earliest reach of the finding's devices' probes (span start, or the
// queue_work of a body the trace joined) to their latest end, padded by 5 % each side. Windows of findings
// that have more than half of the longer one in common are one episode (e.g. two nodes serialized at once).

import type { Boot, Finding, ProbeSpan } from '../model/types.js';

/** A stretch of the boot, ns on the printk clock. */
export interface TimeWindow {
  startNs: number;
  endNs: number;
}

export interface Episode {
  /** Indices into `boot.findings`, the first one the episode is named after. */
  findings: number[];
  /** The first finding's kind and title. */
  kind: string;
  title: string;
  /** The findings' devices that have a timed probe. */
  devices: string[];
  /** The axis to draw it on: the devices' probes, padded. */
  window: TimeWindow;
}

export interface TimelineGroup {
  /** The episode this group draws, or null for the other probes of a stretch of the boot. */
  episode: Episode | null;
  /** The axis: the episode's window, or the group's first start to last end. */
  window: TimeWindow;
  /** Indices into `boot.probes` of the timed probes drawn in it, by start time. */
  probes: number[];
}

/** At most this many episodes per boot (the first findings are the headline ones). */
export const MAX_EPISODES = 3;
/** Gaps shorter than this never split a group of other probes. */
const MIN_BURST_GAP_NS = 1_000_000;
const PAD_SHARE = 0.05;
const MIN_PAD_NS = 1_000;

/** Where a timed probe reaches on the clock: from its start (or its body's queue_work) to its end. */
export function probeReach(p: ProbeSpan): TimeWindow | null {
  if (p.startNs === null) return null;
  const end = p.endNs ?? p.startNs + p.durationNs;
  let startNs: number = p.startNs;
  let endNs: number = end;
  if (p.bodyStartNs != null && p.bodyEndNs != null && p.bodyEndNs >= p.bodyStartNs) {
    startNs = Math.min(startNs, p.bodyStartNs - (p.queueDelayNs ?? 0));
    endNs = Math.max(endNs, p.bodyEndNs);
  }
  return { startNs, endNs };
}

/** The padded window of the timed probes of `devices`, or null when none of them has a start time. */
export function devicesWindow(boot: Boot, devices: readonly string[]): TimeWindow | null {
  const wanted = new Set(devices);
  let startNs = Infinity;
  let endNs = -Infinity;
  for (const p of boot.probes) {
    if (!wanted.has(p.device)) continue;
    const reach = probeReach(p);
    if (reach === null) continue;
    startNs = Math.min(startNs, reach.startNs);
    endNs = Math.max(endNs, reach.endNs);
  }
  if (startNs === Infinity) return null;
  const pad = Math.max((endNs - startNs) * PAD_SHARE, MIN_PAD_NS);
  return { startNs: startNs - pad, endNs: endNs + pad };
}

/** The episodes of the boot's findings, in the findings' order (the headline first), at most `max`. */
export function findingEpisodes(boot: Boot, max = MAX_EPISODES): Episode[] {
  const episodes: Episode[] = [];
  boot.findings.forEach((finding, index) => {
    const window = devicesWindow(boot, finding.devices);
    if (window === null) return;
    const devices = timedDevices(boot, finding);
    const same = episodes.find((e) => overlapShare(e.window, window) > 0.5);
    if (same) {
      same.findings.push(index);
      same.devices.push(...devices.filter((d) => !same.devices.includes(d)));
      same.window = { startNs: Math.min(same.window.startNs, window.startNs), endNs: Math.max(same.window.endNs, window.endNs) };
      return;
    }
    episodes.push({ findings: [index], kind: finding.kind, title: finding.title, devices, window });
  });
  return episodes.slice(0, max);
}

/**
 * The boot's timed probes in groups: first one group per episode (its devices' probes and every other probe
 * that reaches into its window), then the other probes in time order, split where an idle gap is longer than
 * the group so far (boot-time probes and a later module load would otherwise squash each other) and around
 * every episode window.
 */
export function timelineGroups(boot: Boot, episodes: readonly Episode[]): TimelineGroup[] {
  const timed: Array<{ index: number; reach: TimeWindow }> = [];
  boot.probes.forEach((p, index) => {
    const reach = probeReach(p);
    if (reach !== null) timed.push({ index, reach });
  });
  timed.sort((a, b) => a.reach.startNs - b.reach.startNs || a.reach.endNs - b.reach.endNs || a.index - b.index);
  const groups: TimelineGroup[] = episodes.map((episode) => ({ episode, window: episode.window, probes: [] }));
  const rest: typeof timed = [];
  // A probe of an episode's devices goes to that episode; another probe to the shortest episode it reaches
  // into (a long episode's window, padded, may cover a short one: the short one keeps its own probes).
  const byDevice = new Map<string, number>();
  episodes.forEach((e, k) => e.devices.forEach((d) => byDevice.has(d) || byDevice.set(d, k)));
  for (const t of timed) {
    let k = byDevice.get(boot.probes[t.index]!.device) ?? -1;
    if (k < 0) {
      let shortest = Infinity;
      episodes.forEach((e, j) => {
        const length = e.window.endNs - e.window.startNs;
        if (t.reach.startNs < e.window.endNs && t.reach.endNs > e.window.startNs && length < shortest) {
          shortest = length;
          k = j;
        }
      });
    }
    if (k >= 0) groups[k]!.probes.push(t.index);
    else rest.push(t);
  }
  let current: typeof timed = [];
  let start = 0;
  let end = 0;
  const flush = () => {
    if (current.length > 0) groups.push({ episode: null, window: { startNs: start, endNs: end }, probes: current.map((t) => t.index) });
    current = [];
  };
  for (const t of rest) {
    const gap = t.reach.startNs - end;
    const episodeBetween = episodes.some((e) => e.window.startNs >= end && e.window.endNs <= t.reach.startNs);
    if (current.length > 0 && (gap > Math.max(end - start, MIN_BURST_GAP_NS) || episodeBetween)) flush();
    if (current.length === 0) {
      start = t.reach.startNs;
      end = t.reach.endNs;
    }
    current.push(t);
    end = Math.max(end, t.reach.endNs);
  }
  flush();
  return groups.filter((g) => g.probes.length > 0);
}

function timedDevices(boot: Boot, finding: Finding): string[] {
  const timed = new Set(boot.probes.filter((p) => p.startNs !== null).map((p) => p.device));
  return finding.devices.filter((d) => timed.has(d));
}

/** The share of the longer window that the two windows have in common (a short stretch inside a long one shares little). */
function overlapShare(a: TimeWindow, b: TimeWindow): number {
  const common = Math.min(a.endNs, b.endNs) - Math.max(a.startNs, b.startNs);
  const longer = Math.max(a.endNs - a.startNs, b.endNs - b.startNs);
  return common <= 0 ? 0 : longer <= 0 ? 1 : common / longer;
}
