// A per-page summary of a trace.dat's ring-buffer pages, built by one read that leaves scheduler records out
// (ReadTraceOptions.followTasks) and used by the next such read of the same file, so that the second read passes over
// whole pages without reading them: the pipeline reads a trace.dat twice (model/followed-tasks.ts finds the tasks to
// follow, then the builders read the events of those tasks), and in a large trace most pages hold only scheduler
// records of tasks nobody follows.
//
// Per page: whether it must be read whatever is followed (it holds a record that read delivered: a decoded event, a
// CPU's first sched_switch, a record with a long header; or its header says events were lost), the records it holds
// that are left out by their id (unused events) and the scheduler records it holds (left out unless they name a
// followed task), the tasks those scheduler records name (their pid fields, each pid once), and the times of its first
// and last record and of its first and last record of a used id. A page can be passed over when it need not be read
// and names no followed task: what the reader would have counted and logged for its records is then taken from the
// summary (a page's records are timed again, from the file, only when a line number needs to know how many of them
// come before a given time: TimedPages).
//
// An index is complete only when its read went through the whole stream without a damaged page or a cut end: a
// stream with any problem is read in full again (its warnings then come again, as they should).

import type { DatFile } from './dat-file.js';
import { TWO_32 } from './dat-file.js';

const TWO_27 = 134217728;
const COMMIT_MASK = 0x7ffffff;
/** Pids above this are not summarized (the page is then always read): PID_MAX_LIMIT of 64-bit kernels is 2^22. */
export const MAX_INDEXED_PID = 1 << 22;

/** The summary of one CPU stream's pages (page k starts at byte k * pageSize of the CPU's data). */
export class StreamPageIndex {
  pages = 0;
  /** False once the read that builds it met a damaged page or a cut end: the stream is then read in full. */
  usable = true;
  /** Bit 0: must be read. */
  mustRead = new Uint8Array(1024);
  unused = new Int32Array(1024);
  sched = new Int32Array(1024);
  firstTs = new Float64Array(1024);
  lastTs = new Float64Array(1024);
  /** Times of the page's first and last record of a used id (NaN: none). */
  firstKnown = new Float64Array(1024);
  lastKnown = new Float64Array(1024);
  /** pids[pidEnd[k - 1], pidEnd[k]): the distinct tasks the scheduler records of page k name. */
  pidEnd = new Int32Array(1024);
  pids = new Int32Array(4096);
  pidCount = 0;

  constructor(
    readonly cpu: number,
    readonly offset: number,
    readonly size: number,
    readonly pageSize: number,
  ) {}

  addPage(must: boolean, unused: number, sched: number, firstTs: number, lastTs: number, firstKnown: number, lastKnown: number): void {
    const k = this.pages;
    if (k === this.mustRead.length) this.grow();
    this.mustRead[k] = must ? 1 : 0;
    this.unused[k] = unused;
    this.sched[k] = sched;
    this.firstTs[k] = firstTs;
    this.lastTs[k] = lastTs;
    this.firstKnown[k] = firstKnown;
    this.lastKnown[k] = lastKnown;
    this.pidEnd[k] = this.pidCount;
    this.pages = k + 1;
  }

  addPid(pid: number): void {
    if (this.pidCount === this.pids.length) {
      const grown = new Int32Array(this.pids.length * 2);
      grown.set(this.pids);
      this.pids = grown;
    }
    this.pids[this.pidCount++] = pid;
  }

  /** Whether page k can be passed over when the tasks set in `follow` are followed. */
  canSkip(k: number, follow: Uint8Array): boolean {
    if (this.mustRead[k] !== 0) return false;
    const n = follow.length;
    const pids = this.pids;
    for (let i = k === 0 ? 0 : this.pidEnd[k - 1]!, end = this.pidEnd[k]!; i < end; i++) {
      const pid = pids[i]!;
      if (pid < n && follow[pid] === 1) return false;
    }
    return true;
  }

  private grow(): void {
    const n = this.mustRead.length * 2;
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.mustRead = u8(this.mustRead);
    this.unused = i32(this.unused);
    this.sched = i32(this.sched);
    this.firstTs = f64(this.firstTs);
    this.lastTs = f64(this.lastTs);
    this.firstKnown = f64(this.firstKnown);
    this.lastKnown = f64(this.lastKnown);
    this.pidEnd = i32(this.pidEnd);
  }
}

/** The index of a whole file: its streams in reader order, for the file identified by `key`. */
export interface FilePageIndex {
  key: string;
  streams: StreamPageIndex[];
}

/**
 * The records' times of pages passed over, read again from the file when a line number needs them (one page kept).
 * Only pages of a usable index are read here: their headers are known to be whole.
 */
export class TimedPages {
  private page = -1;
  private count = 0;
  private times: Float64Array;
  private readonly buf: Buffer;
  private readonly dv: DataView;

  constructor(
    private readonly file: DatFile,
    private readonly index: StreamPageIndex,
    private readonly longSize: 4 | 8,
  ) {
    this.buf = Buffer.alloc(index.pageSize);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.times = new Float64Array(index.pageSize >> 2);
  }

  /** How many records of page k come before a record at `ts` (records at `ts` too unless `sameComesAfter`). */
  recordsBefore(k: number, ts: number, sameComesAfter: boolean): number {
    if (this.page !== k) this.load(k);
    const times = this.times;
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = times[mid]!;
      if (t > ts || (t === ts && sameComesAfter)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Walks page k's event headers as CpuStream.advance does, keeping the time of each data record. */
  private load(k: number): void {
    const { index, buf, dv } = this;
    const le = !this.file.bigEndian;
    const start = k * index.pageSize;
    const got = this.file.readInto(buf, 0, Math.min(index.pageSize, index.size - start), index.offset + start);
    let ts = le ? dv.getUint32(4, true) * TWO_32 + dv.getUint32(0, true) : dv.getUint32(0, false) * TWO_32 + dv.getUint32(4, false);
    const commit = this.longSize === 8 && !le ? dv.getUint32(12, false) : dv.getUint32(8, le);
    const headerSize = 8 + this.longSize;
    const end = headerSize + Math.max(0, Math.min(commit & COMMIT_MASK, got - headerSize));
    let at = headerSize;
    let n = 0;
    while (at < end) {
      const word = dv.getUint32(at, le);
      const typeLen = le ? word & 31 : word >>> 27;
      const delta = le ? word >>> 5 : word & COMMIT_MASK;
      if (typeLen >= 1 && typeLen <= 28) {
        ts += delta;
        this.times[n++] = ts;
        at += 4 + (typeLen << 2);
        continue;
      }
      if (at + 8 > end) break;
      const word2 = dv.getUint32(at + 4, le);
      if (typeLen === 0) {
        ts += delta;
        this.times[n++] = ts;
        at += 8 + ((word2 - 4 + 3) & ~3);
      } else if (typeLen === 30) {
        ts += word2 * TWO_27 + delta;
        at += 8;
      } else if (typeLen === 31) {
        ts = ts - (ts % 576460752303423488) + word2 * TWO_27 + delta;
        at += 8;
      } else {
        ts += delta;
        if (word2 === 0 && delta === 0) break;
        at += 4 + word2;
      }
    }
    this.page = k;
    this.count = n;
  }
}
