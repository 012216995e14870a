// A capture directory packed as a tarball (`capture collect --tar` writes DIR.tar.gz; `tar czf` of a capture
// directory is the same): unpacked into a private temporary directory and read like the directory.
// Reading uses npm's own tar implementation (the `tar` package): it handles every header a user's tar may
// write (ustar, GNU long names, pax extended headers, gzip) and refuses what a capture must not do on
// extraction (absolute paths, `..`, links pointing out), which a small hand-written reader would have to
// get exactly right again. Only regular files and directories are taken.

import { open, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from './input-error.js';
import { readablePath } from './input-source.js';

const TAR_NAME = /\.(?:tar|tar\.gz|tgz)$/i;

/** A tarball by its name (.tar, .tar.gz, .tgz) or by the ustar magic of a plain tar file. */
export async function isCaptureTarball(path: string): Promise<boolean> {
  if (TAR_NAME.test(path)) return true;
  const handle = await open(readablePath(path), 'r');
  try {
    const buf = Buffer.alloc(263);
    const { bytesRead } = await handle.read(buf, 0, 263, 0);
    return bytesRead === 263 && buf.toString('latin1', 257, 262) === 'ustar';
  } finally {
    await handle.close();
  }
}

export interface UnpackedCapture {
  /** The capture directory inside the temporary directory (the tarball's single top folder, or its root). */
  dir: string;
  /** The temporary directory, to map paths back to the tarball in messages. */
  root: string;
  remove: () => Promise<void>;
}

/** Unpacks `path` into a new temporary directory. Throws InputError when it is not a readable tarball. */
export async function unpackCaptureTarball(path: string): Promise<UnpackedCapture> {
  const root = await mkdtemp(join(tmpdir(), 'trace-probe-capture-'));
  const remove = () => rm(root, { recursive: true, force: true });
  // tar is loaded when a tarball is read (85 KB of code every other input would load for nothing).
  const { extract } = await import('tar');
  try {
    await extract({ file: readablePath(path), cwd: root, strict: true, filter: (_p, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory' || entry.type === 'OldFile') });
  } catch (err) {
    await remove();
    throw new InputError(path, null, `not a readable tar file (${(err as Error).message.split('\n')[0]})`);
  }
  let dir = root;
  // `tar czf cap.tar.gz cap/` (and collect --tar) hold one top folder: the capture is inside it.
  for (;;) {
    const entries = await readdir(dir);
    if (entries.length !== 1 || !(await stat(join(dir, entries[0]!))).isDirectory()) break;
    dir = join(dir, entries[0]!);
  }
  return { dir, root, remove };
}

/**
 * Names files of an unpacked tarball as `TARBALL:inner/path` instead of their temporary path, everywhere in
 * a result (inputs, diagnostics, evidence): the temporary directory is gone once the boot is built.
 */
export function withTarballNames<T>(value: T, unpacked: ReadonlyArray<{ root: string; tarball: string }>): T {
  const rename = (s: string): string => {
    for (const u of unpacked) {
      const at = s.indexOf(u.root + '/');
      if (at >= 0) return rename(s.slice(0, at) + `${u.tarball}:` + s.slice(at + u.root.length + 1));
    }
    return s;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return rename(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
