// One name for a task in every output (text tables, timelines, HTML): `comm-pid` when both are known,
// `pid N` for a task known only by its printk caller id `[T N]`, the comm alone when the pid is unknown.

import type { WorkerIdentity } from '../model/types.js';

export function workerLabel(w: WorkerIdentity | null, unknown = 'unknown'): string {
  if (w === null) return unknown;
  if (w.comm !== null) return w.pid !== null ? `${w.comm}-${w.pid}` : w.comm;
  return w.pid !== null ? `pid ${w.pid}` : unknown;
}

/** The label with the worker kind (`bound`, `unbound`, ...), when it is known. */
export function describeWorker(w: WorkerIdentity | null): string {
  if (w === null) return '-';
  return w.kind === null ? workerLabel(w) : `${workerLabel(w)} (${w.kind})`;
}
