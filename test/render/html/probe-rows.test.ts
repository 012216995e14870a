import { describe, expect, it } from 'vitest';
import { packRows } from '../../../src/render/html/lane-packing.js';
import { devicesWindow } from '../../../src/findings/episodes.js';
import { probeRows } from '../../../src/render/html/probe-rows.js';
import type { ProbeSpan } from '../../../src/model/types.js';
import { concurrencyPoints } from '../../../src/render/html/concurrency-spec.js';
import { beforeN0x3Boot } from './before-n0x3-boot.js';

describe('packRows', () => {
  it('gives overlapping intervals separate rows and reuses the lowest free row', () => {
    expect(packRows([{ start: 0, end: 10 }, { start: 5, end: 8 }, { start: 9, end: 12 }, { start: 10, end: 11 }])).toEqual([0, 1, 1, 0]);
  });
  it('packs nothing into nothing', () => {
    expect(packRows([])).toEqual([]);
  });
});

describe('probeRows on before-n0x3', () => {
  const { rows, lanes, untimed } = probeRows(beforeN0x3Boot());
  it('puts the three nvme probe bodies on CPU 0, the overlapping 0000:22:00.0 on a second row', () => {
    expect(lanes).toEqual(['CPU 0', 'CPU 0 ·2']);
    expect(untimed).toBe(0);
    expect(rows.map((r) => [r.device, r.lane, r.worker, r.kind])).toEqual([
      ['0000:21:00.0', 'CPU 0', 'kworker/0:1-16', 'bound'],
      ['0000:22:00.0', 'CPU 0 ·2', 'kworker/0:2-96', 'bound'],
      ['0000:23:00.0', 'CPU 0', 'kworker/0:2-96', 'bound'],
    ]);
  });
  it('divides the span: queue delay from the start, then the body (the runnable wait is a tooltip figure)', () => {
    const r = rows[0]!;
    expect(r.t0).toBeCloseTo(4.057885, 9);
    expect(r.t1).toBeCloseTo(4.058024, 9);
    expect(Object.keys(r)).not.toContain('t2');
    expect(r.t3).toBeCloseTo(4.061093, 9);
    expect(r.durationMs).toBe(3.208);
    expect(r.queuedBy).toBe('kworker/u17:0-8');
    expect(r.source).toBe('fixtures/captures/before-n0x3/dmesg.log:1219');
    // tooltip texts: a value with 3 decimals, or why there is none (never `null`)
    expect(r.queueDelay).toBe('0.139');
    expect(r.runnableWait).toBe('not in the input (needs a trace)');
  });
  it('leaves probes with only a cost off the timeline and counts them', () => {
    const boot = beforeN0x3Boot();
    boot.probes[1] = { ...boot.probes[1]!, startNs: null, endNs: null };
    const r = probeRows(boot);
    expect(r.rows.map((x) => x.device)).toEqual(['0000:21:00.0', '0000:23:00.0']);
    expect(r.lanes).toEqual(['CPU 0']);
    expect(r.untimed).toBe(1);
  });
});

describe('concurrencyPoints on before-n0x3', () => {
  const points = concurrencyPoints(beforeN0x3Boot());
  const series = (name: string) => points.filter((p) => p.node === '0' && p.series === name).map((p) => [p.t, p.value]);
  it('shows two probes in flight on node 0 while one CPU runs probe bodies', () => {
    expect(Math.max(...series('probes in flight').map(([, v]) => v!))).toBe(2);
    expect(Math.max(...series('CPUs running a probe body').map(([, v]) => v!))).toBe(1);
    expect(series('CPUs on the node').map(([, v]) => v)).toEqual([4, 4]);
    expect(series('probes in flight')).toEqual([
      [4.057885, 1],
      [4.05892, 2],
      [4.061093, 1],
      [4.061165, 0],
      [4.061517, 1],
      [4.067657, 0],
    ]);
  });
  it('has no other node, since every probe is on node 0', () => {
    expect(new Set(points.map((p) => p.node))).toEqual(new Set(['0']));
  });
});

describe('probe bodies from the joined trace (bodyStartNs/bodyEndNs)', () => {
  // trace.txt of before-n0x3: work_for_cpu_fn of 0000:21:00.0 ran 4.058109–4.060719 on kworker/0:1-16,
  // 0000:22:00.0 4.059019–4.061016 on kworker/0:2-96, 0000:23:00.0 4.061668–4.065516 on kworker/0:2-96.
  const bodies: Array<[number, number]> = [
    [4_058_109_000, 4_060_719_000],
    [4_059_019_000, 4_061_016_000],
    [4_061_668_000, 4_065_516_000],
  ];
  function joinedBoot() {
    const boot = beforeN0x3Boot();
    boot.probes = boot.probes.map((p, i) => ({ ...p, bodyStartNs: bodies[i]![0], bodyEndNs: bodies[i]![1] }) as ProbeSpan);
    return boot;
  }
  it('draws the body where the trace ran it and its queue delay right before', () => {
    const { rows, lanes } = probeRows(joinedBoot());
    expect(lanes).toEqual(['CPU 0', 'CPU 0 ·2']);
    const r = rows[0]!;
    expect([r.t0, r.t1, r.t3]).toEqual([4.05797, 4.058109, 4.060719]);
    expect([r.spanStart, r.spanEnd]).toEqual([4.057885, 4.061093]);
    expect(rows[2]!.lane).toBe('CPU 0');
  });
  it('zooms a finding on its devices: the window covers their queue and bodies, padded 5%', () => {
    const boot = joinedBoot();
    const window = devicesWindow(boot, ['0000:21:00.0', '0000:22:00.0'])!;
    // From the first probe start 4.057885 to the last span end 4.061165 (3.28 ms), ± 0.164 ms.
    expect(window).toEqual({ startNs: 4_057_885_000 - 164_000, endNs: 4_061_165_000 + 164_000 });
    // 0000:23:00.0 was queued at 4.061580, after the window.
    expect(probeRows(boot, window).rows.map((r) => r.device)).toEqual(['0000:21:00.0', '0000:22:00.0']);
    expect(probeRows(boot, { startNs: 4_057_000_000, endNs: 4_058_000_000 }).rows.map((r) => r.device)).toEqual(['0000:21:00.0']);
    expect(devicesWindow(boot, ['0000:99:00.0'])).toBeNull();
  });
});
