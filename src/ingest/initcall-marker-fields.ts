// Fields of the initcall tracepoints (include/trace/events/initcall.h, 4.17+) and of trace_marker writes
// (kernel/trace/trace_entries.h `print`, shown by trace-cmd as `tracing_mark_write: text`).

import { asciiBytes, bytesLastIndexOf, bytesStartWith, textOf } from './byte-text.js';
import { detached } from '../core/detached-string.js';
import type { FieldState } from './field-scanner.js';
import type { TraceEvent, TraceEventBase as EventContext } from './trace-events.types.js';

const K_FUNC = asciiBytes('func=');
const K_RET = asciiBytes(' ret=');

// func=%pS ret=%d
export function parseInitcallFinish(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext, s: FieldState): TraceEvent | null {
  if (!bytesStartWith(b, start, end, K_FUNC)) return null;
  const retAt = bytesLastIndexOf(b, K_RET, start, end);
  if (retAt < start + 5) return null;
  const ret = s.scan.intAt(b, retAt + 5, end);
  if (Number.isNaN(ret)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_finish', func: textOf(b, start + 5, retAt, ascii), ret };
}

// trace-cmd shows trace_marker writes as the ftrace `print` event: `%ps: %s` (`tracing_mark_write: text`).
export function parsePrint(f: string, ctx: EventContext): TraceEvent | null {
  const colon = f.indexOf(': ');
  const text = colon >= 0 && f.indexOf(' ') > colon ? f.slice(colon + 2) : f;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'marker', text: detached(text.trimEnd()) };
}
