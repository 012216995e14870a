// Streams one kernel-log file in a known presentation (see detect.ts for how it is chosen) and emits
// one KernelLogLine per message line: the presentation modules strip their prefixes, this module only
// dispatches. Formats doc §1 lists every presentation and the sources each module cites.

import type { DiagnosticSink, KernelLogFormat, KernelLogLineSink } from './kernel-log.js';
import { readLines, type ReadLinesResult } from './lines.js';
import type { PresentationContext, PresentationParser } from './kernel-log-presentation.js';
import { createDmesgParser } from './dmesg-prefix.js';
import { createDmesgWallClockParser } from './dmesg-wallclock.js';
import { createDmesgJsonParser } from './dmesg-json.js';
import { createKmsgParser } from './kmsg.js';
import { createJournalExportParser, createJournalJsonParser, createJournalShortParser } from './journal.js';
import { createSyslogParser } from './syslog.js';
import { createConsoleParser } from './console.js';
import { createPatchMailParser } from './patch-mail.js';

export interface KernelLogReadResult extends ReadLinesResult {
  /** Lines that are by design not kernel messages (userspace console output, other programs' journal or syslog entries, kmsg dictionary lines, blank lines). */
  skippedLines: number;
}

export function createPresentationParser(format: KernelLogFormat, ctx: PresentationContext): PresentationParser {
  switch (format) {
    case 'dmesg':
    case 'dmesg-raw':
    case 'dmesg-decode':
    case 'dmesg-delta':
    case 'dmesg-notime':
      return createDmesgParser(ctx, format);
    case 'dmesg-ctime':
    case 'dmesg-iso':
    case 'dmesg-reltime':
      return createDmesgWallClockParser(ctx, format);
    case 'dmesg-json':
      return createDmesgJsonParser(ctx);
    case 'kmsg':
      return createKmsgParser(ctx);
    case 'journal-short':
    case 'journal-short-precise':
    case 'journal-short-iso':
    case 'journal-short-monotonic':
      return createJournalShortParser(ctx, format);
    case 'journal-json':
      return createJournalJsonParser(ctx);
    case 'journal-export':
      return createJournalExportParser(ctx);
    case 'syslog':
      return createSyslogParser(ctx);
    case 'console':
      return createConsoleParser(ctx);
    case 'patch-mail':
      return createPatchMailParser(ctx);
  }
}

/** Streams `path` in `format`; throws InputError only when the file cannot be read at all. */
export async function readKernelLog(
  path: string,
  format: KernelLogFormat,
  onLine: KernelLogLineSink,
  onDiagnostic: DiagnosticSink,
): Promise<KernelLogReadResult> {
  // init/version.c prints `Linux version ...` once per boot: a second one means boots were concatenated
  // (kern.log, journalctl without -b, cat of two dmesg files), and their probes would be combined.
  let boots = 0;
  const sink: KernelLogLineSink = (line) => {
    if (line.text.startsWith('Linux version ') && ++boots > 1) {
      onDiagnostic({ file: path, line: line.source.line, severity: 'warning',
        message: `boot ${boots} of this log starts here (a second \`Linux version\` line): the probes of all its boots are combined into one; give one file per boot (dmesg of one boot, journalctl -k -b N)` });
    }
    onLine(line);
  };
  const parser = createPresentationParser(format, { file: path, onLine: sink, onDiagnostic });
  const result = await readLines(path, (line, lineNo) => parser.line(line, lineNo), { lenient: format === 'console' });
  parser.end();
  if ((result.damagedLines ?? 0) > 0) {
    onDiagnostic({ file: path, line: result.firstDamagedLine ?? null, severity: 'warning',
      message: `${result.damagedLines} line(s) held NUL bytes or invalid UTF-8 (serial line noise, firmware or boot-loader output; first here): NULs dropped, bad bytes shown as U+FFFD` });
  }
  if (result.unterminated) {
    onDiagnostic({ file: path, line: result.lines, severity: 'warning',
      message: 'last line has no newline (file cut while being written?): its message may be cut, and what followed it is missing' });
  }
  return { ...result, skippedLines: parser.skipped };
}
