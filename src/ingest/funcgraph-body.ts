// The DURATION column and call-tree text of function_graph output, shared by the kernel's own
// function_graph text (funcgraph.ts) and trace-cmd report's `funcgraph_entry:` / `funcgraph_exit:` events.
// Format: kernel/trace/trace_functions_graph.c (print_graph_duration, print_graph_entry_leaf,
// print_graph_entry_nested, print_graph_return; checked 4.x … 7.1: marks `+ ! # * @ $`, `} /* func */` with
// funcgraph-tail, `func(args) { /* <-caller */` and `/* ... ret=N */` with funcgraph-args/-retval) and
// libtraceevent plugins/plugin_function.c / trace-cmd's funcgraph printing (same columns).

import type { Ns } from '../model/types.js';
import type { TraceEvent } from './trace-events.types.js';
import type { EventContext } from './trace-event-fields.js';

const PIPE = 124;
const SPACE = 32;

export interface GraphBody {
  /** Index of the first character of the call-tree text (after the `|` and its indentation). */
  start: number;
  /** Call depth from the indentation (2 spaces per level after the first two). */
  depth: number;
  durationNs: Ns | null;
}

const bodyScratch: GraphBody = { start: 0, depth: 0, durationNs: null };

/**
 * Reads `[mark] duration us |  <indent>` starting at `pos` (blank durations allowed). Returns a shared
 * scratch object (valid until the next call) or null when the text has no such columns.
 */
export function readDurationColumn(text: string, pos: number): GraphBody | null {
  let i = pos;
  while (text.charCodeAt(i) === SPACE) i++;
  let durationNs: Ns | null = null;
  if (text.charCodeAt(i) !== PIPE) {
    const c = text.charCodeAt(i);
    // overhead marks: + ! # * @ $
    if (c === 43 || c === 33 || c === 35 || c === 42 || c === 64 || c === 36) {
      i++;
      while (text.charCodeAt(i) === SPACE) i++;
    }
    let whole = 0;
    const digitsStart = i;
    for (;;) {
      const d = text.charCodeAt(i);
      if (!(d >= 48 && d <= 57)) break;
      whole = whole * 10 + (d - 48);
      i++;
    }
    if (i === digitsStart) return null;
    let fractionNs = 0;
    if (text.charCodeAt(i) === 46) {
      i++;
      let scale = 100;
      for (;;) {
        const d = text.charCodeAt(i);
        if (!(d >= 48 && d <= 57)) break;
        fractionNs += (d - 48) * scale;
        scale /= 10;
        i++;
      }
      fractionNs = Math.round(fractionNs);
    }
    if (!text.startsWith(' us', i)) return null;
    i += 3;
    while (text.charCodeAt(i) === SPACE) i++;
    if (text.charCodeAt(i) !== PIPE) return null;
    durationNs = (whole * 1000 + fractionNs) as Ns;
  }
  i++;
  const indentStart = i;
  while (text.charCodeAt(i) === SPACE) i++;
  bodyScratch.start = i;
  bodyScratch.depth = Math.max(0, (i - indentStart - 2) >> 1);
  bodyScratch.durationNs = durationNs;
  return bodyScratch;
}

/** Parses the call-tree text at `body.start`: `func() {`, `func();`, `}` / `} /* func *\/`. Null otherwise. */
export function parseCallTree(text: string, body: GraphBody, ctx: EventContext): TraceEvent | null {
  const start = body.start;
  if (text.charCodeAt(start) === 125 /* } */) {
    // `} /* func */`, `} /* nvme_probe [nvme] */`, `} /* func ret=0x0 */` (funcgraph-tail / -retval)
    let func: string | null = null;
    const comment = text.indexOf('/* ', start);
    if (comment >= 0) {
      let end = text.indexOf(' */', comment + 3);
      if (end < 0) end = text.length;
      const ret = text.indexOf(' ret=', comment + 3);
      if (ret >= 0 && ret < end) end = ret;
      if (end > comment + 3) func = text.slice(comment + 3, end);
    }
    return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'funcgraph_exit', func, depth: body.depth, durationNs: body.durationNs };
  }
  const paren = text.indexOf('(', start);
  if (paren <= start) return null;
  // The code part ends before a trailing ` /* <-caller ret=... */` comment.
  const commentAt = text.indexOf(' /*', paren);
  let codeEnd = commentAt >= 0 ? commentAt : text.length;
  while (codeEnd > paren && text.charCodeAt(codeEnd - 1) === SPACE) codeEnd--;
  const last = text.charCodeAt(codeEnd - 1);
  const func = text.slice(start, paren);
  if (last === 123 /* { */) return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'funcgraph_entry', func, depth: body.depth };
  if (last === 59 /* ; */) return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'funcgraph_leaf', func, depth: body.depth, durationNs: body.durationNs };
  return null;
}

/** Duration column plus call tree starting at `pos` (trace-cmd's funcgraph_entry/exit fields). */
export function parseGraphColumns(text: string, pos: number, ctx: EventContext): TraceEvent | null {
  const body = readDurationColumn(text, pos);
  return body === null ? null : parseCallTree(text, body, ctx);
}
