import { describe, expect, it } from 'vitest';
import { detectSynchronousProbes, SYNCHRONOUS_PROBE } from '../../src/findings/synchronous-probe.js';
import { ns, pidOf } from '../../src/core/units.js';
import { bootOf, noTopology, probeFromDmesg, twoNodeTopology } from './capture-probes.js';

const C = 'fixtures/captures';

describe('synchronous-probe', () => {
  it('sync capture: insmod-220 attached the three NVMe one after another (trace join), cost checked by hand', () => {
    const dir = `${C}/sync`;
    const probes = [
      probeFromDmesg(dir, 1887, { trace: { queue: 5313, start: 5318, end: 5329 } }),
      probeFromDmesg(dir, 1889, { trace: { queue: 5359, start: 5364, end: 5373 } }),
      probeFromDmesg(dir, 1891, { trace: { queue: 5394, start: 5402, end: 5414 } }),
    ];
    const [f, ...rest] = detectSynchronousProbes(bootOf(probes, twoNodeTopology()));
    expect(rest).toEqual([]);
    expect(f!.kind).toBe(SYNCHRONOUS_PROBE);
    expect(f!.devices).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    expect(f!.cpu).toBeNull();
    expect(f!.data.bodyCpus).toEqual([0]);
    expect(f!.node).toBe(0);
    expect(f!.data.caller).toEqual({ comm: 'insmod', pid: 220 });
    // span: first start 5.919189 − 4.675 ms = 5.914514 to last end 5.928167 → 13.653 ms; in probes 4675 + 5533 + 2674 µs.
    // in parallel each takes as long as it did: the longest, 5533 µs, on 4 CPUs.
    expect(f!.data.serialSpanNs).toBe(13_653_000);
    expect(f!.data.serialProbeNs).toBe(12_882_000);
    expect(f!.data.costsNs).toEqual([4_675_000, 5_533_000, 2_674_000]);
    expect(f!.data.parallelSpanNs).toBe(5_533_000);
    expect(f!.lostNs).toBe(12_882_000 - 5_533_000);
    expect(f!.title).toBe('nvme probed 3 devices one after another in insmod-220 (synchronous probing): 12.9 ms of probes within 13.7 ms, about 7.3 ms more than in parallel on node 0\'s 4 CPUs.');
    expect(f!.detail).toContain('not bound-queue serialization');
  });

  it('after-v2-n0x3 caller ids only: PID 1 probed the three pcieport root ports serially (363 ms)', () => {
    const dir = `${C}/after-v2-n0x3`;
    const o = { callerIds: true, driver: 'pcieport' };
    const probes = [probeFromDmesg(dir, 975, o), probeFromDmesg(dir, 979, o), probeFromDmesg(dir, 983, o)];
    const [f] = detectSynchronousProbes(bootOf(probes, twoNodeTopology()));
    expect(f!.data.caller).toEqual({ comm: null, pid: 1 });
    // span 2.858089 − 0.121150 = 2.736939 to 3.100026; in probes 121150 + 116318 + 125051 µs; alone the longest is 125.051 ms
    expect(f!.data.serialSpanNs).toBe(363_087_000);
    expect(f!.data.serialProbeNs).toBe(362_519_000);
    expect(f!.lostNs).toBe(362_519_000 - 125_051_000);
    expect(f!.data.dataUsed).toBe('caller-id');
    expect(f!.title).toContain('in task T1');
  });

  it('async probes with distinct attaching tasks (before-n0x3 caller ids T8, T55, T58) are not synchronous', () => {
    const dir = `${C}/before-n0x3`;
    const probes = [1219, 1220, 1222].map((l) => probeFromDmesg(dir, l, { callerIds: true }));
    expect(detectSynchronousProbes(bootOf(probes, twoNodeTopology()))).toEqual([]);
  });

  it('never counts more than the probes took: the caller\'s work between them stays, nested probes are not a group', () => {
    const dir = `${C}/after-v2-n0x3`;
    const o = { callerIds: true, driver: 'pcieport' };
    const parents = [probeFromDmesg(dir, 975, o), probeFromDmesg(dir, 979, o), probeFromDmesg(dir, 983, o)];
    // A port service probed from inside each parent's probe by the same task (as pcie_pme is from pcie_portdrv_probe()).
    const children = parents.map((p, i) => ({ ...p, device: `${p.device}:pcie00${i + 1}`, driver: 'pcie_pme',
      startNs: ns(p.startNs! + 1_000_000), endNs: ns(p.startNs! + 2_000_000), durationNs: ns(1_000_000) }));
    const findings = detectSynchronousProbes(bootOf([...parents, ...children], twoNodeTopology()));
    expect(findings.map((f) => f.drivers[0])).toEqual(['pcieport']);
    for (const f of findings) expect(f.lostNs!).toBeLessThanOrEqual(f.data.serialProbeNs as number);
    // The same children printed by the kworker that ran each parent's body (console.log: parents T1, children T16).
    const inWorker = children.map((c) => ({ ...c, callerPid: pidOf(16), worker: { ...c.worker!, pid: pidOf(16) } }));
    expect(detectSynchronousProbes(bootOf([...parents, ...inWorker], twoNodeTopology())).map((f) => f.drivers[0])).toEqual(['pcieport']);
  });

  it('without a topology says that it assumed one CPU per probe', () => {
    const dir = `${C}/after-v2-n0x3`;
    const o = { callerIds: true, driver: 'pcieport' };
    const [f] = detectSynchronousProbes(bootOf([probeFromDmesg(dir, 975, o), probeFromDmesg(dir, 979, o), probeFromDmesg(dir, 983, o)], noTopology()));
    expect(f!.title).toContain('more than in parallel on 3 CPUs (one per probe: no topology given).');
  });
});

