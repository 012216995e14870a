// Per-task CPU occupancy from scheduler trace events: for every task, consecutive intervals of
// running (on a CPU), runnable-waiting (woken, or switched out with R/R+, but not on a CPU) and
// sleeping (switched out with D/S/I/...). Event semantics: include/trace/events/sched.h
// (sched_switch prev_state letters from __trace_sched_switch_state / TASK_REPORT, `+` = preempted),
// kernel/sched/core.c (try_to_wake_up → sched_wakeup, __schedule → sched_switch), checked against
// 6.1.176 (fixtures/captures) and the 4.19…7.1 print formats in kernel-log-formats.md §8.2.
// Accounting follows workqueue-model.md §8.1: R/R+ switch-out and wakeup → switch-in are CPU
// contention (runnable-wait); D/S/I switch-out until wakeup is sleep.

import type { TraceEvent } from '../ingest/trace-events.types.js';
import type { Builder } from './builder.js';
import type { Cpu, Diagnostic, Ns, Pid, SourceRef } from './types.js';
import { detached } from './detached-string.js';
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

interface OpenState {
  state: TaskState;
  sinceNs: Ns;
  cpu: Cpu | null;
  cause: string | null;
  source: SourceRef;
}

const IDLE_PID = 0;

export interface TaskOccupancyOptions {
  /**
   * Until when a task's intervals are wanted (default: always, for every task). An interval is kept when it
   * starts no later than that time; the intervals of a task not (yet) wanted are held only for the last
   * `historyNs` of trace time, and become kept with it when it becomes wanted. So memory follows the wanted
   * tasks, not the trace (see WorkItemBuilder.taskInterestUntil).
   */
  taskInterestUntil?: (pid: Pid) => number;
  /** How much recent history of a task not yet wanted is held. Default 50 ms (the join compares within 200 µs). */
  historyNs?: number;
}

export class TaskOccupancyBuilder implements Builder<TraceEvent, TaskOccupancy> {
  private tasks = new Map<Pid, TaskTimeline>();
  private open = new Map<Pid, OpenState>();
  /** Recent intervals of tasks not (yet) wanted, oldest first. */
  private recent = new Map<Pid, TaskInterval[]>();
  private readonly interestUntil: ((pid: Pid) => number) | null;
  private readonly historyNs: number;
  private startNs: Ns | null = null;
  private endNs: Ns | null = null;
  private hasSchedSwitch = false;
  private diagnostics: Diagnostic[] = [];
  private inconsistencies = 0;
  private firstInconsistency: SourceRef | null = null;
  private finalized = false;

  constructor(options: TaskOccupancyOptions = {}) {
    this.interestUntil = options.taskInterestUntil ?? null;
    this.historyNs = options.historyNs ?? 50_000_000;
  }

  reset(): void {
    this.tasks = new Map();
    this.open = new Map();
    this.recent = new Map();
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
          this.noteComm(event.prevPid, event.prevComm);
          const current = this.open.get(event.prevPid);
          if (current && current.state !== 'running') this.inconsistent(event.source);
          const runnable = isRunnableState(event.prevState);
          this.transition(event.prevPid, runnable ? 'runnable' : 'sleeping', t, event.cpu, event.prevState, event.source);
        }
        if (event.nextPid !== IDLE_PID) {
          this.noteComm(event.nextPid, event.nextComm);
          const current = this.open.get(event.nextPid);
          if (current?.state === 'running' && current.cpu !== event.cpu) this.inconsistent(event.source);
          this.transition(event.nextPid, 'running', t, event.cpu, null, event.source);
        }
        break;
      }
      case 'sched_wakeup':
      case 'sched_wakeup_new': {
        if (event.targetPid === IDLE_PID) break;
        this.noteComm(event.targetPid, event.targetComm);
        const current = this.open.get(event.targetPid);
        if (current === undefined || current.state === 'sleeping') {
          this.transition(event.targetPid, 'runnable', t, event.targetCpu, 'wakeup', event.source);
        }
        break;
      }
      case 'sched_migrate_task': {
        const current = this.open.get(event.targetPid);
        if (current?.state === 'runnable' && current.cpu !== event.destCpu) {
          this.transition(event.targetPid, 'runnable', t, event.destCpu, current.cause, event.source);
        }
        break;
      }
      default: {
        // Any other event fires in the context of a task that is running on that CPU.
        if (event.pid === IDLE_PID || event.type.startsWith('funcgraph_')) break;
        if (!this.open.has(event.pid)) this.transition(event.pid, 'running', t, event.cpu, null, event.source);
        if (!this.tasks.get(event.pid)?.comm) this.noteComm(event.pid, event.comm);
        break;
      }
    }
  }

  finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    if (this.endNs !== null) {
      for (const [pid, state] of this.open) this.close(pid, state, this.endNs);
    }
    this.open.clear();
    this.recent.clear();
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

  private transition(pid: Pid, state: TaskState, t: Ns, cpu: Cpu | null, cause: string | null, source: SourceRef): void {
    const current = this.open.get(pid);
    if (current) this.close(pid, current, t);
    this.open.set(pid, { state, sinceNs: t, cpu, cause, source });
  }

  private close(pid: Pid, state: OpenState, t: Ns): void {
    if (t <= state.sinceNs) return;
    const timeline = this.timeline(pid);
    const interval: TaskInterval = { state: state.state, startNs: state.sinceNs, endNs: t, cpu: state.cpu, cause: state.cause, source: state.source };
    if (this.interestUntil === null) {
      timeline.intervals.push(interval);
      return;
    }
    const recent = this.recent.get(pid);
    if (state.sinceNs <= this.interestUntil(pid)) {
      if (recent !== undefined) {
        for (const r of recent) timeline.intervals.push(r);
        this.recent.delete(pid);
      }
      timeline.intervals.push(interval);
      return;
    }
    if (recent === undefined) {
      this.recent.set(pid, [interval]);
      return;
    }
    recent.push(interval);
    const horizon = t - this.historyNs;
    let drop = 0;
    while (drop < recent.length && recent[drop]!.endNs < horizon) drop++;
    if (drop > 0) recent.splice(0, drop);
  }

  private timeline(pid: Pid): TaskTimeline {
    let timeline = this.tasks.get(pid);
    if (!timeline) {
      timeline = { pid, comm: '', intervals: [] };
      this.tasks.set(pid, timeline);
    }
    return timeline;
  }

  private noteComm(pid: Pid, comm: string): void {
    if (comm === '' || comm === '<...>') return;
    const timeline = this.timeline(pid);
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
