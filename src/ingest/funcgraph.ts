// function_graph tracer text (`# tracer: function_graph` in /sys/kernel/tracing/trace). Format:
// kernel/trace/trace_functions_graph.c (print_graph_prologue: funcgraph-abstime `%5lu.%06lu |  `, funcgraph-cpu
// ` %*d) `, funcgraph-proc comm cut to 7 + `-pid` centred in 14 + ` | `; print_graph_duration; verif_pid's
// `------` / ` N) from-pid => to-pid ` context-switch blocks; print_graph_irq's `==========>` / `<==========`;
// print_graph_comment's `/* event */` lines, which carry ordinary tracepoints (`/* name: fields */`) or, for
// trace_marker / trace_printk, the bare text). Columns are found by content, so every on/off combination of
// abstime, reltime (`%9llu us |`, skipped), cpu, proc, duration and latency-format (a flags column, skipped)
// works (fixtures/funcgraph-options). Checked against 3.x–6.x outputs (corpus:
// perf-tools funcgraph, 5.x abstime+proc, 6.3 events and switch markers, 6.x args/retval) and the 6.1.176
// fgraph captures.
//
// Without funcgraph-proc, pid/comm come from the last `=>` block seen on that CPU (before one: the CPU's
// placeholder pid, unknownTaskOn(), comm ''); without funcgraph-cpu, cpu is -1; without funcgraph-abstime,
// timeNs is null.
// A `/* name: fields */` comment is a tracepoint when `name` is a known event or looks like a tracepoint name
// (lower-case identifier with `_`) or a syscall event (`name(` / `name -> `); any other comment text is a trace_marker
// write (event type 'marker').

import type { Cpu, Ns, Pid } from '../core/units.js';
import type { DiagnosticSink } from './kernel-log.js';
import { callTextWithoutDuration, parseCallTree, readDurationColumn } from './funcgraph-body.js';
import type { TraceEvent } from './trace-events.types.js';
import { knownEventName } from './trace-event-names.js';
import { textOf } from './byte-text.js';
import { TraceCollector, newEventContext } from './trace-collector.js';

const SPACE = 32;
const PIPE = 124;
const isDigit = (c: number) => c >= 48 && c <= 57;
/** print_graph_rel_time(): `%9llu us |  `, then the CPU column. */
const RELTIME = /^\s*\d+ us \|(?=\s+\d+\) )/;
const LAT_FLAGS = /^\s+[dDbX.][nNpP.][hHsSzZ.][0-9.](?:[0-9.])? \|/;

/**
 * The pid given to lines of a CPU before its first `=>` block, without funcgraph-proc: verif_pid() prints no
 * block for the first task seen on a CPU, so that task is unknown until the CPU switches away from it (the
 * block's left side names it; FunctionGraphProbeBuilder then moves its frames). One placeholder per CPU
 * (-2 for CPU 0, -3 for CPU 1, ...; -1 when the CPU column is off too), so CPUs never share a stack.
 */
export function unknownTaskOn(cpu: number): Pid {
  return (-2 - cpu) as Pid;
}

export class FuncgraphParser {
  readonly collector: TraceCollector;
  private readonly ctx = newEventContext();
  /** Per CPU: the task switched in by the last `=>` block (for output without funcgraph-proc). */
  private readonly current = new Map<number, { pid: Pid; comm: string }>();
  // Scratch results of the column readers.
  private time = 0;
  private timeIsCount = false;
  private taskPid = 0;
  private taskCommStart = 0;
  private taskCommEnd = 0;
  /** The bytes of the line being read when it came from readLineBytes as ASCII (character i is byte lineStart + i). */
  private lineBytes: Buffer | null = null;
  private lineStart = 0;

  constructor(file: string, onEvent: (event: TraceEvent) => void, onDiagnostic: DiagnosticSink) {
    this.collector = new TraceCollector(file, onEvent, onDiagnostic);
  }

  /**
   * One line as bytes (lines.ts readLineBytes): read as text, but the fields of a tracepoint comment are parsed from
   * the bytes (trace-event-fields.ts) instead of being encoded again.
   */
  readonly bytes = (b: Buffer, start: number, end: number, lineNo: number, ascii: boolean): void => {
    this.lineBytes = ascii ? b : null;
    this.lineStart = start;
    this.line(textOf(b, start, end, ascii), lineNo);
    this.lineBytes = null;
  };

  readonly line = (text: string, lineNo: number): void => {
    let i = 0;
    while (text.charCodeAt(i) === SPACE) i++;
    if (i === text.length) return;
    const first = text.charCodeAt(i);
    if (first === 35 /* # */) {
      if (text.startsWith('# tracer: ')) this.collector.header.tracer = text.slice(10).trim();
      else if (!this.collector.bufferStartedLine(text, lineNo)) this.collector.entriesLine(text, lineNo);
      return;
    }
    if (first === 45 /* - */ && text.startsWith('---', i)) return;
    if (first === 67 /* C */ && this.collector.lostEventsLine(text, lineNo)) return;

    let timeNs: Ns | null = null;
    const afterTime = this.readAbstime(text, i);
    if (afterTime >= 0) {
      this.collector.noteClock(this.timeIsCount, lineNo);
      timeNs = this.time as Ns;
      i = afterTime;
    } else {
      // funcgraph-reltime: `%9llu us |  ` (µs since tracing started, not a clock the kernel log shares) before the CPU.
      const rel = RELTIME.exec(text.slice(i, i + 32));
      if (rel !== null) i += rel[0].length;
    }
    let cpu = -1;
    {
      let j = i;
      while (text.charCodeAt(j) === SPACE) j++;
      let value = 0;
      const start = j;
      while (isDigit(text.charCodeAt(j))) {
        value = value * 10 + (text.charCodeAt(j) - 48);
        j++;
      }
      if (j > start && text.charCodeAt(j) === 41 /* ) */) {
        cpu = value;
        i = j + 1;
      }
    }

    const pipe = text.indexOf('|', i);
    // Neither funcgraph-proc nor funcgraph-duration (no `|` on the line): the call text follows the CPU column.
    // Read here once: nothing below moves `i` on such a line (the latency flags and the task end in a `|`).
    let body = pipe < 0 ? callTextWithoutDuration(text, i) : null;
    if (pipe < 0) {
      if (text.indexOf('=>', i) >= 0 && this.switchLine(text, i, cpu, lineNo)) return;
      if (cpu < 0 || body === null) {
        this.collector.unparsed(lineNo, 'not a function_graph line');
        return;
      }
    }

    const ctx = this.ctx;
    ctx.timeNs = timeNs;
    ctx.cpu = cpu as Cpu;
    ctx.tgid = null;
    if (pipe >= 0 && this.readTask(text, i, pipe)) {
      ctx.pid = this.taskPid as Pid;
      ctx.comm = text.slice(this.taskCommStart, this.taskCommEnd);
      i = pipe + 1;
    } else {
      const task = this.current.get(cpu);
      ctx.pid = task?.pid ?? unknownTaskOn(cpu);
      ctx.comm = task?.comm ?? '';
    }

    // print_graph_irq(): the marker takes the DURATION column's place (` 1)   ==========> |`)
    {
      let j = i;
      while (text.charCodeAt(j) === SPACE) j++;
      if (text.startsWith('==========>', j) || text.startsWith('<==========', j)) return;
    }
    // options/latency-format: print_graph_lat_fmt() puts ` <flags> | ` (irqs-off, need-resched, hard/softirq,
    // preempt depth, 6.x migrate-disable) before the DURATION column.
    // (The regex runs only where a flags column can start: its first flag is one of d D b X . after the spaces.)
    let f = i;
    while (text.charCodeAt(f) === SPACE) f++;
    const flag = text.charCodeAt(f);
    if (flag === 100 || flag === 68 || flag === 98 || flag === 88 || flag === 46) {
      const flags = LAT_FLAGS.exec(text.slice(i, i + 16));
      if (flags !== null) i += flags[0].length;
    }
    body ??= readDurationColumn(text, i) ?? callTextWithoutDuration(text, i);
    if (body === null) {
      this.collector.unparsed(lineNo, 'function_graph line without a DURATION column and `|`');
      return;
    }
    const start = body.start;
    ctx.source = { file: this.collector.file, line: lineNo };
    if (text.startsWith('/*', start)) {
      this.comment(text, start, lineNo);
      return;
    }
    if (text.startsWith('==========>', start) || text.startsWith('<==========', start)) return;
    const event = parseCallTree(text, body, ctx);
    if (event === null) this.collector.unparsed(lineNo, 'function_graph call text is not `func() {`, `func();` or `}`');
    else this.collector.emit(event);
  };

  /** `  8.577563 |` (or an integer count) at `i`; returns the index after the `|`, or -1. */
  private readAbstime(text: string, i: number): number {
    let whole = 0;
    const start = i;
    while (isDigit(text.charCodeAt(i))) {
      whole = whole * 10 + (text.charCodeAt(i) - 48);
      i++;
    }
    if (i === start) return -1;
    let time = whole;
    let isCount = true;
    if (text.charCodeAt(i) === 46) {
      i++;
      let fraction = 0;
      let scale = 1e9;
      while (isDigit(text.charCodeAt(i))) {
        fraction = fraction * 10 + (text.charCodeAt(i) - 48);
        scale /= 10;
        i++;
      }
      time = whole * 1e9 + Math.round(fraction * scale);
      isCount = false;
    }
    if (text.charCodeAt(i) !== SPACE) return -1;
    while (text.charCodeAt(i) === SPACE) i++;
    if (text.charCodeAt(i) !== PIPE) return -1;
    this.time = time;
    this.timeIsCount = isCount;
    return i + 1;
  }

  /** A funcgraph-proc column `comm-pid` in text[i, pipe). */
  private readTask(text: string, i: number, pipe: number): boolean {
    let j = pipe - 1;
    while (j > i && text.charCodeAt(j) === SPACE) j--;
    const pidEnd = j;
    let pid = 0;
    let scale = 1;
    while (j > i && isDigit(text.charCodeAt(j))) {
      pid += (text.charCodeAt(j) - 48) * scale;
      scale *= 10;
      j--;
    }
    if (j === pidEnd || text.charCodeAt(j) !== 45 /* - */) return false;
    let start = i;
    while (start < j && text.charCodeAt(start) === SPACE) start++;
    this.taskPid = pid;
    this.taskCommStart = start;
    this.taskCommEnd = j;
    return true;
  }

  /** `comm-pid` in text[start, end), white space around it allowed; the comm is everything before the last `-digits`. */
  private commDashPid(text: string, start: number, end: number): { comm: string; pid: number } | null {
    // Printable ASCII and spaces (every real line) as the TASK column; anything else by the regular expression,
    // whose `\s` and `.` decide what other white space and line breaks do.
    for (let k = start; k < end; k++) {
      const c = text.charCodeAt(k);
      if (c < 32 || c > 126) {
        const m = COMM_DASH_PID.exec(text.slice(start, end));
        return m === null ? null : { comm: m[1] ?? '', pid: Number(m[2]) };
      }
    }
    if (!this.readTask(text, start, end)) return null;
    return { comm: text.slice(this.taskCommStart, this.taskCommEnd), pid: this.taskPid };
  }

  /** ` N) from-pid => to-pid ` */
  private switchLine(text: string, i: number, cpu: number, lineNo: number): boolean {
    const arrow = text.indexOf('=>', i);
    const from = this.commDashPid(text, i, arrow);
    const to = this.commDashPid(text, arrow + 2, text.length);
    if (from === null || to === null) return false;
    this.current.set(cpu, { pid: to.pid as Pid, comm: to.comm });
    this.collector.emit({
      source: { file: this.collector.file, line: lineNo },
      timeNs: null,
      cpu: cpu as Cpu,
      pid: from.pid as Pid,
      comm: from.comm,
      tgid: null,
      type: 'funcgraph_switch',
      fromComm: from.comm,
      fromPid: from.pid as Pid,
      toComm: to.comm,
      toPid: to.pid as Pid,
    });
    return true;
  }

  /** `/* name: fields *\/` (a tracepoint), `/* sys_x(args) *\/` (syscall event) or `/* text *\/` (trace_marker). */
  private comment(text: string, start: number, lineNo: number): void {
    let end = text.lastIndexOf('*/');
    if (end < start + 2) end = text.length;
    const raw = text.slice(start + 2, end);
    const inner = raw.trim();
    const colon = inner.indexOf(': ');
    const name = colon > 0 ? knownEventName(inner.slice(0, colon)) : null;
    if (name !== null) {
      let event: TraceEvent | null;
      if (this.lineBytes !== null) {
        // An ASCII line (character k is byte lineStart + k): `inner` starts where trimStart() stops.
        const at = this.lineStart + start + 2 + (raw.length - raw.trimStart().length);
        event = this.collector.fields.parse(name, this.lineBytes, at + colon + 2, at + inner.length, true, this.ctx);
      } else {
        event = this.collector.fields.parseText(name, inner.slice(colon + 2).trimEnd(), this.ctx);
      }
      if (event === null) this.collector.unparsed(lineNo, `${name}: fields do not match any known print format of this event`);
      else this.collector.emit(event);
      return;
    }
    const head = colon > 0 ? inner.slice(0, colon) : '';
    if (/^[a-z][a-z0-9_]*_[a-z0-9_]*$/.test(head) || /^[a-z_][a-z0-9_]*(?:\(| -> )/.test(inner)) {
      this.collector.unknownEvents++;
      return;
    }
    const ctx = this.ctx;
    this.collector.emit({ source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'marker', text: inner });
  }
}

const COMM_DASH_PID = /^\s*(.*)-(\d+)\s*$/;
