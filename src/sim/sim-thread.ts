// Simulated tasks (workqueue-model.md §8.2 `Thread`) and the steps they execute: CPU demand, timed
// sleeps, waiting for a queued work item (flush_work), and the pool-management steps of a kworker.

import type { ProbeEntry } from './policies.js';
import type { Pool } from './worker-pools.js';
import type { WorkItem } from './workqueues.js';

export type Step =
  | { k: 'cpu'; ns: number }
  | { k: 'sleep'; ns: number }
  /** Block until an absolute time (a synchronous caller waiting for its next device to arrive). */
  | { k: 'until'; at: number }
  | { k: 'mark'; probe: number; what: 'start' | 'end' | 'body-start' | 'body-end' }
  /** Queue `body` as a work item as `entry` says and sleep (D) until it has run (flush_work). */
  | { k: 'hop'; probe: number; entry: Exclude<ProbeEntry, { kind: 'inline' }>; body: Step[] }
  /** A woken idle worker leaves idle and decides whether to manage or go back to sleep. */
  | { k: 'dispatch' }
  | { k: 'create-worker' }
  | { k: 'take-work' };

export type ThreadState = 'idle' | 'runnable' | 'running' | 'blocked' | 'exited';

export interface SimThread {
  pid: number;
  comm: string;
  kind: 'bound' | 'unbound' | 'task';
  pool: Pool | null;
  workerId: number | null;
  /** CPU the thread may only run on (bound kworkers, spread probes), else -1. */
  pinned: number;
  /** Movable threads: only CPUs of this node (pre-6.6 unbound pools), else -1 (any housekeeping CPU). */
  allowedNode: number;
  state: ThreadState;
  /** Current or last CPU. */
  cpu: number;
  wakeHint: number;
  steps: Step[];
  pc: number;
  /** CPU time left in the current cpu step. */
  remaining: number;
  work: WorkItem | null;
  /** Bound workers: counted in the pool's nr_running. */
  counted: boolean;
  /** Woken from the idle list, not yet on a CPU. */
  waking: boolean;
  cpuIntensive: boolean;
  /** A background-load task (measured occupancy of other threads). */
  background?: boolean;
  runSinceWake: number;
  onCpuNs: number;
  runnableNs: number;
  sleepNs: number;
  /** When the thread entered its current state. */
  since: number;
}

export function newThread(pid: number, comm: string, kind: SimThread['kind'], cpu: number): SimThread {
  return {
    pid, comm, kind, pool: null, workerId: null, pinned: -1, allowedNode: -1, state: 'idle', cpu, wakeHint: cpu,
    steps: [], pc: 0, remaining: 0, work: null, counted: false, waking: false, cpuIntensive: false, runSinceWake: 0,
    onCpuNs: 0, runnableNs: 0, sleepNs: 0, since: 0,
  };
}

/** Moves a thread to a new state, charging the time spent in the old one. */
export function setState(t: SimThread, state: ThreadState, now: number): void {
  const spent = now - t.since;
  if (t.state === 'running') t.onCpuNs += spent;
  else if (t.state === 'runnable') t.runnableNs += spent;
  else if (t.state === 'blocked') t.sleepNs += spent;
  t.state = state;
  t.since = now;
}

/** The thread's counters as of `now` (its current state's time included). */
export function countersAt(t: SimThread, now: number): { onCpu: number; runnable: number; sleep: number } {
  const spent = now - t.since;
  return {
    onCpu: t.onCpuNs + (t.state === 'running' ? spent : 0),
    runnable: t.runnableNs + (t.state === 'runnable' ? spent : 0),
    sleep: t.sleepNs + (t.state === 'blocked' ? spent : 0),
  };
}
