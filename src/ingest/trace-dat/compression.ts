// Decompression of trace.dat v7 data: the file header names the algorithm (`zstd`, `zlib` or `none`), and every
// compressed block is one self-contained frame of it (trace-cmd lib/trace-cmd/trace-compress-zstd.c: ZSTD_compress2
// / ZSTD_decompressDCtx; trace-compress-zlib.c: compress2 at Z_BEST_COMPRESSION / uncompress, i.e. a zlib stream with
// its 2-byte header and Adler-32 trailer, not raw deflate; the header's version is zlibVersion(), e.g. `1.2.13`).
// Node 20's node:zlib has no zstd (it arrived in Node 22.15), so zstd frames are decoded by fzstd, a pure-JS
// decoder without dependencies (MIT, about 8 KB) that needs no native build; zlib frames by node:zlib.

import { inflateSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

export type Compression = 'none' | 'zstd' | 'zlib';

/** The algorithm of the header's `name\0version\0`, or null when trace-probe cannot decode it. */
export function compressionOf(name: string): Compression | null {
  if (name === 'none' || name === '') return 'none';
  if (name === 'zstd' || name === 'zlib') return name;
  return null;
}

/**
 * Decompresses one block into a buffer of `size` bytes (the size the file records). Throws an Error with the
 * decoder's reason when the block is corrupt or does not decompress to `size` bytes.
 */
export function decompressBlock(algorithm: Compression, input: Uint8Array, size: number, into?: Buffer): Buffer {
  if (algorithm === 'none') return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let out: Uint8Array;
  if (algorithm === 'zstd') {
    const target = into !== undefined && into.length >= size ? into.subarray(0, size) : Buffer.allocUnsafe(size);
    out = zstdDecompress(input, target);
  } else {
    // Bounded by the size the file records, so that a corrupt block cannot make the reader allocate without limit.
    try {
      out = inflateSync(input, { maxOutputLength: Math.max(1, size) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`decompresses to more than the ${size} bytes the file says`);
      throw err;
    }
  }
  if (out.length !== size) throw new Error(`decompressed to ${out.length} bytes, the file says ${size}`);
  return Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
