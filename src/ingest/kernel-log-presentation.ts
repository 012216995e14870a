// The contract between kernel-log-reader.ts and the presentation modules (dmesg-prefix.ts,
// dmesg-wallclock.ts, dmesg-json.ts, kmsg.ts, journal.ts, syslog.ts, console.ts, patch-mail.ts):
// a presentation turns the physical lines of one file, in order, into KernelLogLine records.

import type { Ns } from '../core/units.js';
import type { DiagnosticSink, KernelLogLine, KernelLogLineSink, LogClock, PrintkCaller } from './kernel-log.js';

export interface PresentationParser {
  /** One physical line (CRLF, BOM already removed by lines.ts), 1-based line number. */
  line(text: string, lineNo: number): void;
  /** End of file: flush whatever record is still pending. */
  end(): void;
  /** Lines that are, by design, not kernel messages (userspace console output, other journal identifiers, kmsg dictionary lines, journal `-- Boot --` markers, blank lines). */
  readonly skipped: number;
}

export interface PresentationContext {
  file: string;
  onLine: KernelLogLineSink;
  onDiagnostic: DiagnosticSink;
}

/** What the prefix of a record told us; continuation lines inherit it. */
export interface RecordStamp {
  timeNs: Ns | null;
  clock: LogClock;
  level: number | null;
  facility: number | null;
  caller: PrintkCaller | null;
}

export const NO_STAMP: RecordStamp = { timeNs: null, clock: 'none', level: null, facility: null, caller: null };

export function kernelLogLine(file: string, line: number, stamp: RecordStamp, text: string, continuation: boolean): KernelLogLine {
  return {
    source: { file, line },
    timeNs: stamp.timeNs,
    clock: stamp.clock,
    level: stamp.level,
    facility: stamp.facility,
    caller: stamp.caller,
    text,
    continuation,
  };
}

/** Reports a line that does not parse inside a known presentation (the line is skipped). */
export function badLine(ctx: PresentationContext, lineNo: number, presentation: string, text: string): void {
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  ctx.onDiagnostic({ file: ctx.file, line: lineNo, severity: 'warning', message: `not a ${presentation} line, skipped: ${JSON.stringify(shown)}` });
}

/** True for a line that starts with a space or tab: a continuation of the previous multi-line record. */
export function isIndented(text: string): boolean {
  const c = text.charCodeAt(0);
  return c === 32 || c === 9;
}

/** Empty or whitespace-only (util-linux prints an empty continuation of a record as its indentation alone). */
export function isBlank(text: string): boolean {
  return text.length === 0 || (isIndented(text) && text.trim().length === 0);
}
