import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/ingest/trace-events.types.js';
import { WorkItemBuilder, type WorkItem } from '../../src/model/work-items.js';
import { PROBE_BODY_FUNCTIONS, PROBE_CARRIER_FUNCTIONS } from '../../src/model/probe-trace-join.js';
import { cpuId, ns, pidOf } from '../../src/core/units.js';
import { runBuilders, traceEvents } from './trace-lines.helper.js';

const BEFORE = 'fixtures/captures/before-n0x3/trace.txt';
const excerpt = (await traceEvents(BEFORE, 'ftrace', 3533, 3587)).events;

function build(events: TraceEvent[]) {
  const b = new WorkItemBuilder();
  runBuilders(events, b);
  return b.data();
}

describe('WorkItemBuilder on real lines (before-n0x3, probe of 0000:21:00.0)', () => {
  // Lines 3533–3587: kworker/u17:0 (pid 8) runs the async attach, queues work_on_cpu()'s
  // work_for_cpu_fn to CPU 0 and sleeps (D) until kworker/0:1 (pid 16) has run it.
  const { workItems, diagnostics } = build(excerpt);
  const byFn = (fn: string) => workItems.filter((w) => w.function === fn);

  it('follows work_for_cpu_fn from queue to end with queuer, worker and delays', () => {
    const [body] = byFn('work_for_cpu_fn');
    expect(body).toMatchObject({
      work: '0000000081646be3',
      workqueue: 'events',
      queuedAt: ns(4_057_970_000),
      activatedAt: ns(4_057_973_000),
      startedAt: ns(4_058_109_000),
      endedAt: ns(4_060_719_000),
      queuedBy: { pid: pidOf(8), comm: 'kworker/u17:0', cpu: cpuId(2) },
      reqCpu: 0,
      poolCpu: 0,
      workerCpu: cpuId(0),
      queueDelayNs: ns(139_000),
      runNs: ns(2_610_000),
    });
    expect(body!.worker).toMatchObject({ comm: 'kworker/0:1', pid: pidOf(16), kind: 'bound', cpu: cpuId(0), workerId: 1 });
    expect(body!.sources.map((s) => s.line)).toEqual([3536, 3537, 3542, 3571]);
  });

  it('links the body to the async item whose worker slept in flush until it ended', () => {
    const body = byFn('work_for_cpu_fn')[0]!;
    const waiter = workItems[body.flushedBy!]!;
    expect(waiter).toMatchObject({ function: 'async_run_entry_fn', work: '0000000095d0a2f2', startedAt: ns(4_057_806_000), queuedAt: null });
    expect(waiter.worker).toMatchObject({ comm: 'kworker/u17:0', kind: 'unbound', pool: 17 });
  });

  it('does not call queue-and-go a flush: nvme_probe queues nvme_reset_work and returns', () => {
    const reset = byFn('nvme_reset_work')[0]!;
    expect(reset).toMatchObject({ workqueue: 'nvme-reset-wq', poolCpu: null, reqCpu: 64, startedAt: null, flushedBy: null });
    expect(reset.queuedBy?.comm).toBe('kworker/0:1');
  });

  it('reports the lifecycle gaps the excerpt cuts, but not the barrier of flush_work (no queue tracepoint)', () => {
    expect(byFn('wq_barrier_func').map((w) => [w.sources[0]!.line, w.queuedAt, w.runNs])).toEqual([[3572, null, ns(31_000)], [3584, null, ns(12_000)]]);
    const found = diagnostics.map((d) => [d.line, d.message]);
    expect(found.map(([line]) => line)).toEqual([3535, 3547, 3567, 3569, 3579, 3581, 3586, 3535, 3547]);
    expect(found).toContainEqual([3535, 'work 0000000095d0a2f2 (async_run_entry_fn) started without a queue_work event (queued before the trace began, or events lost)']);
    expect(found).toContainEqual([3567, 'work 0000000028e23129 (nvme_reset_work) was queued but never started before the trace ended']);
    expect(found).toContainEqual([3535, 'work 0000000095d0a2f2 (async_run_entry_fn) started but did not end before the trace ended']);
    expect(found.some(([, m]) => String(m).includes('wq_barrier_func'))).toBe(false);
  });
});

describe('WorkItemBuilder on whole captures', () => {
  const probeWindow = (items: WorkItem[], fn: string, from: number) =>
    items.filter((w) => w.function === fn && (w.startedAt ?? 0) >= from);

  it('before-n0x3: three work_for_cpu_fn on CPU 0 bound workers, each flushed by a kworker/u17 async item', async () => {
    const { workItems } = build((await traceEvents(BEFORE)).events);
    const bodies = probeWindow(workItems, 'work_for_cpu_fn', 4e9);
    expect(bodies.map((w) => [w.worker?.comm, w.workerCpu, w.queuedBy?.comm])).toEqual([
      ['kworker/0:1', 0, 'kworker/u17:0'],
      ['kworker/0:2', 0, 'kworker/u17:1'],
      ['kworker/0:2', 0, 'kworker/u17:2'],
    ]);
    for (const w of bodies) {
      const waiter = workItems[w.flushedBy!]!;
      expect(waiter.function).toBe('async_run_entry_fn');
      expect(waiter.worker?.pid).toBe(w.queuedBy?.pid);
      expect(waiter.endedAt!).toBeGreaterThan(w.endedAt!);
    }
  });

  it('after-v2-n0x3: the v2 body local_pci_probe_callback runs on unbound workers and is flushed by the async item', async () => {
    const { workItems } = build((await traceEvents('fixtures/captures/after-v2-n0x3/trace.txt')).events);
    const bodies = probeWindow(workItems, 'local_pci_probe_callback', 4e9);
    expect(bodies.map((w) => [w.workqueue, w.worker?.comm, w.worker?.kind, w.reqCpu])).toEqual([
      ['events_unbound', 'kworker/u17:3', 'unbound', 1],
      ['events_unbound', 'kworker/u17:3', 'unbound', 0],
      ['events_unbound', 'kworker/u17:4', 'unbound', 2],
    ]);
    expect(bodies.map((w) => workItems[w.flushedBy!]?.worker?.comm)).toEqual(['kworker/u17:0', 'kworker/u17:1', 'kworker/u17:2']);
    expect(probeWindow(workItems, 'work_for_cpu_fn', 4e9)).toEqual([]);
  });
});

describe('WorkItemBuilder on broken input (synthetic)', () => {
  const base = (line: number, t: number, pid: number, comm: string) =>
    ({ source: { file: 's', line }, timeNs: ns(t), cpu: cpuId(0), pid: pidOf(pid), comm, tgid: null });

  it('reports an end without a start and a start that replaces an unfinished item, and keeps going', () => {
    const { workItems, diagnostics } = build([
      { ...base(1, 10, 5, 'kworker/0:0'), type: 'workqueue_execute_end', work: 'a', function: 'f' },
      { ...base(2, 20, 5, 'kworker/0:0'), type: 'workqueue_queue_work', work: 'b', function: 'g', workqueue: 'events', reqCpu: 0, poolCpu: 0 },
      { ...base(3, 30, 5, 'kworker/0:0'), type: 'workqueue_queue_work', work: 'b', function: 'g', workqueue: 'events', reqCpu: 0, poolCpu: 0 },
      { ...base(4, 40, 5, 'kworker/0:0'), type: 'workqueue_execute_start', work: 'b', function: 'g' },
      { ...base(5, 50, 5, 'kworker/0:0'), type: 'workqueue_execute_start', work: 'c', function: 'h' },
      { ...base(6, 60, 5, 'kworker/0:0'), type: 'workqueue_execute_end', work: 'c', function: 'h' },
    ]);
    expect(diagnostics.map((d) => d.line)).toEqual([1, 3, 5, 5]);
    expect(diagnostics[0]!.message).toMatch(/ended on kworker\/0:0-5 without a matching start/);
    expect(diagnostics[1]!.message).toMatch(/queued again before it started/);
    expect(diagnostics[2]!.message).toMatch(/started without a queue_work/);
    expect(diagnostics[3]!.message).toMatch(/while work b \(g\) had no end event/);
    expect(workItems.map((w) => [w.work, w.queuedAt, w.startedAt, w.endedAt])).toEqual([
      ['b', 20, null, null],
      ['b', 30, 40, null],
      ['c', null, 50, 60],
    ]);
  });
});

describe('WorkItemBuilder diagnostics volume (synthetic)', () => {
  it('lists 20 gaps of a kind one by one and counts the rest in one diagnostic', () => {
    const events: TraceEvent[] = Array.from({ length: 25 }, (_, i) => ({
      source: { file: 's', line: i + 1 }, timeNs: ns(i * 10), cpu: cpuId(0), pid: pidOf(5), comm: 'kworker/0:0', tgid: null,
      type: 'workqueue_execute_end' as const, work: `w${i}`, function: 'f',
    }));
    const { diagnostics } = build(events);
    expect(diagnostics).toHaveLength(21);
    expect(diagnostics[20]).toEqual({ file: 's', line: 21, severity: 'warning', message: '5 more work items ended without a matching start (not listed one by one)' });
  });
});

describe('WorkItemBuilder keeping only probe-carrying items (bounded memory, before-n0x3)', () => {
  const carriers = new Set([...PROBE_BODY_FUNCTIONS, ...PROBE_CARRIER_FUNCTIONS]);
  const bodies = PROBE_BODY_FUNCTIONS;
  async function builds() {
    const events = (await traceEvents(BEFORE)).events;
    const filtered = new WorkItemBuilder({ keepItem: (fn) => carriers.has(fn), queuerMatters: (fn) => bodies.has(fn) });
    runBuilders(events, filtered);
    return { all: build(events), filtered };
  }

  it('keeps 17 of the 147 items and counts the other 130 by function', async () => {
    const { all, filtered } = await builds();
    const { workItems, otherItems } = filtered.data();
    expect(all.workItems).toHaveLength(147);
    expect(workItems).toHaveLength(17);
    expect(workItems.every((w) => carriers.has(w.function))).toBe(true);
    expect([...otherItems.values()].reduce((a, b) => a + b, 0)).toBe(130);
    expect(otherItems.get('free_work')).toBe(39);
    expect(otherItems.get('vmstat_update')).toBe(26);
    expect(otherItems.get('wq_barrier_func')).toBe(15);
  });

  it('keeps the same bodies, and flushedBy points at the waiting async item in the kept list', async () => {
    const { all, filtered } = await builds();
    const { workItems } = filtered.data();
    const strip = (w: WorkItem) => ({ ...w, flushedBy: null });
    const bodyOf = (items: WorkItem[]) => items.filter((w) => w.function === 'work_for_cpu_fn');
    expect(bodyOf(workItems).map(strip)).toEqual(bodyOf(all.workItems).map(strip));
    for (const w of bodyOf(workItems).filter((b) => (b.startedAt ?? 0) >= 4e9)) {
      const waiter = workItems[w.flushedBy!]!;
      expect([waiter.function, waiter.worker?.pid]).toEqual(['async_run_entry_fn', w.queuedBy?.pid]);
    }
  });

  it('says until when a task matters: 100 ms after the last kept item it ran or waited for ends', async () => {
    const { filtered } = await builds();
    // kworker/0:1 (pid 16) ran the last body for kworker/u17:0 (pid 8), ended at 4.060719 s
    expect(filtered.taskInterestUntil(16)).toBe(4_060_719_000 + 100_000_000);
    // pid 1 queued the three early bodies (init, sync probing); the last ended at 3.044161 s
    expect(filtered.taskInterestUntil(1)).toBe(3_044_161_000 + 100_000_000);
    // pid 57 never ran or queued a kept item
    expect(filtered.taskInterestUntil(57)).toBe(-Infinity);
  });
});
