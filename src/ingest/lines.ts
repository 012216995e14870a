// Streaming line reader shared by every text parser: one pass, bounded memory, exact line numbers.
// Splits on LF (CRLF and lone trailing CR are stripped), decodes UTF-8 strictly, and refuses files
// that are not text (NUL bytes), are not UTF-8, or hold a line longer than `maxLineBytes`. Lines come as
// byte ranges of the read buffer (readLineBytes, for the trace parsers) or as strings (readLines: the same lines,
// each decoded; its lenient mode, for serial consoles, decodes pieces of lines and repairs damaged ones).

import { isAscii, isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { textOf } from './byte-text.js';
import { InputError } from '../core/input-error.js';

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;
const CHUNK_BYTES = 1 << 20;
/**
 * Lenient reading decodes lines in pieces of about this many bytes (cut at a newline): a string under V8's large-object
 * threshold (128 KiB) is born in the young generation and freed by the next scavenge, while a bigger one goes
 * to the large-object space (or, from 1 MiB, becomes an external string) and lingers until a full collection:
 * hundreds of MB of dead chunks in RSS on a long trace.
 */
const PIECE_BYTES = 60 * 1024;
const LF = 0x0a;

export type LineSink = (line: string, lineNo: number) => void;

export interface ReadLinesOptions {
  maxLineBytes?: number;
  /**
   * Serial console captures carry line noise and firmware bytes: NUL bytes are dropped and invalid UTF-8
   * is decoded as U+FFFD instead of refusing the file; `damagedLines` says how many lines were touched.
   */
  lenient?: boolean;
}

export interface ReadLinesResult {
  lines: number;
  bytes: number;
  /** True when the file did not end with a newline (a truncated last line is still delivered). */
  unterminated: boolean;
  /** With `lenient`: lines that held NUL bytes or invalid UTF-8, and the first of them. */
  damagedLines?: number;
  firstDamagedLine?: number | null;
}

// ignoreBOM: a decoder that strips BOMs does so at the start of every decode() call, i.e. of every piece, and a
// U+FEFF that starts a line in mid-file is text. Line 1's BOM is stripped by hand (emitPiece, emitLineBytes).
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Calls `sink` for every line of `path`, in order, with 1-based line numbers. */
export async function readLines(path: string, sink: LineSink, options: ReadLinesOptions = {}): Promise<ReadLinesResult> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (options.lenient !== true) return readLineBytes(path, textSink(sink), options);
  const damage: Damage = { lines: 0, first: null };
  const result = await readWholeLines(path, maxLineBytes, true, (buf, lineNo) => emitLines(path, buf, lineNo, maxLineBytes, sink, damage));
  return { ...result, damagedLines: damage.lines, firstDamagedLine: damage.first };
}

/** A LineSink fed from bytes: each line decoded on its own (a string of its own, not a view of a chunk). */
function textSink(sink: LineSink): LineBytesSink {
  return (buf, start, end, lineNo, ascii) => sink(textOf(buf, start, end, ascii), lineNo);
}

/**
 * One line as bytes: `buf[start, end)` without its newline (and CR, and the BOM of line 1). `buf` is reused for
 * the next lines: copy what is kept (a string made from it is a copy). `ascii`: the bytes are ASCII, so
 * `buf.latin1Slice(start, end)` is the line's text; otherwise they are valid UTF-8 (decode with 'utf8').
 */
export type LineBytesSink = (buf: Buffer, start: number, end: number, lineNo: number, ascii: boolean) => void;

/**
 * readLines without decoding: the trace parsers read the bytes of each line and make strings only of the fields
 * they keep. The same checks as readLines (NUL bytes, invalid UTF-8, over-long lines; strict mode only).
 */
export async function readLineBytes(path: string, sink: LineBytesSink, options: Pick<ReadLinesOptions, 'maxLineBytes'> = {}): Promise<ReadLinesResult> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  return readWholeLines(path, maxLineBytes, false, (buf, lineNo) => emitLineBytes(path, buf, lineNo, maxLineBytes, sink));
}

/**
 * The read loop both readers share: hands `emit` runs of whole lines (without the last newline; the last line of
 * the file may lack one) and the number of lines before them; `emit` returns the line number it reached.
 */
async function readWholeLines(path: string, maxLineBytes: number, lenient: boolean, emit: (buf: Buffer, lineNo: number) => number): Promise<ReadLinesResult> {
  const handle = await openForReading(path);
  let lineNo = 0;
  let bytes = 0;
  let carry: Buffer = Buffer.alloc(0);
  // The unfinished last line of a chunk is copied to the front of `area` and the next chunk is read right
  // after it, so no chunk is copied again (a carry longer than one chunk falls back to concatenation).
  const area = Buffer.allocUnsafe(2 * CHUNK_BYTES);
  try {
    for (;;) {
      const inPlace = carry.length <= CHUNK_BYTES;
      const at = inPlace ? carry.length : 0;
      if (inPlace) carry.copy(area, 0);
      const { bytesRead } = await handle.read(area, at, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      bytes += bytesRead;
      const fresh = area.subarray(at, at + bytesRead);
      const nul = fresh.indexOf(0);
      if (nul >= 0 && !lenient) {
        const upTo = Buffer.concat([carry, fresh.subarray(0, nul)]);
        throw new InputError(path, lineNo + countLf(upTo) + 1, 'binary data (NUL byte): not a text log or trace');
      }
      const buf = inPlace ? area.subarray(0, at + bytesRead) : Buffer.concat([carry, fresh]);
      const lastLf = buf.lastIndexOf(LF);
      if (lastLf < 0) {
        if (buf.length > maxLineBytes) throw tooLong(path, lineNo + 1, maxLineBytes);
        carry = Buffer.from(buf);
        continue;
      }
      lineNo = emit(buf.subarray(0, lastLf), lineNo);
      carry = Buffer.from(buf.subarray(lastLf + 1));
      if (carry.length > maxLineBytes) throw tooLong(path, lineNo + 1, maxLineBytes);
    }
    const unterminated = carry.length > 0;
    if (unterminated) lineNo = emit(carry, lineNo);
    return { lines: lineNo, bytes, unterminated };
  } finally {
    await handle.close();
  }
}

/** Reads up to `maxLines` first lines (for format sniffing) without reading the whole file. */
export async function headLines(path: string, maxLines: number, maxBytes = 256 * 1024, lenient = false): Promise<string[]> {
  const handle = await openForReading(path);
  try {
    const buf = Buffer.allocUnsafe(maxBytes);
    const { bytesRead } = await handle.read(buf, 0, maxBytes, 0);
    let data = buf.subarray(0, bytesRead);
    const nul = data.indexOf(0);
    if (nul >= 0 && !lenient) throw new InputError(path, countLf(data.subarray(0, nul)) + 1, 'binary data (NUL byte): not a text log or trace');
    // Cut at the last complete line when the file is longer than what we read.
    if (bytesRead === maxBytes) {
      const lastLf = data.lastIndexOf(LF);
      if (lastLf < 0) throw tooLong(path, 1, maxBytes);
      data = data.subarray(0, lastLf);
    }
    const lines: string[] = [];
    const keep: LineSink = (line) => {
      if (lines.length < maxLines) lines.push(line);
    };
    if (lenient) emitLines(path, data, 0, Number.MAX_SAFE_INTEGER, keep, { lines: 0, first: null });
    else emitLineBytes(path, data, 0, Number.MAX_SAFE_INTEGER, textSink(keep));
    return lines;
  } finally {
    await handle.close();
  }
}

/** Opens `path` for reading; an InputError naming the reason when it cannot be (missing, not permitted, a directory). */
export async function openForReading(path: string) {
  try {
    const handle = await open(path, 'r');
    // open(2) succeeds on a directory on Linux; the first read would then fail with a raw EISDIR.
    if ((await handle.stat()).isDirectory()) {
      await handle.close();
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    return handle;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : `cannot open (${code ?? String(err)})`;
    throw new InputError(path, null, reason);
  }
}

interface Damage {
  lines: number;
  first: number | null;
}

/** Lenient reading (serial consoles): `buf` (whole lines, without the last newline) decoded in pieces. */
function emitLines(path: string, buf: Buffer, lineNo: number, maxLineBytes: number, sink: LineSink, damage: Damage): number {
  let from = 0;
  for (;;) {
    if (buf.length - from <= PIECE_BYTES) return emitPiece(path, buf.subarray(from), lineNo, maxLineBytes, sink, damage);
    let cut = buf.lastIndexOf(LF, from + PIECE_BYTES);
    if (cut < from) cut = buf.indexOf(LF, from + PIECE_BYTES);
    if (cut < 0) return emitPiece(path, buf.subarray(from), lineNo, maxLineBytes, sink, damage);
    lineNo = emitPiece(path, buf.subarray(from, cut), lineNo, maxLineBytes, sink, damage);
    from = cut + 1;
  }
}

/** Decodes `buf` (whole lines, without the last newline), damaged lines leniently, and calls `sink` for each line. */
function emitPiece(path: string, buf: Buffer, lineNo: number, maxLineBytes: number, sink: LineSink, damage: Damage): number {
  const ascii = isAscii(buf);
  // Pure ASCII (nearly every log) decodes as latin1: the same text, without UTF-8 validation.
  const text = ascii && buf.indexOf(0) < 0 ? buf.toString('latin1') : decodeDamaged(buf, lineNo, damage);
  let start = 0;
  const n = text.length;
  // The limit is in bytes: a line of n UTF-16 units holds n to 3n bytes, counted only when it may be over.
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    lineNo++;
    if (end - start > maxLineBytes || (!ascii && (end - start) * 3 > maxLineBytes && Buffer.byteLength(text.slice(start, end)) > maxLineBytes)) {
      throw tooLong(path, lineNo, maxLineBytes);
    }
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    let from = start;
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) from++;
    sink(text.slice(from, stop), lineNo);
    start = end + 1;
    if (end === n) break;
  }
  return lineNo;
}

/** Splits `buf` (whole lines, without the last newline) into lines for a LineBytesSink. */
function emitLineBytes(path: string, buf: Buffer, lineNo: number, maxLineBytes: number, sink: LineBytesSink): number {
  const ascii = isAscii(buf);
  // Errors come in file order, as from readLines: the lines before the first invalid one are delivered (and
  // checked for length) before the invalid UTF-8 is reported.
  const badLine = ascii || isUtf8(buf) ? Infinity : lineNo + firstBadUtf8Line(buf);
  const n = buf.length;
  for (let start = 0; ; ) {
    let end = buf.indexOf(LF, start);
    if (end < 0) end = n;
    lineNo++;
    if (end - start > maxLineBytes) throw tooLong(path, lineNo, maxLineBytes);
    if (lineNo === badLine) throw new InputError(path, lineNo, 'invalid UTF-8: not a text log or trace');
    let stop = end;
    if (stop > start && buf[stop - 1] === 13) stop--;
    let from = start;
    if (lineNo === 1 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) from += 3;
    sink(buf, from, stop, lineNo, ascii);
    if (end === n) return lineNo;
    start = end + 1;
  }
}

/**
 * Lenient decoding: NUL bytes dropped, invalid UTF-8 as U+FFFD (a newline ends any bad sequence, so lines stay
 * as they were); every line that held either is counted in `damage`.
 */
function decodeDamaged(buf: Buffer, lineNo: number, damage: Damage): string {
  for (let start = 0; ; ) {
    const end = buf.indexOf(LF, start);
    const line = buf.subarray(start, end < 0 ? buf.length : end);
    lineNo++;
    if (line.indexOf(0) >= 0 || !isUtf8(line)) {
      damage.lines++;
      damage.first ??= lineNo;
    }
    if (end < 0) break;
    start = end + 1;
  }
  return lenientDecoder.decode(buf.indexOf(0) >= 0 ? Buffer.from(buf.filter((b) => b !== 0)) : buf);
}

function firstBadUtf8Line(buf: Buffer): number {
  let line = 1;
  let start = 0;
  for (;;) {
    const end = buf.indexOf(LF, start);
    if (!isUtf8(buf.subarray(start, end < 0 ? buf.length : end))) return line;
    if (end < 0) return line;
    line++;
    start = end + 1;
  }
}

export function countLf(buf: Buffer): number {
  let count = 0;
  let at = buf.indexOf(LF);
  while (at >= 0) {
    count++;
    at = buf.indexOf(LF, at + 1);
  }
  return count;
}

export function tooLong(path: string, line: number, max: number): InputError {
  return new InputError(path, line, `line longer than ${Math.round(max / 1024)} KiB: not a text log or trace`);
}
