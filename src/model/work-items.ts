// Work-item lifecycle from workqueue trace events: queue → activate → start → end, per work item.
// Event semantics: include/trace/events/workqueue.h and kernel/workqueue.c (__queue_work,
// process_one_work, flush_work/insert_wq_barrier; work_on_cpu_key), checked against 6.1.176 (the
// captures in fixtures/captures) and 6.12/7.1 source; see docs/kernel-log-formats.md §8.1
// and docs/workqueue-model.md §2 and §4.
//
// A work struct address is reused (work_on_cpu() keeps its item on the stack, so consecutive calls
// often get the same address) and an item can be queued again while it runs, so an instance is
// keyed by address while pending and by worker pid while running (a worker runs one item at a time).

import type { TraceEvent } from '../ingest/trace-events.types.js';
import type { Builder } from './builder.js';
import { isRunnableState } from './task-occupancy.js';
import type { Cpu, Diagnostic, Ns, Pid, SourceRef, WorkerIdentity } from './types.js';
import { detached } from '../core/detached-string.js';
import { ns } from './types.js';
import { TaskInterest } from './task-interest.js';
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
  /** The items the builder keeps (all of them unless `keepItem` says otherwise), in queue order. */
  workItems: WorkItem[];
  /** Items not kept (`keepItem` said no), counted by function. */
  otherItems: ReadonlyMap<string, number>;
  diagnostics: Diagnostic[];
}

export interface WorkItemOptions {
  /**
   * Which items to keep in `workItems` (default: all), asked when an item is first seen (workerPid null)
   * and again when it starts (its function and worker known). The others are followed while they are
   * pending or running (for diagnostics and flush detection) and then only counted by function, so memory
   * does not grow with the trace.
   */
  keepItem?: (fn: string, workerPid: number | null) => boolean;
  /** Whether the queuer of a kept item with this function is of interest while the item is live (default: yes). */
  queuerMatters?: (fn: string) => boolean;
  /** How long after a kept item ends its worker (and queuer) stay of interest (taskInterestUntil). Default 100 ms. */
  interestAfterNs?: number;
}

/** A queue_work issued from inside a running work item: does its queuer sleep until it ends? */
interface FlushCandidate {
  item: WorkItem;
  waiter: WorkItem;
  slept: boolean;
}

const UNQUEUED_START = 'started without a queue_work event';

/** Gaps of one kind listed one by one before the rest are counted in one diagnostic. */
const DIAGNOSTICS_PER_KIND = 20;

/** `nvme_reset_work [nvme]` → `nvme_reset_work`. */
export function workFunctionName(printed: string): string {
  const space = printed.indexOf(' ');
  return space < 0 ? printed : printed.slice(0, space);
}

export class WorkItemBuilder implements Builder<TraceEvent, WorkItemData> {
  readonly name = 'work-items';
  private items: WorkItem[] = [];
  /** index in `items` of each kept item */
  private indexOf = new Map<WorkItem, number>();
  private otherItems = new Map<string, number>();
  private diagnostics: Diagnostic[] = [];
  /** queued (or activated) but not started, by work address */
  private pending = new Map<string, WorkItem>();
  /** running, by worker pid */
  private running = new Map<number, WorkItem>();
  private flushCandidates = new Map<number, FlushCandidate>();
  /** Per task: kept items it queued or runs that have not ended, and when the last of them ended. */
  private readonly interest: TaskInterest;
  private readonly keepItem: (fn: string, workerPid: number | null) => boolean;
  private readonly queuerMatters: (fn: string) => boolean;
  private schedSwitchSeen = false;
  private finalized = false;
  private perKind = new Map<string, number>();
  private firstSuppressed = new Map<string, SourceRef | null>();
  /**
   * Items that started without a queue event, by work address, while their queue event may still come: per-CPU
   * buffers are merged by timestamp, and a queue_work on one CPU stamped the same as the execute_start on another
   * can be printed after it. When it is, the item gets it and the start's warning is taken back.
   */
  private unqueuedStarts = new Map<string, { item: WorkItem; warning: Diagnostic | null }>();
  /** Items whose late queue event was matched: their activate event (same address, same time) is theirs too. */
  private lateQueued = new Map<string, WorkItem>();

  constructor(options: WorkItemOptions = {}) {
    this.keepItem = options.keepItem ?? (() => true);
    this.queuerMatters = options.queuerMatters ?? (() => true);
    this.interest = new TaskInterest(options.interestAfterNs ?? 100_000_000);
  }

  reset(): void {
    this.items = [];
    this.indexOf.clear();
    this.otherItems.clear();
    this.diagnostics = [];
    this.pending.clear();
    this.running.clear();
    this.flushCandidates.clear();
    this.interest.clear();
    this.schedSwitchSeen = false;
    this.finalized = false;
    this.perKind.clear();
    this.firstSuppressed.clear();
    this.unqueuedStarts.clear();
    this.lateQueued.clear();
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
    this.unqueuedStarts.clear();
    for (const item of this.pending.values()) {
      if (item.startedAt === null) {
        this.warn('were queued but never started', item.sources[0] ?? null, `work ${item.work} (${item.function}) was queued but never started before the trace ended`);
      }
    }
    for (const item of this.running.values()) {
      this.warn('started but never ended', item.sources[item.sources.length - 1] ?? null,
        `work ${item.work} (${item.function}) started but did not end before the trace ended`);
    }
    for (const item of [...this.pending.values(), ...this.running.values()]) this.retire(item);
    this.summarizeSuppressed();
  }

  data(): WorkItemData {
    return { workItems: this.items, otherItems: this.otherItems, diagnostics: this.diagnostics };
  }

  /**
   * Until when task `pid`'s scheduling matters to the kept items: +Infinity while it runs a kept item or
   * waits for one it queued, the last such end + `interestAfterNs` afterwards, -Infinity if never.
   */
  taskInterestUntil(pid: number): number {
    return this.interest.until(pid);
  }

  /** Changes whenever an answer of taskInterestUntil() may have changed (TaskOccupancyOptions.interestChanges). */
  interestChanges(): number {
    return this.interest.changes;
  }

  /** A new item: kept in `items` if its function is kept, else only followed while live and counted. */
  private newItem(item: WorkItem): WorkItem {
    if (this.keepItem(item.function, null)) this.keep(item);
    return item;
  }

  private keep(item: WorkItem): void {
    // Kept strings must not hold the trace's decoded chunks alive (detached-string.ts).
    item.work = detached(item.work);
    item.function = detached(item.function);
    item.workqueue = detached(item.workqueue);
    if (item.queuedBy !== null) item.queuedBy.comm = detached(item.queuedBy.comm);
    this.indexOf.set(item, this.items.length);
    this.items.push(item);
  }

  private isKept(item: WorkItem): boolean {
    return this.indexOf.has(item);
  }

  /** An item leaves the builder's live state: a dropped one is counted by its function. */
  private retire(item: WorkItem): void {
    if (!this.isKept(item)) this.otherItems.set(item.function, (this.otherItems.get(item.function) ?? 0) + 1);
  }

  private queue(event: Extract<TraceEvent, { type: 'workqueue_queue_work' }>): void {
    this.lateQueued.delete(event.work);
    const started = this.unqueuedStarts.get(event.work);
    if (started !== undefined) {
      const item = started.item;
      this.unqueuedStarts.delete(event.work);
      if (event.timeNs !== null && item.startedAt === event.timeNs && item.function === workFunctionName(event.function)) {
        // The queue event of an item that started at the same time on another CPU, printed after its start.
        item.queuedAt = event.timeNs;
        item.workqueue = this.isKept(item) ? detached(event.workqueue) : event.workqueue;
        item.queuedBy = { pid: event.pid, comm: this.isKept(item) ? detached(event.comm) : event.comm, cpu: event.cpu };
        item.reqCpu = event.reqCpu;
        item.poolCpu = event.poolCpu;
        item.queueDelayNs = ns(0);
        item.sources.unshift(event.source);
        if (this.isKept(item) && this.queuerMatters(item.function) && item.endedAt === null) this.interest.begin(event.pid);
        this.lateQueued.set(event.work, item);
        this.takeBack(UNQUEUED_START, started.warning);
        return;
      }
    }
    const old = this.pending.get(event.work);
    if (old !== undefined) {
      this.warn('were queued again before they started', event.source, `work ${event.work} (${old.function}) queued again before it started (events lost?): the earlier queue_work stays unmatched`);
      this.retire(old);
    }
    const item = this.newItem({
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
    this.pending.set(event.work, item);
    if (this.isKept(item) && this.queuerMatters(item.function)) this.interest.begin(event.pid);
    const waiter = this.running.get(event.pid);
    if (waiter !== undefined) this.flushCandidates.set(event.pid, { item, waiter, slept: false });
  }

  private activate(event: Extract<TraceEvent, { type: 'workqueue_activate_work' }>): void {
    const late = this.lateQueued.get(event.work);
    if (late !== undefined) {
      this.lateQueued.delete(event.work);
      if (late.activatedAt === null) late.activatedAt = event.timeNs;
      late.sources.splice(1, 0, event.source);
      return;
    }
    let item = this.pending.get(event.work);
    if (item === undefined) {
      item = this.partialItem(event.work, event.function ?? '');
      this.pending.set(event.work, item);
      this.warn('were activated without a queue_work event', event.source, `work ${event.work} activated without a queue_work event (queued before the trace began, or events lost)`);
    }
    if (item.activatedAt === null) item.activatedAt = event.timeNs;
    item.sources.push(event.source);
  }

  private start(event: Extract<TraceEvent, { type: 'workqueue_execute_start' }>): void {
    let item = this.pending.get(event.work);
    if (item === undefined) {
      item = this.partialItem(event.work, event.function);
      // flush_work()'s barrier is inserted by insert_wq_barrier(), which has no queue_work tracepoint.
      if (workFunctionName(event.function) !== 'wq_barrier_func') {
        const warning = this.warn(UNQUEUED_START, event.source, `work ${event.work} (${workFunctionName(event.function)}) started without a queue_work event (queued before the trace began, or events lost)`);
        this.unqueuedStarts.set(event.work, { item, warning });
      }
    } else {
      this.pending.delete(event.work);
    }
    const old = this.running.get(event.pid);
    if (old !== undefined) {
      this.warn('lost their end event', event.source, `worker ${event.comm}-${event.pid} started work ${event.work} while work ${old.work} (${old.function}) had no end event (events lost?)`);
      this.endInterest(old, event.timeNs);
      this.retire(old);
    }
    if (item.function === '') item.function = workFunctionName(event.function);
    // Asked again with the worker known (and the function, for an item activated without a queue event).
    if (!this.isKept(item) && this.keepItem(item.function, event.pid)) {
      this.keep(item);
      if (item.queuedBy !== null && this.queuerMatters(item.function)) this.interest.begin(item.queuedBy.pid);
    }
    item.startedAt = event.timeNs;
    item.worker = parseWorkerComm(this.isKept(item) ? detached(event.comm) : event.comm, event.pid);
    item.workerCpu = event.cpu;
    if (item.queuedAt !== null && event.timeNs !== null) item.queueDelayNs = ns(event.timeNs - item.queuedAt);
    item.sources.push(event.source);
    this.running.set(event.pid, item);
    if (this.isKept(item)) this.interest.begin(event.pid);
  }

  private end(event: Extract<TraceEvent, { type: 'workqueue_execute_end' }>): void {
    const waiting = this.unqueuedStarts.get(event.work);
    if (waiting !== undefined && waiting.item.startedAt !== event.timeNs) this.unqueuedStarts.delete(event.work);
    const item = this.running.get(event.pid);
    if (item === undefined || item.work !== event.work) {
      this.warn('ended without a matching start', event.source, `work ${event.work} ended on ${event.comm}-${event.pid} without a matching start (started before the trace began, or events lost)`);
      if (item !== undefined) {
        this.running.delete(event.pid);
        this.endInterest(item, event.timeNs);
        this.retire(item);
      }
      return;
    }
    this.running.delete(event.pid);
    this.endInterest(item, event.timeNs);
    item.endedAt = event.timeNs;
    if (item.startedAt !== null && event.timeNs !== null) item.runNs = ns(event.timeNs - item.startedAt);
    item.sources.push(event.source);
    const candidate = this.flushCandidates.get(event.pid);
    // A waiter's own item ending means it did not wait for what it queued (or it already confirmed).
    if (candidate && candidate.waiter === item) {
      this.confirmWithoutScheduler(event.pid, candidate);
      this.flushCandidates.delete(event.pid);
    }
    this.retire(item);
  }

  /** A running item stops: its worker, and its queuer if it was kept, are of interest a while longer. */
  private endInterest(item: WorkItem, t: Ns | null): void {
    if (!this.isKept(item)) return;
    const at = t ?? -Infinity;
    if (item.worker?.pid != null) this.interest.end(item.worker.pid, at);
    if (item.queuedBy !== null && this.queuerMatters(item.function)) this.interest.end(item.queuedBy.pid, at);
  }

  private switchOut(pid: Pid, state: string): void {
    const candidate = this.flushCandidates.get(pid);
    if (!candidate) return;
    if (isRunnableState(state)) return;
    if (candidate.item.endedAt === null) candidate.slept = true;
    else this.flushCandidates.delete(pid);
  }

  private switchIn(pid: Pid): void {
    const candidate = this.flushCandidates.get(pid);
    if (!candidate?.slept) return;
    if (candidate.item.endedAt !== null) candidate.item.flushedBy = this.indexOf.get(candidate.waiter) ?? null;
    this.flushCandidates.delete(pid);
  }

  /** Without sched_switch events: the queuer's item outlived the queued one. */
  private confirmWithoutScheduler(pid: number, candidate: FlushCandidate): void {
    if (this.schedSwitchSeen) return;
    if (candidate.item.endedAt !== null && this.running.get(pid) === undefined) candidate.item.flushedBy = this.indexOf.get(candidate.waiter) ?? null;
  }

  /** Takes back a warning of `kind` (its count, and the diagnostic when it was listed). */
  private takeBack(kind: string, warning: Diagnostic | null): void {
    this.perKind.set(kind, (this.perKind.get(kind) ?? 1) - 1);
    if (warning === null) return;
    const at = this.diagnostics.lastIndexOf(warning);
    if (at >= 0) this.diagnostics.splice(at, 1);
  }

  private partialItem(work: string, fn: string): WorkItem {
    return this.newItem({
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
  }

  /** One diagnostic per gap, up to DIAGNOSTICS_PER_KIND of a kind (returned); the rest are summed up in finalize(). */
  private warn(kind: string, source: SourceRef | null, message: string): Diagnostic | null {
    const count = (this.perKind.get(kind) ?? 0) + 1;
    this.perKind.set(kind, count);
    if (count <= DIAGNOSTICS_PER_KIND) {
      const d: Diagnostic = { file: source?.file ?? '', line: source?.line ?? null, message: detached(message), severity: 'warning' };
      this.diagnostics.push(d);
      return d;
    }
    if (count === DIAGNOSTICS_PER_KIND + 1) this.firstSuppressed.set(kind, source);
    return null;
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
