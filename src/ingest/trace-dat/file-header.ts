// The trace.dat header and metadata: trace-cmd Documentation/trace-cmd/trace-cmd.dat.v6.5.txt and .v7.5.txt, read
// the way lib/trace-cmd/trace-input.c reads them (trace-cmd 3.1.6 / 3.4), which differs from the text in places:
// - initial format: `\x17\x08\x44tracing`, the version as a NUL-terminated string ("6", "7"), endian byte (1 = big),
//   user-space long size (4/8), page size (u32). The kernel's long size is the size of header_page's `commit` field.
// - v6: header_page/header_event, ftrace formats, event formats, kallsyms, printk formats, saved cmdlines, CPU count,
//   then `options  \0` + options (options.ts), then `flyrecord\0` + per CPU (offset u64, size u64), then, when a
//   TRACECLOCK option was given, u64 size + the trace_clock text. Instances: BUFFER options whose offset points at
//   their own `flyrecord\0` + CPU table.
// - v7: `name\0version\0` of the compression, u64 offset of the first OPTIONS section; every section starts with
//   id u16, flags u16 (1 = compressed), description string id u32, size u64 (the doc's earlier 4-byte size is wrong),
//   and a compressed one continues with compressed size u32, uncompressed size u32 and one frame. Sections are found
//   through the options (HEADER_INFO, EVENT_FORMATS, ...); the trace data of each buffer through its BUFFER option.

import { ByteCursor, type DatFile } from './dat-file.js';
import { compressionOf, decompressBlock, type Compression } from './compression.js';
import { emptyOptions, OPTION, readOptions, type DatBuffer, type DatOptions } from './options.js';

export const TRACE_DAT_MAGIC = Buffer.from([0x17, 0x08, 0x44, ...Buffer.from('tracing', 'latin1')]);

export interface DatMetadata {
  version: number;
  bigEndian: boolean;
  /** The kernel's long size (header_page `commit` field), which sizes ring-buffer page headers. */
  longSize: 4 | 8;
  pageSize: number;
  compression: Compression;
  compressionName: string;
  headerPage: string;
  eventFormats: Array<{ system: string; text: string }>;
  /**
   * The kallsyms text, read (and decompressed) on first call: only traces with function pointers need it. `from`: an
   * open DatFile of the same file when the one the metadata was read from is closed (metadata kept across reads).
   */
  kallsyms: (from?: DatFile) => string | null;
  cmdlines: string;
  options: DatOptions;
  /** The trace clock's name (`local`, `global`, `x86-tsc`, ...), null when the file does not say. */
  clock: string | null;
  /** Flyrecord buffers with their per-CPU data (v6 tables already read). */
  buffers: DatBuffer[];
  /** The CPU count of the header (v6) or of the top buffer. */
  cpus: number;
}

/** Reads the header and all metadata; throws TraceDatError on anything that cannot be read. */
export function readMetadata(file: DatFile): DatMetadata {
  const head = file.read(0, Math.min(file.size, 64), 'file header');
  if (head.length < 10 || !head.subarray(0, 10).equals(TRACE_DAT_MAGIC)) file.fail(0, 'file header', 'not a trace.dat (no \\x17\\x08\\x44tracing magic)');
  const versionEnd = head.indexOf(0, 10);
  if (versionEnd < 0 || versionEnd > 20) file.fail(10, 'file header', 'no version string');
  const versionText = head.toString('latin1', 10, versionEnd);
  const version = Number(versionText);
  if (version !== 6 && version !== 7) file.fail(10, 'file header', `file version ${JSON.stringify(versionText)} is not supported (6 and 7 are)`);
  if (versionEnd + 7 > head.length) file.fail(versionEnd + 1, 'file header', 'cut after the version');
  const endian = head[versionEnd + 1]!;
  if (endian > 1) file.fail(versionEnd + 1, 'file header', `endian flag ${endian} (expected 0 or 1)`);
  const bigEndian = endian === 1;
  file.bigEndian = bigEndian;
  const userLong = head[versionEnd + 2]!;
  if (userLong !== 4 && userLong !== 8) file.fail(versionEnd + 2, 'file header', `long size ${userLong} (expected 4 or 8)`);
  const pageSize = bigEndian ? head.readUInt32BE(versionEnd + 3) : head.readUInt32LE(versionEnd + 3);
  if (pageSize < 64 || pageSize > 1 << 26) file.fail(versionEnd + 3, 'file header', `page size ${pageSize} is not plausible`);
  const after = versionEnd + 7;
  return version === 6 ? readV6(file, after, bigEndian, pageSize) : readV7(file, after, bigEndian, pageSize);
}

// ---- v6: one sequential header ----------------------------------------------------------------------------

/** Reads forward from the file, in windows (kallsyms alone may be several MB). */
class SequentialReader {
  constructor(
    readonly file: DatFile,
    public pos: number,
  ) {}

  cursor(length: number, part: string): ByteCursor {
    const c = new ByteCursor(this.file.read(this.pos, length, part), this.file.bigEndian, this.pos, this.file, part);
    this.pos += length;
    return c;
  }

  u32(part: string): number {
    return this.cursor(4, part).u32(part);
  }

  u64(part: string): number {
    return this.cursor(8, part).u64(part);
  }

  text(length: number, part: string): string {
    const s = this.file.read(this.pos, length, part).toString('utf8').replace(/\0+$/, '');
    this.pos += length;
    return s;
  }

  magic(expected: string, part: string): void {
    const got = this.file.read(this.pos, expected.length, part).toString('latin1');
    if (got !== expected) this.file.fail(this.pos, part, `expected ${JSON.stringify(expected)}, found ${JSON.stringify(got)}`);
    this.pos += expected.length;
  }

  cstring(part: string): string {
    const window = this.file.read(this.pos, Math.min(4096, this.file.size - this.pos), part);
    const end = window.indexOf(0);
    if (end < 0) this.file.fail(this.pos, part, 'string without NUL');
    const s = window.toString('utf8', 0, end);
    this.pos += end + 1;
    return s;
  }
}

function readV6(file: DatFile, at: number, bigEndian: boolean, pageSize: number): DatMetadata {
  const r = new SequentialReader(file, at);
  const headerPage = readHeaderFiles(r);
  const eventFormats = readFormatLists(r);
  const kallsymsSize = r.u32('kallsyms size');
  const kallsymsAt = r.pos;
  if (kallsymsAt + kallsymsSize > file.size) file.fail(kallsymsAt, 'kallsyms', `${kallsymsSize} bytes past the end of the file`);
  r.pos += kallsymsSize;
  const kallsyms = once((from?: DatFile) => (kallsymsSize > 0 ? new SequentialReader(from ?? file, kallsymsAt).text(kallsymsSize, 'kallsyms') : null));
  const printkSize = r.u32('printk formats size');
  r.pos += printkSize;
  if (r.pos > file.size) file.fail(r.pos - printkSize, 'printk formats', `${printkSize} bytes past the end of the file`);
  const cmdlinesSize = r.u64('saved cmdlines size');
  const cmdlines = r.text(cmdlinesSize, 'saved cmdlines');
  let cpus = r.u32('CPU count');
  const options = emptyOptions();
  let kind = file.read(r.pos, 10, 'options / flyrecord marker').toString('latin1');
  if (kind.startsWith('options')) {
    r.pos += 10;
    // Options are read in place: their total size is only known at their end marker.
    const start = r.pos;
    const c = new ByteCursor(file.read(start, Math.min(file.size - start, 1 << 24), 'options'), bigEndian, start, file, 'options');
    readOptions(c, false, options);
    r.pos = start + c.pos;
    kind = file.read(r.pos, 10, 'flyrecord marker').toString('latin1');
  }
  if (options.cpuCount !== null) cpus = options.cpuCount;
  if (kind.startsWith('latency')) file.fail(r.pos, 'trace data', 'a latency-format trace.dat (text, not ring-buffer pages) is not supported: record with the default flyrecord mode');
  if (!kind.startsWith('flyrecord')) file.fail(r.pos, 'flyrecord marker', `expected "flyrecord", found ${JSON.stringify(kind)}`);
  const top: DatBuffer = { name: '', clock: null, pageSize, offset: r.pos, cpus: [], latency: false };
  r.pos += 10;
  readCpuTable(r, cpus, top);
  let clock: string | null = null;
  if (options.traceClockText !== null) {
    // trace-input.c read_and_parse_trace_clock; a file from an old trace-cmd may have a broken one (then: local).
    try {
      const size = r.u64('trace clock size');
      options.traceClockText = r.text(size, 'trace clock');
    } catch {
      options.traceClockText = '[local]';
    }
  }
  clock = selectedClock(options.traceClockText);
  const buffers: DatBuffer[] = [top];
  for (const b of options.buffers) {
    if (b.latency) continue;
    const br = new SequentialReader(file, b.offset);
    br.magic('flyrecord\0', `buffer "${b.name}" flyrecord marker`);
    readCpuTable(br, cpus, b);
    b.pageSize = pageSize;
    buffers.push(b);
  }
  for (const b of buffers) b.clock ??= clock;
  return {
    version: 6,
    bigEndian,
    longSize: longSizeOf(headerPage, file, at),
    pageSize,
    compression: 'none',
    compressionName: 'none',
    headerPage,
    eventFormats,
    kallsyms,
    cmdlines,
    options,
    clock,
    buffers,
    cpus,
  };
}

function readCpuTable(r: SequentialReader, cpus: number, into: DatBuffer): void {
  for (let cpu = 0; cpu < cpus; cpu++) {
    const offset = r.u64(`CPU ${cpu} data offset`);
    const size = r.u64(`CPU ${cpu} data size`);
    into.cpus.push({ cpu, offset, size });
  }
}

function readHeaderFiles(r: SequentialReader | ByteCursor): string {
  const isCursor = r instanceof ByteCursor;
  if (isCursor) {
    const tag = r.bytes(12, 'header_page tag').toString('latin1');
    if (tag !== 'header_page\0') r.fail(`expected "header_page", found ${JSON.stringify(tag)}`);
    const page = r.text(r.u64('header_page size'), 'header_page');
    const tag2 = r.bytes(13, 'header_event tag').toString('latin1');
    if (tag2 !== 'header_event\0') r.fail(`expected "header_event", found ${JSON.stringify(tag2)}`);
    r.bytes(r.u64('header_event size'), 'header_event');
    return page;
  }
  r.magic('header_page\0', 'header_page');
  const page = r.text(r.u64('header_page size'), 'header_page');
  r.magic('header_event\0', 'header_event');
  const eventSize = r.u64('header_event size');
  r.pos += eventSize;
  return page;
}

/** ftrace formats (count u32, then size u64 + text each) and event formats (systems u32; name, count, formats). */
function readFormatLists(r: SequentialReader): Array<{ system: string; text: string }> {
  const formats: Array<{ system: string; text: string }> = [];
  const ftraceCount = r.u32('ftrace format count');
  for (let i = 0; i < ftraceCount; i++) formats.push({ system: 'ftrace', text: r.text(r.u64('ftrace format size'), `ftrace format ${i}`) });
  const systems = r.u32('event system count');
  for (let s = 0; s < systems; s++) {
    const system = r.cstring('event system name');
    const count = r.u32(`${system} event count`);
    for (let i = 0; i < count; i++) formats.push({ system, text: r.text(r.u64(`${system} format size`), `${system} format ${i}`) });
  }
  return formats;
}

function readFtraceFormats(c: ByteCursor): Array<{ system: string; text: string }> {
  const formats: Array<{ system: string; text: string }> = [];
  const count = c.u32('ftrace format count');
  for (let i = 0; i < count; i++) formats.push({ system: 'ftrace', text: c.text(c.u64('ftrace format size'), `ftrace format ${i}`) });
  return formats;
}

function readEventFormats(c: ByteCursor): Array<{ system: string; text: string }> {
  const formats: Array<{ system: string; text: string }> = [];
  const systems = c.u32('event system count');
  for (let s = 0; s < systems; s++) {
    const system = c.cstring('event system name');
    const count = c.u32(`${system} event count`);
    for (let i = 0; i < count; i++) formats.push({ system, text: c.text(c.u64(`${system} format size`), `${system} format ${i}`) });
  }
  return formats;
}

// ---- v7: sections -------------------------------------------------------------------------------------------

const SECTION_NAMES: Record<number, string> = {
  [OPTION.DONE]: 'options section',
  [OPTION.HEADER_INFO]: 'header info section',
  [OPTION.FTRACE_EVENTS]: 'ftrace formats section',
  [OPTION.EVENT_FORMATS]: 'event formats section',
  [OPTION.KALLSYMS]: 'kallsyms section',
  [OPTION.PRINTK]: 'printk formats section',
  [OPTION.CMDLINES]: 'saved cmdlines section',
};

interface SectionHeader {
  id: number;
  flags: number;
  size: number;
  /** Offset of the data after the 16-byte header. */
  data: number;
}

export function readSectionHeader(file: DatFile, offset: number, part: string): SectionHeader {
  const c = new ByteCursor(file.read(offset, 16, part), file.bigEndian, offset, file, part);
  const id = c.u16();
  const flags = c.u16();
  c.u32();
  const size = c.u64();
  return { id, flags, size, data: offset + 16 };
}

/** A section's data (decompressed when its flag says so), as a cursor. */
function openSection(file: DatFile, offset: number, expectedId: number, compression: Compression): ByteCursor {
  const part = SECTION_NAMES[expectedId] ?? `section ${expectedId}`;
  const h = readSectionHeader(file, offset, part);
  if (h.id !== expectedId) file.fail(offset, part, `section id ${h.id}, expected ${expectedId}`);
  if ((h.flags & 1) === 0) {
    // size is what follows the header; a section written by an old trace-cmd may record 0: read to the file's end then.
    const size = h.size > 0 && h.data + h.size <= file.size ? h.size : file.size - h.data;
    return new ByteCursor(file.read(h.data, size, part), file.bigEndian, h.data, file, part);
  }
  const sizes = new ByteCursor(file.read(h.data, 8, part), file.bigEndian, h.data, file, part);
  const zsize = sizes.u32('compressed size');
  const usize = sizes.u32('uncompressed size');
  const input = file.read(h.data + 8, zsize, part);
  let out: Buffer;
  try {
    out = decompressBlock(compression, input, usize);
  } catch (err) {
    file.fail(h.data + 8, part, `${compression} data does not decompress: ${(err as Error).message}`);
  }
  return new ByteCursor(out, file.bigEndian, offset, file, part, true);
}

function readV7(file: DatFile, at: number, bigEndian: boolean, pageSize: number): DatMetadata {
  const r = new SequentialReader(file, at);
  const compressionName = r.cstring('compression name');
  r.cstring('compression version');
  const compression = compressionOf(compressionName);
  if (compression === null) file.fail(at, 'file header', `compression "${compressionName}" is not supported (zstd, zlib and none are)`);
  let optionsAt = r.u64('options offset');
  const options = emptyOptions();
  const seen = new Set<number>();
  while (optionsAt !== 0) {
    if (seen.has(optionsAt)) file.fail(optionsAt, 'options section', 'options sections loop');
    if (optionsAt + 16 > file.size) {
      // trace-cmd writes the options that locate the trace data (BUFFER) in a section after the data.
      file.fail(optionsAt, 'options section', `the file ends at byte ${file.size}, before this options section (file cut?): without it the trace data of this v7 file cannot be located`);
    }
    seen.add(optionsAt);
    const c = openSection(file, optionsAt, OPTION.DONE, compression);
    options.nextOptions = 0;
    readOptions(c, true, options);
    optionsAt = options.nextOptions;
  }
  const sectionAt = (id: number): number | null => options.sections.get(id) ?? null;
  const headerAt = sectionAt(OPTION.HEADER_INFO);
  if (headerAt === null) file.fail(at, 'options', 'no HEADER_INFO section (ring-buffer layout unknown)');
  const headerPage = readHeaderFiles(openSection(file, headerAt, OPTION.HEADER_INFO, compression));
  const eventFormats: Array<{ system: string; text: string }> = [];
  const ftraceAt = sectionAt(OPTION.FTRACE_EVENTS);
  if (ftraceAt !== null) eventFormats.push(...readFtraceFormats(openSection(file, ftraceAt, OPTION.FTRACE_EVENTS, compression)));
  const eventsAt = sectionAt(OPTION.EVENT_FORMATS);
  if (eventsAt !== null) eventFormats.push(...readEventFormats(openSection(file, eventsAt, OPTION.EVENT_FORMATS, compression)));
  const kallsymsAt = sectionAt(OPTION.KALLSYMS);
  const kallsyms = once((from?: DatFile) => {
    if (kallsymsAt === null) return null;
    const c = openSection(from ?? file, kallsymsAt, OPTION.KALLSYMS, compression);
    const size = c.u32('kallsyms size');
    return size > 0 ? c.text(size, 'kallsyms') : null;
  });
  let cmdlines = '';
  const cmdlinesAt = sectionAt(OPTION.CMDLINES);
  if (cmdlinesAt !== null) {
    const c = openSection(file, cmdlinesAt, OPTION.CMDLINES, compression);
    cmdlines = c.text(c.u64('saved cmdlines size'), 'saved cmdlines');
  }
  const buffers = options.buffers.filter((b) => !b.latency);
  const top = buffers.find((b) => b.name === '') ?? buffers[0];
  const clock = top?.clock ?? selectedClock(options.traceClockText);
  for (const b of buffers) if (b.pageSize === 0) b.pageSize = pageSize;
  if (buffers.length === 0 && options.buffers.some((b) => b.latency)) {
    file.fail(at, 'trace data', 'a latency-format trace.dat (text, not ring-buffer pages) is not supported: record with the default flyrecord mode');
  }
  return {
    version: 7,
    bigEndian,
    longSize: longSizeOf(headerPage, file, headerAt),
    pageSize,
    compression,
    compressionName,
    headerPage,
    eventFormats,
    kallsyms,
    cmdlines,
    options,
    clock,
    buffers,
    cpus: options.cpuCount ?? top?.cpus.length ?? 0,
  };
}

function once<T, A>(make: (arg?: A) => T): (arg?: A) => T {
  let done = false;
  let value: T;
  return (arg?: A) => {
    if (!done) {
      value = make(arg);
      done = true;
    }
    return value;
  };
}

/** `local [global] counter` → `global` (the selected clock is in brackets). */
export function selectedClock(text: string | null): string | null {
  if (text === null) return null;
  const m = /\[([^\]]+)\]/.exec(text);
  if (m) return m[1]!;
  const t = text.trim();
  return t === '' ? null : t.split(/\s+/)[0]!;
}

/** The kernel long size from header_page's `field: local_t commit; offset:8; size:8; ...`. */
function longSizeOf(headerPage: string, file: DatFile, at: number): 4 | 8 {
  const m = /commit;\s*offset:\s*(\d+);\s*size:\s*(\d+);/.exec(headerPage);
  if (m === null) file.fail(at, 'header_page', 'no `commit` field in the ring-buffer page header description');
  const size = Number(m[2]);
  if (size !== 4 && size !== 8) file.fail(at, 'header_page', `commit field of ${size} bytes (expected 4 or 8)`);
  return size;
}
