// One CPU's ring-buffer pages from a trace.dat, event by event. Layout: the kernel's kernel/trace/ring_buffer.c
// (struct buffer_data_page, struct ring_buffer_event, rb_update_event, rb_event_length) as the file's header_page /
// header_event describe it, decoded the way libtraceevent src/kbuffer-parse.c does (kbuffer_load_subbuffer,
// translate_data, update_pointers):
// - page: u64 timestamp, then `commit` (a kernel long, 4 or 8 bytes): bits 0-26 the bytes of events, bit 31 = events
//   were lost before this page, bit 30 = their count is stored as a long right after the events.
// - event: a u32 header, type_len 5 bits and time_delta 27 bits (low bits first in a little-endian file, high bits
//   first in a big-endian one); type_len 1-28: data of type_len*4 bytes follows; 0: a u32 length (data + 4) then data;
//   29 padding (u32 length of the pad), 30 time extend (u32: delta bits 27-58), 31 absolute time stamp (same, replaces
//   the time; its top 5 bits come from the page's).
// Pages are streamed: uncompressed data is read in windows of pages, compressed data (v7) one chunk at a time
// (count u32, then per chunk compressed size u32, uncompressed size u32, one frame).

import type { DatFile } from './dat-file.js';
import { readU64, TWO_32 } from './dat-file.js';
import { decompressBlock, type Compression } from './compression.js';
import { MAX_INDEXED_PID, StreamPageIndex } from './page-index.js';

const TWO_27 = 134217728;
const COMMIT_MASK = 0x7ffffff;

/** What a stream reports besides events: lost events at a page start, damaged pages, a cut end. */
export interface StreamProblems {
  damaged(cpu: number, message: string): void;
}

/** Where a stream logs the records it passes over (read-trace-dat.ts Cursor): one by one, or a page at a time. */
export interface SkipLog {
  push(ts: number): void;
  block(page: number, count: number, firstTs: number, lastTs: number): void;
}

/** pid → the serial of the last page that named it (shared by the streams of one read that builds an index). */
export class PidStamps {
  seen: Int32Array = new Int32Array(1 << 16);
  serial = 0;
  grow(pid: number): Int32Array {
    let n = this.seen.length;
    while (n <= pid) n *= 2;
    const grown = new Int32Array(n);
    grown.set(this.seen);
    this.seen = grown;
    return grown;
  }
}

export class CpuStream {
  /** The current event: its time (raw ring-buffer clock), its data in `buf[data, data + length)`. */
  ts = 0;
  data = 0;
  length = 0;
  buf: Buffer = Buffer.alloc(0);
  dv: DataView = new DataView(new ArrayBuffer(0));
  /** Pages and events read so far (for the cut-file warning). */
  pages = 0;
  events = 0;
  /** Set when a page says events were lost before it (the count, or null when not stored); the reader clears it. */
  lostBefore: number | null | undefined = undefined;
  /** Bytes of the CPU's data (uncompressed) handed out so far. */
  bytesRead = 0;

  /** Pages passed over unread thanks to a page index (for tests and the bench). */
  pagesPassedOver = 0;

  // Building a page index (this read leaves scheduler records out; the next one can pass over pages): the summary of
  // the current page so far. The reader reports what its slow path did with each record (noteSlow).
  private building: StreamPageIndex | null = null;
  private stamps: PidStamps | null = null;
  private pSerial = 0;
  private pMust = false;
  private pUnused = 0;
  private pSched = 0;
  private pFirstTs = NaN;
  private pLastTs = NaN;
  private pFirstKnown = NaN;
  private pLastKnown = NaN;
  private pUnusedBase = 0;
  private pSchedBase = 0;
  // Using a page index: pages that name no followed task are passed over; the window holds pages from winFirst on.
  private using: StreamPageIndex | null = null;
  private follow: Uint8Array = new Uint8Array(0);
  private winFirst = 0;
  /** Where the records passed over go (null: no line numbers). */
  skipLog: SkipLog | null = null;

  /** Whether the current page is cut short by the end of the file (or of the read data). */
  private pageCut = false;
  /** Set when the file ends inside this CPU's data: where. */
  private cutAt: string | null = null;
  private next = 0;
  private dataEnd = 0;
  private pageStart = 0;
  private windowEnd = 0;
  private filePos: number;
  private readonly fileEnd: number;
  private chunksLeft = -1;
  private ended = false;
  private readonly le: boolean;
  private readonly headerSize: number;
  private readonly dataOffset: number;

  constructor(
    private readonly file: DatFile,
    readonly cpu: number,
    offset: number,
    size: number,
    readonly pageSize: number,
    private readonly longSize: 4 | 8,
    private readonly compression: Compression,
    private readonly compressed: boolean,
    private readonly windowBytes: number,
    private readonly problems: StreamProblems,
    readonly label: string,
  ) {
    this.le = !file.bigEndian;
    this.headerSize = 8 + longSize;
    this.dataOffset = offset;
    this.filePos = offset;
    this.fileEnd = offset + size;
    if (size === 0) this.ended = true;
  }

  /** The fast path's counts: records passed over as unused ids, and as scheduler events of tasks not followed. */
  skippedUnused = 0;
  skippedUnfollowed = 0;
  /** Times of the first and last record of a used id passed over by skipUnwanted (NaN: none yet). */
  firstKnown = NaN;
  lastKnown = NaN;

  /**
   * The fast path of a reader that leaves records out (read-trace-dat.ts): passes over the records that follow,
   * within the current page and as long as they have a small header (type_len 1-28) and are left out: ids with
   * kind 0 (not used), and with kind 2 (scheduler events) when neither pid at pidA / pidB is set in `follow`. Stops
   * before any other record (then advance() reads it); `log` receives the time of each record passed over.
   */
  skipUnwanted(kinds: Uint8Array, typeOffset: number, pidA: Int32Array, pidB: Int32Array, follow: Uint8Array | null, stopId: number, log: { push(ts: number): void } | null): void {
    const le = this.le;
    const dv = this.dv;
    const end = this.dataEnd;
    let at = this.next;
    let ts = this.ts;
    let unused = 0;
    let unfollowed = 0;
    while (at + 8 <= end) {
      const word = dv.getUint32(at, le);
      const typeLen = le ? word & 31 : word >>> 27;
      if (typeLen === 0 || typeLen > 28) break;
      const next = at + 4 + (typeLen << 2);
      if (next > end) break;
      const data = at + 4;
      const id = dv.getUint16(data + typeOffset, le);
      const kind = kinds[id]!;
      if (kind === 2) {
        if (follow === null || id === stopId) break;
        const a = dv.getInt32(data + pidA[id]!, le);
        if (a >= 0 && a < follow.length && follow[a] === 1) break;
        const bAt = pidB[id]!;
        if (bAt >= 0) {
          const b = dv.getInt32(data + bAt, le);
          if (b >= 0 && b < follow.length && follow[b] === 1) break;
        }
        ts += le ? word >>> 5 : word & COMMIT_MASK;
        if (this.firstKnown !== this.firstKnown) this.firstKnown = ts;
        this.lastKnown = ts;
        unfollowed++;
      } else if (kind === 0) {
        ts += le ? word >>> 5 : word & COMMIT_MASK;
        unused++;
      } else break;
      if (log !== null) log.push(ts);
      at = next;
    }
    this.next = at;
    this.ts = ts;
    this.events += unused + unfollowed;
    this.skippedUnused += unused;
    this.skippedUnfollowed += unfollowed;
  }

  /**
   * skipUnwanted for a read that builds a page index (startIndex): the same, and the tasks of the scheduler records
   * passed over are noted for the page, with the times of the page's used records.
   */
  skipUnwantedIndexing(kinds: Uint8Array, typeOffset: number, pidA: Int32Array, pidB: Int32Array, follow: Uint8Array | null, stopId: number, log: SkipLog | null): void {
    const le = this.le;
    const dv = this.dv;
    const end = this.dataEnd;
    const index = this.building!;
    const serial = this.pSerial;
    let seen: Int32Array = this.stamps!.seen;
    let at = this.next;
    let ts = this.ts;
    let unused = 0;
    let unfollowed = 0;
    let firstKnown = this.pFirstKnown;
    let lastKnown = this.pLastKnown;
    while (at + 8 <= end) {
      const word = dv.getUint32(at, le);
      const typeLen = le ? word & 31 : word >>> 27;
      if (typeLen === 0 || typeLen > 28) break;
      const next = at + 4 + (typeLen << 2);
      if (next > end) break;
      const data = at + 4;
      const id = dv.getUint16(data + typeOffset, le);
      const kind = kinds[id]!;
      if (kind === 2) {
        if (follow === null || id === stopId) break;
        const a = dv.getInt32(data + pidA[id]!, le);
        if (a >= 0 && a < follow.length && follow[a] === 1) break;
        const bAt = pidB[id]!;
        let b = -1;
        if (bAt >= 0) {
          b = dv.getInt32(data + bAt, le);
          if (b >= 0 && b < follow.length && follow[b] === 1) break;
        }
        if (a >= 0 && a < seen.length) {
          if (seen[a] !== serial) {
            seen[a] = serial;
            index.addPid(a);
          }
        } else seen = this.notePid(a);
        if (b >= 0 && b < seen.length) {
          if (seen[b] !== serial) {
            seen[b] = serial;
            index.addPid(b);
          }
        } else if (bAt >= 0) seen = this.notePid(b);
        ts += le ? word >>> 5 : word & COMMIT_MASK;
        if (firstKnown !== firstKnown) firstKnown = ts;
        lastKnown = ts;
        if (this.firstKnown !== this.firstKnown) this.firstKnown = ts;
        this.lastKnown = ts;
        unfollowed++;
      } else if (kind === 0) {
        ts += le ? word >>> 5 : word & COMMIT_MASK;
        unused++;
      } else break;
      if (log !== null) log.push(ts);
      at = next;
    }
    if (unused + unfollowed > 0) this.pLastTs = ts;
    this.pFirstKnown = firstKnown;
    this.pLastKnown = lastKnown;
    this.next = at;
    this.ts = ts;
    this.events += unused + unfollowed;
    this.skippedUnused += unused;
    this.skippedUnfollowed += unfollowed;
  }

  /** A pid outside the stamp table: the table grows, up to MAX_INDEXED_PID; beyond it the page is always read. */
  private notePid(pid: number): Int32Array {
    const stamps = this.stamps!;
    if (pid < 0 || pid >= MAX_INDEXED_PID) {
      this.pMust = true;
      return stamps.seen;
    }
    const seen = pid < stamps.seen.length ? stamps.seen : stamps.grow(pid);
    if (seen[pid] !== this.pSerial) {
      seen[pid] = this.pSerial;
      this.building!.addPid(pid);
    }
    return seen;
  }

  /** Builds a page index of this stream while it is read (the reader then reports its slow path with noteSlow). */
  startIndex(stamps: PidStamps): void {
    this.building = new StreamPageIndex(this.cpu, this.dataOffset, this.fileEnd - this.dataOffset, this.pageSize);
    this.stamps = stamps;
    if (this.compressed) this.building.usable = false;
  }

  /** The index built, once the stream was read to its end (null when it could not be used). */
  builtIndex(): StreamPageIndex | null {
    const index = this.building;
    return index !== null && index.usable && this.ended ? index : null;
  }

  /** Passes over the pages of `index` that name no task set in `follow` (the index of an earlier read of this file). */
  useIndex(index: StreamPageIndex, follow: Uint8Array): void {
    this.using = index;
    this.follow = follow;
  }

  /**
   * What the reader did with the record advance() returned (when building an index): delivered it (the page must be
   * read), or passed over a record of an unused id (kind 0) or a scheduler record naming tasks a and b (kind 2).
   */
  noteSlow(delivered: boolean, kind: number, a: number, b: number): void {
    if (delivered) {
      this.pMust = true;
      return;
    }
    if (kind === 0) {
      this.pUnused++;
      return;
    }
    this.pSched++;
    if (this.pFirstKnown !== this.pFirstKnown) this.pFirstKnown = this.ts;
    this.pLastKnown = this.ts;
    this.notePid(a);
    if (b !== -1) this.notePid(b);
  }

  /** Closes the summary of the page read last (building an index). */
  private finishPage(): void {
    const index = this.building!;
    if (index.pages >= this.pages) return;
    const unused = this.pUnused + this.skippedUnused - this.pUnusedBase;
    const sched = this.pSched + this.skippedUnfollowed - this.pSchedBase;
    index.addPage(this.pMust, unused, sched, this.pFirstTs, this.pLastTs, this.pFirstKnown, this.pLastKnown);
  }

  /** Starts the summary of a page (building an index). */
  private startPage(): void {
    this.pSerial = ++this.stamps!.serial;
    this.pMust = false;
    this.pUnused = 0;
    this.pSched = 0;
    this.pFirstTs = NaN;
    this.pLastTs = NaN;
    this.pFirstKnown = NaN;
    this.pLastKnown = NaN;
    this.pUnusedBase = this.skippedUnused;
    this.pSchedBase = this.skippedUnfollowed;
  }

  private damaged(message: string): void {
    if (this.building !== null) this.building.usable = false;
    this.problems.damaged(this.cpu, message);
  }

  /** Moves to the next data event; false at the end of the CPU's data. */
  advance(): boolean {
    const le = this.le;
    for (;;) {
      const at = this.next;
      if (at >= this.dataEnd) {
        if (!this.nextPage()) {
          if (this.cutAt !== null) {
            this.damaged(`${this.label}CPU ${this.cpu}: ${this.cutAt} (file cut?): ${this.events} events in ${this.pages} pages were read, the rest of this CPU's events is missing`);
            this.cutAt = null;
          }
          return false;
        }
        continue;
      }
      const dv = this.dv;
      const word = dv.getUint32(at, le);
      const typeLen = le ? word & 31 : word >>> 27;
      const delta = le ? word >>> 5 : word & COMMIT_MASK;
      if (typeLen >= 1 && typeLen <= 28) {
        this.ts += delta;
        this.data = at + 4;
        this.length = typeLen << 2;
        this.next = at + 4 + (typeLen << 2);
        if (this.next > this.dataEnd) return this.cutEvent();
        this.events++;
        if (this.building !== null) {
          if (this.pFirstTs !== this.pFirstTs) this.pFirstTs = this.ts;
          this.pLastTs = this.ts;
        }
        return true;
      }
      if (at + 8 > this.dataEnd) {
        // A 4-byte pad at the very end of the data is harmless; anything else is cut.
        if (typeLen === 29) {
          this.next = this.dataEnd;
          continue;
        }
        return this.cutEvent();
      }
      const word2 = dv.getUint32(at + 4, le);
      if (typeLen === 0) {
        // kbuffer translate_data: length = array[0] - 4, rounded up to 4 bytes, after the array[0] word.
        const length = (word2 - 4 + 3) & ~3;
        this.ts += delta;
        this.data = at + 8;
        this.length = length;
        this.next = at + 8 + length;
        if (word2 < 4 || this.next > this.dataEnd) return this.cutEvent();
        this.events++;
        if (this.building !== null) {
          // Records with a long header are left to the slow path: their page is always read.
          this.pMust = true;
          if (this.pFirstTs !== this.pFirstTs) this.pFirstTs = this.ts;
          this.pLastTs = this.ts;
        }
        return true;
      }
      if (typeLen === 30) {
        this.ts += word2 * TWO_27 + delta;
        this.next = at + 8;
      } else if (typeLen === 31) {
        const msb = this.ts - (this.ts % 576460752303423488); // the top 5 bits (2^59) of the current time
        this.ts = msb + word2 * TWO_27 + delta;
        this.next = at + 8;
      } else {
        // Padding (a discarded event keeps its delta); a zero-delta pad with no length ends the page.
        this.ts += delta;
        if (word2 === 0 && delta === 0) this.next = this.dataEnd;
        else this.next = at + 4 + word2;
      }
    }
  }

  /**
   * An event header that claims bytes beyond the page's data: the page is damaged; the rest of it is skipped. In the
   * last page of a cut file that is only the cut (reported once the stream ends).
   */
  private cutEvent(): boolean {
    if (this.pageCut) {
      if (this.building !== null) this.building.usable = false;
    } else this.damaged(`${this.label}CPU ${this.cpu}: an event in page ${this.pages} runs past the page's data; the rest of that page is skipped`);
    this.next = this.dataEnd;
    return this.advance();
  }

  /** Loads the next page (reading the next window or chunk when needed); false at the end. */
  private nextPage(): boolean {
    if (this.using !== null) return this.nextIndexedPage();
    if (this.building !== null) this.finishPage();
    let start = this.pages === 0 && this.windowEnd === 0 ? 0 : this.pageStart + this.pageSize;
    if (start + this.headerSize > this.windowEnd) {
      if (!this.nextWindow(start)) return false;
      start = 0;
    }
    if (this.building !== null) this.startPage();
    return this.loadPage(start);
  }

  /**
   * The next page with a page index: the pages before it that name no followed task are passed over (counted and
   * logged from the index, not read); it is read with the run of needed pages that follows it.
   */
  private nextIndexedPage(): boolean {
    const index = this.using!;
    const follow = this.follow;
    let k = this.pages;
    while (k < index.pages && index.canSkip(k, follow)) {
      const unused = index.unused[k]!;
      const sched = index.sched[k]!;
      this.skippedUnused += unused;
      this.skippedUnfollowed += sched;
      this.events += unused + sched;
      const firstKnown = index.firstKnown[k]!;
      if (firstKnown === firstKnown) {
        if (this.firstKnown !== this.firstKnown) this.firstKnown = firstKnown;
        this.lastKnown = index.lastKnown[k]!;
      }
      if (this.skipLog !== null && unused + sched > 0) this.skipLog.block(k, unused + sched, index.firstTs[k]!, index.lastTs[k]!);
      this.pagesPassedOver++;
      k++;
    }
    this.pages = k;
    if (k >= index.pages) return this.end();
    const pageSize = this.pageSize;
    if (k < this.winFirst || (k - this.winFirst) * pageSize + this.headerSize > this.windowEnd) {
      // The run of pages needed from k on (gaps of up to two pages passed over are read along: one read is cheaper).
      const maxPages = Math.max(1, Math.floor(this.windowBytes / pageSize));
      let last = k;
      for (let j = k + 1, n = Math.min(index.pages, k + maxPages); j < n && j <= last + 3; j++) if (!index.canSkip(j, follow)) last = j;
      const from = k * pageSize;
      const want = Math.min((last + 1) * pageSize, index.size) - from;
      if (this.buf.length < want) this.setBuffer(Buffer.allocUnsafe(Math.max(want, this.windowBytes)));
      const got = this.file.readInto(this.buf, 0, want, this.dataOffset + from);
      if (got < this.headerSize) return this.end();
      this.winFirst = k;
      this.windowEnd = got;
    }
    return this.loadPage((k - this.winFirst) * pageSize);
  }

  /** Decodes the header of the page at buf[start]. */
  private loadPage(start: number): boolean {
    this.pageStart = start;
    this.pages++;
    const dv = this.dv;
    const le = this.le;
    this.ts = le ? dv.getUint32(start + 4, true) * TWO_32 + dv.getUint32(start, true) : dv.getUint32(start, false) * TWO_32 + dv.getUint32(start + 4, false);
    // The commit word's low 32 bits hold the size and the flags (bits 30, 31).
    const commit = this.longSize === 8 && !le ? dv.getUint32(start + 12, false) : dv.getUint32(start + 8, le);
    const size = commit & COMMIT_MASK;
    const data = start + this.headerSize;
    const available = Math.min(this.windowEnd, start + this.pageSize) - data;
    if (size > this.pageSize - this.headerSize) {
      this.damaged(`${this.label}CPU ${this.cpu}: page ${this.pages} claims ${size} bytes of events in a ${this.pageSize}-byte page; page skipped`);
      this.next = this.dataEnd = data;
      return true;
    }
    // The file may end inside this page (the last page of a cut file): the events that are wholly there are read.
    this.dataEnd = data + Math.max(0, Math.min(size, available));
    this.pageCut = available < size;
    this.next = data;
    if (commit & 0x80000000) {
      if (this.building !== null) this.pMust = true;
      let count: number | null = null;
      if (commit & 0x40000000 && size + this.longSize <= available) {
        count = this.longSize === 8 ? readU64(this.buf, data + size, !le) : dv.getUint32(data + size, le);
      }
      this.lostBefore = count;
    }
    return true;
  }

  /** Reads the next window of pages (or decompresses the next chunk) into buf; false at the end of the data. */
  private nextWindow(consumedTo: number): boolean {
    if (this.ended) return false;
    this.bytesRead += Math.min(consumedTo, this.windowEnd);
    if (this.compressed) return this.nextChunk();
    const left = this.fileEnd - this.filePos;
    if (left <= 0) return this.end();
    const want = Math.min(left, this.windowBytes);
    if (this.buf.length < want) this.setBuffer(Buffer.allocUnsafe(Math.max(want, this.windowBytes)));
    const got = this.file.readInto(this.buf, 0, want, this.filePos);
    this.filePos += got;
    if (got < want) {
      // The CPU's data goes past the end of the file: the file was cut. What is there is read.
      this.cutAt = `its data should end at byte ${this.fileEnd} but the file ends at byte ${this.file.size}`;
      this.ended = true;
      if (got < this.headerSize) return false;
    }
    this.windowEnd = got;
    return true;
  }

  private nextChunk(): boolean {
    if (this.chunksLeft < 0) {
      if (this.filePos + 4 > this.file.size) return this.cutChunk('its chunk count');
      const head = Buffer.allocUnsafe(4);
      this.file.readInto(head, 0, 4, this.filePos);
      this.chunksLeft = this.le ? head.readUInt32LE(0) : head.readUInt32BE(0);
      this.filePos += 4;
    }
    if (this.chunksLeft === 0) return this.end();
    const sizes = Buffer.allocUnsafe(8);
    if (this.file.readInto(sizes, 0, 8, this.filePos) < 8) return this.cutChunk('a chunk header');
    const zsize = this.le ? sizes.readUInt32LE(0) : sizes.readUInt32BE(0);
    const usize = this.le ? sizes.readUInt32LE(4) : sizes.readUInt32BE(4);
    const at = this.filePos + 8;
    if (at + zsize > this.file.size) return this.cutChunk(`a ${zsize}-byte chunk at byte ${at}`);
    const input = Buffer.allocUnsafe(zsize);
    this.file.readInto(input, 0, zsize, at);
    this.filePos = at + zsize;
    this.chunksLeft--;
    let out: Buffer;
    try {
      out = decompressBlock(this.compression, input, usize, this.buf.length >= usize ? this.buf : undefined);
    } catch (err) {
      this.damaged(`${this.label}CPU ${this.cpu}: the chunk at byte ${at} does not decompress (${(err as Error).message}); the rest of this CPU's data is skipped`);
      return this.end();
    }
    if (out !== this.buf) this.setBuffer(out);
    this.windowEnd = usize;
    return true;
  }

  private cutChunk(what: string): boolean {
    this.cutAt = `the file ends (byte ${this.file.size}) before ${what}`;
    return this.end();
  }

  private end(): boolean {
    this.ended = true;
    this.windowEnd = 0;
    return false;
  }

  private setBuffer(buf: Buffer): void {
    this.buf = buf;
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
}
