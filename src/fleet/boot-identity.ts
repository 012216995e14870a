// Which boot a fleet row is: the content hash of the files the analysis reads (so re-ingesting the same files
// adds nothing) together with the host they came from (the same log under two hosts is two boots, e.g. a
// fleet relabelled for a bench). The host comes from `--host-from PATTERN` applied to the input's path (its
// first capture group, else the whole match), else the path itself; which of the two is recorded.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type HostSource = 'pattern' | 'path';

export function hostOf(path: string, pattern: RegExp | null): { host: string; hostSource: HostSource } {
  if (pattern !== null) {
    const m = pattern.exec(path);
    if (m) return { host: m[1] ?? m[0], hostSource: 'pattern' };
  }
  return { host: path, hostSource: 'path' };
}

/** sha256 over each file's bytes, in the order given (the resolved inputs' order), each preceded by its length. */
export async function contentHash(files: readonly string[]): Promise<{ hash: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const file of files) {
    let size = 0;
    const inner = createHash('sha256');
    for await (const chunk of createReadStream(file)) {
      inner.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    hash.update(`${size}:`).update(inner.digest());
    bytes += size;
  }
  return { hash: hash.digest('hex'), bytes };
}

export function bootIdOf(contentHash: string, host: string): string {
  return createHash('sha256').update(host).update('\0').update(contentHash).digest('hex').slice(0, 32);
}

/** Bytes of a boot id (32 hex digits). */
const ID_BYTES = 16;

/** What bootIdOf() gives: 32 lower-case hex digits, whose string order is the byte order of the packed ids. */
const ID_SHAPE = /^[0-9a-f]{32}$/;

/**
 * Boot ids packed sorted, 16 bytes each, in memory the ingest workers share with the main thread (one copy
 * whatever the number of workers). The ids must be added in sorted order: a store streams them `ORDER BY boot_id`
 * straight in (FleetStore.knownIds), so a store of a million boots costs 16 MB here and never an array of its id
 * strings. Repeats and ids not of bootIdOf's shape are dropped.
 */
export class PackedIdWriter {
  private readonly shared: SharedArrayBuffer;
  private readonly bytes: Buffer;
  private count = 0;
  private last = '';

  constructor(private readonly capacity: number) {
    this.shared = new SharedArrayBuffer(capacity * ID_BYTES);
    this.bytes = Buffer.from(this.shared);
  }

  add(id: string): void {
    if (!ID_SHAPE.test(id) || id === this.last) return;
    if (id < this.last) throw new Error(`boot ids must be packed in sorted order (${id} after ${this.last})`);
    if (this.count === this.capacity) throw new Error(`more boot ids than the ${this.capacity} announced`);
    this.bytes.write(id, this.count++ * ID_BYTES, ID_BYTES, 'hex');
    this.last = id;
  }

  finish(): SharedArrayBuffer {
    if (this.count === this.capacity) return this.shared;
    const exact = new SharedArrayBuffer(this.count * ID_BYTES);
    this.bytes.copy(Buffer.from(exact), 0, 0, this.count * ID_BYTES);
    return exact;
  }
}

/** Membership in a PackedIdWriter's buffer by binary search. */
export function packedHas(shared: SharedArrayBuffer, id: string): boolean {
  if (!ID_SHAPE.test(id)) return false;
  const bytes = Buffer.from(shared);
  const key = Buffer.from(id, 'hex');
  let lo = 0;
  let hi = bytes.length / ID_BYTES - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = bytes.compare(key, 0, ID_BYTES, mid * ID_BYTES, (mid + 1) * ID_BYTES);
    if (c === 0) return true;
    if (c > 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return false;
}
