// The simulator's mutable state, as types: simulated tasks (docs/workqueue-model.md §8.2 `Thread`) and the steps
// they execute, worker pools and workqueues with their work items. They refer to each other (a thread runs a
// work item of a pool; a pool keeps its idle threads), so they live in one module; the functions that act on
// them are in sim-thread.ts, worker-pools.ts and workqueues.ts.

import type { Fifo } from './fifo.js';
import type { ProbeEntry } from './policies.js';

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

export interface Pool {
  /** Pool id as in the worker names (unbound) or the CPU (bound). */
  id: number;
  kind: 'bound' | 'unbound';
  /** Bound: its CPU. Unbound: -1. */
  cpu: number;
  /** Unbound: the pod's CPUs (online, housekeeping), ascending. */
  podCpus: number[];
  podIndex: number;
  /** Unbound pre-6.6: workers may run only on this node; -1 otherwise. */
  hardNode: number;
  worklist: Fifo<WorkItem>;
  /** LIFO: the last worker to go idle is woken first. */
  idle: SimThread[];
  nrRunning: number;
  managerBusy: boolean;
  nextWorkerId: number;
  /** Round-robin cursor for repatriating wake hints into the pod. */
  hintCursor: number;
}

export interface WorkItem {
  id: number;
  fn: string;
  wq: Workqueue;
  key: number;
  pool: Pool;
  body: Step[];
  waiters: SimThread[];
  probe: number | null;
  queuedAt: number;
}

export interface Workqueue {
  name: string;
  percpu: boolean;
  /** The max_active limit for one key. */
  limit: (key: number) => number;
  active: Map<number, number>;
  inactive: Map<number, WorkItem[]>;
}
