import { describe, expect, it } from 'vitest';
import { BOUND_QUEUE_SERIALIZATION, detectBoundQueueSerialization } from '../../src/findings/bound-queue-serialization.js';
import { detectFindings } from '../../src/findings/index.js';
import type { Boot, ProbeSpan } from '../../src/model/types.js';
import type { Topology } from '../../src/ingest/topology.types.js';
import { cpuId, nodeId } from '../../src/core/units.js';
import { bootOf, noTopology, probeFromCustomLine, probeFromDmesg, probeInWorker, twoNodeTopology, worker } from './capture-probes.js';

const C = 'fixtures/captures';
const MAIL = 'fixtures/sim'; // verbatim copies of ../shared/examples/epyc9a64-patch-mail/

/** n0x3 (stock 6.1, driver_async_probe=nvme): the three NVMe probes joined to their work_for_cpu_fn items. */
function n0x3Probes(): ProbeSpan[] {
  const dir = `${C}/n0x3`;
  return [
    probeFromDmesg(dir, 1894, { trace: { queue: 5535, start: 5548, end: 5576 } }), // 0000:21:00.0, kworker/u17:0-9 → kworker/0:1-18
    probeFromDmesg(dir, 1898, { trace: { queue: 5545, start: 5588, end: 5640 } }), // 0000:22:00.0, kworker/u17:2-59 → kworker/0:1-18
    probeFromDmesg(dir, 1897, { trace: { queue: 5567, start: 5602, end: 5627 } }), // 0000:23:00.0, kworker/u17:1-58 → kworker/0:2-98
  ];
}

function beforeProbes(boot: '' | '/boot-2' | '/boot-3'): ProbeSpan[] {
  const dir = `${C}/before-n0x3${boot}`;
  const o = { callerIds: true };
  if (boot === '') {
    return [
      probeFromDmesg(dir, 1219, { ...o, trace: { queue: 3536, start: 3542, end: 3571 } }),
      probeFromDmesg(dir, 1220, { ...o, trace: { queue: 3549, start: 3557, end: 3583 } }),
      probeFromDmesg(dir, 1222, { ...o, trace: { queue: 3596, start: 3602, end: 3639 } }),
    ];
  }
  if (boot === '/boot-2') {
    return [
      probeFromDmesg(dir, 1211, { ...o, trace: { queue: 4018, start: 4039, end: 4066 } }),
      probeFromDmesg(dir, 1213, { ...o, trace: { queue: 4014, start: 4021, end: 4108 } }),
      probeFromDmesg(dir, 1215, { ...o, trace: { queue: 4054, start: 4076, end: 4159 } }),
    ];
  }
  return [
    probeFromDmesg(dir, 1219, { ...o, trace: { queue: 3725, start: 3736, end: 3782 } }),
    probeFromDmesg(dir, 1222, { ...o, trace: { queue: 3751, start: 3795, end: 3824 } }),
    probeFromDmesg(dir, 1223, { ...o, trace: { queue: 3733, start: 3787, end: 3835 } }),
  ];
}

const kinds = (boot: Boot) => detectFindings(boot).map((f) => f.kind);

describe('bound-queue serialization on the n0x3 capture (ftrace work items joined with dmesg)', () => {
  const boot = bootOf(n0x3Probes(), twoNodeTopology());
  const findings = detectBoundQueueSerialization(boot);

  it('finds one group: three NVMe probes of node 0 on CPU 0, by kworker/0:1 and kworker/0:2', () => {
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f.kind).toBe(BOUND_QUEUE_SERIALIZATION);
    expect(f.node).toBe(0);
    expect(f.cpu).toBe(0);
    expect(f.devices).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    expect(f.drivers).toEqual(['nvme']);
    expect(f.data.workers).toEqual([{ comm: 'kworker/0:1', pid: 18 }, { comm: 'kworker/0:2', pid: 98 }]);
    expect(f.data.queuedBy).toEqual(['kworker/u17:0-9', 'kworker/u17:2-59', 'kworker/u17:1-58']);
    expect(f.data.overlap).toEqual({ ready: 3, ran: 1 });
    expect(f.data.idleCpus).toEqual([1, 2, 3]);
    expect(f.data.dataUsed).toBe('ftrace');
  });

  it('derives the loss and the factor from the lines (checked by hand)', () => {
    // dmesg 1894/1898/1897: ends 6.567604, 6.570721, 6.570309; durations 8283, 10853, 7538 µs.
    // ready (span start) = end − duration: 6.559321, 6.559868, 6.562771 → wall span 6.570721 − 6.559321 = 11.400 ms.
    // queue delay (execute_start − queue_work): 6.560050−6.559508 = 542 µs, 6.566103−6.559991 = 6112 µs,
    // 6.566612−6.562900 = 3712 µs → bodies 7741, 4741, 3826 µs (sum 16.308 ms).
    // In parallel on node 0's 4 CPUs each starts when ready: last end 6.559321 + 7.741 → span 7.741 ms.
    // lost = 11.400 − 7.741 = 3.659 ms.
    const f = findings[0]!;
    expect(f.data.wallSpanNs).toBe(11_400_000);
    expect(f.data.sumBodyNs).toBe(16_308_000);
    expect(f.data.bodySpanNs).toBe(10_858_000);
    expect(f.data.parallelSpanNs).toBe(7_741_000);
    expect(f.data.parallelCpus).toBe(4);
    expect(f.lostNs).toBe(3_659_000);
    // factor (issue 4): sum of probe durations / wall span of the group = (8283 + 10853 + 7538) µs / 11.400 ms
    // = 26.674 / 11.400 = 2.340
    expect(f.data.sumProbeNs).toBe(26_674_000);
    expect(f.data.probeSpanNs).toBe(11_400_000);
    expect(f.factor).toBe(2.34);
    expect(f.data.factor).toBe(2.34);
    // body span: first body start 6.559321+0.542 = 6.559863 to last body end 6.570721 → 10.858 ms; 16.308/10.858
    expect(f.data.bodyFactor).toBe(1.502);
    expect(f.data.contentionNs).toBe(10_366_000);
  });

  it('quotes the dmesg probe lines and the queue/start/end trace lines as evidence', () => {
    const f = findings[0]!;
    expect(f.evidence).toContainEqual({ file: `${C}/n0x3/dmesg.log`, line: 1894 });
    expect(f.evidence).toContainEqual({ file: `${C}/n0x3/trace.txt`, line: 5535 });
    expect(f.evidence).toContainEqual({ file: `${C}/n0x3/trace.txt`, line: 5548 });
    expect(f.evidence).toContainEqual({ file: `${C}/n0x3/trace.txt`, line: 5640 });
    expect(f.evidence).toHaveLength(12);
  });

  it('names the mechanism in plain words', () => {
    const f = findings[0]!;
    expect(f.title).toBe("3 nvme probes on node 0 were serialized on CPU 0's bound kworkers while CPUs 1-3 of the node ran no probe: about 3.7 ms lost.");
    expect(f.detail).toContain('work_on_cpu() in pci_call_probe() (873392ca514f)');
    expect(f.detail).toContain('CPU 0 is the lowest-numbered housekeeping CPU of node 0');
    expect(f.detail).toContain('ef0ff68351be');
    expect(f.warnings.some((w) => w.includes('no sched events'))).toBe(true);
  });

  it('uses the sched split when the join gives it: isolated cost = body − runnable wait', () => {
    // Synthetic on top of the real spans: give 0000:21:00.0 an on-CPU/runnable/sleep split of 2 + 1 + 1.822 ms.
    const probes = n0x3Probes();
    probes[0] = { ...probes[0]!, onCpuNs: 2_000_000 as never, runnableWaitNs: 1_000_000 as never, sleepNs: 1_822_000 as never };
    const f = detectBoundQueueSerialization(bootOf(probes, twoNodeTopology()))[0]!;
    // body of 21 = 4.822 ms (its execute window 6.560050–6.564872), alone 3.822 ms
    expect(f.data.sumBodyNs).toBe(4_822_000 + 4_741_000 + 3_826_000);
    // parallel: 22 ends 6.559868+4.741 = 6.564609, 23 at 6.562771+3.826 = 6.566597 → span 7.276 ms
    expect(f.data.parallelSpanNs).toBe(7_276_000);
    expect(f.lostNs).toBe(11_400_000 - 7_276_000);
    expect(f.data.bodyBasis).toEqual(['queue-delay', 'sched']);
  });
});

describe('before-n0x3 (rebuilt 6.1.176, unpatched; all three boots)', () => {
  it('boot 1: 0000:21:00.0 and 0000:22:00.0 overlapped on CPU 0; 0000:23:00.0 was queued after both ended', () => {
    const f = detectBoundQueueSerialization(bootOf(beforeProbes(''), twoNodeTopology()));
    expect(f).toHaveLength(1);
    expect(f[0]!.devices).toEqual(['0000:21:00.0', '0000:22:00.0']);
    expect(f[0]!.cpu).toBe(0);
    expect(f[0]!.data.overlap).toEqual({ ready: 2, ran: 1 });
    expect(f[0]!.data.workers).toEqual([{ comm: 'kworker/0:1', pid: 16 }, { comm: 'kworker/0:2', pid: 96 }]);
  });

  it('boot 2: all three on CPU 0 (kworker/0:1 and kworker/0:0)', () => {
    const f = detectBoundQueueSerialization(bootOf(beforeProbes('/boot-2'), twoNodeTopology()));
    expect(f).toHaveLength(1);
    expect([...f[0]!.devices].sort()).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    expect(f[0]!.data.overlap).toEqual({ ready: 3, ran: 1 });
    expect(f[0]!.data.workers).toEqual([{ comm: 'kworker/0:0', pid: 6 }, { comm: 'kworker/0:1', pid: 16 }]);
    expect(f[0]!.lostNs).toBeGreaterThan(0);
  });

  it('boot 3: all three on CPU 0', () => {
    const f = detectBoundQueueSerialization(bootOf(beforeProbes('/boot-3'), twoNodeTopology()));
    expect(f).toHaveLength(1);
    expect(f[0]!.data.overlap).toEqual({ ready: 3, ran: 1 });
    expect(f[0]!.data.idleCpus).toEqual([1, 2, 3]);
  });
});

describe('no false alarms', () => {
  it('sync: insmod probed the three devices one after another → synchronous-probe, not serialization', () => {
    const dir = `${C}/sync`;
    const probes = [
      probeFromDmesg(dir, 1887, { trace: { queue: 5313, start: 5318, end: 5329 } }),
      probeFromDmesg(dir, 1889, { trace: { queue: 5359, start: 5364, end: 5373 } }),
      probeFromDmesg(dir, 1891, { trace: { queue: 5394, start: 5402, end: 5414 } }),
    ];
    expect(probes.every((p) => p.worker?.comm === 'kworker/0:1' && p.queuedBy?.comm === 'insmod')).toBe(true);
    expect(kinds(bootOf(probes, twoNodeTopology()))).toEqual(['synchronous-probe']);
  });

  it('after-n0x3 (v1): probes ran in the unbound async workers → none', () => {
    const dir = `${C}/after-n0x3`;
    const probes = [probeInWorker(dir, 1213, 3735), probeInWorker(dir, 1214, 3731), probeInWorker(dir, 1216, 3773)];
    expect(probes.map((p) => p.worker?.kind)).toEqual(['unbound', 'unbound', 'unbound']);
    expect(kinds(bootOf(probes, twoNodeTopology()))).toEqual([]);
  });

  it('after-v2-n0x3: bodies on unbound kworker/u17:3 and u17:4 → none', () => {
    const dir = `${C}/after-v2-n0x3`;
    const o = { callerIds: true };
    const probes = [
      probeFromDmesg(dir, 1213, { ...o, trace: { queue: 4098, start: 4145, end: 4156 } }),
      probeFromDmesg(dir, 1214, { ...o, trace: { queue: 4104, start: 4161, end: 4190 } }),
      probeFromDmesg(dir, 1216, { ...o, trace: { queue: 4125, start: 4181, end: 4207 } }),
    ];
    expect(probes.map((p) => p.worker?.comm)).toEqual(['kworker/u17:3', 'kworker/u17:3', 'kworker/u17:4']);
    expect(kinds(bootOf(probes, twoNodeTopology()))).toEqual([]);
  });

  it('flat: no NUMA node, six probes in parallel on kworker/u16:* → none', () => {
    const dir = `${C}/flat`;
    const o = { node: null };
    const probes = [
      probeInWorker(dir, 1916, 4938, o), probeInWorker(dir, 1914, 4945, o), probeInWorker(dir, 1908, 4953, o),
      probeInWorker(dir, 1911, 4956, o), probeInWorker(dir, 1912, 4961, o), probeInWorker(dir, 1910, 4986, o),
    ];
    const flat: Topology = { ...twoNodeTopology(), cpus: twoNodeTopology().cpus.map((c) => ({ ...c, node: nodeId(0) })) };
    expect(kinds(bootOf(probes, flat))).toEqual([]);
  });

  it('a single probe on a CPU is no finding (n0x3, first probe alone)', () => {
    expect(detectBoundQueueSerialization(bootOf(n0x3Probes().slice(0, 1), twoNodeTopology()))).toEqual([]);
  });

  it('deferred probes are left out and reported apart (synthetic: the n0x3 probes marked deferred)', () => {
    const probes = n0x3Probes().map((p) => ({ ...p, deferred: true, status: 'deferred' as const, ret: -517 }));
    const found = detectFindings(bootOf(probes, twoNodeTopology()));
    expect(found.map((f) => f.kind)).toEqual(['deferred-probe']);
    expect(found[0]!.devices).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    expect(found[0]!.lostNs).toBe(8_283_000 + 10_853_000 + 7_538_000);
  });
});

describe('isolcpus-like input (derived from n0x3: CPU 0 isolated, so work_on_cpu lands on CPU 1)', () => {
  // Derived, not captured: the n0x3 spans with every CPU-0 kworker relabelled as the same worker of
  // CPU 1, the first housekeeping CPU of node 0 once CPU 0 is isolated. Times are unchanged.
  const onCpu1 = (p: ProbeSpan): ProbeSpan => ({
    ...p,
    cpu: cpuId(1),
    worker: worker(p.worker!.comm!.replace('kworker/0:', 'kworker/1:'), p.worker!.pid),
  });
  const boot = bootOf(n0x3Probes().map(onCpu1), twoNodeTopology([0]));

  it('names CPU 1, counts 3 housekeeping CPUs of node 0, and leaves the isolated CPU out of the idle ones', () => {
    const f = detectBoundQueueSerialization(boot);
    expect(f).toHaveLength(1);
    expect(f[0]!.cpu).toBe(1);
    expect(f[0]!.data.idleCpus).toEqual([2, 3]);
    expect(f[0]!.data.parallelCpus).toBe(3);
    expect(f[0]!.data.nodeCpus).toEqual([1, 2, 3]);
    expect(f[0]!.detail).toContain('CPU 1 is the lowest-numbered housekeeping CPU of node 0');
    expect(f[0]!.lostNs).toBe(3_659_000);
  });
});

describe('the patch-mail example (custom CPU:/COMM: line, no timestamps)', () => {
  const mail = (name: string) => [1, 2, 3].map((l) => probeFromCustomLine(`${MAIL}/${name}`, l));

  it('before.log: three probes on CPU 0 by kworker/0:1..0:3 → the finding, estimated from costs', () => {
    const f = detectBoundQueueSerialization(bootOf(mail('before.log'), noTopology()));
    expect(f).toHaveLength(1);
    const x = f[0]!;
    expect(x.cpu).toBe(0);
    expect(x.node).toBeNull();
    expect(x.devices).toEqual(['0000:01:00.0', '0000:02:00.0', '0000:03:00.0']);
    expect(x.data.dataUsed).toBe('custom-line');
    expect(x.data.timed).toBe(false);
    expect(x.data.overlap).toEqual({ ready: 3, ran: 1 });
    // longest 53 372 612 − fastest 47 315 175 (each alone on its own CPU: no node given, one CPU per probe)
    expect(x.lostNs).toBe(53_372_612 - 47_315_175);
    // (53 372 612 + 49 532 941 + 47 315 175) / 53 372 612
    expect(x.factor).toBe(2.815);
    expect(x.warnings.some((w) => w.includes('no timestamps'))).toBe(true);
    expect(x.evidence).toEqual([1, 2, 3].map((line) => ({ file: `${MAIL}/before.log`, line })));
  });

  it('one bound worker ran them all (synthetic, after the cover letter\'s synchronous mlx5_core numbers) → none', () => {
    // workqueue-model §6.5: mlx5_core 0000:41:00.0/.1, 506 256 717 / 514 289 394 ns, both on CPU 0 kworker/0:2.
    // Only the first line is published verbatim (kernel-log-formats §5); the second is built the same way.
    const one = { ...probeFromCustomLine(`${MAIL}/before.log`, 1), device: '0000:41:00.0', driver: 'mlx5_core', durationNs: 506_256_717 as never, worker: worker('kworker/0:2', null) };
    const two = { ...one, device: '0000:41:00.1', durationNs: 514_289_394 as never };
    expect(detectBoundQueueSerialization(bootOf([one, two], noTopology()))).toEqual([]);
  });

  it('after-v1.log and after-v2.log: unbound kworker/u1025:* on several CPUs → none', () => {
    expect(kinds(bootOf(mail('after-v1.log'), noTopology()))).toEqual([]);
    expect(kinds(bootOf(mail('after-v2.log'), noTopology()))).toEqual([]);
  });
});

describe('nested probes', () => {
  it('n0x3 boot: pcieport 0000:20:00.0 and its portdrv services probed inside it on kworker/0:1 → no finding', () => {
    // The three service probes ran within the root port's work_for_cpu_fn body (trace 2321/2326/2401)
    // in the same task; the join attributes them to the executing kworker/0:1-18 without a work item.
    const dir = `${C}/n0x3`;
    const tfile = `${dir}/trace.txt`;
    const parent = probeFromDmesg(dir, 1370, { driver: 'pcieport', trace: { queue: 2321, start: 2326, end: 2401 } });
    const children = [1365, 1367, 1369].map((l) => ({
      ...probeFromDmesg(dir, l, { driver: null }),
      cpu: parent.cpu,
      worker: parent.worker,
      evidence: [{ file: tfile, line: 2326 }],
    }));
    expect(parent.worker?.comm).toBe('kworker/0:1');
    expect(kinds(bootOf([...children, parent], twoNodeTopology()))).toEqual([]);
  });
});
