// State every trace text parser (ftrace.ts, trace-cmd.ts, funcgraph.ts) shares while reading one file:
// the TraceHeader, event and unknown-event counts, capped per-file diagnostics, and a one-line delay on
// emitted events so a truncated last line (no newline: the file was cut while being written) is reported
// instead of delivered with a cut field.
// Special lines: kernel/trace/trace.c (`CPU:%d [LOST %lu EVENTS]`, `##### CPU %u buffer started ####`,
// `# entries-in-buffer/entries-written: %lu/%lu   #P:%d`) and trace-cmd tracecmd/trace-read.c
// (`CPU:%d [%lld EVENTS DROPPED]`, `CPU:%d [EVENTS DROPPED]`). Checked 3.15 … 6.18, trace-cmd 2.9–3.4.

import type { Cpu } from '../core/units.js';
import type { Severity } from '../core/diagnostics.js';
import type { DiagnosticSink } from './kernel-log.js';
import type { ReadLinesResult } from './lines.js';
import type { TraceEvent, TraceHeader } from './trace-events.types.js';
import { EventFieldParser, type EventContext } from './trace-event-fields.js';
import type { KnownEventName } from './trace-event-names.js';
import type { EventPrefix } from './trace-line-prefix.js';

/** Unparseable-line diagnostics reported one by one per file; the rest are summed up in one diagnostic. */
const MAX_LINE_DIAGNOSTICS = 100;

export class TraceCollector {
  readonly header: TraceHeader = {
    tracer: null,
    cpus: null,
    entriesInBuffer: null,
    entriesWritten: null,
    clockUnit: 'ns',
    lostEvents: [],
    bufferStarted: [],
  };
  events = 0;
  /** The tracepoint field parser of this file (its comm cache and scratch state). */
  readonly fields = new EventFieldParser();
  /** Event lines whose event name is not one trace-probe materialises. */
  unknownEvents = 0;
  private pending: TraceEvent | null = null;
  private lineDiagnostics = 0;
  private sawTime = false;
  private mixedClocksReported = false;
  private lastTimeNs: number | null = null;
  private backwards = 0;
  private firstBackwards: number | null = null;

  constructor(
    readonly file: string,
    private readonly onEvent: (event: TraceEvent) => void,
    private readonly onDiagnostic: DiagnosticSink,
  ) {}

  /** `timeNs` is the event's time (given by callers that have it at hand: events have many shapes, reading it is slow). */
  emit(event: TraceEvent, timeNs: number | null = event.timeNs): void {
    if (this.pending !== null) this.onEvent(this.pending);
    this.pending = event;
    this.events++;
    // The trace file and trace-cmd report merge the per-CPU buffers in time order: an earlier time than the
    // line before means lines were reordered or traces concatenated, and spans built across it are wrong.
    if (timeNs !== null) {
      if (this.lastTimeNs !== null && timeNs < this.lastTimeNs) {
        this.backwards++;
        this.firstBackwards ??= event.source.line;
      }
      this.lastTimeNs = timeNs;
    }
  }

  warn(line: number | null, message: string, severity: Severity = 'warning'): void {
    this.onDiagnostic({ file: this.file, line, message, severity });
  }

  /** A line that does not parse inside the format: reported (up to a cap) and skipped. */
  unparsed(line: number, message: string): void {
    this.lineDiagnostics++;
    if (this.lineDiagnostics <= MAX_LINE_DIAGNOSTICS) this.warn(line, message);
  }

  /** Records the clock unit from an event's timestamp form; mixed forms are reported once. */
  noteClock(isCount: boolean, line: number): void {
    const unit = isCount ? 'count' : 'ns';
    if (!this.sawTime) {
      this.header.clockUnit = unit;
      this.sawTime = true;
    } else if (unit !== this.header.clockUnit && !this.mixedClocksReported) {
      this.mixedClocksReported = true;
      this.warn(line, `timestamp form changes from ${this.header.clockUnit === 'ns' ? 's.µs' : 'integer counts'} to ${isCount ? 'integer counts' : 's.µs'}: times from different trace clocks are not comparable`);
    }
  }

  /** Builds the event of a known name from a parsed prefix of the line `b[…, end)`; reports a diagnostic when its fields do not parse. */
  eventFromPrefix(b: Buffer, end: number, ascii: boolean, lineNo: number, name: KnownEventName, prefix: EventPrefix, ctx: EventContext): void {
    this.noteClock(prefix.timeIsCount, lineNo);
    ctx.source = { file: this.file, line: lineNo };
    ctx.timeNs = prefix.time as EventContext['timeNs'];
    ctx.cpu = prefix.cpu as Cpu;
    ctx.pid = prefix.pid as EventContext['pid'];
    ctx.comm = this.fields.comms.text(prefix.pid, prefix.cpu, b, prefix.commStart, prefix.commEnd, ascii);
    ctx.tgid = prefix.tgid;
    const event = this.fields.parse(name, b, prefix.fieldsStart, end, ascii, ctx);
    if (event === null) this.unparsed(lineNo, `${name}: fields do not match any known print format of this event`);
    else this.emit(event, prefix.time);
  }

  /** `CPU:N [LOST M EVENTS]`, `CPU:N [M EVENTS DROPPED]`, `CPU:N [EVENTS DROPPED]`; false if not such a line. */
  lostEventsLine(line: string, lineNo: number): boolean {
    const m = /^\s*CPU:\s*(\d+) \[(?:LOST (\d+) EVENTS|(\d+) EVENTS DROPPED|EVENTS DROPPED)\]\s*$/.exec(line);
    if (m === null) return false;
    const count = m[2] ?? m[3];
    const cpu = Number(m[1]) as Cpu;
    this.header.lostEvents.push({ cpu, count: count === undefined ? null : Number(count), source: { file: this.file, line: lineNo } });
    this.warn(lineNo, `CPU ${cpu}: ${count ?? 'an unknown number of'} events lost here (ring buffer overrun): spans crossing this point on CPU ${cpu} are incomplete`);
    return true;
  }

  /** `##### CPU N buffer started ####`; false if not such a line. */
  bufferStartedLine(line: string, lineNo: number): boolean {
    const m = /^#+ CPU (\d+) buffer started #+\s*$/.exec(line);
    if (m === null) return false;
    const cpu = Number(m[1]) as Cpu;
    this.header.bufferStarted.push({ cpu, source: { file: this.file, line: lineNo } });
    this.warn(lineNo, `CPU ${cpu}: its buffer starts here; earlier events of this CPU were overwritten`);
    return true;
  }

  /** `# entries-in-buffer/entries-written: A/B   #P:N`; false if not such a line. */
  entriesLine(line: string, lineNo: number): boolean {
    const m = /^#\s*entries-in-buffer\/entries-written:\s*(\d+)\/(\d+)\s+#P:(\d+)/.exec(line);
    if (m === null) return false;
    const inBuffer = Number(m[1]);
    const written = Number(m[2]);
    this.header.entriesInBuffer = inBuffer;
    this.header.entriesWritten = written;
    this.header.cpus = Number(m[3]);
    if (inBuffer < written) {
      this.warn(lineNo, `${written - inBuffer} of ${written} events were overwritten before the trace was read (entries-in-buffer ${inBuffer} < entries-written ${written}): the start of the trace is missing`);
    }
    return true;
  }

  /** Flushes the delayed event; drops and reports it when it came from an unterminated last line. */
  finish(read: ReadLinesResult): void {
    if (this.pending !== null) {
      if (read.unterminated && this.pending.source.line === read.lines) {
        this.events--;
        this.warn(read.lines, 'last line has no newline (file cut while being written?): its event was not used', 'warning');
      } else {
        this.onEvent(this.pending);
        if (read.unterminated) this.warn(read.lines, 'last line has no newline (file cut while being written?)', 'warning');
      }
      this.pending = null;
    } else if (read.unterminated) {
      this.warn(read.lines, 'last line has no newline (file cut while being written?)', 'warning');
    }
    if (this.backwards > 0) {
      this.warn(this.firstBackwards, `${this.backwards} event(s) are earlier than the event before them (first here): the trace is not in time order (lines reordered, or traces concatenated); spans and occupancy around them are unreliable`);
    }
    if (this.lineDiagnostics > MAX_LINE_DIAGNOSTICS) {
      this.warn(null, `${this.lineDiagnostics - MAX_LINE_DIAGNOSTICS} more lines did not parse and were skipped (first ${MAX_LINE_DIAGNOSTICS} reported)`);
    }
  }
}

export function newEventContext(): EventContext {
  return { source: { file: '', line: 0 }, timeNs: null, cpu: 0 as Cpu, pid: 0 as EventContext['pid'], comm: '', tgid: null };
}
