// Random access to a trace.dat file (trace-cmd's binary format, see file-header.ts for the layout) and the error a
// file that cannot be read raises: one line naming the file, the byte offset and the part of the file being read.
// Numbers are read in the file's byte order (the header's endian flag), 64-bit ones as doubles (exact below 2^53:
// offsets, sizes and nanosecond timestamps of any real trace).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../../core/input-error.js';

/** A trace.dat that cannot be read (bad magic, cut header, corrupt section): where and what. */
export class TraceDatError extends InputError {
  constructor(file: string, readonly offset: number, readonly part: string, reason: string) {
    super(file, null, `byte ${offset} (${part}): ${reason}`);
  }
}

export const TWO_32 = 4294967296;

export class DatFile {
  readonly fd: number;
  readonly size: number;
  bigEndian = false;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      throw new InputError(path, null, `cannot open: ${(err as Error).message}`);
    }
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  fail(offset: number, part: string, reason: string): never {
    throw new TraceDatError(this.path, offset, part, reason);
  }

  /** Exactly `length` bytes at `offset`, or a TraceDatError naming `part` (the file is cut there). */
  read(offset: number, length: number, part: string): Buffer {
    if (length < 0 || !Number.isSafeInteger(offset) || offset < 0) this.fail(offset, part, `bad offset or size (${length} bytes)`);
    if (offset + length > this.size) {
      this.fail(offset, part, `needs ${length} bytes but the file ends at byte ${this.size} (file cut?)`);
    }
    const buf = Buffer.allocUnsafe(length);
    this.readInto(buf, 0, length, offset);
    return buf;
  }

  /** Reads up to `length` bytes into `buf[at…]`; returns how many the file had. */
  readInto(buf: Buffer, at: number, length: number, offset: number): number {
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, at + done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }
}

/** A cursor over bytes of the file (a whole section, or a decompressed one) in the file's byte order. */
export class ByteCursor {
  pos = 0;

  constructor(
    readonly buf: Buffer,
    readonly bigEndian: boolean,
    /** Where buf[0] is in the file (for errors; for a decompressed section: the section's offset). */
    readonly base: number,
    readonly file: DatFile,
    readonly part: string,
    /** True when buf is decompressed data: errors then name the section, not a byte of the file. */
    readonly decompressed = false,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  fail(reason: string, at = this.pos): never {
    const where = this.decompressed ? `${this.part}, byte ${at} of its decompressed data` : this.part;
    return this.file.fail(this.decompressed ? this.base : this.base + at, where, reason);
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) this.fail(`${what}: needs ${n} bytes, ${this.remaining} left (cut or corrupt)`);
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.bigEndian ? this.buf.readUInt16BE(this.pos) : this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.bigEndian ? this.buf.readUInt32BE(this.pos) : this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(what = 'u64'): number {
    this.need(8, what);
    const v = readU64(this.buf, this.pos, this.bigEndian);
    this.pos += 8;
    return v;
  }

  bytes(n: number, what: string): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A NUL-terminated string. */
  cstring(what: string): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) this.fail(`${what}: no terminating NUL`);
    const s = this.buf.toString('latin1', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  /** `n` bytes as text (UTF-8: format files and kallsyms are ASCII; comms may not be). */
  text(n: number, what: string): string {
    return this.bytes(n, what).toString('utf8');
  }
}

/** An unsigned 64-bit number as a double (exact below 2^53). */
export function readU64(buf: Buffer, at: number, bigEndian: boolean): number {
  return bigEndian ? buf.readUInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4) : buf.readUInt32LE(at + 4) * TWO_32 + buf.readUInt32LE(at);
}
