// trace-cmd's binary trace.dat (`trace-cmd record` / `extract`), file versions 6 and 7, either byte order, 4- or
// 8-byte kernel longs, zstd / zlib / no compression: the same TraceEvents the text parsers give for the same
// recording (as `/sys/kernel/tracing/trace` or `trace-cmd report` text), with no text in between.
// Modules: dat-file.ts (bytes, errors), file-header.ts (header, v6 layout, v7 sections), options.ts, compression.ts,
// event-formats.ts (the file's format texts), ring-buffer.ts (per-CPU pages), event-decoders.ts (records →
// TraceEvents), kallsyms.ts and cmdlines.ts (names). Checked against trace-cmd 3.1.6 files from Linux 6.1.176
// (the dat-n0x3 capture: v7 zstd, v6, v7 uncompressed) and 6.18 (recorded here: instances, zlib, 8 KB sub-buffers,
// overruns), and the trace-cmd 3.4 / libtraceevent 1.8 sources.
//
// Per-CPU streams are merged by time as the kernel's trace file and trace-cmd report merge them (the earliest first;
// on equal times the lower CPU). Every record counts as one line of `trace-cmd report` output (line 1 is its
// `cpus=N`), so a diagnostic's line is where the record is in that report. Records of events trace-probe does not use
// are skipped by their id without being decoded. Times: the raw ring-buffer clock, converted to ns by the TSC2NSEC
// option when present (trace-cmd --tsc2nsec), plus the OFFSET option; counter clocks (counter, uptime, x86-tsc
// without TSC2NSEC) stay counts, as the kernel prints them.

import { fstatSync } from 'node:fs';
import type { Cpu, Pid } from '../../model/types.js';
import type { DiagnosticSink } from '../kernel-log.js';
import type { TraceEvent } from '../trace-events.types.js';
import { TraceCollector, newEventContext } from '../trace-collector.js';
import type { ReadTraceOptions, ReadTraceResult } from '../trace-reader.js';
import { Cmdlines } from './cmdlines.js';
import { DatFile } from './dat-file.js';
import { buildDecoders, DECODED_EVENTS, UNUSED } from './event-decoders.js';
import { parseEventFormat, type EventFormat } from './event-formats.js';
import { readMetadata, readSectionHeader, type DatMetadata } from './file-header.js';
import { Kallsyms } from './kallsyms.js';
import { CpuStream, type StreamProblems } from './ring-buffer.js';

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

function readOpened(file: DatFile, onEvent: (event: TraceEvent) => void, onDiagnostic: DiagnosticSink, options: ReadTraceOptions): ReadTraceResult {
  const path = file.path;
  const meta = readMetadata(file);
  const collector = new TraceCollector(path, onEvent, onDiagnostic);
  const header = collector.header;
  header.cpus = meta.cpus;
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
  if (badFormats > 0) collector.warn(null, `${badFormats} event format(s) in the file have no name or ID: their events are counted, not read`);
  const stat = fstatSync(file.fd);
  const kallsyms = new LazyKallsyms(meta.kallsyms, `${path}\0${stat.size}\0${stat.mtimeMs}\0${stat.ino}`);
  const decoders = buildDecoders(formats, kallsyms as unknown as Kallsyms, le);
  for (const u of decoders.unusable) collector.warn(null, `event ${u.name}: its format has no ${u.missing} field: its events are counted, not used`);
  const names: string[] = [];
  for (const f of formats) names[f.id] = f.name;
  const common = formats[0]?.fields;
  const typeField = common?.get('common_type') ?? { offset: 0, size: 2 };
  const pidField = common?.get('common_pid') ?? { offset: 4, size: 4 };
  if (typeField.size !== 2 && typeField.size !== 1 && typeField.size !== 4) file.fail(0, 'event formats', `common_type of ${typeField.size} bytes`);
  const cmdlines = new Cmdlines(meta.cmdlines);
  // What each event id is: 0 = not used (counted), 1 = decoded, 2 = a scheduler event decoded only when one of its
  // tasks is followed (ReadTraceOptions.followTasks; the pids are read at pidA / pidB before anything is decoded).
  const followTasks = options.followTasks ?? null;
  let follow: Uint8Array | null = null;
  if (followTasks !== null) {
    let max = 0;
    for (const pid of followTasks) if (pid > max && pid < 1 << 26) max = pid;
    follow = new Uint8Array(max + 1);
    for (const pid of followTasks) if (pid >= 0 && pid <= max) follow[pid] = 1;
  }
  const kinds = new Uint8Array(1 << 16);
  const pidA = new Int32Array(1 << 16).fill(-1);
  const pidB = new Int32Array(1 << 16).fill(-1);
  for (const f of formats) {
    if (decoders.byId[f.id] === undefined || f.id >= 1 << 16) continue;
    kinds[f.id] = 1;
    const fields = SCHED_TASK_FIELDS[f.name]?.map((n) => f.fields.get(n));
    if (follow !== null && fields !== undefined && fields.every((x) => x !== undefined && x.size === 4)) {
      kinds[f.id] = 2;
      pidA[f.id] = fields[0]!.offset;
      if (fields[1] !== undefined) pidB[f.id] = fields[1].offset;
    }
  }
  const switchId = formats.find((f) => f.name === 'sched_switch')?.id ?? -1;
  let filtered = 0;

  const clock = meta.clock;
  const tsc = meta.options.tsc2nsec;
  const countClock = clock !== null && COUNT_CLOCKS.has(clock) && tsc === null;
  header.clockUnit = countClock ? 'count' : 'ns';
  if (meta.options.timeShift) collector.warn(null, 'the file holds host/guest time-sync data (TIME_SHIFT): times are read as recorded in the guest, without the host correction');
  const offsetNs = meta.options.offsetNs;
  const mult = tsc?.mult ?? 0;
  const shift = tsc?.shift ?? 0;
  const scale = tsc !== null ? mult / 2 ** shift : 1;
  const toNs = (raw: number) => (tsc !== null ? Math.floor(raw * scale) : raw) + offsetNs;

  let damage = 0;
  const streams = openStreams(file, meta, {
    damaged(_cpu, message) {
      damage++;
      if (damage <= MAX_DAMAGE_DIAGNOSTICS) collector.warn(null, message);
    },
  }, collector);
  const typeOffset = typeField.offset;
  const typeSize = typeField.size;
  const pidOffset = pidField.offset;
  const cursors = streams.map((s, order) => new Cursor(s, order));
  const lineNumbers = options.lineNumbers !== false;

  /**
   * Moves a stream to its next record to decode. The records passed over (unused ids, scheduler events of tasks not
   * followed) are counted, and their times logged until the stream next delivers, for the report line numbers.
   */
  const fastPath = typeSize === 2;
  const nextWanted = (c: Cursor): boolean => {
    const s = c.stream;
    for (;;) {
      if (fastPath) {
        s.skipUnwanted(kinds, typeOffset, pidA, pidB, follow, c.sawSwitch ? -1 : switchId, lineNumbers ? c : null);
      }
      if (!s.advance()) return false;
      c.consumed++;
      const dv = s.dv;
      const data = s.data;
      const id = typeSize === 2 ? dv.getUint16(data + typeOffset, le) : typeSize === 1 ? dv.getUint8(data + typeOffset) : dv.getUint32(data + typeOffset, le);
      const kind = kinds[id & 0xffff]!;
      if (kind === 0 || id > 0xffff) {
        collector.unknownEvents++;
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
            filtered++;
            if (lineNumbers) c.skip(s.ts);
            continue;
          }
        }
      }
      return true;
    }
  };

  // Min-heap of cursors by (ts, order): the one with the earliest next record to decode on top.
  const heap: Cursor[] = [];
  const less = (a: Cursor, b: Cursor) => a.stream.ts < b.stream.ts || (a.stream.ts === b.stream.ts && a.order < b.order);
  const siftDown = (i: number) => {
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && less(heap[child + 1]!, heap[child]!)) child++;
      if (!less(heap[child]!, item)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  };
  for (const c of cursors) {
    if (!nextWanted(c)) {
      c.hasWaiting = false;
      continue;
    }
    heap.push(c);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  const ctx = newEventContext();
  let lostLines = 0;
  const byId = decoders.byId;
  let lastPid = -1;
  let lastComm = '';
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
    const dv = s.dv;
    const data = s.data;
    const id = typeSize === 2 ? dv.getUint16(data + typeOffset, le) : typeSize === 1 ? dv.getUint8(data + typeOffset) : dv.getUint32(data + typeOffset, le);
    const decode = byId[id]!;
    const timeNs = toNs(raw);
    const pid = dv.getInt32(data + pidOffset, le);
    if (pid !== lastPid) {
      lastPid = pid;
      lastComm = cmdlines.comm(pid);
    }
    ctx.source = { file: path, line };
    ctx.timeNs = timeNs as typeof ctx.timeNs;
    ctx.cpu = cpu as Cpu;
    ctx.pid = pid as Pid;
    ctx.comm = lastComm;
    const event = decode(s.buf, dv, data, s.length, ctx);
    if (event === null) collector.unparsed(line, `${names[id] ?? `event ${id}`}: the record is shorter than its format says`);
    else if (event === UNUSED) collector.unknownEvents++;
    else collector.emit(event, timeNs);
    if (nextWanted(c)) siftDown(0);
    else {
      c.hasWaiting = false;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(0);
      }
    }
  }
  let lines = 1 + lostLines;
  let firstRaw = NaN;
  let lastRaw = NaN;
  let sawSwitch = false;
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
  if (damage > MAX_DAMAGE_DIAGNOSTICS) collector.warn(null, `${damage - MAX_DAMAGE_DIAGNOSTICS} more damaged pages or cut CPU data (first ${MAX_DAMAGE_DIAGNOSTICS} reported)`);
  collector.finish({ lines, bytes: file.size, unterminated: false });
  const result: ReadTraceResult = { header, lines, events: collector.events, unknownEvents: collector.unknownEvents };
  if (follow !== null) {
    result.filtered = { events: filtered, firstNs: firstRaw === firstRaw ? toNs(firstRaw) : null, lastNs: lastRaw === lastRaw ? toNs(lastRaw) : null, schedSwitch: sawSwitch };
  }
  return result;
}

/**
 * A CPU stream as the merge sees it: its records passed over since it last delivered one (their times, in order:
 * a CPU's times only grow), so that the line of a record another CPU delivers can count them.
 */
class Cursor {
  /** Records advanced over, delivered or not (the one waiting to be delivered included). */
  consumed = 0;
  firstKnown = NaN;
  lastKnown = NaN;
  sawSwitch = false;
  private skipped = new Float64Array(256);
  private skippedCount = 0;

  constructor(
    readonly stream: CpuStream,
    readonly order: number,
  ) {}

  skip(ts: number): void {
    if (this.skippedCount === this.skipped.length) {
      const grown = new Float64Array(this.skipped.length * 2);
      grown.set(this.skipped);
      this.skipped = grown;
    }
    this.skipped[this.skippedCount++] = ts;
  }

  /** The stream delivers its current record: every record before it is accounted for. */
  delivered(): void {
    this.skippedCount = 0;
  }

  /**
   * How many of this stream's records come before a record at time `ts` of the stream of merge order `order`: all
   * it advanced over, less its waiting record and the passed-over ones that come after (later, or as late from a
   * higher order). The waiting record (if any) comes after: the merge delivers the earliest first.
   */
  recordsBefore(ts: number, order: number): number {
    const waiting = this.hasWaiting ? 1 : 0;
    // Passed-over records after `ts`: a suffix of the log (binary search for the first that comes after).
    const sameComesAfter = this.order > order;
    let lo = 0;
    let hi = this.skippedCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.skipped[mid]!;
      if (t > ts || (t === ts && sameComesAfter)) hi = mid;
      else lo = mid + 1;
    }
    return this.consumed + this.stream.skippedUnused + this.stream.skippedUnfollowed - waiting - (this.skippedCount - lo);
  }

  /** A record passed over (its time, for recordsBefore). */
  push(ts: number): void {
    this.skip(ts);
  }

  /** Whether the stream has a record waiting to be delivered (false once it ended). */
  hasWaiting = true;
}

/** The per-CPU streams of every flyrecord buffer on the top buffer's clock. */
function openStreams(file: DatFile, meta: DatMetadata, problems: StreamProblems, collector: TraceCollector | null): CpuStream[] {
  const streams: CpuStream[] = [];
  const buffers = meta.buffers;
  const topClock = buffers[0]?.clock ?? meta.clock;
  const pending: Array<{ buffer: DatMetadata['buffers'][number]; compressed: boolean }> = [];
  for (const b of buffers) {
    const label = b.name === '' ? '' : `instance "${b.name}": `;
    if (b.clock !== topClock) {
      collector?.warn(null, `${label}its events are on the ${b.clock ?? 'unknown'} clock, not ${topClock ?? 'unknown'} as the top buffer's: not read (times on two clocks cannot be merged)`);
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
 * Kallsyms read and parsed on first use (only traces with workqueue or marker events need names), and kept for the
 * next read of the same file (the pipeline reads a trace.dat twice, and the simulator's calibration once more).
 */
class LazyKallsyms {
  private table: Kallsyms | null = null;
  constructor(
    private readonly text: () => string | null,
    private readonly key: string,
  ) {}
  name(hi: number, lo: number): string {
    if (this.table === null) {
      this.table = lastKallsyms?.key === this.key ? lastKallsyms.table : new Kallsyms(this.text() ?? '');
      lastKallsyms = { key: this.key, table: this.table };
    }
    return this.table.name(hi, lo);
  }
}
let lastKallsyms: { key: string; table: Kallsyms } | null = null;
