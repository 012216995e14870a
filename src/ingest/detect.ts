// Sniffs an input file's format from its head: every module of the format registry (formats.ts) is asked in turn
// (SniffHead, sniff-head.ts, holds the head and the shape of each line). Content decides, never a kernel version
// (formats doc §0 rule 2); the file name only breaks ties (e.g. `topology.csv`, `console.log`, `kern.log`).
// Mapping notes: `journalctl -o short-delta` is 'journal-short-monotonic' (same printk stamp, plus a delta) and
// `-o short-unix` 'journal-short-precise' (µs wall clock); the journal-short parser accepts every short stamp.

import { open } from 'node:fs/promises';
import { InputError } from '../core/input-error.js';
import { FORMATS, type InputFormat } from './formats.js';
import type { FormatModule } from './formats/format-module.js';
import { headLines } from './lines.js';
import { SNIFF_BYTES, SNIFF_LINES, SniffHead } from './sniff-head.js';

export { SNIFF_LINES } from './sniff-head.js';

/** The format of a head: the first module sure of it, else the first that finds it likely; null = unknown. */
export function formatOfHead(head: SniffHead): FormatModule | null {
  if (head.first === undefined) return null;
  let likely: FormatModule | null = null;
  for (const module of FORMATS as readonly FormatModule[]) {
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
  let lines: string[];
  try {
    lines = await headLines(path, SNIFF_LINES);
  } catch (err) {
    // A single-line JSON document longer than the sniff window (a compact Boot/Sim JSON).
    if (err instanceof InputError && err.reason.startsWith('line longer')) lines = [new TextDecoder('utf-8').decode(await headBytes(path))];
    // NUL bytes or invalid UTF-8: only a format that allows them in its head is taken (a serial console with line
    // noise or firmware bytes, read leniently; a journal export with binary-safe fields; a binary format); anything
    // else is refused.
    else if (err instanceof InputError && /^(binary data|invalid UTF-8)/.test(err.reason)) {
      const module = formatOfHead(new SniffHead(path, await headLines(path, SNIFF_LINES, undefined, true), await headBytes(path)));
      if (module?.binaryHead) return module.format as InputFormat;
      throw err;
    } else throw err;
  }
  return detectFormat(path, lines, await headBytes(path));
}

/** The first SNIFF_BYTES bytes of `path`. */
async function headBytes(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
