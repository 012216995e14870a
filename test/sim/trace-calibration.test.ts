// Worker-creation latency and the pools at probe start, measured from real traces (fixtures/captures,
// Linux 6.1.176 under QEMU: sched_wakeup_new / sched_wakeup / sched_migrate_task / sched_switch), plus
// synthetic event sequences for the cases the captures do not show.

import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/ingest/trace-events.types.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { cpuId, ns, pidOf } from '../../src/model/types.js';
import { probeWindow, readTraceCalibration } from '../../src/sim/read-trace-calibration.js';
import { calibrateFromTrace, poolsAtProbeStart } from '../../src/sim/trace-calibration.js';
import { workloadFromBoot } from '../../src/sim/workload.js';
import { loadBootForSimulation } from '../../src/pipeline/load-boot-for-simulation.js';
import { selfCheckOfBoot } from '../../src/sim/self-check.js';

const CAPTURES = new URL('../../fixtures/captures/', import.meta.url).pathname;

async function calibrated(capture: string) {
  const boot = await loadBoot([`${CAPTURES}${capture}`]);
  const workload = workloadFromBoot(boot, { cpuFraction: 0.5, segments: 8, drivers: ['nvme'] });
  return { boot, workload, ...(await readTraceCalibration(boot, workload)) };
}

describe('worker creation measured in the captures', () => {
  it('before-n0x3: three kworkers of pool 17 created during the probes; manager start → request on its CPU, request → started waiting', async () => {
    const { boot, workload, calibration, notes } = await calibrated('before-n0x3');
    expect(notes).toEqual([]);
    expect(probeWindow(boot, workload)).toEqual({ startNs: 4_057_885_000, endNs: 4_067_657_000 });
    const wc = calibration.workerCreation!;
    expect(wc.scope).toBe('probe window');
    expect(wc.traceSamples).toBe(43);
    expect(wc.samples.map((s) => [s.comm, s.pid, s.managerPid, s.managerCpuNs, s.waitNs, s.source.line])).toEqual([
      ['kworker/u17:3', 165, 58, 1_755_000, 1_676_000, 3566], // managed by kworker/u17:2, which blocked (line 3563) 52 µs before kthreadd's sched_wakeup
      ['kworker/u17:4', 166, null, null, 441_000, 3615], // attach and wake-up seen only from the idle task: no manager named
      ['kworker/u17:5', 167, 166, 2_200_000, 3_053_000, 3633],
    ]);
    expect([wc.medianNs, wc.minNs, wc.maxNs, wc.cpuMedianNs, wc.waitMedianNs]).toEqual([3_431_000, 441_000, 5_253_000, 1_977_500, 1_676_000]);
  });

  it('after-v2-n0x3: the first new worker took 12.7 ms (5.8 ms of it the manager on its CPU), the others about 1–3 ms', async () => {
    const { calibration } = await calibrated('after-v2-n0x3');
    const wc = calibration.workerCreation!;
    expect(wc.samples.map((s) => [s.comm, s.managerPid, s.managerStartNs, s.requestNs, s.forkNs, s.startedNs, s.latencyNs])).toEqual([
      ['kworker/u17:3', 57, 4_625_066_000, 4_630_854_000, 4_631_559_000, 4_637_761_000, 12_695_000],
      ['kworker/u17:4', 168, 4_637_868_000, 4_638_002_000, 4_638_421_000, 4_641_040_000, 3_172_000],
      ['kworker/u17:5', 169, 4_649_199_000, 4_649_489_000, 4_649_937_000, 4_650_232_000, 1_033_000],
      ['kworker/u17:6', 170, 4_660_358_000, 4_660_513_000, 4_660_950_000, 4_661_387_000, 1_029_000],
    ]);
    expect([wc.cpuMedianNs, wc.waitMedianNs]).toEqual([216_500, 1_956_000]);
  });

  it('n0x3-tsc-unstable boot 2: a manager that blocks before kthreadd\'s wake-up shows (a remote wake-up) is on its CPU only until it blocks', async () => {
    // kworker/0:0 switched in at 6.391166 (line 5558) and blocked (D) at 6.391205 (line 5559) in create_worker()'s wait;
    // kthreadd's sched_wakeup fired on idle CPU 4 only at 6.396521 (line 5570) and it forked kworker/0:2 at 6.397288
    // (its second fork of that run, line 5573). Counted to the fork, the manager "ran" 6.1 ms on CPU 0 and the self-check
    // replay contended with the bodies there: mean +111 %.
    const { calibration } = await calibrated('n0x3-tsc-unstable/boot-2');
    const s = calibration.workerCreation!.samples.find((x) => x.comm === 'kworker/0:2')!;
    expect([s.managerPid, s.managerStartNs, s.requestNs, s.managerCpuNs, s.waitNs, s.latencyNs]).toEqual([7, 6_391_166_000, 6_397_288_000, 39_000, 6_880_000, 6_919_000]);
    const { boot, collected } = await loadBootForSimulation([`${CAPTURES}n0x3-tsc-unstable/boot-2`]);
    const check = await selfCheckOfBoot(boot, { cpuFraction: 0.5, segments: 8, drivers: ['nvme'] }, { collected });
    expect(check.status).toBe('checked');
    expect(Math.abs(check.errors!.meanProbeNs)).toBeLessThan(0.05);
  });

  it('n0x3-tsc-unstable boot 1 stays low-confidence, and its self-check says what the body\'s worker ran while device 23:00.0\'s body waited', async () => {
    const { boot, collected } = await loadBootForSimulation([`${CAPTURES}n0x3-tsc-unstable`]);
    const check = await selfCheckOfBoot(boot, { cpuFraction: 0.5, segments: 8, drivers: ['nvme'] }, { collected });
    expect(check.status).toBe('low-confidence');
    // kworker/0:1 ran two flush barriers (wq_barrier_func, which only calls complete()) for 4.37 and 9.40 ms without a
    // switch (trace lines 5364-5380, 5390-5422) before it took the body: the 18.14 ms wait the replay (3.80 ms) cannot have.
    expect(check.why[0]).toMatch(/^0000:23:00\.0: observed 19\.69 ms .*: wait for the body's worker 18\.14 ms, .*; replayed 5\.34 ms: wait for the body's worker 3\.80 ms, .*; while it waited, its worker kworker\/0:1 ran 4 other items for 17\.80 ms \(wq_barrier_func 9\.40 ms, trace line 5390; wq_barrier_func 4\.37 ms, trace line 5364; work_for_cpu_fn 3\.06 ms, trace line 5348; …\)$/);
  });

  it('after-v2-n0x3: kworkers created during the probes do not seed the simulated pools', async () => {
    const { workload, calibration } = await calibrated('after-v2-n0x3');
    expect(workload.seenWorkers.map((w) => w.comm).sort()).toEqual(['kworker/u17:0', 'kworker/u17:1', 'kworker/u17:2', 'kworker/u17:3', 'kworker/u17:4']);
    const atStart = poolsAtProbeStart(workload, calibration);
    expect(atStart.seenWorkers.map((w) => w.comm).sort()).toEqual(['kworker/u17:0', 'kworker/u17:1', 'kworker/u17:2']);
    expect(atStart.notes.at(-1)).toBe('not seeded: kworker/u17:3, kworker/u17:4 (created during the probes in the real boot; the simulation creates its own)');
    expect(workload.seenWorkers).toHaveLength(5); // the input workload is not changed
  });

  it('a function_graph capture: its sched and workqueue events (comments) give the calibration too', async () => {
    const boot = await loadBoot([`${CAPTURES}fgraph`]);
    expect(boot.inputs.find((i) => i.format === 'function-graph')?.clockOffsetNs).toBe(0);
    const workload = workloadFromBoot(boot, { cpuFraction: 0.5, segments: 8 });
    const { calibration, notes } = await readTraceCalibration(boot, workload);
    expect(notes).toEqual([]);
    expect([calibration.workerCreation?.scope, calibration.workerCreation?.samples.length, calibration.workerCreation?.medianNs]).toEqual(['probe window', 5, 1_515_000]);
    // The three NVMe probes' async items, queued by insmod 0.5–0.7 ms before a worker started them.
    expect(calibration.asyncQueued?.map((q) => [q.probe.replace(/.*\//, ''), q.queuedNs, q.startedNs])).toEqual([
      ['dmesg.log:1888', 9_043_383_000, 9_043_996_000],
      ['dmesg.log:1886', 9_043_400_000, 9_044_138_000],
      ['dmesg.log:1890', 9_043_267_000, 9_043_801_000],
    ]);
  });
});

describe('a trace whose clock is off the printk clock', () => {
  it('moves the trace times onto the Boot clock (inputs[].clockOffsetNs) before matching async items and workers', async () => {
    // before-n0x3 with every trace time 6 ms earlier (as with trace_clock=local on another CPU): the join finds
    // the offset from the markers written to both logs, and the calibration must use it.
    const dir = mkdtempSync(join(tmpdir(), 'tp-offset-'));
    for (const f of ['dmesg.log', 'topology.csv', 'pci-numa.txt']) copyFileSync(`${CAPTURES}before-n0x3/${f}`, join(dir, f));
    const shifted = readFileSync(`${CAPTURES}before-n0x3/trace.txt`, 'utf8').replace(/ (\d+)\.(\d{6}): /g, (_, s: string, us: string) => {
      const t = Number(s) * 1e6 + Number(us) - 6000;
      return ` ${Math.floor(t / 1e6)}.${String(t % 1e6).padStart(6, '0')}: `;
    });
    writeFileSync(join(dir, 'trace.txt'), shifted);
    const boot = await loadBoot([join(dir, 'dmesg.log'), join(dir, 'trace.txt'), join(dir, 'topology.csv'), join(dir, 'pci-numa.txt')]);
    // The join's estimate: the closest marker pair, which includes the delay between the two writes (0.112 ms here).
    const offset = boot.inputs.find((i) => i.format === 'ftrace')?.clockOffsetNs;
    expect(offset).toBe(6_112_000);
    const workload = workloadFromBoot(boot, { cpuFraction: 0.5, segments: 8, drivers: ['nvme'] });
    const { calibration } = await readTraceCalibration(boot, workload);
    const original = await calibrated('before-n0x3');
    // The same three items, each moved by what the join's estimate is off (+0.112 ms).
    expect(calibration.asyncQueued?.map((q) => [q.queuedNs, q.startedNs])).toEqual(
      original.calibration.asyncQueued?.map((q) => [q.queuedNs + 112_000, q.startedNs + 112_000]));
    expect(calibration.workerCreation?.samples.map((w) => w.comm)).toEqual(original.calibration.workerCreation?.samples.map((w) => w.comm));

    // The same trace in two files (header repeated): the join moves both by the offset, and so does the calibration.
    const lines = shifted.split('\n');
    const header = lines.filter((l) => l.startsWith('#'));
    const events = lines.filter((l) => l !== '' && !l.startsWith('#'));
    const cut = events.findIndex((l) => l.includes('4.05775'));
    writeFileSync(join(dir, 'a.trace'), [...header, ...events.slice(0, cut), ''].join('\n'));
    writeFileSync(join(dir, 'b.trace'), [...header, ...events.slice(cut), ''].join('\n'));
    const split = await loadBoot([join(dir, 'dmesg.log'), join(dir, 'a.trace'), join(dir, 'b.trace'), join(dir, 'topology.csv'), join(dir, 'pci-numa.txt')]);
    expect(split.inputs.filter((i) => i.format === 'ftrace').map((i) => i.clockOffsetNs)).toEqual([6_112_000, 6_112_000]);
    const splitCalibration = (await readTraceCalibration(split, workloadFromBoot(split, { cpuFraction: 0.5, segments: 8, drivers: ['nvme'] }))).calibration;
    expect(splitCalibration.asyncQueued?.map((q) => q.queuedNs)).toEqual(calibration.asyncQueued?.map((q) => q.queuedNs));
  });
});

describe('worker creation from synthetic event sequences', () => {
  let line = 0;
  const base = (us: number, pid: number, comm: string) => ({ source: { file: 'synthetic', line: ++line }, timeNs: ns(us * 1000), cpu: cpuId(0), pid: pidOf(pid), comm, tgid: null });
  const wakeup = (us: number, ctx: [number, string], pid: number, comm: string, type: 'sched_wakeup' | 'sched_wakeup_new' = 'sched_wakeup'): TraceEvent =>
    ({ ...base(us, ctx[0], ctx[1]), type, targetComm: comm, targetPid: pidOf(pid), prio: 120, targetCpu: cpuId(0) });
  const migrate = (us: number, ctx: [number, string], pid: number, comm: string): TraceEvent =>
    ({ ...base(us, ctx[0], ctx[1]), type: 'sched_migrate_task', targetComm: comm, targetPid: pidOf(pid), prio: 120, origCpu: cpuId(1), destCpu: cpuId(0) });
  const switchTo = (us: number, prev: [number, string], next: [number, string]): TraceEvent =>
    ({ ...base(us, prev[0], prev[1]), type: 'sched_switch', prevComm: prev[1], prevPid: pidOf(prev[0]), prevPrio: 120, prevState: 'D', nextComm: next[1], nextPid: pidOf(next[0]), nextPrio: 120 });
  const idle: [number, string] = [0, '<idle>'];
  const kthreadd: [number, string] = [2, 'kthreadd'];
  const manager: [number, string] = [40, 'kworker/0:1'];

  it('names the manager from a migration in its context and starts the sample at its switch-in', () => {
    const cal = calibrateFromTrace([
      switchTo(1000, idle, manager),
      wakeup(1300, manager, 2, 'kthreadd'),
      wakeup(1400, kthreadd, 50, 'kthreadd', 'sched_wakeup_new'),
      migrate(1800, manager, 50, 'kworker/0:2'),
      wakeup(1810, manager, 50, 'kworker/0:2'),
    ]);
    expect(cal.workerCreation!.samples.map((s) => [s.managerPid, s.managerCpuNs, s.waitNs, s.latencyNs])).toEqual([[40, 300_000, 510_000, 810_000]]);
    expect(cal.workerCreation!.scope).toBe('whole trace');
  });

  it('a kworker of another pool is not taken for the manager; kthreadd already running: the request is the fork', () => {
    const cal = calibrateFromTrace([
      switchTo(1000, idle, [41, 'kworker/u17:0']),
      wakeup(1400, kthreadd, 50, 'kthreadd', 'sched_wakeup_new'),
      migrate(1800, [41, 'kworker/u17:0'], 50, 'kworker/0:2'),
      switchTo(2000, idle, [50, 'kworker/0:2']), // started without a printed wake-up
    ]);
    expect(cal.workerCreation!.samples.map((s) => [s.managerPid, s.requestNs, s.startedNs, s.latencyNs])).toEqual([[null, 1_400_000, 2_000_000, 600_000]]);
    expect([cal.workerCreation!.cpuMedianNs, cal.workerCreation!.waitMedianNs]).toEqual([0, 600_000]);
  });

  it('other kthreads (not kworkers) give no sample; a window without samples falls back to the whole trace', () => {
    const events = [
      wakeup(100, kthreadd, 60, 'kthreadd', 'sched_wakeup_new'),
      wakeup(200, kthreadd, 61, 'kthreadd', 'sched_wakeup_new'),
      wakeup(300, idle, 60, 'nvme-wq'),
      wakeup(400, idle, 61, 'kworker/u17:7'),
    ];
    expect(calibrateFromTrace(events).workerCreation!.samples.map((s) => s.comm)).toEqual(['kworker/u17:7']);
    expect(calibrateFromTrace(events, { startNs: 1e9, endNs: 2e9 }).workerCreation!.scope).toBe('whole trace');
    expect(calibrateFromTrace(events, { startNs: 0, endNs: 300_000 }).workerCreation!.scope).toBe('probe window');
    expect(calibrateFromTrace([]).workerCreation).toBeNull();
  });
});
