// Sniffs an input file's format from its head: every module of the format registry (formats.ts) is asked in turn
// (SniffHead, sniff-head.ts, holds the head and the shape of each line). Content decides, never a kernel version
// (docs/kernel-log-formats.md §0 rule 2); the file name only breaks ties (e.g. `topology.csv`, `console.log`, `kern.log`).
// Mapping notes: `journalctl -o short-delta` is 'journal-short-monotonic' (same printk stamp, plus a delta) and
// `-o short-unix` 'journal-short-precise' (µs wall clock); the journal-short parser accepts every short stamp.
// When the head says nothing, sniff-fallback.ts looks further (a log behind firmware output, a damaged log).

import { open } from 'node:fs/promises';
import { FORMATS, isKernelLogFormat, type InputFormat } from './formats.js';
import type { FormatModule } from './formats/format-module.js';
import { InputError } from './input-error.js';
import { readablePath } from './input-source.js';
import { headLines } from './lines.js';
import { binaryError, findKernelRun, runIsLog, unknownFormatError } from './sniff-fallback.js';
import { classify, KERNEL_CLASSES, type LineClass, SNIFF_BYTES, SNIFF_LINES, SniffHead } from './sniff-head.js';

export { SNIFF_LINES } from './sniff-head.js';

/** The format of a head: the first module sure of it, else the first that finds it likely; null = unknown. */
export function formatOfHead(head: SniffHead): FormatModule | null {
  let likely: FormatModule | null = null;
  for (const module of FORMATS as readonly FormatModule[]) {
    // A head with no line is only a binary format's (its magic number is in the bytes).
    if (head.first === undefined && !module.binaryHead) continue;
    const answer = module.sniff(head, head.path);
    if (answer === 'certain') return module;
    if (answer === 'likely' && likely === null) likely = module;
  }
  return likely;
}

/** Sniffs a file's format from its first lines and (as a tie-breaker) its name; null = unknown. */
export function detectFormat(path: string, firstLines: string[], bytes?: Uint8Array): InputFormat | null {
  return (formatOfHead(new SniffHead(path, firstLines, bytes))?.format as InputFormat | undefined) ?? null;
}

/** Reads the head of `path` and sniffs it. Throws InputError only when the file cannot be read. */
export async function sniffFile(path: string): Promise<InputFormat | null> {
  const bytes = await headBytes(path);
  // A binary format sure of itself from its magic number alone (trace.dat) is not read as text first.
  const bare = new SniffHead(path, [], bytes);
  for (const module of FORMATS as readonly FormatModule[]) {
    if (module.binaryHead && module.sniff(bare, path) === 'certain') return module.format as InputFormat;
  }
  let lines: string[];
  let damage: InputError | null = null;
  try {
    lines = await headLines(path, SNIFF_LINES);
  } catch (err) {
    // A single-line JSON document longer than the sniff window (a compact Boot/Sim JSON).
    if (err instanceof InputError && err.reason.startsWith('line longer')) lines = [new TextDecoder('utf-8').decode(bytes)];
    // NUL bytes or invalid UTF-8: a binary format (its module allows them in its head), or a kernel log with NUL
    // runs or stray bytes (a crash, a power loss, serial line noise), read around the damage
    // (kernel-log-reader.ts); a trace, a topology or anything else is refused.
    else if (err instanceof InputError && /^(binary data|invalid UTF-8)/.test(err.reason)) {
      damage = err;
      lines = await headLines(path, SNIFF_LINES, undefined, true);
    } else throw err;
  }
  const module = formatOfHead(new SniffHead(path, lines, bytes));
  if (module !== null && (damage === null || module.binaryHead || module.role === 'kernel-log')) return module.format as InputFormat;
  // Not in the head: a log after thousands of lines of firmware output, or a log followed by other output.
  if (module === null) {
    const run = await findKernelRun(path, (line) => (KERNEL_CLASSES as ReadonlyArray<LineClass>).includes(classify(line)) || EMBEDDED_PRINTK.test(line));
    // A file that starts as a log is one (whatever follows it is reported line by line); a run after other lines
    // is a log only when the lines after it are mostly log lines (a console after firmware output), not when
    // they are the prose around a quoted excerpt (a README, a mail).
    if (run !== null && runIsLog(run)) {
      const found = detectFormat(path, run.lines);
      if (found !== null && isKernelLogFormat(found)) {
        // printk lines after other output: a serial console (firmware, boot loader), read as one.
        return run.startLine > 1 && (found === 'dmesg' || found === 'dmesg-raw') ? 'console' : found;
      }
      // printk lines behind a prefix of another tool (a serial logger's own timestamp, `logcat -b kernel`, a
      // test harness's log): the console reader finds the printk stamp inside the line.
      if (found === null && run.lines.filter((l) => EMBEDDED_PRINTK.test(l)).length >= 0.8 * run.lines.length) return 'console';
    }
  }
  if (damage !== null) throw await binaryError(path, damage);
  return null;
}

/** A printk stamp (six decimals) after some other prefix on the line. */
const EMBEDDED_PRINTK = /^[^\n]{1,120}?(?:<\d{1,3}>)?\[ *\d+\.\d{6}\] \S/;

/** The first SNIFF_BYTES bytes of `path`. */
async function headBytes(path: string): Promise<Uint8Array> {
  const handle = await open(readablePath(path), 'r');
  try {
    const buf = Buffer.allocUnsafe(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The refusal of a file no format fits: names its first line that has no known shape. */
export function unknownFormat(path: string): Promise<InputError> {
  return unknownFormatError(path, (line) => classify(line) !== 'other');
}
