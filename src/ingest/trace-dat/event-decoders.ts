// TraceEvents from binary event records: for each event trace-probe uses (trace-event-fields.ts KNOWN_EVENT_NAMES),
// a decoder built from the file's own format of that event (event-formats.ts) that reads only the fields the model
// needs, at the offsets and sizes the format gives. The events are the ones the text parsers give for the same
// recording (include/trace/events/sched.h, workqueue.h, initcall.h; kernel/trace/trace_entries.h `print`), with
// these differences the text forms have among themselves too: pointers are `0x…` as trace-cmd report prints them
// (the kernel's own text hashes them), and prev_state is spelled with the letters of this kernel's print fmt.
// No printf emulation: %ps is a kallsyms lookup, strings are the record's bytes up to their NUL.

import type { Cpu, Pid } from '../../core/units.js';
import type { TraceEvent } from '../trace-events.types.js';
import type { CommCache } from '../comm-cache.js';
import type { EventContext } from '../trace-event-fields.js';
import { textOf } from '../byte-text.js';
import type { EventFormat, FieldFormat, StateLetters } from './event-formats.js';
import { stateLettersOf, stateText } from './event-formats.js';
import { hexAddress, type Kallsyms } from './kallsyms.js';

/** Decodes the record at `buf[data, data + length)`; null when it does not hold what its format says. */
export type EventDecoder = (buf: Buffer, dv: DataView, data: number, length: number, ctx: EventContext) => TraceEvent | null;

/** A number field of 1, 2, 4 or 8 bytes (8-byte values as doubles; exact below 2^53, which pids and CPUs are). */
function readInt(dv: DataView, at: number, size: number, signed: boolean, le: boolean): number {
  switch (size) {
    case 4:
      return signed ? dv.getInt32(at, le) : dv.getUint32(at, le);
    case 8: {
      const lo = dv.getUint32(le ? at : at + 4, le);
      const hi = le ? dv.getInt32(at + 4, le) : dv.getInt32(at, le);
      return signed ? hi * 4294967296 + lo : (hi >>> 0) * 4294967296 + lo;
    }
    case 2:
      return signed ? dv.getInt16(at, le) : dv.getUint16(at, le);
    case 1:
      return signed ? dv.getInt8(at) : dv.getUint8(at);
    default:
      return NaN;
  }
}

let stringAscii = true;
/** The end of the NUL-terminated string in `buf[start, end)` (or end); sets stringAscii. */
function stringEnd(buf: Buffer, start: number, end: number): number {
  let ascii = true;
  let i = start;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0) break;
    if (c >= 128) ascii = false;
  }
  stringAscii = ascii;
  return i;
}

interface Fields {
  [name: string]: FieldFormat;
}

/** The fields of `format` named in `required` (missing → null) plus the `optional` ones that exist. */
function fieldsOf(format: EventFormat, required: string[], optional: string[] = []): Fields | null {
  const out: Fields = {};
  for (const name of required) {
    const f = format.fields.get(name);
    if (f === undefined) return null;
    out[name] = f;
  }
  for (const name of optional) {
    const f = format.fields.get(name);
    if (f !== undefined) out[name] = f;
  }
  return out;
}

/** The events decoderFor reads (the name of ftrace's `print` included: trace_marker writes). */
export const DECODED_EVENTS: ReadonlySet<string> = new Set([
  'sched_switch', 'sched_wakeup', 'sched_wakeup_new', 'sched_waking', 'sched_migrate_task', 'sched_process_exec',
  'workqueue_queue_work', 'workqueue_activate_work', 'workqueue_execute_start', 'workqueue_execute_end',
  'initcall_level', 'initcall_start', 'initcall_finish', 'print',
]);

export interface DecoderSet {
  /** Indexed by event id (common_type). */
  byId: Array<EventDecoder | undefined>;
  /** Event names whose format lacked a field the model needs (their events are counted, not used). */
  unusable: Array<{ name: string; missing: string }>;
}

export function buildDecoders(formats: EventFormat[], kallsyms: Kallsyms, le: boolean, comms: CommCache): DecoderSet {
  const byId: Array<EventDecoder | undefined> = [];
  const unusable: Array<{ name: string; missing: string }> = [];
  // The texts of pointers, cached by address for all decoders (a work item's address recurs in its queue_work,
  // activate_work, execute_start and execute_end, and most work items recur).
  const texts = new Map<number, { hi: number; text: string }>();
  for (const format of formats) {
    const made = decoderFor(format, kallsyms, le, texts, comms);
    if (made === undefined) continue;
    if (typeof made === 'string') unusable.push({ name: format.name, missing: made });
    else byId[format.id] = made;
  }
  return { byId, unusable };
}

/** undefined: not an event trace-probe uses; a string: the fields it lacks. */
function decoderFor(format: EventFormat, kallsyms: Kallsyms, le: boolean, texts: Map<number, { hi: number; text: string }>, comms: CommCache): EventDecoder | string | undefined {
  const need = (required: string[], optional: string[] = []): Fields | string => {
    const f = fieldsOf(format, required, optional);
    return f ?? required.filter((n) => !format.fields.has(n)).join(', ');
  };
  // A field's text: a char array up to its NUL, a __data_loc / __rel_loc string.
  const str = (f: FieldFormat, buf: Buffer, dv: DataView, data: number, length: number): { start: number; end: number } | null => {
    if (f.dynamic !== null) {
      const loc = dv.getUint32(data + f.offset, le);
      let start = data + (loc & 0xffff);
      if (f.dynamic === 'rel_loc') start += f.offset + f.size;
      const end = Math.min(start + (loc >>> 16), data + length);
      if (start > end) return null;
      return { start, end: stringEnd(buf, start, end) };
    }
    const start = data + f.offset;
    // `char buf[]` (size 0) runs to the end of the record.
    const limit = f.size === 0 ? data + length : Math.min(start + f.size, data + length);
    return { start, end: stringEnd(buf, start, limit) };
  };
  const ptr = (f: FieldFormat, dv: DataView, data: number): [number, number] => {
    if (f.size === 8) {
      const lo = dv.getUint32(le ? data + f.offset : data + f.offset + 4, le);
      const hi = dv.getUint32(le ? data + f.offset + 4 : data + f.offset, le);
      return [hi, lo];
    }
    return [0, dv.getUint32(data + f.offset, le)];
  };
  const pointerText = (f: FieldFormat, dv: DataView, data: number): string => {
    const [hi, lo] = ptr(f, dv, data);
    const known = texts.get(lo);
    if (known !== undefined && known.hi === hi) return known.text;
    const text = hexAddress(hi, lo);
    if (texts.size < 1 << 16) texts.set(lo, { hi, text });
    return text;
  };
  const symbol = (f: FieldFormat, dv: DataView, data: number): string => {
    const [hi, lo] = ptr(f, dv, data);
    return kallsyms.name(hi, lo);
  };
  const int = (f: FieldFormat, dv: DataView, data: number): number => readInt(dv, data + f.offset, f.size, f.signed, le);
  // A task's comm: a `char comm[16]` array, or (Linux 6.10+ sched_migrate_task and others) a `__data_loc char[]`.
  const commText = (f: FieldFormat, pid: number, cpu: number, buf: Buffer, dv: DataView, data: number, length: number): string | null => {
    if (f.dynamic !== null) {
      const s = str(f, buf, dv, data, length);
      return s === null ? null : comms.text(pid, cpu, buf, s.start, s.end, stringAscii);
    }
    const start = data + f.offset;
    const end = stringEnd(buf, start, start + f.size);
    return comms.text(pid, cpu, buf, start, end, stringAscii);
  };

  switch (format.system === 'ftrace' ? `ftrace:${format.name}` : format.name) {
    case 'sched_switch': {
      const f = need(['prev_comm', 'prev_pid', 'prev_prio', 'prev_state', 'next_comm', 'next_pid', 'next_prio']);
      if (typeof f === 'string') return f;
      const letters: StateLetters = stateLettersOf(format.printFmt) ?? DEFAULT_STATE_LETTERS;
      const prevComm = f.prev_comm!, prevPid = f.prev_pid!, prevPrio = f.prev_prio!, prevState = f.prev_state!;
      const nextComm = f.next_comm!, nextPid = f.next_pid!, nextPrio = f.next_prio!;
      const states = new Map<number, string>();
      return (buf, dv, data, length, ctx) => {
        if (length < nextPrio.offset + nextPrio.size) return null;
        const pp = int(prevPid, dv, data);
        const np = int(nextPid, dv, data);
        // The state's low 32 bits carry every TASK_REPORT bit and the preemption mark.
        const state = dv.getUint32(le || prevState.size === 4 ? data + prevState.offset : data + prevState.offset + 4, le);
        let stateString = states.get(state);
        if (stateString === undefined) {
          stateString = stateText(state, letters);
          if (states.size < 4096) states.set(state, stateString);
        }
        const prevCommText = commText(prevComm, pp, ctx.cpu, buf, dv, data, length);
        const nextCommText = commText(nextComm, np, ctx.cpu, buf, dv, data, length);
        if (prevCommText === null || nextCommText === null) return null;
        return {
          source: ctx.source,
          timeNs: ctx.timeNs,
          cpu: ctx.cpu,
          pid: ctx.pid,
          comm: ctx.comm,
          tgid: ctx.tgid,
          type: 'sched_switch',
          prevComm: prevCommText,
          prevPid: pp as Pid,
          prevPrio: int(prevPrio, dv, data),
          prevState: stateString,
          nextComm: nextCommText,
          nextPid: np as Pid,
          nextPrio: int(nextPrio, dv, data),
        };
      };
    }
    case 'sched_wakeup':
    case 'sched_wakeup_new':
    case 'sched_waking': {
      const type = format.name as 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking';
      const f = need(['comm', 'pid', 'prio', 'target_cpu']);
      if (typeof f === 'string') return f;
      const comm = f.comm!, pid = f.pid!, prio = f.prio!, targetCpu = f.target_cpu!;
      return (buf, dv, data, length, ctx) => {
        if (length < targetCpu.offset + targetCpu.size) return null;
        const p = int(pid, dv, data);
        const targetComm = commText(comm, p, ctx.cpu, buf, dv, data, length);
        if (targetComm === null) return null;
        return {
          source: ctx.source,
          timeNs: ctx.timeNs,
          cpu: ctx.cpu,
          pid: ctx.pid,
          comm: ctx.comm,
          tgid: ctx.tgid,
          type,
          targetComm,
          targetPid: p as Pid,
          prio: int(prio, dv, data),
          targetCpu: int(targetCpu, dv, data) as Cpu,
        };
      };
    }
    case 'sched_migrate_task': {
      const f = need(['comm', 'pid', 'prio', 'orig_cpu', 'dest_cpu']);
      if (typeof f === 'string') return f;
      const comm = f.comm!, pid = f.pid!, prio = f.prio!, orig = f.orig_cpu!, dest = f.dest_cpu!;
      return (buf, dv, data, length, ctx) => {
        if (length < dest.offset + dest.size) return null;
        const p = int(pid, dv, data);
        const targetComm = commText(comm, p, ctx.cpu, buf, dv, data, length);
        if (targetComm === null) return null;
        return {
          source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid,
          type: 'sched_migrate_task',
          targetComm,
          targetPid: p as Pid,
          prio: int(prio, dv, data),
          origCpu: int(orig, dv, data) as Cpu,
          destCpu: int(dest, dv, data) as Cpu,
        };
      };
    }
    case 'sched_process_exec': {
      const f = need(['filename', 'pid', 'old_pid']);
      if (typeof f === 'string') return f;
      const filename = f.filename!, pid = f.pid!, oldPid = f.old_pid!;
      return (buf, dv, data, length, ctx) => {
        const s = str(filename, buf, dv, data, length);
        if (s === null) return null;
        return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'sched_process_exec', filename: textOf(buf, s.start, s.end, stringAscii), targetPid: int(pid, dv, data) as Pid, oldPid: int(oldPid, dv, data) as Pid };
      };
    }
    case 'workqueue_queue_work': {
      const f = need(['work', 'function', 'workqueue', 'req_cpu', 'cpu']);
      if (typeof f === 'string') return f;
      const work = f.work!, fn = f.function!, wq = f.workqueue!, reqCpu = f.req_cpu!, cpu = f.cpu!;
      return (buf, dv, data, length, ctx) => {
        if (length < cpu.offset + cpu.size) return null;
        let workqueue: string;
        if (wq.dynamic !== null || wq.arrayLength !== null) {
          const s = str(wq, buf, dv, data, length);
          if (s === null) return null;
          workqueue = textOf(buf, s.start, s.end, stringAscii);
        } else workqueue = pointerText(wq, dv, data);
        const pool = int(cpu, dv, data);
        return {
          source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid,
          type: 'workqueue_queue_work',
          work: pointerText(work, dv, data),
          function: symbol(fn, dv, data),
          workqueue,
          reqCpu: int(reqCpu, dv, data),
          poolCpu: pool === -1 || pool === 4294967295 ? null : pool,
        };
      };
    }
    case 'workqueue_activate_work':
    case 'workqueue_execute_end': {
      const type = format.name as 'workqueue_activate_work' | 'workqueue_execute_end';
      const f = need(['work'], ['function']);
      if (typeof f === 'string') return f;
      const work = f.work!, fn = f.function;
      return (_buf, dv, data, length, ctx) => {
        if (length < work.offset + work.size) return null;
        return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, work: pointerText(work, dv, data), function: fn !== undefined && length >= fn.offset + fn.size ? symbol(fn, dv, data) : null };
      };
    }
    case 'workqueue_execute_start': {
      const f = need(['work', 'function']);
      if (typeof f === 'string') return f;
      const work = f.work!, fn = f.function!;
      return (_buf, dv, data, length, ctx) => {
        if (length < fn.offset + fn.size) return null;
        return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'workqueue_execute_start', work: pointerText(work, dv, data), function: symbol(fn, dv, data) };
      };
    }
    case 'initcall_level': {
      const f = need(['level']);
      if (typeof f === 'string') return f;
      const level = f.level!;
      return (buf, dv, data, length, ctx) => {
        const s = str(level, buf, dv, data, length);
        return s === null ? null : { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_level', level: textOf(buf, s.start, s.end, stringAscii) };
      };
    }
    case 'initcall_start': {
      const f = need(['func']);
      if (typeof f === 'string') return f;
      const func = f.func!;
      return (_buf, dv, data, _length, ctx) => ({ source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_start', func: symbol(func, dv, data) });
    }
    case 'initcall_finish': {
      const f = need(['func', 'ret']);
      if (typeof f === 'string') return f;
      const func = f.func!, ret = f.ret!;
      return (_buf, dv, data, _length, ctx) => ({ source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_finish', func: symbol(func, dv, data), ret: int(ret, dv, data) });
    }
    case 'ftrace:print': {
      // trace_marker writes (kernel/trace/trace.c tracing_mark_write) are `print` records whose ip is in
      // tracing_mark_write; the kernel's text shows them as `tracing_mark_write: text`. trace_printk()s from kernel
      // code have other ips: not markers (the kernel's text shows the function's name as the event name).
      const f = need(['ip', 'buf']);
      if (typeof f === 'string') return f;
      const ip = f.ip!, text = f.buf!;
      return (buf, dv, data, length, ctx) => {
        if (!symbol(ip, dv, data).startsWith('tracing_mark_write')) return UNUSED;
        const s = str(text, buf, dv, data, length);
        if (s === null) return null;
        return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'marker', text: textOf(buf, s.start, s.end, stringAscii).trimEnd() };
      };
    }
    default:
      return undefined;
  }
}

/** Returned by a decoder for a record of a used event id that is not one trace-probe uses (a trace_printk). */
export const UNUSED = { type: 'unused' } as unknown as TraceEvent;

/** 4.14+ letters, for a sched_switch whose print fmt has no flag table. */
const DEFAULT_STATE_LETTERS: StateLetters = {
  flags: [
    { value: 0x01, letter: 'S' },
    { value: 0x02, letter: 'D' },
    { value: 0x04, letter: 'T' },
    { value: 0x08, letter: 't' },
    { value: 0x10, letter: 'X' },
    { value: 0x20, letter: 'Z' },
    { value: 0x40, letter: 'P' },
    { value: 0x80, letter: 'I' },
  ],
  preemptBit: 0x100,
};
