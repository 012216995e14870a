// Sniffing when the head of a file does not say what it is (detect.ts reads 400 lines):
// - a serial console that opens with firmware output (UEFI/OVMF debug output, U-Boot, GRUB, a BMC's SOL
//   banner): thousands of lines before the kernel's first printk line. The file is scanned, as a stream, for
//   the first run of consecutive kernel log lines; the format is decided from that run;
// - a kernel log followed by other output (a bug report with `dmesg` then `lspci -vvv`): the run at the top
//   decides, and the rest is reported line by line as not log lines;
// - a refusal names the first line that is no known shape (not line 1 of a file whose first lines are fine),
//   and a binary file says what it looks like and what to run (damaged-text.ts).

import { open } from 'node:fs/promises';
import { describeBinary } from './damaged-text.js';
import { InputError } from './input-error.js';
import { readablePath } from './input-source.js';
import { readLines } from './lines.js';
import { stripEscapes } from './log-decorations.js';

/** Consecutive kernel log lines that make a run (a quoted line or two in a mail or a README do not). */
export const KERNEL_RUN_LINES = 5;
/** How far a file is scanned for its first run (a firmware preamble of a few hundred thousand lines). */
const SCAN_LINES = 2_000_000;
/** Lines from a run's start that say whether the log goes on (a console) or was quoted (a README, a mail). */
const WINDOW = 400;

class RunFound extends Error {}

export interface KernelRun {
  /** 1-based line of the run's first line. */
  startLine: number;
  /** Whether nothing but blank lines comes before the run (the file starts as a log). */
  atStart: boolean;
  /** The kernel log lines of the window that starts with the run (up to 400). */
  lines: string[];
  /** Kernel log lines / non-blank lines in that window (indented continuation lines not counted). */
  density: number;
}

/** A run after other lines is a log when at least this many log lines follow, and most lines are log lines. */
export const LOG_AFTER_PREAMBLE_LINES = 20;

/** Whether a run makes the file a kernel log: it starts the file, or the lines after it are mostly log lines. */
export function runIsLog(run: KernelRun): boolean {
  return run.atStart || (run.lines.length >= LOG_AFTER_PREAMBLE_LINES && run.density >= 0.5);
}

/** The first run of at least KERNEL_RUN_LINES consecutive kernel log lines, and what follows it; or null. */
export async function findKernelRun(path: string, isKernelLine: (line: string) => boolean): Promise<KernelRun | null> {
  let run: string[] = [];
  let startLine = 0;
  let firstContent = 0;
  // After a run is found: the window that follows it.
  let found = false;
  let windowLines = 0;
  let windowKernel = 0;
  try {
    await readLines(path, (raw, lineNo) => {
      if (lineNo > SCAN_LINES) throw new RunFound();
      const line = stripEscapes(raw).replace(/^(?:[ \t]*>)+[ \t]?/, '').replace(/\r$/, '');
      if (line.trim().length === 0) return;
      if (firstContent === 0) firstContent = lineNo;
      const c = line.charCodeAt(0);
      const indented = c === 32 || c === 9;
      const kernel = isKernelLine(line);
      if (found) {
        if (indented && !kernel) return;
        windowLines++;
        if (kernel) {
          windowKernel++;
          run.push(line);
        }
        if (windowLines >= WINDOW) throw new RunFound();
        return;
      }
      if (kernel) {
        if (run.length === 0) startLine = lineNo;
        run.push(line);
        if (run.length >= KERNEL_RUN_LINES) {
          found = true;
          windowLines = windowKernel = run.length;
        }
      } else if (run.length > 0 && indented) {
        // An indented line continues a multi-line record: it neither breaks nor makes the run.
      } else {
        run = [];
      }
    }, { lenient: true });
  } catch (err) {
    if (!(err instanceof RunFound)) throw err;
  }
  if (!found) return null;
  return { startLine, atStart: startLine === firstContent, lines: run, density: windowKernel / windowLines };
}

/** The refusal of a file that is not text: what it looks like and what to run, when known. */
export async function binaryError(path: string, damage: InputError): Promise<InputError> {
  const handle = await open(readablePath(path), 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const kind = describeBinary(head.subarray(0, bytesRead), path);
    if (kind !== null) return new InputError(path, null, `binary data: this looks like ${kind}`);
  } finally {
    await handle.close();
  }
  return damage;
}

/** Shapes of other programs' logs, named in a refusal. */
const OTHER_LOGS: Array<[RegExp, string]> = [
  [/^\[ *\d+\.\d{1,3}\] (?:\((?:II|EE|WW|==|\*\*|--|\+\+|!!|NI|\?\?)\)|X\.Org|X Protocol)|^X\.Org X Server/, 'an Xorg server log (Xorg.0.log), not a kernel log'],
  [/^[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] [A-Z][\w /-]+: /i, 'lspci output, not a kernel log'],
];

/** The refusal of a text file in no known format: names its first line that has no known shape. */
export async function unknownFormatError(path: string, isKnownLine: (line: string) => boolean): Promise<InputError> {
  let at: { lineNo: number; text: string } | null = null;
  let hint: string | null = null;
  try {
    await readLines(path, (raw, lineNo) => {
      const line = stripEscapes(raw);
      if (hint === null) for (const [re, what] of OTHER_LOGS) if (re.test(line)) hint = what;
      if (at === null && line.trim().length > 0 && !isKnownLine(line)) at = { lineNo, text: line };
      if (lineNo >= 400) throw new RunFound();
    }, { lenient: true });
  } catch (err) {
    if (!(err instanceof RunFound)) throw err;
  }
  const first = at as { lineNo: number; text: string } | null;
  const shown = first === null ? '' : `: ${JSON.stringify(first.text.length > 60 ? `${first.text.slice(0, 57)}...` : first.text)}`;
  const what = hint ?? 'not a kernel log, ftrace/trace-cmd/function_graph text, lscpu/cpulist topology, or trace-probe JSON';
  return new InputError(path, first?.lineNo ?? 1, `unknown format (${what})${shown}`);
}
