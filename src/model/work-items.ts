// Work-item lifecycle from workqueue trace events: queue → activate → start → end, per work item.
// Event semantics: include/trace/events/workqueue.h and kernel/workqueue.c (__queue_work,
// process_one_work, flush_work/insert_wq_barrier; work_on_cpu_key), checked against 6.1.176 (the
// captures in fixtures/captures) and 6.12/7.1 source; see ../shared/docs/kernel-log-formats.md §8.1
// and workqueue-model.md §2 and §4.
//
// A work struct address is reused (work_on_cpu() keeps its item on the stack, so consecutive calls
// often get the same address) and an item can be queued again while it runs, so an instance is
// keyed by address while pending and by worker pid while running (a worker runs one item at a time).

import type { TraceEvent } from '../ingest/trace-events.types.js';
import type { Builder } from './builder.js';
import { isRunnableState } from './task-occupancy.js';
import type { Cpu, Diagnostic, Ns, Pid, SourceRef, WorkerIdentity } from './types.js';
import { ns } from './types.js';
import { parseWorkerComm } from './worker-identity.js';

export interface WorkItem {
  /** The work struct address as printed (hashed %p). */
  work: string;
  /** The work function, without a ` [module]` suffix. */
  function: string;
  /** The workqueue name (or its hashed address on ≤ 5.11); '' when the queue event was not seen. */
  workqueue: string;
  queuedAt: Ns | null;
  activatedAt: Ns | null;
  startedAt: Ns | null;
  endedAt: Ns | null;
  /** The context that called queue_work (its TASK column). */
  queuedBy: { pid: Pid; comm: string; cpu: Cpu } | null;
  reqCpu: number | null;
  /** pool CPU; null for unbound pools or when the queue event was not seen. */
  poolCpu: number | null;
  /** The worker that executed the item (from execute_start's context). */
  worker: WorkerIdentity | null;
  /** The CPU execute_start fired on. */
  workerCpu: Cpu | null;
  queueDelayNs: Ns | null;
  runNs: Ns | null;
  /** the work item (by index) whose worker queued this one and then slept until it ended (flush / work_on_cpu) */
  flushedBy: number | null;
  /** queue, activate, start and end lines, in that order (those seen). */
  sources: SourceRef[];
}

export interface WorkItemData {
  workItems: WorkItem[];
  diagnostics: Diagnostic[];
}

/** A queue_work issued from inside a running work item: does its queuer sleep until it ends? */
interface FlushCandidate {
  item: number;
  waiter: number;
  slept: boolean;
}

/** Gaps of one kind listed one by one before the rest are counted in one diagnostic. */
const DIAGNOSTICS_PER_KIND = 20;

/** `nvme_reset_work [nvme]` → `nvme_reset_work`. */
export function workFunctionName(printed: string): string {
  const space = printed.indexOf(' ');
  return space < 0 ? printed : printed.slice(0, space);
}

export class WorkItemBuilder implements Builder<TraceEvent, WorkItemData> {
  private items: WorkItem[] = [];
  private diagnostics: Diagnostic[] = [];
  /** queued (or activated) but not started, by work address */
  private pending = new Map<string, number>();
  /** running, by worker pid */
  private running = new Map<number, number>();
  private flushCandidates = new Map<number, FlushCandidate>();
  private schedSwitchSeen = false;
  private finalized = false;
  private perKind = new Map<string, number>();
  private firstSuppressed = new Map<string, SourceRef | null>();

  reset(): void {
    this.items = [];
    this.diagnostics = [];
    this.pending.clear();
    this.running.clear();
    this.flushCandidates.clear();
    this.schedSwitchSeen = false;
    this.finalized = false;
    this.perKind.clear();
    this.firstSuppressed.clear();
  }

  handle(event: TraceEvent): void {
    switch (event.type) {
      case 'workqueue_queue_work':
        this.queue(event);
        break;
      case 'workqueue_activate_work':
        this.activate(event);
        break;
      case 'workqueue_execute_start':
        this.start(event);
        break;
      case 'workqueue_execute_end':
        this.end(event);
        break;
      case 'sched_switch':
        this.schedSwitchSeen = true;
        this.switchOut(event.prevPid, event.prevState);
        this.switchIn(event.nextPid);
        break;
      default:
        break;
    }
  }

  finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    for (const index of this.pending.values()) {
      const item = this.items[index]!;
      if (item.startedAt === null) {
        this.warn('were queued but never started', item.sources[0] ?? null, `work ${item.work} (${item.function}) was queued but never started before the trace ended`);
      }
    }
    for (const index of this.running.values()) {
      const item = this.items[index]!;
      this.warn('started but never ended', item.sources[item.sources.length - 1] ?? null,
        `work ${item.work} (${item.function}) started but did not end before the trace ended`);
    }
    this.summarizeSuppressed();
  }

  data(): WorkItemData {
    return { workItems: this.items, diagnostics: this.diagnostics };
  }

  private queue(event: Extract<TraceEvent, { type: 'workqueue_queue_work' }>): void {
    const previous = this.pending.get(event.work);
    if (previous !== undefined) {
      const old = this.items[previous]!;
      this.warn('were queued again before they started', event.source, `work ${event.work} (${old.function}) queued again before it started (events lost?): the earlier queue_work stays unmatched`);
    }
    const index = this.items.length;
    this.items.push({
      work: event.work,
      function: workFunctionName(event.function),
      workqueue: event.workqueue,
      queuedAt: event.timeNs,
      activatedAt: null,
      startedAt: null,
      endedAt: null,
      queuedBy: { pid: event.pid, comm: event.comm, cpu: event.cpu },
      reqCpu: event.reqCpu,
      poolCpu: event.poolCpu,
      worker: null,
      workerCpu: null,
      queueDelayNs: null,
      runNs: null,
      flushedBy: null,
      sources: [event.source],
    });
    this.pending.set(event.work, index);
    const waiter = this.running.get(event.pid);
    if (waiter !== undefined) this.flushCandidates.set(event.pid, { item: index, waiter, slept: false });
  }

  private activate(event: Extract<TraceEvent, { type: 'workqueue_activate_work' }>): void {
    let index = this.pending.get(event.work);
    if (index === undefined) {
      index = this.partialItem(event.work, event.function ?? '');
      this.pending.set(event.work, index);
      this.warn('were activated without a queue_work event', event.source, `work ${event.work} activated without a queue_work event (queued before the trace began, or events lost)`);
    }
    const item = this.items[index]!;
    if (item.activatedAt === null) item.activatedAt = event.timeNs;
    item.sources.push(event.source);
  }

  private start(event: Extract<TraceEvent, { type: 'workqueue_execute_start' }>): void {
    let index = this.pending.get(event.work);
    if (index === undefined) {
      index = this.partialItem(event.work, event.function);
      // flush_work()'s barrier is inserted by insert_wq_barrier(), which has no queue_work tracepoint.
      if (workFunctionName(event.function) !== 'wq_barrier_func') this.warn('started without a queue_work event', event.source, `work ${event.work} (${workFunctionName(event.function)}) started without a queue_work event (queued before the trace began, or events lost)`);
    } else {
      this.pending.delete(event.work);
    }
    const stillRunning = this.running.get(event.pid);
    if (stillRunning !== undefined) {
      const old = this.items[stillRunning]!;
      this.warn('lost their end event', event.source, `worker ${event.comm}-${event.pid} started work ${event.work} while work ${old.work} (${old.function}) had no end event (events lost?)`);
    }
    const item = this.items[index]!;
    if (item.function === '') item.function = workFunctionName(event.function);
    item.startedAt = event.timeNs;
    item.worker = parseWorkerComm(event.comm, event.pid);
    item.workerCpu = event.cpu;
    if (item.queuedAt !== null && event.timeNs !== null) item.queueDelayNs = ns(event.timeNs - item.queuedAt);
    item.sources.push(event.source);
    this.running.set(event.pid, index);
  }

  private end(event: Extract<TraceEvent, { type: 'workqueue_execute_end' }>): void {
    const index = this.running.get(event.pid);
    if (index === undefined || this.items[index]!.work !== event.work) {
      this.warn('ended without a matching start', event.source, `work ${event.work} ended on ${event.comm}-${event.pid} without a matching start (started before the trace began, or events lost)`);
      if (index !== undefined) this.running.delete(event.pid);
      return;
    }
    this.running.delete(event.pid);
    const item = this.items[index]!;
    item.endedAt = event.timeNs;
    if (item.startedAt !== null && event.timeNs !== null) item.runNs = ns(event.timeNs - item.startedAt);
    item.sources.push(event.source);
    const candidate = this.flushCandidates.get(event.pid);
    // A waiter's own item ending means it did not wait for what it queued (or it already confirmed).
    if (candidate && candidate.waiter === index) {
      this.confirmWithoutScheduler(event.pid, candidate);
      this.flushCandidates.delete(event.pid);
    }
  }

  private switchOut(pid: Pid, state: string): void {
    const candidate = this.flushCandidates.get(pid);
    if (!candidate) return;
    if (isRunnableState(state)) return;
    if (this.items[candidate.item]!.endedAt === null) candidate.slept = true;
    else this.flushCandidates.delete(pid);
  }

  private switchIn(pid: Pid): void {
    const candidate = this.flushCandidates.get(pid);
    if (!candidate?.slept) return;
    const item = this.items[candidate.item]!;
    if (item.endedAt !== null) item.flushedBy = candidate.waiter;
    this.flushCandidates.delete(pid);
  }

  /** Without sched_switch events: the queuer's item outlived the queued one. */
  private confirmWithoutScheduler(pid: number, candidate: FlushCandidate): void {
    if (this.schedSwitchSeen) return;
    const item = this.items[candidate.item]!;
    if (item.endedAt !== null && this.running.get(pid) === undefined) item.flushedBy = candidate.waiter;
  }

  private partialItem(work: string, fn: string): number {
    this.items.push({
      work,
      function: workFunctionName(fn),
      workqueue: '',
      queuedAt: null,
      activatedAt: null,
      startedAt: null,
      endedAt: null,
      queuedBy: null,
      reqCpu: null,
      poolCpu: null,
      worker: null,
      workerCpu: null,
      queueDelayNs: null,
      runNs: null,
      flushedBy: null,
      sources: [],
    });
    return this.items.length - 1;
  }

  /** One diagnostic per gap, up to DIAGNOSTICS_PER_KIND of a kind; the rest are summed up in finalize(). */
  private warn(kind: string, source: SourceRef | null, message: string): void {
    const count = (this.perKind.get(kind) ?? 0) + 1;
    this.perKind.set(kind, count);
    if (count <= DIAGNOSTICS_PER_KIND) {
      this.diagnostics.push({ file: source?.file ?? '', line: source?.line ?? null, message, severity: 'warning' });
    } else if (count === DIAGNOSTICS_PER_KIND + 1) {
      this.firstSuppressed.set(kind, source);
    }
  }

  private summarizeSuppressed(): void {
    for (const [kind, count] of this.perKind) {
      if (count <= DIAGNOSTICS_PER_KIND) continue;
      const source = this.firstSuppressed.get(kind) ?? null;
      this.diagnostics.push({ file: source?.file ?? '', line: source?.line ?? null, severity: 'warning',
        message: `${count - DIAGNOSTICS_PER_KIND} more work items ${kind} (not listed one by one)` });
    }
  }
}
