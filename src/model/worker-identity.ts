// kworker identity from a task comm. Names from kernel/workqueue.c create_worker() /
// format_worker_id() (checked in 6.12 and 6.19 source as quoted in docs/kernel-log-formats.md §10):
// `kworker/N:M` (per-CPU pool), `kworker/N:MH` (highpri), `kworker/uP:M` (unbound pool id P),
// `kworker/R-<wq>` (rescuer, 6.6+; before 6.6 a rescuer's comm was the bare workqueue name and
// cannot be told from any other task), `kworker/dying`. The `+desc`/`-desc` suffix of
// /proc/PID/comm (4.18+, wq_worker_comm()) is accepted and dropped. TASK_COMM_LEN = 16, so a
// 15-character comm may have been cut by ftrace or ps.

import type { WorkerIdentity } from './types.js';
import { cpuId, pidOf } from '../core/units.js';

const TASK_COMM_VISIBLE = 15;
// formats §10, plus the optional wq_worker_comm() `+desc` / `-desc` suffix.
const KWORKER =
  /^kworker\/(?:(?<cpu>\d+):(?<id>\d+)(?<hi>H)?|u(?<pool>\d+):(?<id2>\d+)|R-(?<wq>.*)|(?<dying>dying))(?<desc>[+-].*)?$/;

/** Identity of the task named `comm` (and `pid` when known). Any comm that is not a kworker is kind `task`. */
export function parseWorkerComm(comm: string, pid: number | null): WorkerIdentity {
  const identity: WorkerIdentity = {
    comm,
    pid: pid === null ? null : pidOf(pid),
    kind: 'task',
    cpu: null,
    pool: null,
    workerId: null,
    rescuerOf: null,
    maybeTruncated: comm.length === TASK_COMM_VISIBLE,
  };
  const m = KWORKER.exec(comm);
  const g = m?.groups;
  if (!g) return identity;
  if (g.cpu !== undefined && g.id !== undefined) {
    identity.kind = g.hi === 'H' ? 'highpri' : 'bound';
    identity.cpu = cpuId(Number(g.cpu));
    identity.workerId = Number(g.id);
  } else if (g.pool !== undefined && g.id2 !== undefined) {
    identity.kind = 'unbound';
    identity.pool = Number(g.pool);
    identity.workerId = Number(g.id2);
  } else if (g.wq !== undefined) {
    identity.kind = 'rescuer';
    identity.rescuerOf = g.wq;
  } else if (g.dying !== undefined) {
    // A worker being destroyed: a kworker, but its pool is no longer named.
    identity.kind = null;
  }
  return identity;
}

/** A task known only by its pid (e.g. the printk caller id `[T123]`): comm and kind unknown. */
export function workerFromPid(pid: number): WorkerIdentity {
  return { comm: null, pid: pidOf(pid), kind: null, cpu: null, pool: null, workerId: null, rescuerOf: null, maybeTruncated: false };
}
