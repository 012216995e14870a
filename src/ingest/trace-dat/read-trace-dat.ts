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

import type { Cpu, Pid } from '../../core/units.js';
import type { DiagnosticSink } from '../../core/diagnostics.js';
import { TraceCollector, newEventContext } from '../trace-collector.js';
import type { ReadTraceResult, TraceEvent } from '../trace-events.types.js';
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

export function readTraceDat(path: string, onEvent: (event: TraceEvent) => void, onDiagnostic: DiagnosticSink): ReadTraceResult {
  const file = new DatFile(path);
  try {
    return readOpened(file, onEvent, onDiagnostic);
  } finally {
    file.close();
  }
}

function readOpened(file: DatFile, onEvent: (event: TraceEvent) => void, onDiagnostic: DiagnosticSink): ReadTraceResult {
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
  const kallsyms = new LazyKallsyms(meta.kallsyms);
  const decoders = buildDecoders(formats, kallsyms as unknown as Kallsyms, le, collector.fields.comms);
  for (const u of decoders.unusable) collector.warn(null, `event ${u.name}: its format has no ${u.missing} field: its events are counted, not used`);
  const names: string[] = [];
  for (const f of formats) names[f.id] = f.name;
  const common = formats[0]?.fields;
  const typeField = common?.get('common_type') ?? { offset: 0, size: 2 };
  const pidField = common?.get('common_pid') ?? { offset: 4, size: 4 };
  if (typeField.size !== 2 && typeField.size !== 1 && typeField.size !== 4) file.fail(0, 'event formats', `common_type of ${typeField.size} bytes`);
  const cmdlines = new Cmdlines(meta.cmdlines);

  const clock = meta.clock;
  const tsc = meta.options.tsc2nsec;
  const countClock = clock !== null && COUNT_CLOCKS.has(clock) && tsc === null;
  header.clockUnit = countClock ? 'count' : 'ns';
  if (meta.options.timeShift) collector.warn(null, 'the file holds host/guest time-sync data (TIME_SHIFT): times are read as recorded in the guest, without the host correction');
  const offsetNs = meta.options.offsetNs;
  const mult = tsc?.mult ?? 0;
  const shift = tsc?.shift ?? 0;
  const scale = tsc !== null ? mult / 2 ** shift : 1;

  let damage = 0;
  const streams = openStreams(file, meta, {
    damaged(_cpu, message) {
      damage++;
      if (damage <= MAX_DAMAGE_DIAGNOSTICS) collector.warn(null, message);
    },
  }, collector);

  // Min-heap of streams by (ts, order).
  const heap: CpuStream[] = [];
  const order = new Map<CpuStream, number>();
  streams.forEach((s, i) => order.set(s, i));
  const less = (a: CpuStream, b: CpuStream) => a.ts < b.ts || (a.ts === b.ts && order.get(a)! < order.get(b)!);
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
  for (const s of streams) {
    if (!s.advance()) continue;
    heap.push(s);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  const ctx = newEventContext();
  let line = 1;
  const byId = decoders.byId;
  const typeOffset = typeField.offset;
  const typeSize = typeField.size;
  const pidOffset = pidField.offset;
  let lastPid = -1;
  let lastComm = '';
  while (heap.length > 0) {
    const s = heap[0]!;
    line++;
    const cpu = s.cpu;
    if (s.lostBefore !== undefined) {
      const count = s.lostBefore;
      s.lostBefore = undefined;
      header.lostEvents.push({ cpu: cpu as Cpu, count, source: { file: path, line } });
      collector.warn(line, `CPU ${cpu}: ${count ?? 'an unknown number of'} events lost here (ring buffer overrun): spans crossing this point on CPU ${cpu} are incomplete`);
      line++;
    }
    const dv = s.dv;
    const data = s.data;
    const id = typeSize === 2 ? dv.getUint16(data + typeOffset, le) : typeSize === 1 ? dv.getUint8(data + typeOffset) : dv.getUint32(data + typeOffset, le);
    const decode = byId[id];
    if (decode === undefined) collector.unknownEvents++;
    else {
      const raw = s.ts;
      const timeNs = (tsc !== null ? Math.floor(raw * scale) : raw) + offsetNs;
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
    }
    if (s.advance()) siftDown(0);
    else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(0);
      }
    }
  }
  if (damage > MAX_DAMAGE_DIAGNOSTICS) collector.warn(null, `${damage - MAX_DAMAGE_DIAGNOSTICS} more damaged pages or cut CPU data (first ${MAX_DAMAGE_DIAGNOSTICS} reported)`);
  collector.finish({ lines: line, bytes: file.size, unterminated: false });
  return { header, lines: line, events: collector.events, unknownEvents: collector.unknownEvents };
}

/** The per-CPU streams of every flyrecord buffer on the top buffer's clock. */
function openStreams(file: DatFile, meta: DatMetadata, problems: StreamProblems, collector: TraceCollector): CpuStream[] {
  const streams: CpuStream[] = [];
  const buffers = meta.buffers;
  const topClock = buffers[0]?.clock ?? meta.clock;
  const pending: Array<{ buffer: DatMetadata['buffers'][number]; compressed: boolean }> = [];
  for (const b of buffers) {
    const label = b.name === '' ? '' : `instance "${b.name}": `;
    if (b.clock !== topClock) {
      collector.warn(null, `${label}its events are on the ${b.clock ?? 'unknown'} clock, not ${topClock ?? 'unknown'} as the top buffer's: not read (times on two clocks cannot be merged)`);
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

/** Kallsyms read and parsed on first use (only traces with workqueue or marker events need names). */
class LazyKallsyms {
  private table: Kallsyms | null = null;
  constructor(private readonly text: () => string | null) {}
  name(hi: number, lo: number): string {
    this.table ??= new Kallsyms(this.text() ?? '');
    return this.table.name(hi, lo);
  }
}
