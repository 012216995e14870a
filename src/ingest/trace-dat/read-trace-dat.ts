// trace-cmd's binary trace.dat (`trace-cmd record` / `extract`), file versions 6 and 7, either byte order, 4- or
// 8-byte kernel longs, zstd / zlib / no compression: the same TraceEvents the text parsers give for the same
// recording (as `/sys/kernel/tracing/trace` or `trace-cmd report` text), with no text in between.
// Modules: dat-file.ts (bytes, errors), file-header.ts (header, v6 layout, v7 sections), options.ts, compression.ts,
// event-formats.ts (the file's format texts), ring-buffer.ts (per-CPU pages), event-decoders.ts (records →
// TraceEvents), kallsyms.ts and cmdlines.ts (names). Checked against trace-cmd 3.1.6 files from Linux 6.1.176
// (the dat-n0x3 capture: v7 zstd, v6, v7 uncompressed) and 6.18 (fixtures/trace-dat, recorded here: instances in v6
// and v7 files, overruns, __data_loc comms), and the trace-cmd 3.4 / libtraceevent 1.8 sources. zlib: on zlib copies of
// those zstd files and on a file written by `trace-cmd convert --compression zlib` of a trace-cmd built with zlib
// (test/ingest/trace-dat/zlib.test.ts; this machine's trace-cmd has none). Sub-buffers other than 4 KB are read as the
// sources say but were not recorded (this machine's kernel refuses buffer_subbuf_size_kb).
//
// Per-CPU streams are merged by time as the kernel's trace file and trace-cmd report merge them (the earliest first;
// on equal times the lower CPU). Every record counts as one line of `trace-cmd report` output (line 1 is its
// `cpus=N`), so a diagnostic's line is where the record is in that report. Records of events trace-probe does not use
// are skipped by their id without being decoded. Times: the raw ring-buffer clock, converted to ns by the TSC2NSEC
// option when present (trace-cmd --tsc2nsec), plus the OFFSET option; counter clocks (counter, uptime, x86-tsc
// without TSC2NSEC) stay counts, as the kernel prints them.

import { fstatSync } from 'node:fs';
import type { Cpu, Pid } from '../../core/units.js';
import type { DiagnosticSink } from '../kernel-log.js';
import type { ReadTraceOptions, ReadTraceResult, TraceEvent } from '../trace-events.types.js';
import { TraceCollector, newEventContext } from '../trace-collector.js';
import { CommCache } from '../comm-cache.js';
import { Cmdlines } from './cmdlines.js';
import { droppedEvents } from './cpu-stats.js';
import { DatFile } from './dat-file.js';
import { buildDecoders, DECODED_EVENTS, UNUSED, type DecoderSet } from './event-decoders.js';
import { parseEventFormat, type EventFormat } from './event-formats.js';
import { readMetadata, readSectionHeader, type DatMetadata } from './file-header.js';
import { Kallsyms } from './kallsyms.js';
import { StreamPageIndex, TimedPages, type FilePageIndex } from './page-index.js';
import { CpuStream, PidStamps, type SkipLog, type StreamProblems } from './ring-buffer.js';

/** Clocks whose ring-buffer values are counts, not ns (kernel/trace/trace.c trace_clocks[] with in_ns = 0). */
const COUNT_CLOCKS = new Set(['counter', 'uptime', 'x86-tsc', 'ppc-tb']);
const MAX_DAMAGE_DIAGNOSTICS = 20;

/** Whether the first bytes of a file are trace.dat's magic. */
export function isTraceDat(head: Uint8Array): boolean {
  const magic = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67];
  if (head.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[i] !== magic[i]) return false;
  return true;
}

export function readTraceDat(path: string, onEvent: (event: TraceEvent) => void, onDiagnostic: DiagnosticSink, options: ReadTraceOptions = {}): ReadTraceResult {
  const file = new DatFile(path);
  try {
    return readOpened(file, onEvent, onDiagnostic, options);
  } finally {
    file.close();
  }
}

/** Scheduler events whose tasks can be read before decoding (ReadTraceOptions.followTask): their pid fields. */
const SCHED_TASK_FIELDS: Record<string, string[]> = {
  sched_switch: ['prev_pid', 'next_pid'],
  sched_wakeup: ['pid'],
  sched_wakeup_new: ['pid'],
  sched_waking: ['pid'],
  sched_migrate_task: ['pid'],
};

/**
 * What a read learns of a file before its pages (the formats of the events it decodes, their decoders, the ids'
 * kinds, kallsyms, saved cmdlines) and the page index a filtered read builds: kept for the next read of the same
 * file (same path, size, mtime and inode). The pipeline reads a trace.dat twice (model/followed-tasks.ts, then the
 * builders) and the simulator's calibration once more; the second read then also runs the decoders the first one
 * warmed up (a decoder is a closure: new closures would start cold).
 */
interface DatSession {
  key: string;
  meta: DatMetadata;
  names: string[];
  decoders: DecoderSet;
  badFormats: number;
  typeOffset: number;
  typeSize: number;
  pidOffset: number;
  /** Per event id: 0 = not used (counted), 1 = decoded, 2 = a scheduler event decoded only for followed tasks. */
  kinds: Uint8Array;
  /** kinds without 2s: for reads that follow every task. */
  kindsAll: Uint8Array;
  /** Offsets of the kind-2 events' pid fields (-1: none). */
  pidA: Int32Array;
  pidB: Int32Array;
  switchId: number;
  cmdlines: Cmdlines;
  kallsyms: LazyKallsyms;
  pageIndex: FilePageIndex | null;
}
let lastSession: DatSession | null = null;

function sessionOf(file: DatFile): DatSession {
  const stat = fstatSync(file.fd);
  const key = `${file.path}\0${stat.size}\0${stat.mtimeMs}\0${stat.ino}`;
  if (lastSession?.key === key) {
    file.bigEndian = lastSession.meta.bigEndian;
    lastSession.kallsyms.file = file;
    return lastSession;
  }
  const meta = readMetadata(file);
  const le = !meta.bigEndian;
  // Only the formats of decoded events are parsed (a file holds a thousand or more), and one for the common fields.
  const formats: EventFormat[] = [];
  let badFormats = 0;
  for (const { system, text } of meta.eventFormats) {
    const nameEnd = text.indexOf('\n');
    const name = text.startsWith('name:') ? text.slice(5, nameEnd < 0 ? text.length : nameEnd).trim() : null;
    if (name !== null && formats.length > 0 && !DECODED_EVENTS.has(name)) continue;
    const f = parseEventFormat(system, text);
    if (f === null) badFormats++;
    else formats.push(f);
  }
  const kallsyms = new LazyKallsyms(meta, file);
  // The session's own comm cache: its decoders outlive one read (the strings are the same whichever read made them).
  const decoders = buildDecoders(formats, kallsyms as unknown as Kallsyms, le, new CommCache());
  const names: string[] = [];
  for (const f of formats) names[f.id] = f.name;
  const common = formats[0]?.fields;
  const typeField = common?.get('common_type') ?? { offset: 0, size: 2 };
  const pidField = common?.get('common_pid') ?? { offset: 4, size: 4 };
  if (typeField.size !== 2 && typeField.size !== 1 && typeField.size !== 4) file.fail(0, 'event formats', `common_type of ${typeField.size} bytes`);
  const kinds = new Uint8Array(1 << 16);
  const kindsAll = new Uint8Array(1 << 16);
  const pidA = new Int32Array(1 << 16).fill(-1);
  const pidB = new Int32Array(1 << 16).fill(-1);
  for (const f of formats) {
    if (decoders.byId[f.id] === undefined || f.id >= 1 << 16) continue;
    kinds[f.id] = 1;
    kindsAll[f.id] = 1;
    const fields = SCHED_TASK_FIELDS[f.name]?.map((n) => f.fields.get(n));
    if (fields !== undefined && fields.every((x) => x !== undefined && x.size === 4)) {
      kinds[f.id] = 2;
      pidA[f.id] = fields[0]!.offset;
      if (fields[1] !== undefined) pidB[f.id] = fields[1].offset;
    }
  }
  lastSession = {
    key,
    meta,
    names,
    decoders,
    badFormats,
    typeOffset: typeField.offset,
    typeSize: typeField.size,
    pidOffset: pidField.offset,
    kinds,
    kindsAll,
    pidA,
    pidB,
    switchId: formats.find((f) => f.name === 'sched_switch')?.id ?? -1,
    cmdlines: new Cmdlines(meta.cmdlines),
    kallsyms,
    pageIndex: null,
  };
  return lastSession;
}

function readOpened(file: DatFile, onEvent: (event: TraceEvent) => void, onDiagnostic: DiagnosticSink, options: ReadTraceOptions): ReadTraceResult {
  const path = file.path;
  const session = sessionOf(file);
  const meta = session.meta;
  const collector = new TraceCollector(path, onEvent, onDiagnostic);
  const header = collector.header;
  header.cpus = meta.cpus;
  if (session.badFormats > 0) collector.warn(null, `${session.badFormats} event format(s) in the file have no name or ID: their events are counted, not read`);
  for (const u of session.decoders.unusable) collector.warn(null, `event ${u.name}: its format has no ${u.missing} field: its events are counted, not used`);
  const followTasks = options.followTasks ?? null;
  let follow: Uint8Array | null = null;
  if (followTasks !== null) {
    let max = 0;
    for (const pid of followTasks) if (pid > max && pid < 1 << 26) max = pid;
    follow = new Uint8Array(max + 1);
    for (const pid of followTasks) if (pid >= 0 && pid <= max) follow[pid] = 1;
  }

  const clock = dataClock(meta);
  const tsc = meta.options.tsc2nsec;
  const countClock = clock !== null && COUNT_CLOCKS.has(clock) && tsc === null;
  header.clockUnit = countClock ? 'count' : 'ns';
  if (meta.options.timeShift) collector.warn(null, 'the file holds host/guest time-sync data (TIME_SHIFT): times are read as recorded in the guest, without the host correction');
  const time = new TimeScale(tsc, meta.options.offsetNs);

  let damage = 0;
  const streams = openStreams(file, meta, {
    damaged(_cpu, message) {
      damage++;
      if (damage <= MAX_DAMAGE_DIAGNOSTICS) collector.warn(null, message);
    },
  }, collector);
  // Events the kernel dropped because a buffer was full (no overwrite): only the file's CPU stats count them.
  const clockOfData = dataClock(meta);
  const readBuffers = new Set(meta.buffers.filter((b) => hasData(b) && b.clock === clockOfData).map((b) => b.name));
  for (const d of droppedEvents(meta.options.cpuStats)) {
    if (!readBuffers.has(d.buffer)) continue;
    collector.warn(null, `${d.buffer === '' ? '' : `instance "${d.buffer}": `}CPU ${d.cpu}: the kernel dropped ${d.count} events because the buffer was full (the file's CPU stats; not in overwrite mode): this CPU's trace misses them, and the file does not say where`);
  }
  const cursors = streams.map((s, order) => new Cursor(s, order));
  const lineNumbers = options.lineNumbers !== false;
  const merge = new RecordMerge(session, !meta.bigEndian, follow, lineNumbers, collector);
  if (lineNumbers) for (const c of cursors) c.stream.skipLog = c;
  // A read that leaves scheduler records out passes over the pages an earlier such read of this file summarized
  // (page-index.ts), or summarizes them for the next read.
  let building = false;
  if (follow !== null && merge.fastPath) {
    const index = session.pageIndex !== null && session.pageIndex.streams.length === streams.length ? session.pageIndex : null;
    if (index !== null) {
      streams.forEach((s, k) => {
        const si = index.streams[k];
        if (si !== undefined && si.usable && si.cpu === s.cpu && si.pageSize === s.pageSize) {
          s.useIndex(si, follow!);
          cursors[k]!.timed = new TimedPages(file, si, meta.longSize);
        }
      });
    } else {
      building = true;
      const stamps = new PidStamps();
      for (const c of cursors) {
        c.stream.startIndex(stamps);
        c.indexing = true;
      }
    }
  }

  const lostLines = merge.run(cursors, path, time);
  let lines = 1 + lostLines;
  let firstRaw = NaN;
  let lastRaw = NaN;
  let sawSwitch = false;
  let filtered = merge.filtered;
  for (const c of cursors) {
    const s = c.stream;
    c.consumed += s.skippedUnused + s.skippedUnfollowed;
    collector.unknownEvents += s.skippedUnused;
    filtered += s.skippedUnfollowed;
    // The fast path's known records interleave with the slow path's: the earliest and latest of both.
    if (s.firstKnown === s.firstKnown && !(c.firstKnown <= s.firstKnown)) c.firstKnown = s.firstKnown;
    if (s.lastKnown === s.lastKnown && !(c.lastKnown >= s.lastKnown)) c.lastKnown = s.lastKnown;
    lines += c.consumed;
    if (c.firstKnown === c.firstKnown && !(c.firstKnown >= firstRaw)) firstRaw = c.firstKnown;
    if (c.lastKnown === c.lastKnown && !(c.lastKnown <= lastRaw)) lastRaw = c.lastKnown;
    if (c.sawSwitch) sawSwitch = true;
  }
  if (building) {
    const built = streams.map((s) => s.builtIndex());
    if (built.some((x) => x !== null)) session.pageIndex = { key: session.key, streams: built.map((x) => x ?? UNUSABLE_INDEX) };
  }
  if (damage > MAX_DAMAGE_DIAGNOSTICS) collector.warn(null, `${damage - MAX_DAMAGE_DIAGNOSTICS} more damaged pages or cut CPU data (first ${MAX_DAMAGE_DIAGNOSTICS} reported)`);
  collector.finish({ lines, bytes: file.size, unterminated: false });
  const result: ReadTraceResult = { header, lines, events: collector.events, unknownEvents: collector.unknownEvents };
  if (follow !== null) {
    const pagesPassedOver = streams.reduce((n, s) => n + s.pagesPassedOver, 0);
    result.filtered = { events: filtered, firstNs: firstRaw === firstRaw ? time.ns(firstRaw) : null, lastNs: lastRaw === lastRaw ? time.ns(lastRaw) : null, schedSwitch: sawSwitch, pagesPassedOver };
  }
  return result;
}

/** Raw ring-buffer times to ns: TSC2NSEC's mult / 2^shift when present, plus the OFFSET option. */
class TimeScale {
  private readonly scale: number;
  private readonly tsc: boolean;
  constructor(
    tsc: { mult: number; shift: number } | null,
    private readonly offsetNs: number,
  ) {
    this.tsc = tsc !== null;
    this.scale = tsc !== null ? tsc.mult / 2 ** tsc.shift : 1;
  }
  ns(raw: number): number {
    return (this.tsc ? Math.floor(raw * this.scale) : raw) + this.offsetNs;
  }
}

/**
 * The merge of the CPU streams by time, decoding the records it delivers. Methods, not closures made per read: the
 * second read of a file runs the code the first one warmed up.
 */
class RecordMerge {
  /** Scheduler records left out (their tasks not followed) by the slow path. */
  filtered = 0;
  /** The pid of the record decoded last, and its comm from the saved cmdlines. */
  private lastPid = -1;
  private lastComm = '';
  readonly fastPath: boolean;
  private readonly kinds: Uint8Array;
  private readonly heap: Cursor[] = [];

  constructor(
    private readonly session: DatSession,
    private readonly le: boolean,
    private readonly follow: Uint8Array | null,
    private readonly lineNumbers: boolean,
    private readonly collector: TraceCollector,
  ) {
    this.fastPath = session.typeSize === 2;
    this.kinds = follow !== null ? session.kinds : session.kindsAll;
  }

  private id(dv: DataView, data: number): number {
    const { typeSize, typeOffset } = this.session;
    return typeSize === 2 ? dv.getUint16(data + typeOffset, this.le) : typeSize === 1 ? dv.getUint8(data + typeOffset) : dv.getUint32(data + typeOffset, this.le);
  }

  /**
   * Moves a stream to its next record to decode. The records passed over (unused ids, scheduler events of tasks not
   * followed) are counted, and their times logged until the stream next delivers, for the report line numbers.
   */
  nextWanted(c: Cursor): boolean {
    const s = c.stream;
    const indexing = c.indexing;
    const { kinds, follow, lineNumbers, le } = this;
    const { typeOffset, pidA, pidB, switchId } = this.session;
    for (;;) {
      if (indexing) s.skipUnwantedIndexing(kinds, typeOffset, pidA, pidB, follow, c.sawSwitch ? -1 : switchId, lineNumbers ? c : null);
      else if (this.fastPath) s.skipUnwanted(kinds, typeOffset, pidA, pidB, follow, c.sawSwitch ? -1 : switchId, lineNumbers ? c : null);
      if (!s.advance()) return false;
      c.consumed++;
      const dv = s.dv;
      const data = s.data;
      const id = this.id(dv, data);
      const kind = kinds[id & 0xffff]!;
      if (kind === 0 || id > 0xffff) {
        this.collector.unknownEvents++;
        if (indexing) s.noteSlow(false, 0, -1, -1);
        if (s.lostBefore !== undefined) return this.noteOnly(c);
        if (lineNumbers) c.skip(s.ts);
        continue;
      }
      if (c.firstKnown !== c.firstKnown) c.firstKnown = s.ts;
      c.lastKnown = s.ts;
      if (kind === 2) {
        // The first sched_switch of each CPU is always delivered (the builders learn that the trace has them).
        if (id === switchId && !c.sawSwitch) c.sawSwitch = true;
        else {
          const a = dv.getInt32(data + pidA[id]!, le);
          const b = pidB[id]! >= 0 ? dv.getInt32(data + pidB[id]!, le) : -1;
          if (!(a >= 0 && a < follow!.length && follow![a] === 1) && !(b >= 0 && b < follow!.length && follow![b] === 1)) {
            this.filtered++;
            if (indexing) s.noteSlow(false, 2, a, b);
            if (s.lostBefore !== undefined) return this.noteOnly(c);
            if (lineNumbers) c.skip(s.ts);
            continue;
          }
        }
      }
      if (indexing) s.noteSlow(true, kind, -1, -1);
      return true;
    }
  }

  /**
   * A record left out that is the first of a page after lost events: the merge stops at it only to place the
   * lost-events note where `trace-cmd report` prints it (before that record), then passes over it.
   */
  private noteOnly(c: Cursor): boolean {
    c.noteOnly = true;
    return true;
  }

  /** Whether cursor a's waiting record comes before b's: earlier, or as early from a lower merge order. */
  private less(a: Cursor, b: Cursor): boolean {
    return a.stream.ts < b.stream.ts || (a.stream.ts === b.stream.ts && a.order < b.order);
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(heap[child + 1]!, heap[child]!)) child++;
      if (!this.less(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }

  /** Delivers every record to decode in time order; returns the lines of lost-event notes (trace-cmd report's). */
  run(cursors: Cursor[], path: string, time: TimeScale): number {
    const heap = this.heap;
    // Min-heap of cursors by (ts, order): the one with the earliest next record to decode on top.
    for (const c of cursors) {
      if (!this.nextWanted(c)) {
        c.hasWaiting = false;
        continue;
      }
      heap.push(c);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.less(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    }
    const { collector, lineNumbers } = this;
    const header = collector.header;
    const ctx = newEventContext();
    let lostLines = 0;
    while (heap.length > 0) {
      const c = heap[0]!;
      const s = c.stream;
      const cpu = s.cpu;
      const raw = s.ts;
      // Its line in `trace-cmd report`: after line 1 (cpus=N), every record before it in time order on every CPU.
      let line = 1 + lostLines + c.consumed + s.skippedUnused + s.skippedUnfollowed;
      if (lineNumbers) {
        for (let k = 0; k < cursors.length; k++) {
          const o = cursors[k]!;
          if (o !== c) line += o.recordsBefore(raw, c.order);
        }
      }
      c.delivered();
      if (s.lostBefore !== undefined) {
        const count = s.lostBefore;
        s.lostBefore = undefined;
        header.lostEvents.push({ cpu: cpu as Cpu, count, source: { file: path, line } });
        collector.warn(line, `CPU ${cpu}: ${count ?? 'an unknown number of'} events lost here (ring buffer overrun): spans crossing this point on CPU ${cpu} are incomplete`);
        lostLines++;
        line++;
      }
      if (c.noteOnly) c.noteOnly = false;
      else this.decode(c, path, line, time, ctx);
      if (this.nextWanted(c)) this.siftDown(0);
      else {
        c.hasWaiting = false;
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          this.siftDown(0);
        }
      }
    }
    return lostLines;
  }

  /** Decodes the record cursor c waits with, on report line `line`, and hands its event on. */
  private decode(c: Cursor, path: string, line: number, time: TimeScale, ctx: ReturnType<typeof newEventContext>): void {
    const s = c.stream;
    const { collector, le, session } = this;
    const { names, cmdlines, pidOffset } = session;
    const byId = session.decoders.byId;
    const raw = s.ts;
    const cpu = s.cpu;
    {
      const dv = s.dv;
      const data = s.data;
      const id = this.id(dv, data);
      const decode = byId[id]!;
      const timeNs = time.ns(raw);
      const pid = dv.getInt32(data + pidOffset, le);
      if (pid !== this.lastPid) {
        this.lastPid = pid;
        this.lastComm = cmdlines.comm(pid);
      }
      ctx.source = { file: path, line };
      ctx.timeNs = timeNs as typeof ctx.timeNs;
      ctx.cpu = cpu as Cpu;
      ctx.pid = pid as Pid;
      ctx.comm = this.lastComm;
      const event = decode(s.buf, dv, data, s.length, ctx);
      if (event === null) collector.unparsed(line, `${names[id] ?? `event ${id}`}: the record is shorter than its format says`);
      else if (event === UNUSED) collector.unknownEvents++;
      else collector.emit(event, timeNs);
    }
  }
}

/**
 * A CPU stream as the merge sees it: its records passed over since it last delivered one (their times, in order:
 * a CPU's times only grow), so that the line of a record another CPU delivers can count them. Records are logged one
 * by one, or a whole page at a time when a page index lets the stream pass over a page unread (its records' times
 * are then read again only if a line falls inside the page's time range).
 */
class Cursor implements SkipLog {
  /** Records advanced over, delivered or not (the one waiting to be delivered included). */
  consumed = 0;
  firstKnown = NaN;
  lastKnown = NaN;
  sawSwitch = false;
  /** Whether the stream builds a page index (its slow path reports to it). */
  indexing = false;
  /** Re-reads the pages logged as blocks (set when the stream uses a page index). */
  timed: TimedPages | null = null;
  // The log: entry i covers records of times firstTs[i]..lastTs[i] (one record, or the records of page page[i]),
  // before[i] records were logged before it, `logged` in all.
  private firstTs = new Float64Array(256);
  private lastTs = new Float64Array(256);
  private page = new Int32Array(256);
  private before = new Float64Array(256);
  private entries = 0;
  private logged = 0;

  constructor(
    readonly stream: CpuStream,
    readonly order: number,
  ) {}

  private grow(): void {
    const n = this.lastTs.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.firstTs = f64(this.firstTs);
    this.lastTs = f64(this.lastTs);
    this.before = f64(this.before);
    const page = new Int32Array(n);
    page.set(this.page);
    this.page = page;
  }

  /** A record passed over (its time, for recordsBefore). */
  push(ts: number): void {
    const i = this.entries;
    if (i === this.lastTs.length) this.grow();
    this.firstTs[i] = ts;
    this.lastTs[i] = ts;
    this.page[i] = -1;
    this.before[i] = this.logged;
    this.entries = i + 1;
    this.logged++;
  }

  skip(ts: number): void {
    this.push(ts);
  }

  /** A page of `count` records passed over unread. */
  block(page: number, count: number, firstTs: number, lastTs: number): void {
    const i = this.entries;
    if (i === this.lastTs.length) this.grow();
    this.firstTs[i] = firstTs;
    this.lastTs[i] = lastTs;
    this.page[i] = page;
    this.before[i] = this.logged;
    this.entries = i + 1;
    this.logged += count;
  }

  /** The stream delivers its current record: every record before it is accounted for. */
  delivered(): void {
    this.entries = 0;
    this.logged = 0;
  }

  /**
   * How many of this stream's records come before a record at time `ts` of the stream of merge order `order`: all
   * it advanced over, less its waiting record and the passed-over ones that come after (later, or as late from a
   * higher order). The waiting record (if any) comes after: the merge delivers the earliest first.
   */
  recordsBefore(ts: number, order: number): number {
    const waiting = this.hasWaiting ? 1 : 0;
    // Passed-over records after `ts`: a suffix of the log (binary search for the first entry that ends after it).
    const sameComesAfter = this.order > order;
    const lastTs = this.lastTs;
    let lo = 0;
    let hi = this.entries;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = lastTs[mid]!;
      if (t > ts || (t === ts && sameComesAfter)) hi = mid;
      else lo = mid + 1;
    }
    let after = lo < this.entries ? this.logged - this.before[lo]! : 0;
    if (lo < this.entries && this.page[lo]! >= 0) {
      // A page whose records straddle `ts`: the ones before it are counted from the page itself.
      const first = this.firstTs[lo]!;
      if (!(first > ts || (first === ts && sameComesAfter))) after -= this.timed!.recordsBefore(this.page[lo]!, ts, sameComesAfter);
    }
    return this.consumed + this.stream.skippedUnused + this.stream.skippedUnfollowed - waiting - after;
  }

  /** Whether the stream has a record waiting to be delivered (false once it ended). */
  hasWaiting = true;
  /** Whether the waiting record is one left out, waiting only to place a lost-events note (RecordMerge.noteOnly). */
  noteOnly = false;
}

const hasData = (b: DatMetadata['buffers'][number]) => b.cpus.some((c) => c.size > 0);

/** The clock of the first buffer that holds data (the file's clock when none does). */
function dataClock(meta: DatMetadata): string | null {
  return meta.buffers.find(hasData)?.clock ?? meta.clock;
}

/**
 * The per-CPU streams of every flyrecord buffer on the clock of the first buffer that holds data (the top buffer's
 * unless only instances were extracted: `trace-cmd extract -B name` writes a top buffer without data).
 */
function openStreams(file: DatFile, meta: DatMetadata, problems: StreamProblems, collector: TraceCollector | null): CpuStream[] {
  const streams: CpuStream[] = [];
  const buffers = meta.buffers;
  const topClock = dataClock(meta);
  const topName = buffers.find((b) => hasData(b) && b.clock === topClock)?.name ?? '';
  const pending: Array<{ buffer: DatMetadata['buffers'][number]; compressed: boolean }> = [];
  for (const b of buffers) {
    const label = b.name === '' ? '' : `instance "${b.name}": `;
    if (!hasData(b)) continue;
    if (b.clock !== topClock) {
      collector?.warn(null, `${label}its events are on the ${b.clock ?? 'unknown'} clock, not ${topClock ?? 'unknown'} as the ${topName === '' ? 'top buffer' : `instance "${topName}"`}'s: not read (times on two clocks cannot be merged)`);
      continue;
    }
    let compressed = false;
    if (meta.version === 7) {
      const h = readSectionHeader(file, b.offset, `${label}flyrecord section`);
      compressed = (h.flags & 1) !== 0;
    }
    pending.push({ buffer: b, compressed });
  }
  const total = pending.reduce((n, p) => n + p.buffer.cpus.length, 0);
  for (const { buffer: b, compressed } of pending) {
    const label = b.name === '' ? '' : `instance "${b.name}": `;
    const pageSize = b.pageSize || meta.pageSize;
    const window = pageSize * Math.max(4, Math.floor(Math.min(1 << 20, (8 << 20) / Math.max(1, total)) / pageSize));
    for (const c of b.cpus) {
      if (c.size === 0) continue;
      if (!compressed && c.offset > file.size) {
        problems.damaged(c.cpu, `${label}CPU ${c.cpu}: its data starts at byte ${c.offset}, past the end of the file (${file.size} bytes; file cut?): not read`);
        continue;
      }
      streams.push(new CpuStream(file, c.cpu, c.offset, c.size, pageSize, meta.longSize, meta.compression, compressed, window, problems, label));
    }
  }
  return streams;
}

/**
 * Kallsyms read and parsed on first use (only traces with workqueue or marker events need names); kept with the
 * file's DatSession for its next read. `file`: the open DatFile of the current read.
 */
class LazyKallsyms {
  private table: Kallsyms | null = null;
  constructor(
    private readonly meta: DatMetadata,
    public file: DatFile,
  ) {}
  name(hi: number, lo: number): string {
    this.table ??= new Kallsyms(this.meta.kallsyms(this.file) ?? '');
    return this.table.name(hi, lo);
  }
}

const UNUSABLE_INDEX = Object.assign(new StreamPageIndex(-1, 0, 0, 0), { usable: false });
