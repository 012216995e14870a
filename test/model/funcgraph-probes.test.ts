import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/ingest/trace-events.types.js';
import { FunctionGraphProbeBuilder, probesFromFunctionGraph } from '../../src/model/funcgraph-probes.js';
import { TaskOccupancyBuilder } from '../../src/model/task-occupancy.js';
import { cpuId, ns, pidOf } from '../../src/core/units.js';
import { WorkItemBuilder } from '../../src/model/work-items.js';
import { runBuilders, traceEvents } from './trace-lines.helper.js';

function fromGraph(events: TraceEvent[]) {
  const work = new WorkItemBuilder();
  const occ = new TaskOccupancyBuilder();
  runBuilders(events, work, occ);
  return probesFromFunctionGraph(events, occ.data(), { workItems: work.data().workItems });
}

const fgraph = (await traceEvents('fixtures/captures/fgraph/trace.txt', 'function-graph')).events;
const bootopt = (await traceEvents('fixtures/captures/fgraph-bootopt/trace.txt', 'function-graph')).events;

describe('probesFromFunctionGraph on the real fgraph capture (runtime set-up, depth 3)', () => {
  const { probes, diagnostics } = fromGraph(fgraph);

  it('finds the three NVMe local_pci_probe calls, named by their nvme_probe child', () => {
    expect(diagnostics).toEqual([]);
    expect(probes.map((p) => [p.device, p.driver, p.startNs, p.durationNs, p.origin])).toEqual([
      ['local_pci_probe@9.045217', 'nvme', 9_045_217_000, 5_737_413, 'function-graph'],
      ['local_pci_probe@9.047078', 'nvme', 9_047_078_000, 10_535_820, 'function-graph'],
      ['local_pci_probe@9.056817', 'nvme', 9_056_817_000, 4_214_165, 'function-graph'],
    ]);
  });

  it('names the 7-character `kworker-18` as kworker/0:1 from sched_switch, and the waiting async worker', () => {
    const p = probes[0]!;
    expect(p.worker).toMatchObject({ comm: 'kworker/0:1', pid: pidOf(18), kind: 'bound', cpu: cpuId(0) });
    expect(p.cpu).toBe(0);
    expect(p.queuedBy).toMatchObject({ comm: 'kworker/u17:0', pid: pidOf(9), kind: 'unbound' });
    // work_for_cpu_fn queued at 9.045037 (line 1665 comment), started at 9.045195.
    expect(p.queueDelayNs).toBe(ns(158_000));
    expect([p.onCpuNs, p.runnableWaitNs, p.sleepNs]).toEqual([4_251_000, 20_000, 1_466_000]);
    expect(p.source.line).toBe(1674);
    expect(p.evidence.slice(0, 2).map((e) => e.line)).toEqual([1674, 1768]);
  });

  it('puts every body on CPU 0 bound kworkers', () => {
    expect(probes.map((p) => [p.worker?.comm, p.cpu])).toEqual([['kworker/0:1', 0], ['kworker/0:2', 0], ['kworker/0:1', 0]]);
  });
});

describe('probesFromFunctionGraph on the boot-option capture', () => {
  const { probes } = fromGraph(bootopt);

  it("merges init's pci_device_probe (waiting in work_on_cpu) with the kworker's local_pci_probe into one span", () => {
    const ports = probes.filter((p) => p.driver === 'pcie_portdrv');
    expect(ports.map((p) => [p.device, p.worker?.comm, p.queuedBy?.comm, p.cpu])).toEqual([
      ['pci_device_probe@7.946752', 'kworker/0:1', 'init', 0],
      ['pci_device_probe@9.088270', 'kworker/0:1', 'init', 0],
      ['pci_device_probe@10.537105', 'kworker/0:1', 'init', 0],
    ]);
    expect(probes.filter((p) => p.device.startsWith('local_pci_probe@7.94'))).toEqual([]);
  });

  it('keeps a synchronous probe in its caller (no work_on_cpu for a device without a node)', () => {
    const agp = probes.find((p) => p.driver === 'agp_intel')!;
    expect([agp.worker?.comm, agp.cpu, agp.queuedBy]).toEqual(['init', 6, null]);
  });

  it('finds the NVMe bodies on CPU 0 bound kworkers queued by kworker/u17 async workers', () => {
    const nvme = probes.filter((p) => p.driver === 'nvme');
    expect(nvme).toHaveLength(3);
    for (const p of nvme) {
      expect(p.worker?.comm).toMatch(/^kworker\/0:\d+$/);
      expect(p.queuedBy?.comm).toMatch(/^kworker\/u17:\d+$/);
    }
  });
});

describe('probesFromFunctionGraph on broken graphs (synthetic)', () => {
  const base = (line: number, t: number | null) => ({ source: { file: 'g', line }, timeNs: t === null ? null : ns(t), cpu: cpuId(1), pid: pidOf(40), comm: 'kworker', tgid: null });

  it('follows a call by pid when the unbound worker returns on another CPU, with interleaved other tasks', () => {
    const on = (line: number, t: number, cpu: number, pid: number) => ({ source: { file: 'g', line }, timeNs: ns(t), cpu: cpuId(cpu), pid: pidOf(pid), comm: 'kworker', tgid: null });
    const { probes, diagnostics } = probesFromFunctionGraph([
      { ...on(1, 1_000, 1, 40), type: 'funcgraph_entry', func: 'local_pci_probe', depth: 0 },
      { ...on(2, 1_500, 1, 41), type: 'funcgraph_entry', func: 'local_pci_probe', depth: 0 },
      { ...on(3, 2_000, 1, 40), type: 'funcgraph_entry', func: 'ahci_probe [ahci]', depth: 1 },
      { ...on(4, 8_000, 3, 40), type: 'funcgraph_exit', func: null, depth: 1, durationNs: ns(6_000) },
      { ...on(5, 9_000, 3, 40), type: 'funcgraph_exit', func: null, depth: 0, durationNs: ns(8_000) },
      { ...on(6, 9_500, 1, 41), type: 'funcgraph_exit', func: null, depth: 0, durationNs: ns(8_000) },
    ], new TaskOccupancyBuilder().data());
    expect(diagnostics).toEqual([]);
    expect(probes.map((p) => [p.worker?.pid, p.cpu, p.startNs, p.endNs, p.durationNs, p.driver, p.evidence.map((e) => e.line)])).toEqual([
      [40, 1, 1_000, 9_000, 8_000, 'ahci', [1, 5]],
      [41, 1, 1_500, 9_500, 8_000, null, [2, 6]],
    ]);
  });

  it('reports an exit without entry and an entry that never returns; uses the exit duration without abstime', () => {
    const { probes, diagnostics } = probesFromFunctionGraph([
      { ...base(1, null), type: 'funcgraph_exit', func: 'local_pci_probe', depth: 0, durationNs: ns(5) },
      { ...base(2, null), type: 'funcgraph_entry', func: 'really_probe', depth: 0 },
      { ...base(3, null), type: 'funcgraph_exit', func: null, depth: 0, durationNs: ns(7_000) },
      { ...base(4, 100), type: 'funcgraph_entry', func: 'pci_device_probe', depth: 0 },
    ], new TaskOccupancyBuilder().data());
    expect(diagnostics.map((d) => d.line)).toEqual([1, 4]);
    expect(diagnostics[0]!.message).toMatch(/exit of local_pci_probe at depth 0 on pid 40 without its entry/);
    expect(diagnostics[1]!.message).toMatch(/pci_device_probe\(\) of pid 40 did not return before the trace ended/);
    expect(probes.map((p) => [p.device, p.startNs, p.durationNs])).toEqual([['really_probe@+0.000007', null, 7_000]]);
  });

  it('says which tasks are in a probe call, so the occupancy keeps only their scheduling (streaming, bounded memory)', () => {
    const on = (line: number, t: number, pid: number) => ({ source: { file: 'g', line }, timeNs: ns(t), cpu: cpuId(0), pid: pidOf(pid), comm: 'kworker', tgid: null });
    const builder = new FunctionGraphProbeBuilder({ interestAfterNs: 1_000 });
    builder.handle({ ...on(1, 1_000, 40), type: 'funcgraph_entry', func: 'pci_device_probe', depth: 0 });
    builder.handle({ ...on(2, 1_100, 41), type: 'funcgraph_entry', func: 'vfs_read', depth: 0 });
    expect(builder.taskInterestUntil(pidOf(40))).toBe(Infinity);
    expect(builder.taskInterestUntil(pidOf(41))).toBe(-Infinity);
    builder.handle({ ...on(3, 5_000, 40), type: 'funcgraph_exit', func: null, depth: 0, durationNs: ns(4_000) });
    expect(builder.taskInterestUntil(pidOf(40))).toBe(6_000);
    builder.handle({ ...on(4, 7_000, 42), type: 'funcgraph_leaf', func: 'local_pci_probe', depth: 0, durationNs: ns(500) });
    expect(builder.taskInterestUntil(pidOf(42))).toBe(8_500);
    builder.finalize();
    expect(builder.data().calls.map((c) => [c.pid, c.startNs, c.endNs, c.durationNs])).toEqual([[40, 1_000, 5_000, 4_000], [42, 7_000, 7_500, 500]]);
  });

  it('without funcgraph-proc (the default) keeps one stack per CPU until a `=>` block names the task (verif_pid)', async () => {
    const two = fromGraph((await traceEvents('fixtures/funcgraph-noproc/two-cpus.txt', 'function-graph')).events);
    expect(two.diagnostics).toEqual([]);
    expect(two.probes.map((p) => [p.cpu, p.durationNs, p.worker])).toEqual([[0, 34_571_230, null], [1, 30_571_230, null]]);
    const moved = fromGraph((await traceEvents('fixtures/funcgraph-noproc/migrates.txt', 'function-graph')).events);
    expect(moved.diagnostics).toEqual([]);
    expect(moved.probes.map((p) => [p.cpu, p.durationNs, p.worker?.comm, p.worker?.pid, p.driver])).toEqual([[0, 34_571_230, 'kworker', 41, 'nvme']]);
  });

  it('takes the return value of funcgraph-retval in both printed forms: failed for an errno, ok for 0', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    // print_graph_retval(): `} /* %ps = 0x%lx */` as merged in 6.5, `} /* %ps ret=%ld */` after the retaddr rework.
    const path = join(mkdtempSync(join(tmpdir(), 'tp-retval-')), 'retval.txt');
    writeFileSync(path, [
      '# tracer: function_graph',
      '#',
      '#     TIME        CPU  TASK/PID         DURATION                  FUNCTION CALLS',
      '#      |          |     |    |           |   |                     |   |   |   |',
      '    5.100001 |   0)   kworker-41   |               |  pci_device_probe() {',
      '    5.134576 |   0)   kworker-41   | * 34571.23 us |  } /* pci_device_probe = 0x0 */',
      '    6.100001 |   1)   kworker-42   |               |  pci_device_probe() {',
      '    6.100576 |   1)   kworker-42   | ! 571.230 us  |  } /* pci_device_probe = 0xfffffffffffffff4 */',
      '    7.100001 |   1)   kworker-42   |               |  pci_device_probe() {',
      '    7.100576 |   1)   kworker-42   | ! 571.230 us  |  } /* pci_device_probe ret=-517 */',
      '',
    ].join('\n'));
    const { probes } = fromGraph((await traceEvents(path, 'function-graph')).events);
    expect(probes.map((p) => [p.ret, p.status, p.deferred])).toEqual([[0, 'ok', false], [-12, 'failed', false], [-517, 'deferred', true]]);
  });

  it('without the CPU column (funcgraph-cpu off) the span has no CPU, not -1', async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const lines = readFileSync('fixtures/funcgraph-noproc/two-cpus.txt', 'utf8').split('\n');
    const path = join(mkdtempSync(join(tmpdir(), 'tp-nocpu-')), 'nocpu.txt');
    writeFileSync(path, [lines[0], lines[1], '# DURATION                  FUNCTION CALLS', ...lines.filter((l) => l.startsWith(' 0)')).map((l) => l.slice(4))].join('\n') + '\n');
    const { probes } = fromGraph((await traceEvents(path, 'function-graph')).events);
    expect(probes.map((p) => [p.cpu, p.durationNs])).toEqual([[null, 34_571_230]]);
  });

  it.each([
    ['no-duration.txt', 34_575_000],
    ['no-duration-no-proc.txt', 34_575_000],
    ['reltime.txt', 34_571_230],
    ['latency-format.txt', 34_571_230],
  ])('reads function_graph with other display options: %s (one nvme probe on CPU 0)', async (file, durationNs) => {
    const { probes, diagnostics } = fromGraph((await traceEvents(`fixtures/funcgraph-options/${file}`, 'function-graph')).events);
    expect(diagnostics).toEqual([]);
    // Without a DURATION column the span comes from the entry and exit times (abstime).
    expect(probes.map((p) => [p.cpu, p.durationNs, p.driver])).toEqual([[0, durationNs, 'nvme']]);
  });
});

