// Fields of the workqueue tracepoints (include/trace/events/workqueue.h, 4.4 … 7.1: `workqueue=%p` → name in 5.12,
// `cpu=%u` → `%d` in 5.19, execute_end gained `: function %ps` in 5.6, activate_work gained ` function=%ps ` around
// 6.10) and trace-cmd report -R raw `work=…` text.

import { asciiBytes, bytesIndexOf, bytesLastIndexOf, bytesStartWith, textOf } from './byte-text.js';
import type { FieldState } from './field-scanner.js';
import type { TraceEvent, TraceEventBase as EventContext } from './trace-events.types.js';

const K_CPU = asciiBytes(' cpu=');
const K_FUNCTION = asciiBytes(' function=');
const K_REQ_CPU = asciiBytes(' req_cpu=');
const K_WORK = asciiBytes('work=');
const K_WORKQUEUE = asciiBytes(' workqueue=');
const K_WORK_STRUCT = asciiBytes('work struct=');

// work struct=%p function=%ps workqueue=%p|%s req_cpu=%u|%d cpu=%u|%d   (trace-cmd -R: work=… function=…)
export function parseQueueWork(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext, s: FieldState): TraceEvent | null {
  let workStart: number;
  if (bytesStartWith(b, start, end, K_WORK_STRUCT)) workStart = start + 12;
  else if (bytesStartWith(b, start, end, K_WORK)) workStart = start + 5;
  else return null;
  const fnAt = bytesIndexOf(b, K_FUNCTION, workStart, end);
  if (fnAt < 0) return null;
  const wqAt = bytesIndexOf(b, K_WORKQUEUE, fnAt + 10, end);
  if (wqAt < 0) return null;
  const reqAt = bytesLastIndexOf(b, K_REQ_CPU, start, end);
  if (reqAt < wqAt) return null;
  const reqCpu = s.scan.intAt(b, reqAt + 9, end);
  const poolCpu = s.scan.intAfter(b, K_CPU, s.scan.end, end);
  if (Number.isNaN(reqCpu) || Number.isNaN(poolCpu)) return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'workqueue_queue_work',
    work: textOf(b, workStart, fnAt, ascii),
    function: textOf(b, fnAt + 10, wqAt, ascii),
    workqueue: textOf(b, wqAt + 11, reqAt, ascii),
    reqCpu,
    poolCpu: poolCpu === -1 || poolCpu === 4294967295 ? null : poolCpu,
  };
}

// activate_work: `work struct %p` [` function=%ps `]; execute_start: `work struct %p: function %ps`;
// execute_end: `work struct %p` [`: function %ps`]; trace-cmd -R: `work=%p` [` function=%p`].
export function parseWorkEvent(
  type: 'workqueue_activate_work' | 'workqueue_execute_start' | 'workqueue_execute_end',
  f: string,
  ctx: EventContext,
): TraceEvent | null {
  let workStart: number;
  if (f.startsWith('work struct ')) workStart = 12;
  else if (f.startsWith('work=')) workStart = 5;
  else return null;
  let workEnd = f.indexOf(' ', workStart);
  if (workEnd < 0) workEnd = f.length;
  let fn: string | null = null;
  if (f.charCodeAt(workEnd - 1) === 58 /* : */ && f.startsWith(' function ', workEnd)) {
    fn = f.slice(workEnd + 10).trimEnd();
    workEnd--;
  } else if (f.startsWith(' function=', workEnd)) {
    fn = f.slice(workEnd + 10).trimEnd();
  } else if (workEnd !== f.length && f.slice(workEnd).trim() !== '') {
    return null;
  }
  if (fn === '') fn = null;
  if (workEnd <= workStart) return null;
  const work = f.slice(workStart, workEnd);
  if (type === 'workqueue_execute_start') {
    if (fn === null) return null;
    return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, work, function: fn };
  }
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, work, function: fn };
}
