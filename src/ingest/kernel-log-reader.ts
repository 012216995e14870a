// Streams one kernel-log file in a known presentation (formats/kernel-logs.ts names them, detect.ts chooses)
// and emits one KernelLogLine per message line: the presentation modules strip their prefixes, this module
// frames the file and splits concatenated boots. Formats doc §1 lists every presentation and the sources each module cites.

import type { DiagnosticSink } from '../core/diagnostics.js';
import type { KernelLogLine, KernelLogLineSink } from './kernel-log.js';
import { headLines, readLines, type ReadLinesResult } from './lines.js';
import { createLineUndecorator, decorationsOf, vendorTagStripper } from './log-decorations.js';
import { damageMessage } from './damaged-text.js';
import { coalesceSkippedLines } from './skipped-runs.js';
import { readJournalExport } from './journal-export-reader.js';
import type { PresentationContext, PresentationParser } from './kernel-log-presentation.js';

export interface KernelLogReadResult extends ReadLinesResult {
  /** Lines that are by design not kernel messages (userspace console output, other programs' journal or syslog entries, kmsg dictionary lines, blank lines). */
  skippedLines: number;
}

/** One kernel-log presentation as the reader needs it (formats/kernel-logs.ts defines one per format). */
export interface KernelLogPresentation {
  createParser(ctx: PresentationContext): PresentationParser;
  /** How the file is framed: text lines, or `journalctl -o export` records (binary-safe fields). */
  framing: 'lines' | 'journal-export';
  /** Escapes, mail quoting and vendor tags are looked for in the head and stripped (log-decorations.ts); not in JSON or export records. */
  decorated: boolean;
  /** A message wrapped onto the next line without a prefix (a terminal's or a mailer's wrapping) is joined back (printk-prefixed lines). */
  joinsWrappedLines: boolean;
}

/** Streams `path` in `presentation`; throws InputError only when the file cannot be read at all. */
export async function readKernelLog(
  path: string,
  presentation: KernelLogPresentation,
  onLine: KernelLogLineSink,
  onDiagnostic: DiagnosticSink,
): Promise<KernelLogReadResult> {
  // init/version.c prints `Linux version ...` once per boot: a second one means boots were concatenated
  // (kern.log, journalctl without -b, cat of two dmesg files), and their probes would be combined. Or it is a
  // console replay: when a console registers after `bootconsole [...] disabled`, a serial log shows the buffer's
  // first records again with their own times; those are dropped (not counted twice) and noted.
  const splitter = bootSplitter(path, onLine, onDiagnostic);
  // Unreadable lines are reported per run of them (skipped-runs.ts).
  const skippedRuns = coalesceSkippedLines(onDiagnostic, splitter);
  const sink = skippedRuns.onLine;
  // Escapes, mail quoting, wrapped lines and vendor tags (log-decorations.ts), decided from the head of the file.
  const decorations = presentation.decorated ? decorationsOf(await headLines(path, 200, 64 * 1024, true)) : null;
  const parser = presentation.createParser({
    file: path,
    onLine: decorations?.vendorTag ? vendorTagStripper(decorations.vendorTag, sink) : sink,
    onDiagnostic: skippedRuns.onDiagnostic,
  });
  const joinWraps = presentation.joinsWrappedLines;
  const undecorated = decorations === null || (!decorations.ansi && !decorations.quote && !joinWraps) ? null
    : createLineUndecorator(decorations, joinWraps, path, onDiagnostic, (text, lineNo) => parser.line(text, lineNo));
  const line = undecorated === null ? (text: string, lineNo: number) => parser.line(text, lineNo) : undecorated.line;
  // `journalctl -o export` writes some fields binary-safe (NUL bytes, newlines in a value): its own framing.
  const exported = presentation.framing === 'journal-export' ? await readJournalExport(path, line) : null;
  // A kernel log damaged by a crash or a power loss (NUL runs, stray bytes) is read around the damage.
  const result = exported ?? (await readLines(path, line, { lenient: true }));
  undecorated?.end();
  parser.end();
  skippedRuns.end();
  splitter.end();
  if (exported !== null && exported.invalidUtf8Fields > 0) {
    onDiagnostic({ file: path, line: null, severity: 'warning',
      message: `${exported.invalidUtf8Fields} binary-safe field(s) held invalid UTF-8: their bad bytes are shown as U+FFFD` });
  }
  if ((result.damagedLines ?? 0) > 0) {
    onDiagnostic({ file: path, line: result.firstDamagedLine ?? null, severity: 'warning', message: damageMessage(result) });
  }
  if (result.unterminated) {
    onDiagnostic({ file: path, line: result.lines, severity: 'warning',
      message: 'last line has no newline (file cut while being written?): its message may be cut, and what followed it is missing' });
  }
  return { ...result, skippedLines: parser.skipped };
}

/** Records of the first boot compared with a second `Linux version` line's to tell a replay from a new boot. */
const REPLAY_PROBE = 40;

function bootSplitter(path: string, onLine: KernelLogLineSink, onDiagnostic: DiagnosticSink): KernelLogLineSink & { end(): void } {
  const head: KernelLogLine[] = [];
  let boots = 0;
  let maxTime = -Infinity;
  // While deciding: the records since the second `Linux version` line, held back.
  let held: KernelLogLine[] | null = null;
  let dropUntil: number | null = null;
  let replays = 0;
  let firstReplayLine: number | null = null;
  const sameRecord = (a: KernelLogLine, b: KernelLogLine) => a.timeNs === b.timeNs && a.text === b.text;
  const release = () => {
    const lines = held!;
    held = null;
    boots++;
    onDiagnostic({ file: path, line: lines[0]!.source.line, severity: 'warning',
      message: `boot ${boots} of this log starts here (a second \`Linux version\` line): the probes of all its boots are combined into one; give one file per boot (dmesg of one boot, journalctl -k -b N)` });
    for (const l of lines) pass(l);
  };
  const pass = (line: KernelLogLine) => {
    if (line.timeNs !== null && line.timeNs > maxTime) maxTime = line.timeNs;
    if (boots === 1 && head.length < REPLAY_PROBE && !line.continuation) head.push(line);
    onLine(line);
  };
  const sink = (line: KernelLogLine) => {
    if (dropUntil !== null) {
      if (line.timeNs !== null && line.timeNs <= dropUntil) return;
      dropUntil = null;
    }
    if (held !== null) {
      if (line.continuation) return void held.push(line);
      const i = held.filter((l) => !l.continuation).length;
      if (i < head.length && sameRecord(line, head[i]!)) {
        held.push(line);
        if (i + 1 === Math.min(REPLAY_PROBE, head.length)) {
          // The first boot's records again, times and all: a console replay.
          replays++;
          firstReplayLine ??= held[0]!.source.line;
          held = null;
          dropUntil = maxTime;
        }
        return;
      }
      held.push(line);
      release();
      return;
    }
    if (line.text.startsWith('Linux version ') && !line.continuation) {
      if (boots === 0) boots = 1;
      else if (head.length > 0 && sameRecord(line, head[0]!)) {
        held = [line];
        return;
      } else {
        held = [line];
        release();
        return;
      }
    }
    pass(line);
  };
  return Object.assign(sink, {
    end() {
      if (held !== null) release();
      if (replays > 0) {
        onDiagnostic({ file: path, line: firstReplayLine, severity: 'warning',
          message: 'the log prints its first records again here (console replay after `bootconsole ... disabled`): the repeated records were skipped' });
      }
    },
  });
}
