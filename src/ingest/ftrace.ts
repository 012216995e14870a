// ftrace text output: /sys/kernel/tracing/trace, trace_pipe, and ftrace_dump_on_oops output inside a kernel
// log. Format: kernel/trace/trace.c (headers: print_trace_header, print_func_help_header[_irq],
// print_lat_help_header; special lines) and kernel/trace/trace_output.c (trace_print_context,
// trace_print_lat_context). Checked against Linux 3.15, 4.6, 4.19 (5-digit pids, 4 flags), 5.4/5.10
// (7-digit pids, 4 flags), 6.1.176 (captures) and 6.18 (5 flags, TGID column, irq-info off, counter clocks).
//
// Latency format (options/latency-format, and ftrace_dump_on_oops) is accepted for timing only, with one
// warning: its comm is cut to 8 characters and its time is µs since the start of the buffer (not the trace
// clock). A trace written with options/context-info off has no task, CPU or time on its lines and is rejected
// with an InputError: spans cannot be rebuilt from it.

import type { DiagnosticSink } from './kernel-log.js';
import { InputError } from './input-error.js';
import type { TraceEvent } from './trace-events.types.js';
import { knownEventAt } from './trace-event-names.js';
import { TraceCollector, newEventContext } from './trace-collector.js';
import { textOf } from './byte-text.js';
import { newEventPrefix, parseBracketPrefix, parseGluedCpuPrefix, skipDmesgPrefix } from './trace-line-prefix.js';

const HASH = 35;
const SPACE = 32;

export class FtraceParser {
  readonly collector: TraceCollector;
  private readonly prefix = newEventPrefix();
  private readonly ctx = newEventContext();
  private latencyReported = false;

  constructor(file: string, onEvent: (event: TraceEvent) => void, onDiagnostic: DiagnosticSink) {
    this.collector = new TraceCollector(file, onEvent, onDiagnostic);
  }

  /** One line, `b[start, end)` (lines.ts readLineBytes). Event lines are read from the bytes; other lines as text. */
  readonly line = (b: Buffer, start: number, end: number, lineNo: number, ascii: boolean): void => {
    if (start === end) return;
    if (b[start] === HASH) {
      this.headerLine(textOf(b, start, end, ascii), lineNo);
      return;
    }
    const from = skipDmesgPrefix(b, start, end);
    const p = this.prefix;
    if (parseBracketPrefix(b, from, end, p)) {
      this.eventLine(b, end, ascii, lineNo);
      return;
    }
    if (parseGluedCpuPrefix(b, from, end, p)) {
      if (!this.latencyReported) {
        this.latencyReported = true;
        this.collector.warn(
          lineNo,
          'latency-format lines (options/latency-format or ftrace_dump_on_oops): comms are cut to 8 characters and times are µs since the buffer start, not the trace clock; use them for timing only',
        );
      }
      this.eventLine(b, end, ascii, lineNo);
      return;
    }
    // The dmesg prefix is ASCII: its length in bytes is its length in characters.
    this.otherLine(textOf(b, start, end, ascii), from - start, lineNo);
  };

  private eventLine(b: Buffer, end: number, ascii: boolean, lineNo: number): void {
    const p = this.prefix;
    const name = knownEventAt(b, p.nameStart, p.nameEnd);
    if (name === null) {
      this.collector.unknownEvents++;
      return;
    }
    this.collector.eventFromPrefix(b, end, ascii, lineNo, name, p, this.ctx);
  }

  private headerLine(text: string, lineNo: number): void {
    const c = this.collector;
    if (text.startsWith('# tracer: ')) {
      c.header.tracer = text.slice(10).trim();
      return;
    }
    if (text.startsWith('#####')) {
      if (!c.bufferStartedLine(text, lineNo)) c.unparsed(lineNo, 'unrecognised `#####` line');
      return;
    }
    if (c.entriesLine(text, lineNo)) return;
    // latency header: `# latency: 0 us, #71/71, CPU#0 | (M:PREEMPT(none) VP:0, KP:0, SP:0 HP:0 #P:2)`
    const cpus = /^# latency: .*#P:(\d+)\)/.exec(text);
    if (cpus !== null) c.header.cpus = Number(cpus[1]);
  }

  private otherLine(text: string, from: number, lineNo: number): void {
    const c = this.collector;
    let i = from;
    while (text.charCodeAt(i) === SPACE) i++;
    if (i === text.length) return;
    // stack traces (`options/stacktrace`, `<stack trace>` events): ` => func`
    if (text.startsWith('=>', i)) return;
    // the `---------------------------------` line that ends an ftrace_dump_on_oops dump
    if (text.startsWith('-----', i) && /^-+\s*$/.test(text.slice(i))) return;
    if (text.charCodeAt(i) === 67 /* C */ && c.lostEventsLine(text, lineNo)) return;
    if (c.events === 0 && c.unknownEvents === 0 && /^[a-z_][a-z0-9_]*: /.test(text.slice(i, i + 64))) {
      throw new InputError(
        c.file,
        lineNo,
        'ftrace lines without task, CPU and time (options/context-info was off): spans cannot be rebuilt; record again with context-info on',
      );
    }
    c.unparsed(lineNo, 'not an ftrace event line (expected `TASK-PID [CPU] FLAGS TIME: event: fields`)');
  }
}
