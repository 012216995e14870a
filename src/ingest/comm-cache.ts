// One string per task comm while a trace is read (each reader has its own cache: trace-event-fields.ts).

import { bytesStartWith, textOf } from './byte-text.js';

/**
 * Comms of the scheduler events, one string per task: a comm whose bytes equal one of the two strings last made
 * for its task is that string, so a trace of millions of switches between a few hundred tasks makes a few
 * hundred strings. Two per task because the TASK column may print `<...>` (comm not saved) where the sched
 * fields print the name, and the idle task, pid 0 on every CPU, is `<idle>` in the TASK column and `swapper/N`
 * in the fields (so pid 0 is keyed by CPU). Bounded: forgotten wholesale past MAX_CACHED_COMMS tasks.
 */
export class CommCache {
  private recent = new Map<number, CachedComm>();
  private older = new Map<number, CachedComm>();

  text(pid: number, cpu: number, b: Buffer, start: number, end: number, ascii: boolean): string {
    const key = pid !== 0 ? pid : -1 - cpu;
    const recent = this.recent.get(key);
    if (recent !== undefined && recent.bytes.length === end - start && bytesStartWith(b, start, end, recent.bytes)) return recent.text;
    const older = this.older.get(key);
    if (older !== undefined && older.bytes.length === end - start && bytesStartWith(b, start, end, older.bytes)) {
      this.older.set(key, recent!);
      this.recent.set(key, older);
      return older.text;
    }
    // A copy: `b` is the reader's buffer, overwritten by the next chunk (Buffer#slice would share its memory).
    const entry: CachedComm = { text: textOf(b, start, end, ascii), bytes: new Uint8Array(b.subarray(start, end)) };
    if (this.recent.size >= MAX_CACHED_COMMS) {
      this.recent = new Map();
      this.older = new Map();
    }
    if (recent !== undefined) this.older.set(key, recent);
    this.recent.set(key, entry);
    return entry.text;
  }
}

/** A comm and a copy of its bytes (compared byte to byte: charCodeAt on the string is slower). */
interface CachedComm {
  text: string;
  bytes: Uint8Array;
}
const MAX_CACHED_COMMS = 1 << 16;
