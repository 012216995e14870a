// Machine and kernel parameters the simulator can take from a real trace instead of defaults
// (docs/workqueue-model.md §8.1 "measure from traces"). Input: the typed ftrace events of
// include/trace/events/sched.h (sched_wakeup, sched_wakeup_new, sched_switch), as produced by
// ingest/trace-reader.ts; checked against the 6.1.176 captures (fixtures/captures).
//
// Worker creation (kernel/workqueue.c manage_workers() → create_worker() → kthread_create_on_node(),
// kernel/kthread.c): a kworker that finds no idle worker in its pool becomes the manager, queues a request
// and wakes kthreadd (`sched_wakeup comm=kthreadd pid=2`); kthreadd forks the thread (`sched_wakeup_new`,
// still named "kthreadd"); the new thread runs kthread() once and waits (D); the manager names it
// `kworker/...`, attaches it to the pool (`sched_migrate_task` in the manager's context when it moves)
// and wakes it (`sched_wakeup comm=kworker/...`): from then on the pool has the new worker.
// One sample = the manager's start → that wake-up, in two parts: start → request (the manager on its CPU)
// and request → wake-up (the manager waits in D). The manager is the kworker of the same pool that
// migrated or woke the new thread in its own context; its start is its last switch-in (or last work
// item's end) before the fork. When the trace does not name the manager (both events fired from the idle
// task, e.g. via IPI), the sample starts at the request (kthreadd's last wake-up before the fork, or the
// fork itself). The new worker's wait for a CPU after its wake-up is not counted (the simulator's CPU
// model produces it).

import { DEFAULT_TOLERANCE_NS } from '../model/probe-trace-join.js';
import type { SourceRef } from '../model/types.js';
import type { TraceEvent } from '../ingest/trace-events.types.js';
import type { Workload } from './workload.js';

export interface WorkerCreationSample {
  /** The new worker's pid and its kworker name. */
  pid: number;
  comm: string;
  /** The managing kworker (the one that attached and woke the new worker), when the trace names it. */
  managerPid: number | null;
  /** When the manager started: its last switch-in or work-item end before the fork (null: not named). */
  managerStartNs: number | null;
  /** kthreadd's wake-up that carried the request (or the fork when kthreadd was already running). */
  requestNs: number;
  forkNs: number;
  /** create_worker()'s wake_up_process() of the named worker: its first sched_wakeup (or sched_switch) as kworker/... */
  startedNs: number;
  /** Manager's start (or the request) → started. */
  latencyNs: number;
  /** Manager's start → request (or → its block, when that comes first): the manager on its CPU (alloc_worker, ida_alloc, ...); null when not named. */
  managerCpuNs: number | null;
  /** The end of the on-CPU part (or the request) → started: the manager waits (D) for kthreadd and the new thread. */
  waitNs: number;
  /** The sched_wakeup_new line. */
  source: SourceRef;
}

export interface TraceCalibration {
  /**
   * Per async probe of the workload (by its span's source line): when its async_run_entry_fn item was queued
   * (async_schedule_dev → queue_work_node on the async workqueue) and when a worker started it. The probe span
   * starts after that wait for an async worker, which depends on the policy (queue-node keeps async workers
   * in flush_work): the replay makes the probe arrive at the queueing and simulates the wait.
   */
  asyncQueued?: AsyncQueued[];
  workerCreation: {
    /** The samples the figures come from (those of the probe window when it has any, else all). */
    samples: WorkerCreationSample[];
    /** 'probe window': requests between the first probe's start and the last probe's end; 'whole trace': the window had none. */
    scope: 'probe window' | 'whole trace';
    /** Samples in the whole trace (the boot's early pool set-up included). */
    traceSamples: number;
    /** Median, min and max of the samples' latencyNs. */
    medianNs: number;
    minNs: number;
    maxNs: number;
    /** What the simulator uses: the median on-CPU part (samples that name their manager; 0 if none) ... */
    cpuMedianNs: number;
    /** ... then the median wait. */
    waitMedianNs: number;
  } | null;
}

export interface AsyncQueued {
  /** The probe span's source (file:line), as in WorkloadProbe.source. */
  probe: string;
  queuedNs: number;
  startedNs: number;
}

/** The async_run_entry_fn items of a trace, as the work-item builder gives them. */
export interface AsyncItem {
  workerPid: number | null;
  queuedNs: number | null;
  startedNs: number | null;
  endedNs: number | null;
}

/**
 * For each async probe of the workload, the async_run_entry_fn item its async worker was running when the probe
 * started: the worker is the probe's caller, the item the last one it started by the probe's start and not ended
 * before it (within the join's tolerance: the trace clock's offset is an estimate).
 */
export function asyncQueueTimes(workload: Workload, spanStarts: ReadonlyMap<string, number>, items: AsyncItem[]): AsyncQueued[] {
  const out: AsyncQueued[] = [];
  const seen = new Set<string>();
  for (const p of workload.probes) {
    const key = `${p.source.file}:${p.source.line}`;
    const start = spanStarts.get(key);
    const pid = p.caller?.kind === 'unbound' ? p.caller.pid : null;
    if (!p.async || seen.has(key) || start === undefined || pid === null) continue;
    // The worker may have run another item just before (back to back): the latest one started by then wins.
    let item: AsyncItem | undefined;
    for (const w of items) {
      if (w.workerPid !== pid || w.queuedNs === null || w.startedNs === null || w.startedNs > start + DEFAULT_TOLERANCE_NS) continue;
      if (w.endedNs !== null && w.endedNs < start - DEFAULT_TOLERANCE_NS) continue;
      if (item === undefined || w.startedNs > item.startedNs!) item = w;
    }
    if (item === undefined) continue;
    seen.add(key);
    out.push({ probe: key, queuedNs: item.queuedNs!, startedNs: item.startedNs! });
  }
  return out;
}

/**
 * The workload with each async probe arriving when its async item was queued (calibration.asyncQueued), so the
 * wait for an async worker is simulated under each policy instead of being part of the arrival (the observed
 * start already holds the wait of the observed policy; the simulator would add its own on top). Probes without a
 * matched item keep their observed start.
 */
export function arrivalsAtAsyncQueue(workload: Workload, calibration: TraceCalibration): Workload {
  const queued = new Map((calibration.asyncQueued ?? []).map((q) => [q.probe, q.queuedNs]));
  let moved = 0;
  let kept = 0;
  const probes = workload.probes.map((p) => {
    if (!p.async) return p;
    const at = queued.get(`${p.source.file}:${p.source.line}`);
    if (at === undefined || at > p.arrivalNs) {
      kept++;
      return p;
    }
    moved++;
    return { ...p, arrivalNs: at, arrivalFrom: 'async-queue' as const };
  });
  const notes = [...workload.notes];
  if (moved > 0) notes.push(`${moved} async probe(s) arrive when their async_run_entry_fn was queued (trace), not when they started: the wait for an async worker is simulated`);
  if (kept > 0) notes.push(`${kept} async probe(s) arrive at their observed start (no async_run_entry_fn of theirs found in a trace, or one queued after that start): that start already holds the observed wait for an async worker, and the simulated one comes on top`);
  return moved === 0 && kept === 0 ? workload : { ...workload, probes, notes };
}

/** A time range in the Boot's time base (the printk clock; traces are moved onto it by InputInfo.clockOffsetNs). */
export interface CalibrationWindow {
  startNs: number;
  endNs: number;
}

const KWORKER = /^kworker\/u?\d+:\d+/;
const KWORKER_POOL = /^kworker\/(u?\d+):\d+(H?)/;
const KTHREADD_PID = 2;

interface Fork {
  requestNs: number;
  forkNs: number;
  source: SourceRef;
  /** Each kworker's last time on (switch-in or work-item end) as of the fork. */
  lastOnAtFork: Map<number, number>;
  /** Each kworker's last switch-out asleep (prev_state not R) as of the fork. */
  lastSleepAtFork: Map<number, number>;
  managerPid: number | null;
}

/** Streams trace events (in file order) and collects the worker-creation samples. */
export class WorkerCreationCollector {
  private kthreaddWakeNs: number | null = null;
  private readonly forks = new Map<number, Fork>();
  /** kworker pid → its last switch-in or workqueue_execute_end. */
  private readonly lastOn = new Map<number, number>();
  /** kworker pid → its last switch-out asleep (prev_state not R: it blocked, e.g. in create_worker()'s wait for kthreadd). */
  private readonly lastSleep = new Map<number, number>();
  private readonly samples: WorkerCreationSample[] = [];

  handle(event: TraceEvent): void {
    if (event.timeNs === null) return;
    const t = event.timeNs as number;
    switch (event.type) {
      case 'sched_wakeup':
        if (event.targetPid === KTHREADD_PID) this.kthreaddWakeNs = t;
        else {
          this.managedBy(event.targetPid, event.targetComm, event.pid, event.comm);
          this.started(event.targetPid, event.targetComm, t);
        }
        return;
      case 'sched_migrate_task':
        this.managedBy(event.targetPid, event.targetComm, event.pid, event.comm);
        return;
      case 'sched_wakeup_new':
        if ((event.pid as number) === KTHREADD_PID) {
          const requestNs = this.kthreaddWakeNs ?? t;
          this.forks.set(event.targetPid, { requestNs, forkNs: t, source: event.source, lastOnAtFork: new Map(this.lastOn), lastSleepAtFork: new Map(this.lastSleep), managerPid: null });
          // One request per wake-up: a second fork in the same run of kthreadd starts at its own fork.
          this.kthreaddWakeNs = null;
        }
        return;
      case 'workqueue_execute_end':
        if (KWORKER.test(event.comm)) this.lastOn.set(event.pid, t);
        return;
      case 'sched_switch':
        if (KWORKER.test(event.nextComm)) this.lastOn.set(event.nextPid, t);
        if (KWORKER.test(event.prevComm) && !event.prevState.startsWith('R')) this.lastSleep.set(event.prevPid, t);
        // A wake-up that found the thread still on its way out of kthread() prints no sched_wakeup: then the
        // first sight of it under its kworker name (switched in or out) marks it started.
        this.started(event.prevPid, event.prevComm, t);
        this.started(event.nextPid, event.nextComm, t);
        return;
      default:
        return;
    }
  }

  /** An event about the named new worker fired in the context of another kworker of its pool: that one is its manager. */
  private managedBy(pid: number, comm: string, contextPid: number, contextComm: string): void {
    const fork = this.forks.get(pid);
    if (!fork || fork.managerPid !== null || contextPid === pid) return;
    const pool = poolOf(comm);
    if (pool !== null && pool === poolOf(contextComm)) fork.managerPid = contextPid;
  }

  private started(pid: number, comm: string, t: number): void {
    const fork = this.forks.get(pid);
    if (!fork || !KWORKER.test(comm)) return;
    this.forks.delete(pid);
    const managerStartNs = fork.managerPid === null ? null : fork.lastOnAtFork.get(fork.managerPid) ?? null;
    // The manager is on its CPU from its start until it blocks. It wakes kthreadd and then blocks in
    // kthread_create_on_node()'s wait; when kthreadd's CPU was idle the wake-up is queued to that CPU and its
    // sched_wakeup fires there later (n0x3-tsc-unstable boot 2: kworker/0:0 blocked at 6.391205, line 5559,
    // kthreadd's sched_wakeup on CPU 4 at 6.396521, its fork of kworker/0:2 at 6.397288). So the on-CPU part ends
    // at the manager's last block after its start when that comes before the request's event; the rest is waiting.
    const slept = fork.managerPid === null ? undefined : fork.lastSleepAtFork.get(fork.managerPid);
    const onCpuEndNs = managerStartNs !== null && slept !== undefined && slept >= managerStartNs && slept < fork.requestNs ? slept : fork.requestNs;
    this.samples.push({
      pid, comm, managerPid: managerStartNs === null ? null : fork.managerPid, managerStartNs, requestNs: fork.requestNs, forkNs: fork.forkNs,
      startedNs: t, latencyNs: t - Math.min(managerStartNs ?? fork.requestNs, fork.requestNs),
      managerCpuNs: managerStartNs === null ? null : Math.max(0, onCpuEndNs - managerStartNs), waitNs: t - onCpuEndNs, source: fork.source,
    });
  }

  finalize(): WorkerCreationSample[] {
    return this.samples;
  }
}

/** "u17" for kworker/u17:3, "0H" for kworker/0:1H; null for other tasks. */
function poolOf(comm: string): string | null {
  const m = KWORKER_POOL.exec(comm);
  return m ? `${m[1]}${m[2]}` : null;
}

/** The calibration of a trace's events (file order; ns timestamps). */
export function calibrateFromTrace(events: Iterable<TraceEvent>, window: CalibrationWindow | null = null): TraceCalibration {
  const collector = new WorkerCreationCollector();
  for (const e of events) collector.handle(e);
  return calibrationOf(collector.finalize(), window);
}

/**
 * Summarizes worker-creation samples: the median of those whose request falls in `window` (creation while
 * the probes run is what the simulation replays; at early boot it is faster), else of all of them.
 */
export function calibrationOf(samples: WorkerCreationSample[], window: CalibrationWindow | null = null): TraceCalibration {
  if (samples.length === 0) return { workerCreation: null };
  const inWindow = window === null ? [] : samples.filter((s) => s.requestNs >= window.startNs && s.requestNs <= window.endNs);
  const used = inWindow.length > 0 ? inWindow : samples;
  const latencies = used.map((s) => s.latencyNs);
  const cpu = used.map((s) => s.managerCpuNs).filter((v): v is number => v !== null);
  return {
    workerCreation: {
      samples: used, scope: inWindow.length > 0 ? 'probe window' : 'whole trace', traceSamples: samples.length,
      medianNs: median(latencies), minNs: Math.min(...latencies), maxNs: Math.max(...latencies),
      cpuMedianNs: cpu.length > 0 ? median(cpu) : 0, waitMedianNs: median(used.map((s) => s.waitNs)),
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/**
 * The workload with its pools as they were when probing began: kworkers the trace shows being created
 * inside the probe window did not exist at its start, so they do not seed the simulated pools (the
 * simulation creates its own, with the measured latency). Unchanged without probe-window samples.
 */
export function poolsAtProbeStart(workload: Workload, calibration: TraceCalibration): Workload {
  const wc = calibration.workerCreation;
  if (wc === null || wc.scope !== 'probe window') return workload;
  const created = new Set(wc.samples.map((s) => s.pid));
  const kept = workload.seenWorkers.filter((w) => w.pid === null || !created.has(w.pid));
  if (kept.length === workload.seenWorkers.length) return workload;
  const dropped = workload.seenWorkers.filter((w) => !kept.includes(w)).map((w) => w.comm);
  return {
    ...workload,
    seenWorkers: kept,
    notes: [...workload.notes, `not seeded: ${dropped.join(', ')} (created during the probes in the real boot; the simulation creates its own)`],
  };
}
