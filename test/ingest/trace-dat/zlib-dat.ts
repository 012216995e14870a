// Converts a real v7 trace.dat compressed with zstd into the same file compressed with zlib, written the way trace-cmd
// writes zlib (lib/trace-cmd/trace-compress-zlib.c, trace-compress.c, trace-output.c of trace-cmd 3.1.6 / 3.4):
// - the file header names the algorithm as `zlib\0<zlibVersion()>\0`;
// - every compressed block is compress2(..., Z_BEST_COMPRESSION): a zlib stream (2-byte header, deflate data, Adler-32),
//   not raw deflate, so uncompress() reads it back. A compressed metadata section (HEADER_INFO, FTRACE_EVENTS,
//   EVENT_FORMATS, KALLSYMS, PRINTK, CMDLINES, STRINGS) holds one block: compressed size u32, uncompressed size u32,
//   the bytes (tracecmd_compress_block). A compressed BUFFER (flyrecord) section holds, per CPU at a page-aligned
//   offset, chunk count u32 then per chunk the same size pair and bytes (tracecmd_compress_copy_from).
// The zlib sizes differ from the zstd ones, so every offset that points into the file is rewritten: the header's first
// options offset, the section offsets in the options (ids 16-21), each options section's next-options offset (DONE),
// and each BUFFER option's flyrecord offset and per-CPU data offsets and sizes. Options sections stay uncompressed, as
// trace-cmd writes them (write_options_start: flags 0); one that is compressed is refused.
//
// This parser is independent of src/ingest/trace-dat/: it walks the sections one after the other as trace-cmd's
// read_metadata_strings does, decodes zstd with fzstd directly and encodes with node:zlib deflateSync, and checks what
// it reads (section sizes, zero padding, chunk streams that end where the BUFFER option says), so that a reader test of
// the converted file tests the reader, not this code.

import { constants, deflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

const MAGIC = Buffer.from([0x17, 0x08, 0x44, ...Buffer.from('tracing', 'latin1')]);
const OPTION_DONE = 0;
const OPTION_BUFFER = 3;
const OPTION_BUFFER_TEXT = 22;
/** Options whose 8-byte value is the offset of the section of the same id (HEADER_INFO ... CMDLINES). */
const SECTION_OPTIONS = new Set([16, 17, 18, 19, 20, 21]);
const COMPRESSED = 1;

/** A zlib block of the converted file: where its compressed bytes start and what they hold. */
export interface ZlibBlock {
  /** The section id (3: a flyrecord chunk). */
  section: number;
  /** Byte offset of the zlib stream in the converted file (after its two size words). */
  at: number;
  zsize: number;
  usize: number;
  /** For a flyrecord chunk: the buffer name and CPU, and the chunk's index in that CPU's stream. */
  buffer?: string;
  cpu?: number;
  chunk?: number;
  /** Where the zstd frame of the same data is in the original file. */
  originalAt: number;
}

export interface ZlibConversion {
  bytes: Buffer;
  version: string;
  blocks: ZlibBlock[];
}

interface Section {
  offset: number;
  id: number;
  flags: number;
  desc: number;
  size: number;
}

interface BufferCpu {
  cpu: number;
  offset: number;
  size: number;
  /** Where in the option's data the offset field is (to patch it). */
  field: number;
}

interface BufferOption {
  name: string;
  section: number;
  pageSize: number;
  cpus: BufferCpu[];
}

class Bytes {
  constructor(
    readonly buf: Buffer,
    readonly be: boolean,
  ) {}
  u16(at: number): number {
    return this.be ? this.buf.readUInt16BE(at) : this.buf.readUInt16LE(at);
  }
  u32(at: number): number {
    return this.be ? this.buf.readUInt32BE(at) : this.buf.readUInt32LE(at);
  }
  u64(at: number): number {
    const v = this.be ? this.buf.readBigUInt64BE(at) : this.buf.readBigUInt64LE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`u64 at ${at} too large`);
    return Number(v);
  }
}

function u32(be: boolean, v: number): Buffer {
  const b = Buffer.alloc(4);
  if (be) b.writeUInt32BE(v);
  else b.writeUInt32LE(v);
  return b;
}

function putU64(buf: Buffer, at: number, be: boolean, v: number): void {
  if (be) buf.writeBigUInt64BE(BigInt(v), at);
  else buf.writeBigUInt64LE(BigInt(v), at);
}

function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new Error(`no NUL after byte ${at}`);
  return [buf.toString('latin1', at, end), end + 1];
}

/** compress2(level 9) of trace-compress-zlib.c: a zlib stream. */
function zlibBlock(data: Uint8Array): Buffer {
  return deflateSync(data, { level: constants.Z_BEST_COMPRESSION });
}

function unzstd(frame: Uint8Array, usize: number, where: string): Uint8Array {
  const out = zstdDecompress(frame, new Uint8Array(usize));
  if (out.length !== usize) throw new Error(`${where}: zstd frame gives ${out.length} bytes, the file says ${usize}`);
  return out;
}

/** The options of an (uncompressed) options section: [id, data offset in the file, size]. */
function optionsOf(r: Bytes, s: Section): Array<{ id: number; at: number; size: number }> {
  const out: Array<{ id: number; at: number; size: number }> = [];
  let at = s.offset + 16;
  const end = at + s.size;
  while (at < end) {
    const id = r.u16(at);
    const size = r.u32(at + 2);
    out.push({ id, at: at + 6, size });
    at += 6 + size;
    if (id === OPTION_DONE) break;
  }
  if (at !== end) throw new Error(`options section at ${s.offset}: its options end at ${at}, the section at ${end}`);
  return out;
}

function bufferOption(r: Bytes, at: number, size: number): BufferOption {
  const section = r.u64(at);
  const [name, p1] = cstring(r.buf, at + 8);
  const [, p2] = cstring(r.buf, p1);
  const pageSize = r.u32(p2);
  const count = r.u32(p2 + 4);
  const cpus: BufferCpu[] = [];
  let p = p2 + 8;
  for (let i = 0; i < count; i++, p += 20) cpus.push({ cpu: r.u32(p), offset: r.u64(p + 4), size: r.u64(p + 12), field: p + 4 });
  if (p !== at + size) throw new Error(`BUFFER option at ${at}: ${p - at} bytes read of ${size}`);
  return { name, section, pageSize, cpus };
}

/** The zlib copy of a v7 zstd trace.dat (see the file comment). */
export function zstdDatToZlib(input: Buffer, version = process.versions.zlib): ZlibConversion {
  if (!input.subarray(0, 10).equals(MAGIC)) throw new Error('not a trace.dat');
  const versionEnd = input.indexOf(0, 10);
  if (input.toString('latin1', 10, versionEnd) !== '7') throw new Error('not a v7 trace.dat');
  const be = input[versionEnd + 1] === 1;
  const r = new Bytes(input, be);
  const nameAt = versionEnd + 7;
  const [name, verAt] = cstring(input, nameAt);
  if (name !== 'zstd') throw new Error(`compression ${JSON.stringify(name)}, not zstd`);
  const [, optionsField] = cstring(input, verAt);
  const firstOptions = r.u64(optionsField);
  const headerEnd = optionsField + 8;

  // The sections, one after the other to the end of the file (trace-input.c read_metadata_strings walks them so).
  const sections: Section[] = [];
  for (let at = headerEnd; at < input.length; ) {
    if (at + 16 > input.length) throw new Error(`section header at ${at} cut`);
    const s = { offset: at, id: r.u16(at), flags: r.u16(at + 2), desc: r.u32(at + 4), size: r.u64(at + 8) };
    sections.push(s);
    at += 16 + s.size;
    if (at > input.length) throw new Error(`section ${s.id} at ${s.offset} ends past the file`);
  }
  const buffers = new Map<number, BufferOption>();
  for (const s of sections) {
    if (s.id !== OPTION_DONE) continue;
    if (s.flags & COMPRESSED) throw new Error(`options section at ${s.offset} is compressed (trace-cmd writes them plain)`);
    for (const o of optionsOf(r, s)) {
      if (o.id !== OPTION_BUFFER) continue;
      const b = bufferOption(r, o.at, o.size);
      buffers.set(b.section, b);
    }
  }

  // The new file: header, then each section with its new payload; offsets mapped old -> new.
  const header = Buffer.concat([input.subarray(0, nameAt), Buffer.from(`zlib\0${version}\0`, 'latin1'), Buffer.alloc(8)]);
  const parts: Buffer[] = [header];
  let pos = header.length;
  const moved = new Map<number, number>();
  const blocks: ZlibBlock[] = [];
  const cpuMoves = new Map<BufferCpu, { offset: number; size: number }>();
  const optionSections: Array<{ old: Section; at: number; copy: Buffer }> = [];
  const emit = (b: Buffer) => {
    parts.push(b);
    pos += b.length;
  };
  for (const s of sections) {
    moved.set(s.offset, pos);
    const head = Buffer.from(input.subarray(s.offset, s.offset + 16));
    const dataAt = s.offset + 16;
    const payload: Buffer[] = [];
    let size = 0;
    const add = (b: Buffer) => {
      payload.push(b);
      size += b.length;
    };
    if (s.id === OPTION_DONE) {
      // Same size; its offsets are patched once every section has its place.
      const copy = Buffer.from(input.subarray(dataAt, dataAt + s.size));
      optionSections.push({ old: s, at: pos + 16, copy });
      add(copy);
    } else if (s.id === OPTION_BUFFER) {
      const b = buffers.get(s.offset);
      if (b === undefined) throw new Error(`flyrecord section at ${s.offset} has no BUFFER option`);
      if (s.size > 0 && !(s.flags & COMPRESSED)) throw new Error(`flyrecord section at ${s.offset} is not compressed`);
      let oldAt = dataAt;
      for (const c of [...b.cpus].sort((x, y) => x.offset - y.offset)) {
        if (c.offset < oldAt || c.offset % b.pageSize !== 0) throw new Error(`CPU ${c.cpu} data at ${c.offset} is not page-aligned after ${oldAt}`);
        if (input.subarray(oldAt, c.offset).some((x) => x !== 0)) throw new Error(`non-zero padding before CPU ${c.cpu} data at ${c.offset}`);
        // trace-output.c: each CPU's data starts on a page boundary of the file.
        const start = pos + 16 + size;
        add(Buffer.alloc((b.pageSize - (start % b.pageSize)) % b.pageSize));
        const newOffset = pos + 16 + size;
        const count = r.u32(c.offset);
        add(u32(be, count));
        let p = c.offset + 4;
        for (let k = 0; k < count; k++) {
          const zsize = r.u32(p);
          const usize = r.u32(p + 4);
          const data = unzstd(input.subarray(p + 8, p + 8 + zsize), usize, `CPU ${c.cpu} chunk ${k}`);
          const z = zlibBlock(data);
          blocks.push({ section: s.id, at: pos + 16 + size + 8, zsize: z.length, usize, buffer: b.name, cpu: c.cpu, chunk: k, originalAt: p + 8 });
          add(Buffer.concat([u32(be, z.length), u32(be, usize), z]));
          p += 8 + zsize;
        }
        // The CPU's size in the BUFFER option: trace-cmd 3.1.6 counts the chunks without the 4-byte chunk count
        // (tracecmd_compress_copy_from sums zsize + 8), 3.4 with it (end offset - start offset). Kept as written.
        const uncounted = c.size - (p - c.offset);
        if (uncounted !== 0 && uncounted !== -4) throw new Error(`CPU ${c.cpu}: chunks end at ${p}, the BUFFER option says ${c.offset + c.size}`);
        cpuMoves.set(c, { offset: newOffset, size: pos + 16 + size - newOffset + uncounted });
        oldAt = p;
      }
      if (oldAt !== dataAt + s.size && s.size > 0) throw new Error(`flyrecord section at ${s.offset}: CPU data ends at ${oldAt}, the section at ${dataAt + s.size}`);
    } else if (s.flags & COMPRESSED) {
      const zsize = r.u32(dataAt);
      const usize = r.u32(dataAt + 4);
      if (s.size !== 8 + zsize) throw new Error(`section ${s.id} at ${s.offset}: ${s.size} bytes for one ${zsize}-byte block`);
      const data = unzstd(input.subarray(dataAt + 8, dataAt + 8 + zsize), usize, `section ${s.id}`);
      const z = zlibBlock(data);
      blocks.push({ section: s.id, at: pos + 16 + 8, zsize: z.length, usize, originalAt: dataAt + 8 });
      add(Buffer.concat([u32(be, z.length), u32(be, usize), z]));
    } else {
      add(Buffer.from(input.subarray(dataAt, dataAt + s.size)));
    }
    putU64(head, 8, be, size);
    emit(head);
    for (const b of payload) emit(b);
  }

  const to = (old: number, what: string): number => {
    if (old === 0) return 0;
    const n = moved.get(old);
    if (n === undefined) throw new Error(`${what}: ${old} is not the offset of a section`);
    return n;
  };
  // Patch the options in place (the copies are the parts emitted above).
  for (const { old, copy } of optionSections) {
    const base = old.offset + 16;
    for (const o of optionsOf(r, old)) {
      const at = o.at - base;
      if (o.id === OPTION_DONE || SECTION_OPTIONS.has(o.id) || o.id === OPTION_BUFFER_TEXT) {
        putU64(copy, at, be, to(r.u64(o.at), `option ${o.id} at ${o.at}`));
      } else if (o.id === OPTION_BUFFER) {
        const b = bufferOption(r, o.at, o.size);
        putU64(copy, at, be, to(b.section, `BUFFER option at ${o.at}`));
        for (const c of buffers.get(b.section)!.cpus) {
          const m = cpuMoves.get(c);
          if (m === undefined) throw new Error(`BUFFER option at ${o.at}: CPU ${c.cpu} was not converted`);
          putU64(copy, c.field - base, be, m.offset);
          putU64(copy, c.field - base + 8, be, m.size);
        }
      }
    }
  }
  const bytes = Buffer.concat(parts);
  putU64(bytes, header.length - 8, be, to(firstOptions, 'first options offset'));
  return { bytes, version, blocks };
}
