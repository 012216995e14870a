import { describe, expect, it } from 'vitest';
import { kernelProfile } from '../../src/sim/kernel-profile.js';
import { machineFromSpec } from '../../src/sim/machine.js';
import { simulate } from '../../src/sim/simulate.js';
import { probeMetrics } from '../../src/sim/sim-runs.js';
import { workloadFromBoot } from '../../src/sim/workload.js';
import { bootOf, kworker, mailBoot, span } from './probe-boot.helper.js';
import { nodeId, ns } from '../../src/core/units.js';

const MS = 1e6;

describe('patch-mail EPYC what-if (3 NVMe of ~34 ms on node 0 of a 2-node machine)', async () => {
  // Input: the v1 lines (isolated costs 34.77 / 34.70 / 33.23 ms, unbound async workers kworker/u1025:N).
  // Assumed: on-CPU fraction 0.5, 8 cpu/sleep pairs, 2x128 CPUs, kernel profile 6.12 (default), HZ 250.
  const boot = await mailBoot('after-v1.log');
  const workload = workloadFromBoot(boot, { cpuFraction: 0.5, segments: 8, nodeOf: new Map([['*', 0]]) });
  const machine = machineFromSpec('2x128');
  const profile = kernelProfile(null);

  it('reads the three probes as async (unbound workers) with the stated fraction', () => {
    expect(workload.probes.map((p) => [p.device, p.async, p.cpuNs, p.sleepNs])).toEqual([
      ['0000:01:00.0', true, 17382945, 17382945],
      ['0000:02:00.0', true, 17348217, 17348216],
      ['0000:03:00.0', true, 16616662, 16616661],
    ]);
    expect(workload.cpuFraction).toBe(0.5);
  });

  it('work-on-cpu serializes them on CPU 0 bound kworkers, near the mail\'s 47–53 ms', () => {
    const sim = simulate(workload, machine, 'work-on-cpu', { profile });
    expect(sim.probes.every((p) => p.cpu === 0 && p.worker?.kind === 'bound' && p.origin === 'simulated')).toBe(true);
    expect(new Set(sim.probes.map((p) => p.worker?.comm)).size).toBe(3);
    expect(sim.probes.map((p) => p.worker?.comm).sort()).toEqual(['kworker/0:0', 'kworker/0:1', 'kworker/0:2']);
    const m = probeMetrics(sim);
    expect(m.meanProbeNs / MS).toBeGreaterThan(47);
    expect(m.meanProbeNs / MS).toBeLessThan(53.5);
    expect(m.maxProbeNs / MS).toBeGreaterThan(50);
    expect(m.maxProbeNs / MS).toBeLessThan(56);
    expect(sim.probes.every((p) => (p.runnableWaitNs ?? 0) > 5 * MS)).toBe(true);
  });

  it('sync (no async probing) attaches the three devices one after another in one caller', () => {
    const sim = simulate(workload, machine, 'sync', { profile });
    expect(new Set(sim.probes.map((p) => p.queuedBy?.pid)).size).toBe(1);
    expect(sim.probes.every((p) => p.queuedBy?.comm === 'sync-caller' && p.cpu === 0)).toBe(true);
    expect(probeMetrics(sim).windowNs / MS).toBeGreaterThan(102.6);
  });

  it('conserves CPU work on CPU 0 under round-robin and processor sharing: the window covers the three CPU demands', () => {
    const demand = workload.probes.reduce((a, p) => a + p.cpuNs, 0);
    expect(demand).toBe(51347824);
    for (const cpuModel of ['rr', 'ps'] as const) {
      const sim = simulate(workload, machine, 'work-on-cpu', { profile: kernelProfile(null, { cpuModel }) });
      const m = probeMetrics(sim);
      expect(m.windowNs).toBeGreaterThanOrEqual(demand);
      expect(sim.probes.reduce((a, p) => a + (p.onCpuNs ?? 0), 0)).toBe(demand);
    }
  });

  it('both fixes bring every probe back to ~34 ms on distinct CPUs of node 0', () => {
    for (const policy of ['skip-in-worker', 'queue-node'] as const) {
      const sim = simulate(workload, machine, policy, { profile });
      const m = probeMetrics(sim);
      expect(m.meanProbeNs / MS).toBeGreaterThan(34.2);
      expect(m.meanProbeNs / MS).toBeLessThan(35.2);
      expect(new Set(sim.probes.map((p) => p.cpu)).size).toBe(3);
      expect(sim.probes.every((p) => p.worker?.kind === 'unbound' && p.worker.pool === 1025 && (p.cpu ?? 999) < 128)).toBe(true);
    }
  });

  it('the baseline-to-v1 gap grows with the on-CPU fraction (§8.6 item 4)', () => {
    const gap = (f: number) => {
      const w = workloadFromBoot(boot, { cpuFraction: f, segments: 8, nodeOf: new Map([['*', 0]]) });
      return probeMetrics(simulate(w, machine, 'work-on-cpu', { profile })).meanProbeNs - probeMetrics(simulate(w, machine, 'skip-in-worker', { profile })).meanProbeNs;
    };
    const gaps = [0.2, 0.4, 0.6, 0.8].map(gap);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!);
  });

  it('is deterministic: the same input gives the same Boot', () => {
    expect(simulate(workload, machine, 'queue-node', { profile })).toEqual(simulate(workload, machine, 'queue-node', { profile }));
  });
});

describe('bound-pool concurrency management (synthetic edge cases)', () => {
  const machine = machineFromSpec('1x4');
  const profile = kernelProfile('6.1.0');
  const asyncWorker = kworker('kworker/u9:0');

  it('a probe that never sleeps holds the pool: the next one waits in the worklist (queue delay = its run time)', () => {
    const probes = [0, 1].map((i) => span(`dev${i}`, 10 * MS, { node: nodeId(0), startNs: ns(0), queuedBy: asyncWorker, onCpuNs: ns(10 * MS), sleepNs: ns(0) }));
    const w = workloadFromBoot(bootOf(probes), { cpuFraction: 0.5, segments: 1 });
    const sim = simulate(w, machine, 'work-on-cpu', { profile });
    const [a, b] = sim.probes;
    expect(a!.worker?.comm).toBe('kworker/0:0');
    expect(b!.worker?.comm).toBe('kworker/0:0'); // keep_working: the same worker takes the next item
    expect(b!.queueDelayNs! - a!.queueDelayNs!).toBeGreaterThanOrEqual(10 * MS - 200_000);
    expect(a!.runnableWaitNs).toBe(0);
  });

  it('a probe that sleeps lets the next one start on another bound worker of the same CPU', () => {
    const probes = [0, 1].map((i) => span(`dev${i}`, 10 * MS, { node: nodeId(0), startNs: ns(0), queuedBy: asyncWorker, onCpuNs: ns(2 * MS), sleepNs: ns(8 * MS) }));
    const w = workloadFromBoot(bootOf(probes), { cpuFraction: 0.5, segments: 1 });
    const sim = simulate(w, machine, 'work-on-cpu', { profile });
    expect(sim.probes.map((p) => [p.cpu, p.worker?.comm])).toEqual([[0, 'kworker/0:0'], [0, 'kworker/0:1']]);
    expect(sim.probes[1]!.queueDelayNs!).toBeLessThan(3 * MS);
  });

  it('names unbound workers with the 6.1 pool id (2 ids per possible CPU, +1 for the default pool)', () => {
    const probes = [span('dev0', 4 * MS, { node: nodeId(0), startNs: ns(0), queuedBy: kworker('kworker/u9:0'), onCpuNs: ns(2 * MS), sleepNs: ns(2 * MS) })];
    const w = workloadFromBoot(bootOf(probes), { cpuFraction: 0.5, segments: 2 });
    const sim = simulate(w, machine, 'skip-in-worker', { profile });
    expect(sim.probes[0]!.worker?.comm).toBe('kworker/u9:0');
    expect(sim.probes[0]!.onCpuNs).toBe(2 * MS);
    expect(sim.probes[0]!.sleepNs).toBe(2 * MS);
  });

  it('6.5+ CPU-intensive detection: a 30 ms CPU hog stops counting after 10 ms (at a tick) and the next item starts', () => {
    const probes = [0, 1].map((i) => span(`dev${i}`, 30 * MS, { node: nodeId(0), startNs: ns(0), queuedBy: asyncWorker, onCpuNs: ns(30 * MS), sleepNs: ns(0) }));
    const w = workloadFromBoot(bootOf(probes), { cpuFraction: 0.5, segments: 1 });
    const old = simulate(w, machine, 'work-on-cpu', { profile });
    const recent = simulate(w, machine, 'work-on-cpu', { profile: kernelProfile('6.12') });
    expect(old.probes[1]!.queueDelayNs! / MS).toBeGreaterThanOrEqual(30);
    const delay = recent.probes[1]!.queueDelayNs! / MS;
    expect(delay).toBeGreaterThan(10);
    expect(delay).toBeLessThan(12.5);
    expect(recent.probes[1]!.worker?.comm).toBe('kworker/0:1');
  });

  it('sync probes run one after another in the caller, each hopping to CPU 0', () => {
    const probes = [0, 1, 2].map((i) => span(`dev${i}`, 4 * MS, { node: nodeId(0), startNs: ns(0), onCpuNs: ns(2 * MS), sleepNs: ns(2 * MS) }));
    const w = workloadFromBoot(bootOf(probes), { cpuFraction: 0.5, segments: 2 });
    const sim = simulate(w, machine, 'sync', { profile });
    const m = probeMetrics(sim);
    expect(m.windowNs).toBeGreaterThanOrEqual(12 * MS);
    expect(sim.probes.every((p) => p.cpu === 0 && p.queuedBy?.comm === 'sync-caller')).toBe(true);
  });
});
