// Text with damage in it, and data that is not text at all.
// A kernel log keeps being a log when a crash or power loss left a run of NUL bytes in kern.log/syslog (the
// file system extended the file before the data reached the disk), when a serial line garbled a few bytes, or
// when one stray byte of another encoding slipped in: those lines are read around (lines.ts, lenient mode) and
// named in one warning. A file that IS binary is refused, saying what it looks like and what to run: the magic
// numbers below are those of the formats' own specifications (gzip RFC 1952, xz file format 1.0.4, zstd RFC 8878,
// bzip2, lz4 frame format, ELF, systemd journal files (src/libsystemd/sd-journal/journal-def.h "LPKSHHRH"),
// trace-cmd trace.dat (`\x17\x08\x44tracing`), perf.data ("PERFILE2"), pcap, zip, PNG, PDF).

import type { ReadLinesResult } from './lines.js';

/** The warning for a kernel log that held damaged lines, naming the lines (or their first runs). */
export function damageMessage(result: Pick<ReadLinesResult, 'damagedLines' | 'damagedRanges'>): string {
  const ranges = result.damagedRanges ?? [];
  const listed = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  const inRanges = ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  const where = listed.length === 0 ? '' : ` (line${inRanges > 1 ? 's' : ''} ${listed.join(', ')}${inRanges < (result.damagedLines ?? 0) ? ', ...' : ''})`;
  return `${result.damagedLines} line(s) held NUL bytes or invalid UTF-8${where}: a crash or power loss leaves NUL runs in kern.log/syslog, a serial line garbles bytes; NULs were dropped and bad bytes read as U+FFFD, the rest of each line kept`;
}

interface BinaryKind {
  test: (b: Uint8Array) => boolean;
  what: string;
  run: string;
}

const startsWith = (b: Uint8Array, bytes: number[], at = 0) => bytes.every((x, i) => b[at + i] === x);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

const KINDS: BinaryKind[] = [
  { test: (b) => startsWith(b, [0x17, 0x08, 0x44, ...ascii('tracing')]), what: 'a trace-cmd trace.dat file', run: 'trace-cmd report -i FILE > trace.txt, then analyze trace.txt' },
  { test: (b) => startsWith(b, ascii('LPKSHHRH')), what: 'a systemd journal file', run: 'journalctl --file FILE -k -b -o short-monotonic > kernel.log' },
  { test: (b) => startsWith(b, ascii('PERFILE2')), what: 'a perf.data file', run: 'perf script -i FILE > perf.txt (trace-probe reads ftrace/trace-cmd text, not perf)' },
  { test: (b) => startsWith(b, ascii('BZh')), what: 'bzip2-compressed data', run: 'bzcat FILE > FILE.txt' },
  { test: (b) => startsWith(b, [0x04, 0x22, 0x4d, 0x18]), what: 'lz4-compressed data', run: 'lz4cat FILE > FILE.txt' },
  { test: (b) => startsWith(b, [0x89, 0x4c, 0x5a, 0x4f]), what: 'lzop-compressed data', run: 'lzop -dc FILE > FILE.txt' },
  { test: (b) => startsWith(b, [0x5d, 0x00, 0x00]), what: 'lzma-compressed data', run: 'lzcat FILE > FILE.txt' },
  { test: (b) => startsWith(b, ascii('PK'), 0) && (b[2] === 3 || b[2] === 5 || b[2] === 7), what: 'a zip archive', run: 'unzip FILE and give the log inside' },
  { test: (b) => b.length > 262 && startsWith(b, ascii('ustar'), 257), what: 'a tar archive', run: 'tar xf FILE and give the log inside' },
  { test: (b) => startsWith(b, [0x7f, ...ascii('ELF')]), what: 'an ELF binary (a kernel image or a program)', run: 'give the kernel log it printed, not the binary' },
  { test: (b) => startsWith(b, [0xd4, 0xc3, 0xb2, 0xa1]) || startsWith(b, [0xa1, 0xb2, 0xc3, 0xd4]) || startsWith(b, [0x0a, 0x0d, 0x0d, 0x0a]), what: 'a packet capture', run: 'nothing: it holds no kernel log' },
  { test: (b) => startsWith(b, [0x89, ...ascii('PNG')]) || startsWith(b, [0xff, 0xd8, 0xff]), what: 'an image', run: 'give the log as text (a screenshot cannot be read)' },
  { test: (b) => startsWith(b, ascii('%PDF')), what: 'a PDF document', run: 'pdftotext FILE log.txt, then analyze log.txt' },
  { test: (b) => startsWith(b, ascii('SQLite format 3')), what: 'an SQLite database', run: 'nothing: it holds no kernel log' },
];

/** What a binary file looks like and what to run, e.g. "a systemd journal file (run: journalctl --file ...)"; null when unknown. */
export function describeBinary(head: Uint8Array, file: string): string | null {
  const kind = KINDS.find((k) => k.test(head));
  if (kind === undefined) return null;
  return `${kind.what} (run: ${kind.run.replaceAll('FILE', file)})`;
}
