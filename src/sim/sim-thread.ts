// Simulated tasks (docs/workqueue-model.md §8.2 `Thread`) and the steps they execute: CPU demand, timed
// sleeps, waiting for a queued work item (flush_work), and the pool-management steps of a kworker.

import type { SimThread, ThreadState } from './sim-state.js';

export type { Step, SimThread, ThreadState } from './sim-state.js';

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
