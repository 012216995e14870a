// Where an input's bytes come from. Most inputs are regular files, read in place (several times: sniffing, the
// parse, the marker search). The others are copied once, as they arrive, into a private spool file that every
// later read opens instead, while messages keep naming the input as the user gave it:
// - `-` (standard input), pipes and process substitution (`<(dmesg)`, /dev/fd/N), sockets;
// - files whose size the kernel reports as 0 but that hold data (tracefs `trace`, procfs, sysfs): they are
//   generated when read, so they are read to their end like a stream;
// - compressed text, sniffed by its magic bytes, not its name: gzip (node:zlib), zstd (fzstd, pure JS: Node 20's
//   node:zlib has no zstd), xz (xz-decompress, WebAssembly, no native code). A cut compressed file keeps what was
//   decompressed and says so;
// - text in UTF-16 (a BOM first: a log saved by PowerShell or Notepad), transcoded to UTF-8.
// A regular, uncompressed file costs one 6-byte read here (the common path is not slowed).

import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { InputError } from './input-error.js';

export type Compression = 'gzip' | 'zstd' | 'xz' | 'utf-16le' | 'utf-16be';

interface Spooled {
  /** The regular file that holds the input's (decompressed) bytes. */
  path: string;
  /** Not a regular file (stdin, a pipe, a socket, a character device): for messages. procfs/tracefs files are regular. */
  stream: boolean;
  compression: Compression | null;
  /** Said once about this input (a cut compressed file). */
  warning: string | null;
}

const spooled = new Map<string, Spooled>();
const FD_PATH = /^\/(?:dev\/stdin|(?:dev|proc\/self)\/fd\/(\d+))$/;
let spoolDir: string | null = null;

/** The regular file to open for `path`: its spool copy when it was spooled, else `path` itself. */
export function readablePath(path: string): string {
  return spooled.get(path)?.path ?? path;
}

/** How `path` arrived, when it was not a plain regular file (null otherwise). */
export function inputOrigin(path: string): { stream: boolean; compression: Compression | null; warning: string | null } | null {
  const s = spooled.get(path);
  return s ? { stream: s.stream, compression: s.compression, warning: s.warning } : null;
}

/** The compression whose magic bytes start `head`, or null. */
export function compressionOf(head: Uint8Array): Compression | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz';
  // Not a compression, an encoding: a log saved as UTF-16 (PowerShell's `>` of `wsl dmesg`, Notepad) has a BOM.
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return null;
}

/**
 * Makes `path` readable by the line readers: spools a stream or a compressed file (see the header). Does nothing
 * for a regular uncompressed file, a directory, or a path that cannot be opened (the readers report that).
 */
export async function prepareInput(path: string): Promise<void> {
  if (spooled.has(path)) return;
  if (path === '-') {
    await spool(path, process.stdin, true);
    return;
  }
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    // /dev/stdin, /dev/fd/N of a socket (a parent's stdio socketpair) cannot be opened again (ENXIO): read the
    // descriptor this process already has.
    const fd = FD_PATH.exec(path);
    if (fd !== null && (err as NodeJS.ErrnoException).code === 'ENXIO') {
      const n = fd[1] === undefined ? 0 : Number(fd[1]);
      await spool(path, n === 0 ? process.stdin : createReadStream('', { fd: n, autoClose: false }), true);
    }
    return;
  }
  let compression: Compression | null = null;
  let isStream = false;
  let isRegular = true;
  try {
    const info = await handle.stat();
    if (info.isDirectory()) return;
    isRegular = info.isFile();
    isStream = !isRegular || info.size === 0;
    if (!isStream) {
      const head = Buffer.alloc(6);
      const { bytesRead } = await handle.read(head, 0, 6, 0);
      compression = compressionOf(head.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  if (isStream) await spool(path, createReadStream(path), !isRegular);
  else if (compression !== null) await decompressInto(path, path, compression, false);
}

function newSpoolFile(): string {
  if (spoolDir === null) {
    spoolDir = mkdtempSync(join(tmpdir(), 'trace-probe-'));
    const dir = spoolDir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return join(spoolDir, `input-${spooled.size}-${Math.random().toString(36).slice(2, 8)}`);
}

/** Copies a stream to a spool file as it arrives; decompresses it when its first bytes say it is compressed. */
async function spool(path: string, source: Readable, stream: boolean): Promise<void> {
  const file = newSpoolFile();
  await pipeline(source, createWriteStream(file));
  spooled.set(path, { path: file, stream, compression: null, warning: null });
  const info = await stat(file);
  if (info.size === 0) return;
  const handle = await open(file, 'r');
  const head = Buffer.alloc(6);
  try {
    await handle.read(head, 0, 6, 0);
  } finally {
    await handle.close();
  }
  const compression = compressionOf(head);
  if (compression !== null) await decompressInto(path, file, compression, stream);
}

async function decompressInto(path: string, from: string, compression: Compression, stream: boolean): Promise<void> {
  const file = newSpoolFile();
  let warning: string | null = null;
  try {
    const input = createReadStream(from);
    if (compression === 'utf-16le' || compression === 'utf-16be') {
      await pipeline(input, utf16Transform(compression), createWriteStream(file));
    } else if (compression === 'xz') {
      const web = Readable.toWeb(input) as unknown as ReadableStream<Uint8Array>;
      // Loaded only when needed (its WebAssembly module costs memory at load time).
      const xz = (await import('xz-decompress')).default;
      await pipeline(Readable.fromWeb(new xz.XzReadableStream(web) as unknown as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(file));
    } else {
      await pipeline(input, compression === 'gzip' ? createGunzip() : await zstdTransform(), createWriteStream(file));
    }
  } catch (err) {
    const size = (await stat(file).catch(() => null))?.size ?? 0;
    if (size === 0) {
      throw new InputError(path, null, `${compression} data cannot be decompressed (${(err as Error).message}): a damaged or cut file?`);
    }
    warning = `the ${compression} data ends early or is damaged (${(err as Error).message}): read the ${size} bytes decompressed before that`;
  }
  spooled.set(path, { path: file, stream, compression, warning });
}

/** UTF-16 (BOM first) to UTF-8, as a Node Transform. */
function utf16Transform(encoding: 'utf-16le' | 'utf-16be'): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
    },
    flush(done: TransformCallback) {
      done(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
}

/** fzstd's streaming decoder as a Node Transform (fzstd loaded only when needed). */
async function zstdTransform(): Promise<Transform> {
  const { Decompress } = await import('fzstd');
  let out: Transform;
  const decoder = new Decompress((chunk) => {
    out.push(Buffer.from(chunk));
  });
  out = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      try {
        decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        decoder.push(new Uint8Array(0), true);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  return out;
}
