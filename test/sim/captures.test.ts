// The simulator against the real captures (fixtures/captures, Linux 6.1.176 under QEMU, 3 NVMe on node 0
// of 2 × 4 CPUs, async probing via driver_async_probe=nvme). The workload comes from before-n0x3 (boot 1,
// with sched_switch data); predictions are checked against the spread of the three boots of each capture.

import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/model/load-boot.js';
import type { Boot } from '../../src/model/types.js';
import { kernelProfile } from '../../src/sim/kernel-profile.js';
import { machineFromTopology } from '../../src/sim/machine.js';
import { probeMetrics } from '../../src/sim/sim-runs.js';
import { simulate } from '../../src/sim/simulate.js';
import { workloadFromBoot } from '../../src/sim/workload.js';

const CAPTURES = new URL('../../fixtures/captures/', import.meta.url).pathname;
const BOOTS = ['', '/boot-2', '/boot-3'];

async function nvmeBoots(capture: string): Promise<Boot[]> {
  const boots = await Promise.all(BOOTS.map((b) => loadBoot([`${CAPTURES}${capture}${b}`])));
  return boots.map((boot) => ({ ...boot, probes: boot.probes.filter((p) => p.driver === 'nvme') }));
}

function spread(boots: Boot[]) {
  const metrics = boots.map(probeMetrics);
  const windows = metrics.map((m) => m.windowNs);
  const means = metrics.map((m) => m.meanProbeNs);
  return { window: [Math.min(...windows), Math.max(...windows)], mean: [Math.min(...means), Math.max(...means)] };
}

describe('replaying before-n0x3 (6.1, work_on_cpu)', async () => {
  const before = await loadBoot([`${CAPTURES}before-n0x3`]);
  const workload = workloadFromBoot(before, { cpuFraction: 0.5, segments: 8, drivers: ['nvme'] });
  const machine = machineFromTopology(before.topology, 'before-n0x3 topology');
  const profile = kernelProfile(before.kernel.release);
  const beforeSpread = spread(await nvmeBoots('before-n0x3'));
  const afterSpread = spread(await nvmeBoots('after-n0x3'));

  it('takes each probe from the trace: body CPU and sleep from sched_switch, async from the unbound attach worker', () => {
    expect(profile.version).toBe('6.1');
    expect(profile.unboundModel).toBe('numaHard');
    expect(workload.probes.map((p) => [p.device, p.node, p.async, p.cpuNs, p.sleepNs, p.derivedFrom])).toEqual([
      ['0000:21:00.0', 0, true, 2257000, 347000, 'sched'],
      ['0000:22:00.0', 0, true, 372000, 164000, 'sched'],
      ['0000:23:00.0', 0, true, 993000, 2849000, 'sched'],
    ]);
    expect(workload.cpuFraction).toBeNull();
  });

  it('work-on-cpu reproduces the placement (CPU 0 bound kworkers, as in the trace) and the window within the three boots', () => {
    const sim = simulate(workload, machine, 'work-on-cpu', { profile });
    expect(sim.probes.map((p) => [p.cpu, p.worker?.comm, p.queuedBy?.comm])).toEqual([
      [0, 'kworker/0:1', 'kworker/u17:0'],
      [0, 'kworker/0:2', 'kworker/u17:1'],
      [0, 'kworker/0:2', 'kworker/u17:0'],
    ]);
    const m = probeMetrics(sim);
    expect(beforeSpread.window[0]).toBe(8_124_000); // boot-3
    expect(beforeSpread.window[1]).toBe(15_613_000); // boot-2
    expect(m.windowNs).toBeGreaterThanOrEqual(beforeSpread.window[0]!);
    expect(m.windowNs).toBeLessThanOrEqual(beforeSpread.window[1]!);
    // Boot 1's own mean probe cost is 3.864 ms (the lowest of the three boots): the replay is within 5 % of it.
    const real = probeMetrics({ ...before, probes: before.probes.filter((p) => p.driver === 'nvme') });
    expect(real.meanProbeNs).toBe(3_864_333);
    expect(Math.abs(m.meanProbeNs - real.meanProbeNs) / real.meanProbeNs).toBeLessThan(0.05);
  });

  it('skip-in-worker predicts after-n0x3: probes inside their async kworker/u17:* on node 0, window and mean within its boots', () => {
    const sim = simulate(workload, machine, 'skip-in-worker', { profile });
    for (const p of sim.probes) {
      expect(p.worker?.kind).toBe('unbound');
      expect(p.worker?.pool).toBe(17);
      expect(p.queuedBy).toBeNull();
      expect([0, 1, 2, 3]).toContain(p.cpu);
    }
    const m = probeMetrics(sim);
    expect(m.windowNs).toBeGreaterThanOrEqual(afterSpread.window[0]!);
    expect(m.windowNs).toBeLessThanOrEqual(afterSpread.window[1]!);
    expect(m.meanProbeNs).toBeGreaterThanOrEqual(afterSpread.mean[0]!);
    expect(m.meanProbeNs).toBeLessThanOrEqual(afterSpread.mean[1]!);
  });

  it('queue-node predicts after-v2-n0x3 placement: each body on another node-0 unbound worker of pool 17, queued by the async worker', () => {
    const sim = simulate(workload, machine, 'queue-node', { profile });
    for (const p of sim.probes) {
      expect(p.worker?.kind).toBe('unbound');
      expect(p.worker?.pool).toBe(17);
      expect(p.queuedBy?.pool).toBe(17);
      expect(p.worker?.pid).not.toBe(p.queuedBy?.pid);
      expect([0, 1, 2, 3]).toContain(p.cpu);
    }
  });
});

describe('replaying after-v2-n0x3 under queue-node (its own workload)', async () => {
  const boots = await nvmeBoots('after-v2-n0x3');
  const v2Spread = spread(boots);
  it('keeps its window and mean within the spread of its three boots', async () => {
    const boot = await loadBoot([`${CAPTURES}after-v2-n0x3`]);
    const workload = workloadFromBoot(boot, { cpuFraction: 0.5, segments: 8, drivers: ['nvme'] });
    const sim = simulate(workload, machineFromTopology(boot.topology, 'after-v2'), 'queue-node', { profile: kernelProfile(boot.kernel.release) });
    const m = probeMetrics(sim);
    expect(m.windowNs).toBeGreaterThanOrEqual(v2Spread.window[0]!);
    expect(m.windowNs).toBeLessThanOrEqual(v2Spread.window[1]!);
    expect(m.meanProbeNs).toBeGreaterThanOrEqual(v2Spread.mean[0]!);
    expect(m.meanProbeNs).toBeLessThanOrEqual(v2Spread.mean[1]!);
  });
});
