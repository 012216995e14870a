// Per-task CPU occupancy from scheduler trace events: for every task, consecutive intervals of
// running (on a CPU), runnable-waiting (woken, or switched out with R/R+, but not on a CPU) and
// sleeping (switched out with D/S/I/...). Event semantics: include/trace/events/sched.h
// (sched_switch prev_state letters from __trace_sched_switch_state / TASK_REPORT, `+` = preempted),
// kernel/sched/core.c (try_to_wake_up → sched_wakeup, __schedule → sched_switch), checked against
// 6.1.176 (fixtures/captures) and the 4.19…7.1 print formats in docs/kernel-log-formats.md §8.2.
// Accounting follows docs/workqueue-model.md §8.1: R/R+ switch-out and wakeup → switch-in are CPU
// contention (runnable-wait); D/S/I switch-out until wakeup is sleep.

import type { TraceEvent } from '../ingest/trace-events.types.js';
import type { Builder } from './builder.js';
import type { Cpu, Diagnostic, Ns, Pid, SourceRef } from './types.js';
import { detached } from '../core/detached-string.js';
import { ns } from './types.js';

export type TaskState = 'running' | 'runnable' | 'sleeping';

export interface TaskInterval {
  state: TaskState;
  startNs: Ns;
  endNs: Ns;
  /** running: the CPU; runnable: the runqueue it waits on (wakeup target or the CPU it left); sleeping: the CPU it left. */
  cpu: Cpu | null;
  /** The prev_state that began a runnable/sleeping interval (`R+`, `D`, ...), 'wakeup' for a wake-up, null for running. */
  cause: string | null;
  /** The event line that began the interval. */
  source: SourceRef;
}

export interface TaskTimeline {
  pid: Pid;
  /** The comm as sched events print it (up to 15 characters), the last one seen. */
  comm: string;
  /** Consecutive, non-overlapping intervals in time order. Time before the task's first event is unknown. */
  intervals: TaskInterval[];
}

export interface TaskOccupancy {
  tasks: ReadonlyMap<Pid, TaskTimeline>;
  /** First and last event time of the trace (null for a trace without timestamps). */
  startNs: Ns | null;
  endNs: Ns | null;
  /** True when the input carried sched_switch events at all (otherwise every query returns zeros). */
  hasSchedSwitch: boolean;
  diagnostics: Diagnostic[];
}

/** Everything the builder tracks about one task, found with one map lookup per event. */
interface TaskRecord {
  timeline: TaskTimeline | null;
  /** Whether a state is open (the task was seen); the fields below describe it. */
  open: boolean;
  state: TaskState;
  sinceNs: Ns;
  cpu: Cpu | null;
  cause: string | null;
  source: SourceRef;
  /** Recent intervals while the task is not (yet) wanted, oldest first, from `recentHead` on. */
  recent: TaskInterval[] | null;
  recentHead: number;
  /** taskInterestUntil(pid) as last asked, and the interestChanges() value it was asked at. */
  wantedUntil: number;
  wantedAt: number;
}

const IDLE_PID = 0;
const NO_SOURCE: SourceRef = { file: '', line: 0 };

export interface TaskOccupancyOptions {
  /**
   * Until when a task's intervals are wanted (default: always, for every task). An interval is kept when it
   * starts no later than that time; the intervals of a task not (yet) wanted are held only for the last
   * `historyNs` of trace time, and become kept with it when it becomes wanted. So memory follows the wanted
   * tasks, not the trace (see WorkItemBuilder.taskInterestUntil).
   */
  taskInterestUntil?: (pid: Pid) => number;
  /**
   * A number that changes whenever an answer of taskInterestUntil may have changed (WorkItemBuilder and
   * FunctionGraphProbeBuilder.interestChanges). With it, each task's answer is asked again only after a change,
   * not at every interval (the question costs map lookups, and most intervals are of tasks never wanted).
   */
  interestChanges?: () => number;
  /** How much recent history of a task not yet wanted is held. Default 50 ms (the join compares within 200 µs). */
  historyNs?: number;
  /**
   * When the reader leaves out the scheduler events of tasks it does not follow (ReadTraceOptions.followTask), only
   * the followed tasks have all their events: a task outside them (seen only beside a followed one) is not checked
   * for switch-outs that disagree with its state. Asked at each such disagreement; default: every task is complete.
   */
  completeTask?: (pid: Pid) => boolean;
  /** The builders of the pass whose state taskInterestUntil and interestChanges read (Builder.deps). */
  interestFrom?: readonly string[];
}

export class TaskOccupancyBuilder implements Builder<TraceEvent, TaskOccupancy> {
  readonly name = 'task-occupancy';
  private tasks = new Map<Pid, TaskTimeline>();
  private records = new Map<Pid, TaskRecord>();
  private readonly interestUntil: ((pid: Pid) => number) | null;
  private readonly interestChanges: (() => number) | null;
  private readonly historyNs: number;
  private readonly completeTask: ((pid: Pid) => boolean) | null;
  private startNs: Ns | null = null;
  private endNs: Ns | null = null;
  private hasSchedSwitch = false;
  private diagnostics: Diagnostic[] = [];
  private inconsistencies = 0;
  private firstInconsistency: SourceRef | null = null;
  private finalized = false;

  private readonly interestFrom: readonly string[];

  /** The builders that say which tasks are wanted see every event first (their interest is read while handling). */
  deps(): readonly string[] {
    return this.interestFrom;
  }

  constructor(options: TaskOccupancyOptions = {}) {
    this.interestUntil = options.taskInterestUntil ?? null;
    this.interestChanges = options.interestChanges ?? null;
    this.historyNs = options.historyNs ?? 50_000_000;
    this.completeTask = options.completeTask ?? null;
    this.interestFrom = options.interestFrom ?? [];
  }

  /**
   * What a reader that left out events saw of the whole trace (ReadTraceResult.filtered): its first and last event
   * times and whether it had sched_switch events, as handle() would have noted them from every event.
   */
  noteWholeTrace(firstNs: Ns | null, lastNs: Ns | null, schedSwitch: boolean): void {
    if (firstNs !== null && (this.startNs === null || firstNs < this.startNs)) this.startNs = firstNs;
    if (lastNs !== null && (this.endNs === null || lastNs > this.endNs)) this.endNs = lastNs;
    if (schedSwitch) this.hasSchedSwitch = true;
  }

  reset(): void {
    this.tasks = new Map();
    this.records = new Map();
    this.startNs = null;
    this.endNs = null;
    this.hasSchedSwitch = false;
    this.diagnostics = [];
    this.inconsistencies = 0;
    this.firstInconsistency = null;
    this.finalized = false;
  }

  handle(event: TraceEvent): void {
    const t = event.timeNs;
    if (t === null) return;
    if (this.startNs === null) this.startNs = t;
    if (this.endNs === null || t > this.endNs) this.endNs = t;
    switch (event.type) {
      case 'sched_switch': {
        this.hasSchedSwitch = true;
        if (event.prevPid !== IDLE_PID) {
          const r = this.record(event.prevPid);
          this.noteComm(r, event.prevPid, event.prevComm);
          if (r.open && r.state !== 'running' && (this.completeTask === null || this.completeTask(event.prevPid))) this.inconsistent(event.source);
          const runnable = isRunnableState(event.prevState);
          this.transition(r, event.prevPid, runnable ? 'runnable' : 'sleeping', t, event.cpu, event.prevState, event.source);
        }
        if (event.nextPid !== IDLE_PID) {
          const r = this.record(event.nextPid);
          this.noteComm(r, event.nextPid, event.nextComm);
          if (r.open && r.state === 'running' && r.cpu !== event.cpu && (this.completeTask === null || this.completeTask(event.nextPid))) this.inconsistent(event.source);
          this.transition(r, event.nextPid, 'running', t, event.cpu, null, event.source);
        }
        break;
      }
      case 'sched_wakeup':
      case 'sched_wakeup_new': {
        if (event.targetPid === IDLE_PID) break;
        const r = this.record(event.targetPid);
        this.noteComm(r, event.targetPid, event.targetComm);
        if (!r.open || r.state === 'sleeping') {
          this.transition(r, event.targetPid, 'runnable', t, event.targetCpu, 'wakeup', event.source);
        }
        break;
      }
      case 'sched_migrate_task': {
        const r = this.records.get(event.targetPid);
        if (r?.open && r.state === 'runnable' && r.cpu !== event.destCpu) {
          this.transition(r, event.targetPid, 'runnable', t, event.destCpu, r.cause, event.source);
        }
        break;
      }
      default: {
        // Any other event fires in the context of a task that is running on that CPU.
        if (event.pid === IDLE_PID || event.type.startsWith('funcgraph_')) break;
        const r = this.record(event.pid);
        if (!r.open) this.transition(r, event.pid, 'running', t, event.cpu, null, event.source);
        if (!r.timeline?.comm) this.noteComm(r, event.pid, event.comm);
        break;
      }
    }
  }

  finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    if (this.endNs !== null) {
      for (const [pid, r] of this.records) if (r.open) this.close(r, pid, this.endNs);
    }
    this.records.clear();
    if (this.inconsistencies > 0) {
      this.diagnostics.push({
        file: this.firstInconsistency?.file ?? '',
        line: this.firstInconsistency?.line ?? null,
        severity: 'warning',
        message: `${this.inconsistencies} sched_switch event(s) disagree with the task's previous state (a task switched out that was not running, or switched in on a second CPU): events were lost or the buffer restarted; occupancy around them is approximate`,
      });
    }
  }

  data(): TaskOccupancy {
    return { tasks: this.tasks, startNs: this.startNs, endNs: this.endNs, hasSchedSwitch: this.hasSchedSwitch, diagnostics: this.diagnostics };
  }

  private record(pid: Pid): TaskRecord {
    let r = this.records.get(pid);
    if (r === undefined) {
      r = { timeline: null, open: false, state: 'running', sinceNs: 0 as Ns, cpu: null, cause: null, source: NO_SOURCE, recent: null, recentHead: 0, wantedUntil: 0, wantedAt: NaN };
      this.records.set(pid, r);
    }
    return r;
  }

  private transition(r: TaskRecord, pid: Pid, state: TaskState, t: Ns, cpu: Cpu | null, cause: string | null, source: SourceRef): void {
    if (r.open) this.close(r, pid, t);
    r.open = true;
    r.state = state;
    r.sinceNs = t;
    r.cpu = cpu;
    r.cause = cause;
    r.source = source;
  }

  private close(r: TaskRecord, pid: Pid, t: Ns): void {
    if (t <= r.sinceNs) return;
    const interval: TaskInterval = { state: r.state, startNs: r.sinceNs, endNs: t, cpu: r.cpu, cause: r.cause, source: r.source };
    if (this.interestUntil === null || r.sinceNs <= this.wantedUntil(r, pid, this.interestUntil)) {
      const intervals = this.timeline(r, pid).intervals;
      if (r.recent !== null) {
        for (let k = r.recentHead; k < r.recent.length; k++) intervals.push(r.recent[k]!);
        r.recent = null;
        r.recentHead = 0;
      }
      intervals.push(interval);
      return;
    }
    this.timeline(r, pid);
    if (r.recent === null) {
      r.recent = [interval];
      return;
    }
    const recent = r.recent;
    recent.push(interval);
    // Older than the history window: skipped by moving the head; the array is cut when half of it is dead.
    const horizon = t - this.historyNs;
    let head = r.recentHead;
    while (head < recent.length && recent[head]!.endNs < horizon) head++;
    if (head > 16 && head * 2 > recent.length) {
      r.recent = recent.slice(head);
      head = 0;
    }
    r.recentHead = head;
  }

  private wantedUntil(r: TaskRecord, pid: Pid, interestUntil: (pid: Pid) => number): number {
    if (this.interestChanges === null) return interestUntil(pid);
    const now = this.interestChanges();
    if (r.wantedAt !== now) {
      r.wantedAt = now;
      r.wantedUntil = interestUntil(pid);
    }
    return r.wantedUntil;
  }

  private timeline(r: TaskRecord, pid: Pid): TaskTimeline {
    if (r.timeline === null) {
      r.timeline = { pid, comm: '', intervals: [] };
      this.tasks.set(pid, r.timeline);
    }
    return r.timeline;
  }

  private noteComm(r: TaskRecord, pid: Pid, comm: string): void {
    if (comm === '' || comm === '<...>') return;
    const timeline = this.timeline(r, pid);
    // Kept strings must not hold the trace's decoded chunks alive (detached-string.ts).
    if (timeline.comm !== comm) timeline.comm = detached(comm);
  }

  private inconsistent(source: SourceRef): void {
    this.inconsistencies++;
    this.firstInconsistency ??= source;
  }
}

/**
 * Whether a sched_switch prev_state means "still runnable" (preempted or yielded): `R`, `R+`, and the
 * raw-mode number 0 (TASK_RUNNING). Every other state (`D`, `S`, `I`, `D|K`, raw non-zero) is a sleep.
 */
export function isRunnableState(state: string): boolean {
  return state.startsWith('R') || state === '0';
}

export interface OccupancySplit {
  onCpuNs: Ns;
  runnableWaitNs: Ns;
  sleepNs: Ns;
  /** CPUs the task ran on in the window, in order of first use. */
  cpus: Cpu[];
}

/** How task `pid` spent [fromNs, toNs): on a CPU, runnable but waiting, or asleep. Unknown time counts nowhere. */
export function occupancyBetween(occ: TaskOccupancy, pid: Pid, fromNs: Ns, toNs: Ns): OccupancySplit {
  let onCpu = 0;
  let runnable = 0;
  let sleep = 0;
  const cpus: Cpu[] = [];
  const intervals = occ.tasks.get(pid)?.intervals ?? [];
  for (let i = firstEndingAfter(intervals, fromNs); i < intervals.length; i++) {
    const interval = intervals[i]!;
    if (interval.startNs >= toNs) break;
    const overlap = Math.min(interval.endNs, toNs) - Math.max(interval.startNs, fromNs);
    if (overlap <= 0) continue;
    if (interval.state === 'running') {
      onCpu += overlap;
      if (interval.cpu !== null && !cpus.includes(interval.cpu)) cpus.push(interval.cpu);
    } else if (interval.state === 'runnable') runnable += overlap;
    else sleep += overlap;
  }
  return { onCpuNs: ns(onCpu), runnableWaitNs: ns(runnable), sleepNs: ns(sleep), cpus };
}

/** The intervals of `pid` overlapping [fromNs, toNs), clipped to it. */
export function intervalsBetween(occ: TaskOccupancy, pid: Pid, fromNs: Ns, toNs: Ns): TaskInterval[] {
  const intervals = occ.tasks.get(pid)?.intervals ?? [];
  const out: TaskInterval[] = [];
  for (let i = firstEndingAfter(intervals, fromNs); i < intervals.length; i++) {
    const interval = intervals[i]!;
    if (interval.startNs >= toNs) break;
    out.push({ ...interval, startNs: ns(Math.max(interval.startNs, fromNs)), endNs: ns(Math.min(interval.endNs, toNs)) });
  }
  return out;
}

function firstEndingAfter(intervals: TaskInterval[], t: Ns): number {
  let lo = 0;
  let hi = intervals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (intervals[mid]!.endNs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
