import { describe, expect, it } from 'vitest';
import { devicesWindow, findingEpisodes, probeReach, timelineGroups } from '../../src/findings/episodes.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import type { Boot, Finding, ProbeSpan } from '../../src/model/types.js';
import { BOOT_SCHEMA, ns } from '../../src/model/types.js';

const MS = 1_000_000;

function span(device: string, driver: string, startMs: number, durationMs: number): ProbeSpan {
  return {
    device, driver, node: null, startNs: ns(startMs * MS), endNs: ns((startMs + durationMs) * MS), durationNs: ns(durationMs * MS), ret: 0,
    status: 'ok', deferred: false, cpu: null, worker: null, queuedBy: null, queueDelayNs: null, onCpuNs: null, runnableWaitNs: null,
    sleepNs: null, origin: 'probe-line', source: { file: 'dmesg.log', line: 1 }, evidence: [],
  };
}

function finding(kind: string, devices: string[]): Finding {
  return { kind, severity: 'warning', title: `${kind} of ${devices.length}`, detail: '', node: null, cpu: null, devices, drivers: [], lostNs: null, evidence: [], warnings: [], data: {} } as unknown as Finding;
}

function boot(probes: ProbeSpan[], findings: Finding[]): Boot {
  return { schema: BOOT_SCHEMA, inputs: [], kernel: { release: null, banner: null, cmdline: null }, topology: { cpus: [], isolated: [], source: null },
    probes, initcalls: [], findings, diagnostics: [] };
}

describe('episodes of the n0x3 capture (3 async nvme probes serialized on CPU 0, 3 synchronous pcieport probes)', async () => {
  const n0x3 = await loadBoot(['fixtures/captures/n0x3']);
  const episodes = findingEpisodes(n0x3);

  it('puts the headline finding first: the nvme probes, on their own window', () => {
    expect(episodes.map((e) => e.kind)).toEqual(['bound-queue-serialization', 'synchronous-probe']);
    expect(episodes[0]!.devices).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    // dmesg.log:1894,1897,1898: the first probe starts at 6.559321 s, the last ends at 6.570721 s (11.4 ms), padded 5 %.
    const w = episodes[0]!.window;
    expect(w.startNs).toBeLessThan(6_559_321_000);
    expect(w.endNs).toBeGreaterThan(6_570_721_000);
    expect(w.endNs - w.startNs).toBeLessThan(14 * MS);
  });

  it('gives the nvme probes a timeline group of their own, first, and keeps every timed probe exactly once', () => {
    const groups = timelineGroups(n0x3, episodes);
    expect(groups[0]!.episode).toBe(episodes[0]);
    expect(groups[0]!.probes.map((i) => n0x3.probes[i]!.device)).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    expect(groups[1]!.episode).toBe(episodes[1]);
    expect(groups[1]!.probes.map((i) => n0x3.probes[i]!.device).slice(0, 4)).toEqual(['0000:20:00.0', '0000:20:00.0:pcie001', '0000:20:00.0:pcie002', '0000:20:00.0:pcie004']);
    const all = groups.flatMap((g) => g.probes).sort((a, b) => a - b);
    const timed = n0x3.probes.map((p, i) => (p.startNs === null ? -1 : i)).filter((i) => i >= 0);
    expect(all).toEqual(timed);
    expect(groups.slice(2).every((g) => g.episode === null)).toBe(true);
  });
});

describe('findingEpisodes and timelineGroups (constructed cases)', () => {
  // The shape of the issue: 3 s of synchronous pcieport probes, then 16 async nvme probes a few ms long right
  // after them (no idle gap that would split the burst), serialized one after another.
  const pcie = Array.from({ length: 16 }, (_, i) => span(`0000:20:${i.toString(16).padStart(2, '0')}.0`, 'pcieport', 1000 + i * 190, 188));
  const nvme = Array.from({ length: 16 }, (_, i) => span(`0000:${(0x21 + i).toString(16)}:00.0`, 'nvme', 4045 + i * 0.1, 2 + i * 2));
  const b = boot([...pcie, ...nvme], [finding('bound-queue-serialization', nvme.map((p) => p.device)), finding('synchronous-probe', pcie.map((p) => p.device))]);

  it('draws the 16 nvme probes on their own 37 ms axis, not on the 3 s one of the pcieport burst', () => {
    const episodes = findingEpisodes(b);
    expect(episodes).toHaveLength(2);
    const groups = timelineGroups(b, episodes);
    expect(groups[0]!.probes).toEqual(nvme.map((_, i) => 16 + i));
    const w = groups[0]!.window;
    // 4045 ms (first start) to 4078.5 ms (the last probe: 4046.5 ms + 32 ms), padded 5 % of 33.5 ms each side.
    expect(w.startNs).toBeCloseTo(4045 * MS - 1.675 * MS, -3);
    expect(w.endNs).toBeCloseTo(4078.5 * MS + 1.675 * MS, -3);
    expect(groups[1]!.probes).toEqual(pcie.map((_, i) => i));
    expect(groups).toHaveLength(2);
  });

  it('merges findings whose stretches mostly overlap (two nodes serialized at once) into one episode', () => {
    const a = finding('bound-queue-serialization', nvme.slice(0, 8).map((p) => p.device));
    const c = finding('bound-queue-serialization', nvme.slice(8).map((p) => p.device));
    const episodes = findingEpisodes(boot(nvme, [a, c]));
    expect(episodes).toHaveLength(1);
    expect(episodes[0]!.findings).toEqual([0, 1]);
    expect(episodes[0]!.devices).toHaveLength(16);
  });

  it('has no episode for findings without timed devices, and splits the other probes at idle gaps and around episodes', () => {
    const untimed = { ...span('x', 'd', 0, 1), startNs: null, endNs: null };
    expect(findingEpisodes(boot([untimed], [finding('k', ['x'])]))).toEqual([]);
    expect(devicesWindow(boot([untimed], []), ['x'])).toBeNull();
    const early = span('early', 'd', 10, 5);
    const late = span('late', 'd', 5000, 5);
    const mid = span('mid', 'd', 100, 5);
    const b2 = boot([early, mid, late], [finding('k', ['mid'])]);
    const groups = timelineGroups(b2, findingEpisodes(b2));
    expect(groups.map((g) => g.probes)).toEqual([[1], [0], [2]]);
  });

  it('reaches back to the queue_work of a body the trace joined', () => {
    const p = { ...span('q', 'nvme', 100, 10), bodyStartNs: ns(104 * MS), bodyEndNs: ns(111 * MS), queueDelayNs: ns(5 * MS) };
    expect(probeReach(p)).toEqual({ startNs: 99 * MS, endNs: 111 * MS });
  });
});

describe('the constructed 16-NVMe boot (bench/construct-n0x16.ts: n0x3 with 18 pcieport and 16 nvme probes)', async () => {
  const { constructN0x16 } = await import('../../bench/construct-n0x16.js');
  const b = await constructN0x16();

  it('puts the 16 serialized nvme probes first, on an axis of their own ~80 ms, not the 3.4 s of the boot-time burst', () => {
    const episodes = findingEpisodes(b);
    expect(episodes[0]!.kind).toBe('bound-queue-serialization');
    expect(episodes[0]!.devices).toHaveLength(16);
    const groups = timelineGroups(b, episodes);
    const first = groups[0]!;
    expect(first.probes.map((i) => b.probes[i]!).filter((p) => p.driver === 'nvme')).toHaveLength(16);
    expect(first.window.endNs - first.window.startNs).toBeLessThan(100 * MS);
    // The pcieport stretch right before them lasts over 3 s.
    const pcie = b.probes.filter((p) => p.driver === 'pcieport');
    expect(pcie).toHaveLength(18);
    expect(Math.max(...pcie.map((p) => p.endNs!)) - Math.min(...pcie.map((p) => p.startNs!))).toBeGreaterThan(3000 * MS);
  });
});
