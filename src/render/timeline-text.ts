// Text timelines of a boot's probe spans for `analyze`: one lane per CPU that ran a probe body and
// one per task that ran or waited for one, on a shared time axis, then a legend with each probe's
// numbers. Fits 100 columns. No analysis here: everything comes from the Boot's probe spans.

import { findingEpisodes, timelineGroups, type TimelineGroup, type TimeWindow } from '../findings/episodes.js';
import type { Boot, ProbeSpan, WorkerIdentity } from '../model/types.js';
import { formatMs, formatSeconds } from './text-table.js';
import { workerLabel } from './worker-label.js';

const WIDTH = 100;
const LABEL_WIDTH = 22;
const BAR_WIDTH = WIDTH - LABEL_WIDTH - 2;
const SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const WAIT = '.';

interface Mark {
  from: number;
  to: number;
  startNs: number;
  endNs: number;
  symbol: string;
}

interface Lane {
  label: string;
  marks: Mark[];
}

type TimedSpan = ProbeSpan & { startNs: number; endNs: number };

/** Every timed probe of the boot: the findings' episodes first, each on its own axis, then the other probes. */
export function renderTimelines(boot: Boot): string {
  const episodes = findingEpisodes(boot);
  const groups = timelineGroups(boot, episodes);
  return renderTimelineGroups(boot, groups, 'all');
}

/**
 * Draws `groups` of the boot: 'episodes' draws only the findings' episodes, 'others' only the other
 * groups, 'all' both (episodes first).
 */
export function renderTimelineGroups(boot: Boot, groups: readonly TimelineGroup[], which: 'episodes' | 'others' | 'all'): string {
  const untimed = boot.probes.filter((p) => p.startNs === null).length;
  const chosen = groups.filter((g) => which === 'all' || (which === 'episodes') === (g.episode !== null));
  if (chosen.length === 0) {
    if (which === 'episodes') return '';
    return groups.length === 0 ? 'Probe timelines: no probe span has a start and an end time.\n' : 'Every timed probe is in an episode above.\n';
  }
  const out: string[] = [];
  let symbolIndex = 0;
  const others = chosen.filter((g) => g.episode === null);
  let episodeNumber = 0;
  let otherNumber = 0;
  for (const group of chosen) {
    if (out.length > 0) out.push('');
    const spans = group.probes.map((i) => boot.probes[i]!).filter((p): p is TimedSpan => p.startNs !== null && p.endNs !== null);
    let title: string[];
    if (group.episode) {
      episodeNumber++;
      const more = group.episode.findings.length > 1 ? ` (and ${group.episode.findings.length - 1} more finding${group.episode.findings.length > 2 ? 's' : ''} in this stretch)` : '';
      title = wrapText(`Episode ${episodeNumber}: ${group.episode.title}${more}`, WIDTH, '  ');
    } else {
      otherNumber++;
      title = [others.length > 1 ? `Probe timeline ${otherNumber} of ${others.length}` : 'Probe timeline'];
    }
    out.push(...renderBurst(spans, title, symbolIndex, group.window));
    symbolIndex += spans.length;
  }
  if (untimed > 0 && which !== 'episodes') out.push('', `(${untimed} probe span(s) without start/end times are not drawn)`);
  return `${out.join('\n')}\n`;
}

/** Words filled into lines of at most `width` characters, continuation lines indented. */
function wrapText(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function renderBurst(spans: TimedSpan[], title: string[], firstSymbol: number, window: TimeWindow): string[] {
  const t0 = Math.round(window.startNs);
  const t1 = Math.round(window.endNs);
  const scale = Math.max(t1 - t0, 1) / BAR_WIDTH;
  const column = (t: number) => Math.min(BAR_WIDTH - 1, Math.max(0, Math.floor((t - t0) / scale)));
  const symbolOf = (i: number) => SYMBOLS[firstSymbol + i] ?? '#';

  const cpuLanes = new Map<string, Lane>();
  const taskLanes = new Map<string, Lane>();
  const lane = (lanes: Map<string, Lane>, label: string) => {
    let l = lanes.get(label);
    if (!l) {
      l = { label, marks: [] };
      lanes.set(label, l);
    }
    return l;
  };
  // A part outside the axis (an episode's axis cuts probes that reach into it) is not drawn.
  const markOf = (from: number, to: number, symbol: string): Mark | null =>
    to < t0 || from > t1 ? null : { from: column(from), to: column(to), startNs: from, endNs: to, symbol };
  spans.forEach((p, i) => {
    // The body's own run when the trace gave it (a work_on_cpu body starts after its queue delay).
    const bodyStart = Math.max(p.startNs, p.bodyStartNs ?? p.startNs);
    const bodyEnd = Math.max(bodyStart, Math.min(p.endNs, p.bodyEndNs ?? p.endNs));
    const body = markOf(bodyStart, bodyEnd, symbolOf(i));
    if (body) {
      lane(cpuLanes, p.cpu === null ? 'CPU ?' : `CPU ${p.cpu}`).marks.push(body);
      lane(taskLanes, taskLabel(p.worker)).marks.push(body);
    }
    const wait = p.queuedBy ? markOf(p.startNs, p.endNs, WAIT) : null;
    if (wait) lane(taskLanes, taskLabel(p.queuedBy)).marks.push(wait);
  });

  const out: string[] = [];
  const axis = `${formatSeconds(t0)} to ${formatSeconds(t1)} s (${formatMs(t1 - t0)} ms); one column = ${formatMs(scale)} ms`;
  // An episode's title is a finding's sentence: the axis gets a line of its own.
  if (title.length === 1 && !title[0]!.startsWith('Episode')) out.push(`${title[0]}: ${axis}`);
  else out.push(...title, `  ${axis}`);
  out.push('Per CPU (the CPU that ran each probe body, while it ran):');
  for (const l of sortedLanes(cpuLanes, cpuOrder)) out.push(...renderLane(l));
  out.push(`Per task (the task that ran each probe body; '${WAIT}' = the caller that queued it, whole probe):`);
  for (const l of sortedLanes(taskLanes, (a, b) => a.localeCompare(b))) out.push(...renderLane(l));
  out.push('Probes:');
  spans.forEach((p, i) => out.push(...legendLines(p, symbolOf(i))));
  return out;
}

function taskLabel(w: WorkerIdentity | null): string {
  return workerLabel(w, '(task unknown)');
}

function cpuOrder(a: string, b: string): number {
  const n = (s: string) => (s === 'CPU ?' ? Number.MAX_SAFE_INTEGER : Number(s.slice(4)));
  return n(a) - n(b);
}

function sortedLanes(lanes: Map<string, Lane>, order: (a: string, b: string) => number): Lane[] {
  return [...lanes.values()].sort((a, b) => order(a.label, b.label));
}

/** One lane; spans that overlap in time go on extra rows (interval partitioning, first free row). */
function renderLane(l: Lane): string[] {
  const rows: Array<{ cells: string[]; lastEndNs: number }> = [];
  for (const mark of [...l.marks].sort((a, b) => a.startNs - b.startNs)) {
    let row = rows.find((r) => r.lastEndNs <= mark.startNs);
    if (!row) {
      row = { cells: new Array<string>(BAR_WIDTH).fill(' '), lastEndNs: -Infinity };
      rows.push(row);
    }
    for (let c = mark.from; c <= mark.to; c++) row.cells[c] = mark.symbol;
    row.lastEndNs = mark.endNs;
  }
  const label = l.label.length > LABEL_WIDTH ? `${l.label.slice(0, LABEL_WIDTH - 1)}~` : l.label;
  return rows.map((r, i) => `${(i === 0 ? label : '').padEnd(LABEL_WIDTH)}|${r.cells.join('')}|`);
}

function legendLines(p: TimedSpan, symbol: string): string[] {
  const who = p.driver ? `${p.device} (${p.driver})` : p.device;
  const first = `  ${symbol} ${who}  ${formatSeconds(p.startNs)} s +${formatMs(p.durationNs)} ms  ` +
    `CPU ${p.cpu ?? '?'}  ${taskLabel(p.worker)}`;
  const parts: string[] = [];
  if (p.queuedBy) parts.push(`queued by ${taskLabel(p.queuedBy)}${p.queueDelayNs === null ? '' : ` (${formatMs(p.queueDelayNs)} ms in queue)`}`);
  if (p.onCpuNs !== null || p.runnableWaitNs !== null || p.sleepNs !== null) {
    parts.push(`on CPU ${formatMs(p.onCpuNs)}, runnable ${formatMs(p.runnableWaitNs)}, asleep ${formatMs(p.sleepNs)} ms`);
  }
  const joined = `      ${parts.join('; ')}`;
  if (parts.length === 0) return [first];
  return joined.length <= WIDTH ? [first, joined] : [first, ...parts.map((part) => `      ${part}`)];
}
