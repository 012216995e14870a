// The DURATION column and call-tree text of function_graph output, shared by the kernel's own
// function_graph text (funcgraph.ts) and trace-cmd report's `funcgraph_entry:` / `funcgraph_exit:` events.
// Format: kernel/trace/trace_functions_graph.c (print_graph_duration, print_graph_entry_leaf,
// print_graph_entry_nested, print_graph_return; checked 4.x … 7.1: marks `+ ! # * @ $`, `} /* func */` with
// funcgraph-tail, `func(args) { /* <-caller */` and `/* ... ret=N */` with funcgraph-args/-retval) and
// libtraceevent plugins/plugin_function.c / trace-cmd's funcgraph printing (same columns).

import type { Ns } from '../core/units.js';
import type { EventContext, TraceEvent } from './trace-events.types.js';

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

/**
 * The call text when funcgraph-duration is off (print_graph_duration() prints nothing): after the prologue's
 * last separator (` | ` after the task, or `) ` after the CPU) one space, then `depth * 2` spaces of indent.
 */
export function callTextWithoutDuration(text: string, pos: number): GraphBody | null {
  let i = pos;
  if (text.charCodeAt(i) === SPACE) i++;
  const indentStart = i;
  while (text.charCodeAt(i) === SPACE) i++;
  const c = text.charCodeAt(i);
  const callText = c === 125 /* } */ || c === 95 /* _ */ || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (!callText || text.indexOf('|', i) >= 0) return null;
  bodyScratch.start = i;
  bodyScratch.depth = (i - indentStart) >> 1;
  bodyScratch.durationNs = null;
  return bodyScratch;
}

/** Parses the call-tree text at `body.start`: `func() {`, `func();`, `}` / `} /* func *\/`. Null otherwise. */
export function parseCallTree(text: string, body: GraphBody, ctx: EventContext): TraceEvent | null {
  const start = body.start;
  if (text.charCodeAt(start) === 125 /* } */) {
    // `} /* func */`, `} /* nvme_probe [nvme] */`, `} /* func ret=0x0 */` (funcgraph-tail / -retval)
    // funcgraph-retval: `} /* func ret=-12 */` (6.x after the retaddr rework) or `} /* func = -12 */` /
    // `} /* func = 0xfffffffffffffff4 */` (as merged in 6.5, print_graph_retval()).
    let func: string | null = null;
    let ret: number | null = null;
    const comment = text.indexOf('/* ', start);
    if (comment >= 0) {
      let end = text.indexOf(' */', comment + 3);
      if (end < 0) end = text.length;
      const retAt = text.indexOf(' ret=', comment + 3);
      const eqAt = text.indexOf(' = ', comment + 3);
      if (retAt >= 0 && retAt < end) {
        ret = returnValue(text.slice(retAt + 5, end));
        end = retAt;
      } else if (eqAt >= 0 && eqAt < end) {
        ret = returnValue(text.slice(eqAt + 3, end));
        end = eqAt;
      }
      if (end > comment + 3) func = text.slice(comment + 3, end);
    }
    return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'funcgraph_exit', func, depth: body.depth, durationNs: body.durationNs, ret };
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

/** A printed return value: `-12`, `0`, or hex `0xfffffffffffffff4` (an unsigned long: -12 as a 64-bit int). */
function returnValue(text: string): number | null {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]{1,16}$/i.test(t)) return Number(BigInt.asIntN(64, BigInt(t)));
  return null;
}

/** Duration column plus call tree starting at `pos` (trace-cmd's funcgraph_entry/exit fields). */
export function parseGraphColumns(text: string, pos: number, ctx: EventContext): TraceEvent | null {
  const body = readDurationColumn(text, pos);
  return body === null ? null : parseCallTree(text, body, ctx);
}
