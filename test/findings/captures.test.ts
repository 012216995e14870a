// The findings on the real captures end to end: loadBoot on the capture directories (dmesg.log,
// trace.txt, node-cpulist.txt, cpus.txt, pci-numa.txt ...), then the findings it ran.

import { describe, expect, it } from 'vitest';
import { detectFindings, isFindingOf } from '../../src/findings/index.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { renderBootJson } from '../../src/render/boot-json.js';
import type { Boot, ProbeSpan } from '../../src/model/types.js';
import { cpuId } from '../../src/model/types.js';
import { worker } from './capture-probes.js';

const C = 'fixtures/captures';
const MAIL = 'fixtures/sim'; // verbatim copies of ../shared/examples/epyc9a64-patch-mail/
const BQS = 'bound-queue-serialization';

const serialization = (boot: Boot) => boot.findings.filter((f) => f.kind === BQS);
const nvmeOf = (boot: Boot, device: string): ProbeSpan => boot.probes.find((p) => p.device === device && p.driver === 'nvme')!;

describe('bound-queue-serialization on the real captures (loadBoot)', () => {
  it('n0x3: the three NVMe probes of node 0 on CPU 0, with the loss derived from the joined spans', async () => {
    const boot = await loadBoot([`${C}/n0x3`]);
    const found = serialization(boot);
    expect(found).toHaveLength(1);
    const f = found[0]!;
    expect([f.node, f.cpu]).toEqual([0, 0]);
    expect(f.devices).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    expect(f.drivers).toEqual(['nvme']);
    expect(f.data.workers).toEqual([{ comm: 'kworker/0:1', pid: 18 }, { comm: 'kworker/0:2', pid: 98 }]);
    expect(f.data.overlap).toEqual({ ready: 3, ran: 1 });
    expect(f.data.idleCpus).toEqual([1, 2, 3]);
    expect(f.data.dataUsed).toBe('ftrace');
    expect(f.data.bodyBasis).toEqual(['sched']);

    // By hand from the joined spans: each body = on-CPU + runnable + sleep of its kworker in its
    // work_for_cpu_fn window; alone it would have needed body − runnable.
    const [p21, p22, p23] = ['0000:21:00.0', '0000:22:00.0', '0000:23:00.0'].map((d) => nvmeOf(boot, d));
    const body = (p: ProbeSpan) => p.onCpuNs! + p.runnableWaitNs! + p.sleepNs!;
    // the execute windows in trace.txt: 6.560050–6.564872, 6.566103–6.570577, 6.566612–6.569850
    expect([body(p21!), body(p22!), body(p23!)]).toEqual([4_822_000, 4_474_000, 3_238_000]);
    expect(f.data.sumBodyNs).toBe(12_534_000);
    // wall span: first probe start 6.559321 (6.567604 − 8283 µs) to last end 6.570721
    expect(f.data.wallSpanNs).toBe(11_400_000);
    // parallel, each from its start with body − runnable: 21 ends 6.559321+4.822, 22 6.559868+3.862,
    // 23 6.562771+3.208 = 6.565979 → 6.658 ms
    expect(f.data.parallelSpanNs).toBe(6_658_000);
    expect(f.lostNs).toBe(11_400_000 - 6_658_000);
    // factor: (8283 + 10853 + 7538) µs of probes within the 11.400 ms wall span = 2.340; bodies 12.534 / 10.6 ms
    expect(f.factor).toBe(2.34);
    expect(f.data.bodyFactor).toBe(1.183);
    // evidence: the probe lines and the queue/start/end events of the three work_for_cpu_fn items
    for (const line of [1894, 1897, 1898]) expect(f.evidence).toContainEqual({ file: `${C}/n0x3/dmesg.log`, line });
    for (const line of [5535, 5548, 5576, 5545, 5588, 5640, 5567, 5602, 5627]) {
      expect(f.evidence).toContainEqual({ file: `${C}/n0x3/trace.txt`, line });
    }
  });

  it.each(['', '/boot-2', '/boot-3'])('before-n0x3%s: serialization on CPU 0', async (boot) => {
    const found = serialization(await loadBoot([`${C}/before-n0x3${boot}`]));
    expect(found).toHaveLength(1);
    expect(found[0]!.cpu).toBe(0);
    expect(found[0]!.node).toBe(0);
    expect(found[0]!.lostNs).toBeGreaterThan(0);
    // boot 1: 0000:23:00.0 was queued (4.061580) after the other two bodies had ended
    expect([...found[0]!.devices].sort()).toEqual(
      boot === '' ? ['0000:21:00.0', '0000:22:00.0'] : ['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
  });

  it.each(['n0x3-tsc-unstable', 'fgraph', 'fgraph-bootopt'])('%s (same scenario as n0x3): serialization on CPU 0', async (dir) => {
    const found = serialization(await loadBoot([`${C}/${dir}`]));
    expect(found.map((f) => [f.cpu, f.devices.length])).toEqual([[0, 3]]);
  });

  it('sync: no serialization; insmod-220 probing nvme one device at a time is a synchronous-probe finding', async () => {
    const boot = await loadBoot([`${C}/sync`]);
    expect(serialization(boot)).toEqual([]);
    const sync = boot.findings.filter(isFindingOf('synchronous-probe')).find((f) => f.drivers[0] === 'nvme')!;
    expect(sync.devices).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    expect(sync.data.caller).toEqual({ comm: 'insmod', pid: 220 });
    expect(sync.data.serialSpanNs).toBe(13_653_000);
  });

  it.each([
    'flat', 'after-n0x3', 'after-n0x3/boot-2', 'after-n0x3/boot-3', 'after-v2-n0x3', 'after-v2-n0x3/boot-2', 'after-v2-n0x3/boot-3',
  ])('%s: no serialization', async (dir) => {
    expect(serialization(await loadBoot([`${C}/${dir}`]))).toEqual([]);
  });

  it('isolcpus-like (derived from n0x3: CPU 0 isolated, the NVMe bodies moved to the same kworkers of CPU 1)', async () => {
    // No capture has isolcpus. Derived: the real n0x3 Boot with topology.isolated = [0] and the NVMe
    // probes' CPU-0 kworkers relabelled to CPU 1, where work_on_cpu() lands when CPU 0 is not a
    // housekeeping CPU (cpumask_any_and(node mask, housekeeping mask)). Times are the real ones.
    const real = await loadBoot([`${C}/n0x3`]);
    const moved = real.probes.map((p) => (p.driver === 'nvme' && p.cpu === 0 && p.worker?.comm
      ? { ...p, cpu: cpuId(1), worker: worker(p.worker.comm.replace('kworker/0:', 'kworker/1:'), p.worker.pid) } : p));
    const derived: Boot = { ...real, topology: { ...real.topology, isolated: [cpuId(0)] }, probes: moved, findings: [] };
    const f = detectFindings(derived).filter((x) => x.kind === BQS);
    expect(f.map((x) => x.cpu)).toEqual([1]);
    expect(f[0]!.data.nodeCpus).toEqual([1, 2, 3]);
    expect(f[0]!.data.idleCpus).toEqual([2, 3]);
    expect(f[0]!.data.parallelCpus).toBe(3);
    expect(f[0]!.detail).toContain('CPU 1 is the lowest-numbered housekeeping CPU of node 0');
  });
});

describe('the Boot JSON (analyze --json)', () => {
  it('carries the finding under findings with kind, node, cpu, devices, lostNs, factor, evidence', async () => {
    const json = JSON.parse(renderBootJson(await loadBoot([`${C}/n0x3`]))) as { findings: Array<Record<string, unknown>> };
    const f = json.findings.find((x) => x.kind === BQS)!;
    expect(f).toMatchObject({ kind: BQS, node: 0, cpu: 0, devices: ['0000:21:00.0', '0000:22:00.0', '0000:23:00.0'], lostNs: 4_742_000, factor: 2.34 });
    expect(f.evidence).toContainEqual({ file: `${C}/n0x3/trace.txt`, line: 5548 });
    expect((f.data as Record<string, unknown>).factor).toBe(2.34);
  });
});

describe('the patch-mail example (loadBoot on the published lines)', () => {
  it('before.log: serialization on CPU 0 by kworker/0:1..0:3, estimated from costs', async () => {
    const found = serialization(await loadBoot([`${MAIL}/before.log`]));
    expect(found).toHaveLength(1);
    expect(found[0]!.cpu).toBe(0);
    expect(found[0]!.data.dataUsed).toBe('custom-line');
    expect(found[0]!.lostNs).toBe(53_372_612 - 47_315_175);
    expect(found[0]!.factor).toBe(2.815);
  });

  it.each(['after-v1.log', 'after-v2.log'])('%s: none', async (file) => {
    expect(serialization(await loadBoot([`${MAIL}/${file}`]))).toEqual([]);
  });
});

describe('findings from a boot recorded with the function_graph tracer (fgraph-bootopt)', () => {
  it('say that its probe times include the tracer overhead', async () => {
    const boot = await loadBoot([`${C}/fgraph-bootopt`]);
    const timed = boot.findings.filter((f) => f.lostNs !== null);
    expect(timed.length).toBeGreaterThan(0);
    for (const f of timed) expect(f.warnings.some((w) => w.startsWith('the function_graph tracer was recording'))).toBe(true);
    const untraced = await loadBoot([`${C}/n0x3`]);
    for (const f of untraced.findings) expect(f.warnings.some((w) => w.startsWith('the function_graph tracer'))).toBe(false);
  });
});

