// trace.dat options (trace-cmd Documentation/trace-cmd/trace-cmd.dat.v6.5.txt / .v7.5.txt, and what
// lib/trace-cmd/trace-input.c handle_options() actually reads): `id:u16 size:u32 data[size]`, repeated. In a v6 file
// they follow `options  \0` and end with id 0 (no size); in a v7 file they fill OPTIONS sections, where id 0 (DONE)
// carries the u64 offset of the next OPTIONS section (0 = none) and the other ids point at the metadata sections.
// Only the options that change how events are read are kept; the others are skipped by their size.

import type { ByteCursor } from './dat-file.js';

export const OPTION = {
  DONE: 0,
  DATE: 1,
  CPUSTAT: 2,
  BUFFER: 3,
  TRACECLOCK: 4,
  UNAME: 5,
  HOOK: 6,
  OFFSET: 7,
  CPUCOUNT: 8,
  VERSION: 9,
  PROCMAPS: 10,
  TRACEID: 11,
  TIME_SHIFT: 12,
  GUEST: 13,
  TSC2NSEC: 14,
  STRINGS: 15,
  HEADER_INFO: 16,
  FTRACE_EVENTS: 17,
  EVENT_FORMATS: 18,
  KALLSYMS: 19,
  PRINTK: 20,
  CMDLINES: 21,
  BUFFER_TEXT: 22,
  BTF_FILE: 23,
  LAST_BOOT_INFO: 24,
  MODULES_FILE: 25,
} as const;

/** One trace buffer (the top one is named ''; others are instances, `trace-cmd record -B name`). */
export interface DatBuffer {
  name: string;
  /** v7: the buffer's trace clock; v6: null (the file's TRACECLOCK applies). */
  clock: string | null;
  /** v7: the buffer's (sub-)buffer page size; v6: 0 (the file header's page size applies). */
  pageSize: number;
  /** v7: offset of its BUFFER FLYRECORD section; v6: offset of its `flyrecord\0` CPU table. */
  offset: number;
  /** v7 only (v6 reads them at `offset`): the per-CPU data. */
  cpus: DatCpuData[];
  /** A BUFFER_TEXT (latency) buffer: text, not ring-buffer pages. */
  latency: boolean;
}

export interface DatCpuData {
  cpu: number;
  offset: number;
  size: number;
}

export interface DatOptions {
  buffers: DatBuffer[];
  /** The TRACECLOCK option's text (the kernel's trace_clock file: `local [global] counter ...`). */
  traceClockText: string | null;
  /** OFFSET: ns added to every timestamp on reading. */
  offsetNs: number;
  /** DATE: µs between the trace clock and the wall clock (trace-cmd report ignores it unless --date). */
  dateOffset: string | null;
  tsc2nsec: { mult: number; shift: number; offset: number } | null;
  cpuCount: number | null;
  /** CPUSTAT texts, one per CPU (`per_cpu/cpuN/stats` at the end of the recording). */
  cpuStats: string[];
  timeShift: boolean;
  uname: string | null;
  version: string | null;
  /** v7: section id → offset of that metadata section. */
  sections: Map<number, number>;
  /** v7: offset of the next OPTIONS section (DONE), 0 when none. */
  nextOptions: number;
}

export function emptyOptions(): DatOptions {
  return {
    buffers: [],
    traceClockText: null,
    offsetNs: 0,
    dateOffset: null,
    tsc2nsec: null,
    cpuCount: null,
    cpuStats: [],
    timeShift: false,
    uname: null,
    version: null,
    sections: new Map(),
    nextOptions: 0,
  };
}

function cstringOf(data: Buffer): string {
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul < 0 ? data.length : nul);
}

/**
 * Reads options from `c` into `into` until the end marker: v6 stops at id 0, v7 at DONE (whose offset is kept in
 * `nextOptions`) or at the end of the section's data.
 */
export function readOptions(c: ByteCursor, v7: boolean, into: DatOptions): void {
  for (;;) {
    if (v7 && c.remaining === 0) return;
    const id = c.u16('option id');
    if (!v7 && id === OPTION.DONE) return;
    const size = c.u32(`option ${id} size`);
    const at = c.pos;
    const data = c.bytes(size, `option ${id} data`);
    const big = c.bigEndian;
    const u32 = (o: number) => (big ? data.readUInt32BE(o) : data.readUInt32LE(o));
    const u64 = (o: number) => (big ? data.readUInt32BE(o) * 4294967296 + data.readUInt32BE(o + 4) : data.readUInt32LE(o + 4) * 4294967296 + data.readUInt32LE(o));
    switch (id) {
      case OPTION.DONE:
        into.nextOptions = size >= 8 ? u64(0) : 0;
        return;
      case OPTION.DATE:
        into.dateOffset = cstringOf(data);
        break;
      case OPTION.OFFSET: {
        const text = cstringOf(data).trim();
        const value = Number(text);
        if (!Number.isFinite(value)) c.fail(`OFFSET option: not a number: ${JSON.stringify(text)}`, at);
        into.offsetNs += value;
        break;
      }
      case OPTION.CPUSTAT:
        into.cpuStats.push(cstringOf(data));
        break;
      case OPTION.BUFFER:
      case OPTION.BUFFER_TEXT:
        into.buffers.push(readBufferOption(c, data, at, id === OPTION.BUFFER_TEXT, v7, u32, u64));
        break;
      case OPTION.TRACECLOCK:
        if (size > 0) into.traceClockText = cstringOf(data);
        else into.traceClockText ??= '';
        break;
      case OPTION.UNAME:
        into.uname = cstringOf(data);
        break;
      case OPTION.VERSION:
        into.version = cstringOf(data);
        break;
      case OPTION.CPUCOUNT:
        if (size >= 4) into.cpuCount = u32(0);
        break;
      case OPTION.TIME_SHIFT:
        into.timeShift = true;
        break;
      case OPTION.TSC2NSEC:
        if (size >= 16) into.tsc2nsec = { mult: u32(0), shift: u32(4), offset: u64(8) };
        break;
      case OPTION.HEADER_INFO:
      case OPTION.FTRACE_EVENTS:
      case OPTION.EVENT_FORMATS:
      case OPTION.KALLSYMS:
      case OPTION.PRINTK:
      case OPTION.CMDLINES:
      case OPTION.BTF_FILE:
      case OPTION.MODULES_FILE:
        if (size >= 8) into.sections.set(id, u64(0));
        break;
      default:
        break;
    }
  }
}

function readBufferOption(
  c: ByteCursor,
  data: Buffer,
  at: number,
  latency: boolean,
  v7: boolean,
  u32: (o: number) => number,
  u64: (o: number) => number,
): DatBuffer {
  const bad = (what: string): never => c.fail(`BUFFER option: ${what}`, at);
  if (data.length < 9) bad('too short');
  const offset = u64(0);
  let pos = 8;
  const str = (): string => {
    const end = data.indexOf(0, pos);
    if (end < 0) bad('string without NUL');
    const s = data.toString('utf8', pos, end);
    pos = end + 1;
    return s;
  };
  const name = str();
  const buffer: DatBuffer = { name, clock: null, pageSize: 0, offset, cpus: [], latency };
  if (!v7) return buffer;
  buffer.clock = str();
  if (latency) return buffer;
  if (pos + 8 > data.length) bad('no page size and CPU count');
  buffer.pageSize = u32(pos);
  const count = u32(pos + 4);
  pos += 8;
  if (pos + count * 20 > data.length) bad(`${count} CPUs do not fit in ${data.length} bytes`);
  for (let i = 0; i < count; i++, pos += 20) buffer.cpus.push({ cpu: u32(pos), offset: u64(pos + 4), size: u64(pos + 12) });
  return buffer;
}
