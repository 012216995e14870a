// The framing of `journalctl -o export` (systemd src/shared/logs-show.c output_export(); the Journal Export Format
// at systemd.io): one `FIELD=value` line per field and a blank line after each entry, except that a field whose
// value is not printable UTF-8 without newlines (a multi-line MESSAGE, one with control characters or NUL bytes)
// is written binary-safe: its name alone on a line, the value's size as a little-endian 64-bit integer, the value's
// bytes, and a newline. The text line reader (lines.ts) refuses such files (NUL bytes, lines split inside a value);
// this reader hands every field to the sink as one `FIELD=value` text, with the value of a binary field decoded as
// UTF-8 (invalid sequences as U+FFFD, counted). Checked against systemd 252's journalctl and systemd-journal-remote.
//
// Line numbers are the file's (a value's newlines count, as an editor shows them); a binary field is reported at its
// name line. Text lines get the checks of lines.ts: NUL bytes, invalid UTF-8 and over-long lines are an InputError.

import { isUtf8 } from 'node:buffer';
import { InputError } from '../core/input-error.js';
import { countLf, DEFAULT_MAX_LINE_BYTES, openForReading, tooLong, type LineSink, type ReadLinesResult } from './lines.js';

const LF = 0x0a;
const CHUNK_BYTES = 1 << 20;
/** A field name alone on a line: the start of a binary field (journal_field_valid: letters, digits, `_`). */
const FIELD_NAME = /^[A-Za-z0-9_]+$/;

export interface JournalExportReadResult extends ReadLinesResult {
  /** Binary fields whose value was not valid UTF-8 (decoded with U+FFFD). */
  invalidUtf8Fields: number;
}

/** Calls `sink` with each field of `path` (`FIELD=value`) and each entry's closing blank line, in order. */
export async function readJournalExport(path: string, sink: LineSink, maxFieldBytes = DEFAULT_MAX_LINE_BYTES): Promise<JournalExportReadResult> {
  const handle = await openForReading(path);
  let buf = Buffer.alloc(0);
  let pos = 0;
  let eof = false;
  let bytes = 0;
  let lineNo = 0;
  let invalidUtf8Fields = 0;
  /** Makes `buf[pos, pos + n)` available if the file has it; false at the end of the file. */
  const have = async (n: number): Promise<boolean> => {
    while (buf.length - pos < n && !eof) {
      const chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, n));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) eof = true;
      bytes += bytesRead;
      buf = Buffer.concat([buf.subarray(pos), chunk.subarray(0, bytesRead)]);
      pos = 0;
    }
    return buf.length - pos >= n;
  };
  try {
    for (;;) {
      // The next line: up to its LF, or the end of the file.
      let lf = buf.indexOf(LF, pos);
      while (lf < 0 && !eof) {
        const scanned = buf.length - pos;
        if (scanned > maxFieldBytes) throw tooLong(path, lineNo + 1, maxFieldBytes);
        await have(scanned + 1);
        lf = buf.indexOf(LF, pos + scanned);
      }
      const end = lf < 0 ? buf.length : lf;
      if (lf < 0 && end === pos) return { lines: lineNo, bytes, unterminated: false, invalidUtf8Fields };
      lineNo++;
      if (end - pos > maxFieldBytes) throw tooLong(path, lineNo, maxFieldBytes);
      let line = buf.subarray(pos, end > pos && buf[end - 1] === 13 ? end - 1 : end);
      if (lineNo === 1 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
      if (line.indexOf(0) >= 0) throw new InputError(path, lineNo, 'binary data (NUL byte) outside a binary-safe field: not journalctl -o export output');
      if (!isUtf8(line)) throw new InputError(path, lineNo, 'invalid UTF-8: not a text log or trace');
      const text = line.toString('utf8');
      if (lf < 0) {
        // The file ends without a newline: the line is cut (a cut binary field is reported below).
        sink(text, lineNo);
        return { lines: lineNo, bytes, unterminated: true, invalidUtf8Fields };
      }
      pos = lf + 1;
      if (!FIELD_NAME.test(text)) {
        sink(text, lineNo);
        continue;
      }
      // A binary field: size, value, newline.
      const nameLine = lineNo;
      if (!(await have(8))) return cut(nameLine);
      const size = buf.readBigUInt64LE(pos);
      if (size > BigInt(maxFieldBytes)) {
        throw new InputError(path, nameLine, `binary field ${text} of ${size} bytes: more than ${Math.round(maxFieldBytes / 1024)} KiB, or not journalctl -o export output`);
      }
      const n = Number(size);
      if (!(await have(8 + n + 1))) return cut(nameLine);
      const value = buf.subarray(pos + 8, pos + 8 + n);
      if (buf[pos + 8 + n] !== LF) {
        throw new InputError(path, nameLine, `binary field ${text}: no newline after its ${n} bytes (not journalctl -o export output, or a damaged file)`);
      }
      if (!isUtf8(value)) invalidUtf8Fields++;
      sink(`${text}=${value.toString('utf8')}`, nameLine);
      // The value's size and bytes and the closing newline, as lines of the file.
      lineNo += countLf(buf.subarray(pos, pos + 8 + n)) + 1;
      pos += 8 + n + 1;
    }
  } finally {
    await handle.close();
  }

  /** A binary field cut by the end of the file: dropped, and the file reported as cut at its name line. */
  function cut(line: number): JournalExportReadResult {
    return { lines: line, bytes, unterminated: true, invalidUtf8Fields };
  }
}

