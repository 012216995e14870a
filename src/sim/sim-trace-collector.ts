// The simulator's calibration collector: one more builder of the ingest pass (pipeline/load-boot.ts feeds it the
// trace events when `simulate` or `report --simulate` loads a boot, so the trace is read once). It keeps, in
// the trace's clock (the caller moves the figures onto the Boot's clock with InputInfo.clockOffsetNs):
// - worker-creation samples (sim/trace-calibration.ts WorkerCreationCollector);
// - the async_run_entry_fn items (when each async probe's item was queued and started);
// - the kworker census: every kworker pid, its name, when it was first and last seen, whether the trace shows
//   its fork (issue 16 item 2: the pools as they were when probing began);
// - woken-worker start latencies: a kworker that was idle (no work item open) woken onto an idle CPU, to the
//   start of its next work item, when it did not manage (wake kthreadd) in between (issue 16 item 4);
// - per-CPU busy intervals (sched_switch), for the background load the probes shared (issue 16 item 3),
//   restricted to a time range when the caller knows one (the kernel log's probe window, widened).
// Event semantics: include/trace/events/sched.h, include/trace/events/workqueue.h; kernel/workqueue.c
// worker_thread() / process_one_work() (docs/workqueue-model.md §2, §8.3).

import type { TraceEvent } from '../ingest/trace-events.types.js';
import type { Builder } from '../model/builder.js';
import { WorkItemBuilder } from '../model/work-items.js';
import { type AsyncItem, WorkerCreationCollector, type WorkerCreationSample } from './trace-calibration.js';

const KWORKER = /^kworker\/(?:(\d+):(\d+)(H?)|u(\d+):(\d+))$/;
const KTHREADD_PID = 2;

export interface KworkerSeen {
  pid: number;
  comm: string;
  firstNs: number;
  lastNs: number;
  /** The trace shows its fork (sched_wakeup_new from kthreadd) at this time. */
  forkedNs: number | null;
  /** Its switch-ins as [time, cpu]: the last one before the collector's range, then every one inside it. */
  ranOn: Array<[number, number]>;
}

export interface WakeLatencySample {
  pid: number;
  comm: string;
  wokenNs: number;
  startedNs: number;
  latencyNs: number;
  line: number;
}

export interface BusyInterval {
  cpu: number;
  pid: number;
  comm: string;
  startNs: number;
  endNs: number;
}

/** A work item a kworker ran inside the collector's range (what a probe body's worker did while the body waited). */
export interface WorkExecution {
  pid: number;
  comm: string;
  function: string;
  startNs: number;
  endNs: number;
  /** The workqueue_execute_start line. */
  line: number;
}

export interface SimTraceData {
  creation: WorkerCreationSample[];
  asyncItems: AsyncItem[];
  kworkers: KworkerSeen[];
  wakeLatency: WakeLatencySample[];
  busy: BusyInterval[];
  /** Work items kworkers ran within the busy range (all of them without one). */
  executions: WorkExecution[];
  /** Whether the trace had sched_switch events at all (the busy intervals mean something). */
  schedSwitch: boolean;
}

export interface SimTraceCollectorOptions {
  /** Keep busy intervals only where they overlap this range (trace clock), e.g. the kernel log's probe window widened. */
  busyRange?: { startNs: number; endNs: number } | null;
}

export class SimTraceCollector implements Builder<TraceEvent, SimTraceData> {
  readonly name = 'sim-trace';
  private creation = new WorkerCreationCollector();
  private items = new WorkItemBuilder({ keepItem: (fn) => fn === 'async_run_entry_fn', queuerMatters: () => false });
  private kworkers = new Map<number, KworkerSeen>();
  private forks = new Map<number, number>();
  /** Per CPU: the running pid and since when. */
  private current = new Map<number, { pid: number; comm: string; since: number }>();
  /** kworker pid → inside a work item. */
  private inItem = new Set<number>();
  private pendingWake = new Map<number, { wokenNs: number; comm: string; line: number }>();
  private wakeLatency: WakeLatencySample[] = [];
  private busy: BusyInterval[] = [];
  private executions: WorkExecution[] = [];
  /** kworker pid → the item it is running (function, start, line). */
  private running = new Map<number, { function: string; startNs: number; line: number }>();
  private schedSwitch = false;
  private result: SimTraceData | null = null;

  constructor(private readonly options: SimTraceCollectorOptions = {}) {}

  reset(): void {
    this.creation = new WorkerCreationCollector();
    this.items = new WorkItemBuilder({ keepItem: (fn) => fn === 'async_run_entry_fn', queuerMatters: () => false });
    this.items.reset();
    this.kworkers.clear();
    this.forks.clear();
    this.current.clear();
    this.inItem.clear();
    this.pendingWake.clear();
    this.wakeLatency = [];
    this.busy = [];
    this.schedSwitch = false;
    this.result = null;
  }

  handle(event: TraceEvent): void {
    this.creation.handle(event);
    this.items.handle(event);
    if (event.timeNs === null) return;
    const t = event.timeNs as number;
    this.see(event.pid as number, event.comm, t);
    switch (event.type) {
      case 'sched_switch': {
        this.schedSwitch = true;
        const cpu = event.cpu as number;
        const prev = this.current.get(cpu);
        const prevPid = event.prevPid as number;
        if (prev && prev.pid !== 0) this.addBusy(cpu, prev.pid, prev.comm, prev.since, t);
        else if (!prev && prevPid !== 0) this.addBusy(cpu, prevPid, event.prevComm, t, t);
        this.current.set(cpu, { pid: event.nextPid as number, comm: event.nextComm, since: t });
        this.see(prevPid, event.prevComm, t);
        this.see(event.nextPid as number, event.nextComm, t);
        const k = this.kworkers.get(event.nextPid as number);
        if (k) {
          const range = this.options.busyRange;
          if (range && t < range.startNs) k.ranOn[0] = [t, cpu];
          else if (!range || t <= range.endNs) k.ranOn.push([t, cpu]);
        }
        return;
      }
      case 'sched_wakeup': {
        const target = event.targetPid as number;
        this.see(target, event.targetComm, t);
        if (target === KTHREADD_PID) {
          // The context is managing (create_worker() asks kthreadd): its wait is a creation sample, not a start latency.
          this.pendingWake.delete(event.pid as number);
          return;
        }
        if (!KWORKER.test(event.targetComm) || this.inItem.has(target)) return;
        const onCpu = this.current.get(event.targetCpu as number);
        if (onCpu !== undefined && onCpu.pid !== 0) return; // the CPU was busy: contention, which the simulator models
        if (!this.pendingWake.has(target)) this.pendingWake.set(target, { wokenNs: t, comm: event.targetComm, line: event.source.line });
        return;
      }
      case 'sched_wakeup_new':
        if ((event.pid as number) === KTHREADD_PID) this.forks.set(event.targetPid as number, t);
        return;
      case 'workqueue_execute_start': {
        const pid = event.pid as number;
        this.inItem.add(pid);
        this.running.set(pid, { function: event.function, startNs: t, line: event.source.line });
        const wake = this.pendingWake.get(pid);
        if (wake) {
          this.pendingWake.delete(pid);
          this.wakeLatency.push({ pid, comm: wake.comm, wokenNs: wake.wokenNs, startedNs: t, latencyNs: t - wake.wokenNs, line: wake.line });
        }
        return;
      }
      case 'workqueue_execute_end': {
        const pid = event.pid as number;
        this.inItem.delete(pid);
        const run = this.running.get(pid);
        this.running.delete(pid);
        const range = this.options.busyRange;
        if (run && (!range || (t >= range.startNs && run.startNs <= range.endNs))) {
          this.executions.push({ pid, comm: event.comm, function: run.function, startNs: run.startNs, endNs: t, line: run.line });
        }
        return;
      }
      default:
        return;
    }
  }

  private see(pid: number, comm: string, t: number): void {
    if (pid === 0 || !KWORKER.test(comm)) return;
    const k = this.kworkers.get(pid);
    if (k) {
      k.lastNs = t;
      if (k.comm !== comm) k.comm = comm;
    } else this.kworkers.set(pid, { pid, comm, firstNs: t, lastNs: t, forkedNs: this.forks.get(pid) ?? null, ranOn: [] });
  }

  private addBusy(cpu: number, pid: number, comm: string, startNs: number, endNs: number): void {
    const range = this.options.busyRange;
    if (range && (endNs < range.startNs || startNs > range.endNs)) return;
    if (endNs <= startNs) return;
    this.busy.push({ cpu, pid, comm, startNs, endNs });
  }

  finalize(): void {
    this.items.finalize();
    this.result = {
      creation: this.creation.finalize(),
      asyncItems: this.items.data().workItems.map((w) => ({
        workerPid: w.worker?.pid ?? null, queuedNs: w.queuedAt, startedNs: w.startedAt, endedNs: w.endedAt,
      })),
      kworkers: [...this.kworkers.values()],
      wakeLatency: this.wakeLatency,
      busy: this.busy,
      executions: this.executions,
      schedSwitch: this.schedSwitch,
    };
  }

  data(): SimTraceData {
    if (this.result === null) this.finalize();
    return this.result!;
  }
}

/** The role of a kworker name: `b<cpu>` (normal bound pool), `u<pool id>`, or null (highpri, rescuer, other). */
export function kworkerRole(comm: string): { kind: 'bound'; cpu: number; id: number } | { kind: 'unbound'; pool: number; id: number } | null {
  const m = KWORKER.exec(comm);
  if (!m) return null;
  if (m[1] !== undefined) return m[3] === 'H' ? null : { kind: 'bound', cpu: Number(m[1]), id: Number(m[2]) };
  return { kind: 'unbound', pool: Number(m[4]), id: Number(m[5]) };
}
