import { describe, expect, it } from 'vitest';
import { nodeId, ns } from '../../src/core/units.js';
import { EventQueue } from '../../src/sim/event-queue.js';
import { kernelProfile, quantumNs } from '../../src/sim/kernel-profile.js';
import { MachineError, machineFromSpec, machineFromTopology, parseCpuListOption, withIsolatedCpus } from '../../src/sim/machine.js';
import { pciProbeCpu } from '../../src/sim/policies.js';
import { probeMetrics } from '../../src/sim/sim-runs.js';
import { simulate } from '../../src/sim/simulate.js';
import { buildPods, unboundPoolIdBase } from '../../src/sim/worker-pools.js';
import { splitProgram, workloadFromBoot } from '../../src/sim/workload.js';
import { bootOf, kworker, span } from './probe-boot.helper.js';

const MS = 1e6;

describe('EventQueue', () => {
  it('pops by time, and in insertion order at equal times', () => {
    const q = new EventQueue<string>();
    q.push(5, 'c');
    q.push(1, 'a');
    q.push(5, 'd');
    q.push(1, 'b');
    q.push(3, 'x');
    const out: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) out.push(e.payload);
    expect(out).toEqual(['a', 'b', 'x', 'c', 'd']);
  });
});

describe('Machine', () => {
  it('builds NxC machines node by node', () => {
    const m = machineFromSpec('2x64');
    expect(m.cpus).toHaveLength(128);
    expect(m.cpus[64]!.node).toBe(1);
    expect(m.nodes).toEqual([0, 1]);
    expect(pciProbeCpu(m, 1)).toBe(64);
  });

  it('rejects topologies without CPUs and isolcpus that leave none', () => {
    expect(() => machineFromSpec('0x8')).toThrow(MachineError);
    expect(() => machineFromSpec('two')).toThrow(/NxC/);
    expect(() => machineFromTopology({ cpus: [], isolated: [], source: null }, 'empty')).toThrow(/no CPUs/);
    expect(() => withIsolatedCpus(machineFromSpec('1x2'), [0, 1])).toThrow(/no housekeeping/);
  });

  it('isolcpus moves the PCI probe CPU to the first housekeeping CPU of the node (69a18b18699b)', () => {
    const m = withIsolatedCpus(machineFromSpec('2x4'), parseCpuListOption('0-1,4'));
    expect(pciProbeCpu(m, 0)).toBe(2);
    expect(pciProbeCpu(m, 1)).toBe(5);
    expect(m.description).toMatch(/isolcpus=0-1,4/);
  });

  it('groups unbound pods per node before 6.6 and per LLC after, with kernel pool ids', () => {
    const m = machineFromTopology({
      cpus: [0, 1, 2, 3].map((c) => ({ cpu: c as never, node: nodeId(0), core: c, socket: 0, llc: c < 2 ? 0 : 1, online: true })),
      isolated: [], source: null,
    }, 'test');
    expect(buildPods(m, kernelProfile('6.1')).pods).toEqual([[0, 1, 2, 3]]);
    expect(buildPods(m, kernelProfile('6.12')).pods).toEqual([[0, 1], [2, 3]]);
    expect(unboundPoolIdBase(machineFromSpec('2x4'), kernelProfile('6.1'))).toBe(17); // the captures' kworker/u17:*
    expect(unboundPoolIdBase(machineFromSpec('2x128'), kernelProfile('6.12'))).toBe(1025); // the mail's kworker/u1025:*
  });
});

describe('kernel profile', () => {
  it('rounds the slice up to whole ticks (§7.1)', () => {
    expect(quantumNs(kernelProfile('6.12'), 8, 2)).toBe(4 * MS); // EEVDF 0.75 ms × 4 = 3 ms → HZ 250 ticks
    expect(quantumNs(kernelProfile('6.12', { hz: 1000 }), 8, 2)).toBe(3 * MS);
    expect(quantumNs(kernelProfile('6.1'), 8, 2)).toBe(12 * MS); // CFS 24 ms / 2
    expect(quantumNs(kernelProfile('6.1'), 8, 16)).toBe(4 * MS); // min granularity 3 ms → 4 ms
  });

  it('takes the version from the banner, a user override, or the default', () => {
    expect(kernelProfile('6.1.176-lab').versionSource).toBe('boot');
    expect(kernelProfile('6.1.176-lab', { version: '7.0' }).pciDispatch).toBe('percpuSyncWq');
    expect(kernelProfile(null).version).toBe('6.12');
  });
});

describe('workload', () => {
  it('splits a program into k cpu/sleep pairs that sum exactly', () => {
    const p = splitProgram(1001, 7, 3);
    expect(p.filter((s) => s.kind === 'cpu').reduce((a, s) => a + s.ns, 0)).toBe(1001);
    expect(p.filter((s) => s.kind === 'sleep').reduce((a, s) => a + s.ns, 0)).toBe(7);
    expect(p[0]).toEqual({ kind: 'cpu', ns: 333 });
  });

  it('scales with --devices by repeating probes under new names', () => {
    const w = workloadFromBoot(bootOf([span('a', MS), span('b', MS)]), { cpuFraction: 0.5, segments: 1, devices: 5 });
    expect(w.probes.map((p) => p.device)).toEqual(['a', 'b', 'a#2', 'b#2', 'a#3']);
  });

  it('takes async probing from driver_async_probe= when no worker is known', () => {
    const w = workloadFromBoot(bootOf([span('a', MS)], null, 'console=ttyS0 driver_async_probe=nvme'), { cpuFraction: 0.5, segments: 1 });
    expect(w.probes[0]!.async).toBe(true);
    expect(w.probes[0]!.asyncReason).toBe('driver_async_probe=nvme');
  });
});

describe('unbound max_active (6.9+: async wq, per-node share with min_active 256)', () => {
  it('runs at most 256 async entries at once on a node; the rest wait for a slot', () => {
    const probes = Array.from({ length: 300 }, (_, i) => span(`d${i}`, 10 * MS, { node: nodeId(0), startNs: ns(0), worker: kworker('kworker/u9:0'), onCpuNs: ns(10 * MS), sleepNs: ns(0) }));
    const w = workloadFromBoot(bootOf(probes), { cpuFraction: 1, segments: 1 });
    const profile = kernelProfile('6.12', { workerCreateLatencyNs: 0 });
    const sim = simulate(w, machineFromSpec('1x512'), 'skip-in-worker', { profile });
    const late = sim.probes.filter((p) => (p.startNs ?? 0) >= 10 * MS);
    expect(late).toHaveLength(44);
    expect(probeMetrics(sim).windowNs).toBe(20 * MS);
  });
});
