import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/ingest/trace-events.types.js';
import { joinProbesWithTrace, TraceMarkerBuilder } from '../../src/model/probe-trace-join.js';
import { TaskOccupancyBuilder } from '../../src/model/task-occupancy.js';
import type { ProbeSpan } from '../../src/model/types.js';
import { cpuId, ns, pidOf } from '../../src/core/units.js';
import { WorkItemBuilder } from '../../src/model/work-items.js';
import { kernelLog, runBuilders, traceEvents } from './trace-lines.helper.js';

const NVME = ['0000:21:00.0', '0000:22:00.0', '0000:23:00.0'];

async function joinCapture(dir: string, shiftTraceNs = 0, withMarkers = true) {
  const read = await traceEvents(`fixtures/captures/${dir}/trace.txt`);
  const events = read.events.map((e) => (e.timeNs === null ? e : { ...e, timeNs: ns(e.timeNs + shiftTraceNs) }));
  const work = new WorkItemBuilder();
  const occ = new TaskOccupancyBuilder();
  const markers = new TraceMarkerBuilder();
  runBuilders(events, work, occ, markers);
  const log = await kernelLog(`fixtures/captures/${dir}/dmesg.log`);
  const joined = joinProbesWithTrace(log.probes, { workItems: work.data().workItems, occupancy: occ.data(), markers: markers.data() },
    withMarkers ? { kernelLogMarkers: log.markers } : {});
  /** The printk caller id `[T<pid>]` of each device's `probe of` line, as the span builder recorded it. */
  const callerOf = (device: string) => log.probes.find((p) => p.device === device)?.worker?.pid ?? null;
  return { ...joined, callerOf };
}

const nvme = (probes: ProbeSpan[]) => NVME.map((d) => probes.find((p) => p.device === d)!);

describe('joinProbesWithTrace on the real captures', () => {
  it('before-n0x3: the probe of 0000:21:00.0 ran on CPU 0 in kworker/0:1, queued by kworker/u17:0 that waited', async () => {
    const { probes } = await joinCapture('before-n0x3');
    const p = probes.find((s) => s.device === '0000:21:00.0')!;
    expect(p).toMatchObject({
      cpu: cpuId(0),
      queueDelayNs: ns(139_000),
      onCpuNs: ns(2_257_000),
      runnableWaitNs: ns(6_000),
      sleepNs: ns(347_000),
    });
    expect(p.worker).toMatchObject({ comm: 'kworker/0:1', pid: pidOf(16), kind: 'bound', cpu: cpuId(0) });
    expect(p.queuedBy).toMatchObject({ comm: 'kworker/u17:0', pid: pidOf(8), kind: 'unbound' });
    expect(p.evidence.slice(-4).map((e) => e.line)).toEqual([3536, 3537, 3542, 3571]);
    expect([p.bodyStartNs, p.bodyEndNs]).toEqual([4_058_109_000, 4_060_719_000]);
  });

  for (const dir of ['before-n0x3', 'before-n0x3/boot-2', 'before-n0x3/boot-3', 'n0x3', 'n0x3/boot-2', 'n0x3-tsc-unstable']) {
    it(`${dir}: every NVMe probe body ran work_for_cpu_fn on a CPU 0 bound kworker, queued by a waiting kworker/u17`, async () => {
      const { probes } = await joinCapture(dir);
      for (const p of nvme(probes)) {
        expect(p.cpu).toBe(0);
        expect(p.worker).toMatchObject({ kind: 'bound', cpu: 0 });
        expect(p.worker?.comm).toMatch(/^kworker\/0:\d+$/);
        expect(p.queuedBy?.comm).toMatch(/^kworker\/u17:\d+$/);
        expect(p.queueDelayNs).not.toBeNull();
        expect(p.onCpuNs! + p.runnableWaitNs! + p.sleepNs!).toBeLessThanOrEqual(p.durationNs);
      }
      // Three different async workers waited, one per device.
      expect(new Set(nvme(probes).map((p) => p.queuedBy?.pid)).size).toBe(3);
    });
  }

  it('before-n0x3: the printk caller ids [T8] [T55] [T58] name the async workers that queued the bodies', async () => {
    const { probes, callerOf } = await joinCapture('before-n0x3');
    expect(nvme(probes).map((p) => [callerOf(p.device), p.queuedBy?.pid, p.worker?.comm])).toEqual([
      [8, 8, 'kworker/0:1'], [55, 55, 'kworker/0:2'], [58, 58, 'kworker/0:2'],
    ]);
  });

  it('n0x3 (no caller ids): timing picks the right body for overlapping probes', async () => {
    const { probes } = await joinCapture('n0x3');
    expect(nvme(probes).map((p) => [p.worker?.comm, p.queuedBy?.comm, p.queueDelayNs])).toEqual([
      ['kworker/0:1', 'kworker/u17:0', 542_000],
      ['kworker/0:1', 'kworker/u17:2', 6_112_000],
      ['kworker/0:2', 'kworker/u17:1', 3_712_000],
    ]);
    // The two bodies on kworker/0:1 ran one after the other, not side by side.
    const [a, b] = nvme(probes);
    expect(a!.bodyEndNs!).toBeLessThanOrEqual(b!.bodyStartNs!);
  });

  for (const dir of ['after-n0x3', 'after-n0x3/boot-2', 'after-n0x3/boot-3']) {
    it(`${dir} (v1): the probes ran in the unbound async workers themselves`, async () => {
      const { probes, callerOf } = await joinCapture(dir);
      for (const p of nvme(probes)) {
        expect(p.worker).toMatchObject({ kind: 'unbound', pool: 17, pid: callerOf(p.device) });
        expect(p.queuedBy).toBeNull();
        expect(p.queueDelayNs).toBeNull();
      }
    });
  }

  for (const dir of ['after-v2-n0x3', 'after-v2-n0x3/boot-2', 'after-v2-n0x3/boot-3']) {
    it(`${dir} (v2): the bodies ran as local_pci_probe_callback on unbound workers, queued by the async workers`, async () => {
      const { probes, diagnostics, callerOf } = await joinCapture(dir);
      for (const p of nvme(probes)) {
        expect(p.worker).toMatchObject({ kind: 'unbound', pool: 17 });
        expect(p.queuedBy).toMatchObject({ kind: 'unbound', pid: callerOf(p.device) });
        expect(p.worker?.pid).not.toBe(callerOf(p.device));
      }
      expect(diagnostics.filter((d) => /0000:2[123]/.test(d.message))).toEqual([]);
    });
  }

  it('after-v2-n0x3: exact numbers for 0000:23:00.0 (kworker/u17:4 on CPU 3, queued by kworker/u17:2)', async () => {
    const p = nvme((await joinCapture('after-v2-n0x3')).probes)[2]!;
    expect([p.worker?.comm, p.cpu, p.queuedBy?.comm, p.queueDelayNs, p.onCpuNs, p.runnableWaitNs, p.sleepNs]).toEqual([
      'kworker/u17:4', 3, 'kworker/u17:2', 12_761_000, 4_722_000, 206_000, 3_994_000,
    ]);
  });

  for (const dir of ['flat', 'flat/boot-2']) {
    it(`${dir}: six probes ran directly on unbound workers kworker/u16:*, no bound kworker`, async () => {
      const { probes } = await joinCapture(dir);
      const flat = probes.filter((p) => /^0000:0[1-6]:00\.0$/.test(p.device));
      expect(flat).toHaveLength(6);
      for (const p of flat) {
        expect(p.worker?.comm).toMatch(/^kworker\/u16:\d+$/);
        expect(p.queuedBy).toBeNull();
      }
    });
  }

  for (const dir of ['sync', 'sync/boot-2']) {
    it(`${dir}: insmod queued each body with work_on_cpu to kworker/0:1 and waited`, async () => {
      const { probes } = await joinCapture(dir);
      for (const p of nvme(probes)) {
        expect(p.worker).toMatchObject({ comm: 'kworker/0:1', kind: 'bound', cpu: 0 });
        expect(p.queuedBy).toMatchObject({ comm: 'insmod', kind: 'task', pid: 220 });
      }
    });
  }

  it('sync probes by init without caller ids are reported once, not dropped silently', async () => {
    const { diagnostics } = await joinCapture('n0x3');
    const unjoined = diagnostics.filter((d) => /could not be joined/.test(d.message));
    expect(unjoined).toHaveLength(1);
    expect(unjoined[0]).toMatchObject({ line: 363, severity: 'warning' });
    expect(unjoined[0]!.message).toMatch(/^21 probe spans inside the trace could not be joined with it \(reg-dummy, 00:05, cpu0/);
  });
});

describe('joinProbesWithTrace with the real kernel-log probe spans', () => {
  it('before-n0x3: pid-only workers from [T8]/[T55]/[T58] become the queuers; the bodies ran on kworker/0:N', async () => {
    const work = new WorkItemBuilder();
    const occ = new TaskOccupancyBuilder();
    runBuilders((await traceEvents('fixtures/captures/before-n0x3/trace.txt')).events, work, occ);
    const { probes } = await kernelLog('fixtures/captures/before-n0x3/dmesg.log');
    expect(nvme(probes).map((p) => [p.worker?.pid, p.worker?.comm])).toEqual([[8, null], [55, null], [58, null]]);
    const joined = nvme(joinProbesWithTrace(probes, { workItems: work.data().workItems, occupancy: occ.data() }).probes);
    expect(joined.map((p) => [p.driver, p.worker?.comm, p.queuedBy?.comm, p.queuedBy?.pid])).toEqual([
      ['nvme', 'kworker/0:1', 'kworker/u17:0', 8],
      ['nvme', 'kworker/0:2', 'kworker/u17:1', 55],
      ['nvme', 'kworker/0:2', 'kworker/u17:2', 58],
    ]);
  });
});

describe('joinProbesWithTrace without printk caller ids (synthetic)', () => {
  it('does not give a probe to a worker that was asleep when the probe line was printed', () => {
    const at = (line: number, t: number, pid: number, comm: string) =>
      ({ source: { file: 't', line }, timeNs: ns(t), cpu: cpuId(0), pid: pidOf(pid), comm, tgid: null });
    const sw = (line: number, t: number, prevPid: number, prevState: string, nextPid: number): TraceEvent => ({
      ...at(line, t, 0, '<idle>'), type: 'sched_switch', prevComm: prevPid === 16 ? 'kworker/0:1' : 'swapper/0', prevPid: pidOf(prevPid),
      prevPrio: 120, prevState, nextComm: nextPid === 16 ? 'kworker/0:1' : 'swapper/0', nextPid: pidOf(nextPid), nextPrio: 120 });
    const events: TraceEvent[] = [
      { ...at(1, 1_000, 1, 'init'), type: 'workqueue_queue_work', work: 'w', function: 'work_for_cpu_fn', workqueue: 'events', reqCpu: 0, poolCpu: 0 },
      sw(2, 1_100, 0, 'R', 16),
      { ...at(3, 1_100, 16, 'kworker/0:1'), type: 'workqueue_execute_start', work: 'w', function: 'work_for_cpu_fn' },
      sw(4, 5_000, 16, 'D', 0),
      { ...at(5, 40_000, 0, '<idle>'), type: 'sched_wakeup', targetComm: 'kworker/0:1', targetPid: pidOf(16), prio: 120, targetCpu: cpuId(0) },
      sw(6, 40_000, 0, 'R', 16),
      { ...at(7, 50_000, 16, 'kworker/0:1'), type: 'workqueue_execute_end', work: 'w', function: 'work_for_cpu_fn' },
    ];
    const work = new WorkItemBuilder();
    const occ = new TaskOccupancyBuilder();
    runBuilders(events, work, occ);
    const span = (device: string, start: number, end: number): ProbeSpan => ({ device, driver: null, node: null, startNs: ns(start), endNs: ns(end),
      durationNs: ns(end - start), ret: 0, status: 'ok', deferred: false, cpu: null, worker: null, queuedBy: null, queueDelayNs: null,
      onCpuNs: null, runnableWaitNs: null, sleepNs: null, origin: 'probe-line', source: { file: 'dmesg', line: start }, evidence: [] });
    const { probes, diagnostics } = joinProbesWithTrace([span('inside', 2_000, 4_000), span('asleep', 10_000, 20_000)],
      { workItems: work.data().workItems, occupancy: occ.data() }, { toleranceNs: ns(100) });
    expect(probes.map((p) => [p.device, p.worker?.comm ?? null, p.queuedBy?.comm ?? null, p.onCpuNs])).toEqual([
      ['inside', 'kworker/0:1', 'init', 2_000],
      ['asleep', null, null, null],
    ]);
    expect(diagnostics.map((d) => [d.line, d.message])).toEqual([
      [10_000, 'probe of asleep could not be joined with the trace: no work item or task found for its span (the log has no printk caller ids to name the task)'],
    ]);
  });
});

describe('joinProbesWithTrace across clocks', () => {
  it('estimates a constant offset from the lab: markers (trace_clock=local style, trace 28 ms ahead)', async () => {
    const { probes, diagnostics } = await joinCapture('before-n0x3', 28_000_000);
    expect(nvme(probes).map((p) => p.worker?.comm)).toEqual(['kworker/0:1', 'kworker/0:2', 'kworker/0:2']);
    expect(nvme(probes)[0]!.queueDelayNs).toBe(139_000);
    const offset = diagnostics.find((d) => /markers in both logs/.test(d.message));
    // The markers are written to trace_marker first, then /dev/kmsg: the smallest gap is the estimate.
    expect(offset?.message).toBe('trace clock is -27.888 ms off the printk clock (from 5 markers in both logs): trace times were shifted to join them');
  });

  it('without markers a shifted trace is not joined, and says why', async () => {
    const { probes, diagnostics } = await joinCapture('before-n0x3', 10_000_000_000, false);
    expect(nvme(probes).map((p) => [p.worker?.comm, p.queuedBy, p.onCpuNs])).toEqual([[null, null, null], [null, null, null], [null, null, null]]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      '24 probe span(s) lie outside the trace (10.856625–16.728611 s on the kernel-log clock) and were not joined',
      'no probe span falls inside the trace: the trace clock is not the printk clock (trace_clock=local/mono/boot?) or the trace does not cover probing; record with trace_clock=global or write the same marker to /dev/kmsg and trace_marker',
    ]);
  });

  it('names the joined probes on a CPU whose buffer lost events (synthetic header over the real before-n0x3 join)', async () => {
    const work = new WorkItemBuilder();
    const occ = new TaskOccupancyBuilder();
    runBuilders((await traceEvents('fixtures/captures/before-n0x3/trace.txt')).events, work, occ);
    const { probes } = await kernelLog('fixtures/captures/before-n0x3/dmesg.log');
    const header = { tracer: 'nop', cpus: 8, entriesInBuffer: null, entriesWritten: null, clockUnit: 'ns' as const,
      lostEvents: [{ cpu: cpuId(0), count: 12, source: { file: 'trace.txt', line: 3000 } }],
      bufferStarted: [{ cpu: cpuId(6), source: { file: 'trace.txt', line: 20 } }] };
    const { diagnostics } = joinProbesWithTrace(nvme(probes), { workItems: work.data().workItems, occupancy: occ.data() }, { traceHeader: header });
    expect(diagnostics).toEqual([
      { file: 'trace.txt', line: 3000, severity: 'warning',
        message: 'trace CPU 0 lost 12 events: work items and CPU occupancy on it may be incomplete; probes joined on that CPU: 0000:21:00.0, 0000:22:00.0, 0000:23:00.0' },
      { file: 'trace.txt', line: 20, severity: 'warning',
        message: 'trace CPU 6 buffer restarted (earlier events gone): work items and CPU occupancy on it may be incomplete' },
    ]);
  });

  it('says so when the trace has no timestamps at all (synthetic)', async () => {
    const work = new WorkItemBuilder();
    runBuilders([{ source: { file: 'g.txt', line: 7 }, timeNs: null, cpu: cpuId(0), pid: pidOf(18), comm: 'kworker', tgid: null,
      type: 'workqueue_execute_start', work: 'a', function: 'work_for_cpu_fn' }], work);
    const { probes } = await kernelLog('fixtures/captures/n0x3/dmesg.log');
    const joined = joinProbesWithTrace(probes, { workItems: work.data().workItems, occupancy: new TaskOccupancyBuilder().data() });
    expect(joined.probes).toBe(probes);
    expect(joined.diagnostics.map((d) => [d.file, d.message])).toEqual([
      ['g.txt', 'the trace carries no timestamps (function_graph without funcgraph-abstime?), so it cannot be joined with kernel-log times'],
    ]);
  });

  it('refuses a counter clock', () => {
    const { diagnostics, probes } = joinProbesWithTrace([], { workItems: [], occupancy: new TaskOccupancyBuilder().data() }, { traceClockUnit: 'count', traceFile: 't' });
    expect(probes).toEqual([]);
    expect(diagnostics).toEqual([{ file: 't', line: null, severity: 'error',
      message: 'the trace uses a counter clock (counter/uptime/x86-tsc), which cannot be joined with kernel-log times: record with trace_clock=global' }]);
  });
});
