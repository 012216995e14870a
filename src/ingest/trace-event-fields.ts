// Field parsers for the tracepoints trace-probe uses, shared by the ftrace, trace-cmd and function_graph
// parsers (one implementation of each print format). Formats:
//   include/trace/events/workqueue.h (4.4 … 7.1: `workqueue=%p` → name in 5.12, `cpu=%u` → `%d` in 5.19,
//     execute_end gained `: function %ps` in 5.6, activate_work gained ` function=%ps ` around 6.10),
//   include/trace/events/sched.h (sched_switch, sched_wakeup/_new/waking incl. ≤4.2 `success=` and vendor
//     `state=` suffixes, sched_migrate_task, sched_process_exec),
//   include/trace/events/initcall.h (4.17+), kernel/trace/trace_entries.h (`print` = trace_marker),
//   libtraceevent plugins/plugin_sched_switch.c (trace-cmd's `comm:pid [prio] STATE ==> ...` text) and
//   trace-cmd report -R raw `field=value` text.
// Checked against the 6.1.176 captures, the corpus traces (3.15, 4.6, 5.x, 6.x, Android) and trace-cmd 3.1.6.
// Hot path: the line's bytes (lines.ts readLineBytes); the scheduler events in the kernel's print formats (nearly
// every line of a trace) are read from the bytes, with comms reused per pid (CommCache), so a line makes no
// string that is not kept; the other events are decoded and read as text. No regular expressions.

import { detached } from '../core/detached-string.js';
import { asciiBytes, bytesIndexOf, bytesLastIndexOf, bytesStartWith, textOf } from './byte-text.js';
import type { Cpu, Pid } from '../core/units.js';
import type { EventContext, TraceEvent, TraceEventBase } from './trace-events.types.js';
import { parseGraphColumns } from './funcgraph-body.js';

/** The per-line context (TASK column, CPU, time) every event carries. Reused between lines by callers. */
export type { EventContext } from './trace-events.types.js';

// The texts the field parsers look for, as bytes (byte-text.ts).
const K_ARROW = asciiBytes(' ==> ');
const K_COLON = asciiBytes(':');
const K_COMM = asciiBytes('comm=');
const K_CPU = asciiBytes(' cpu=');
const K_PLUGIN_CPU = asciiBytes(' CPU:');
const K_DEST_CPU = asciiBytes(' dest_cpu=');
const K_FILENAME = asciiBytes('filename=');
const K_FUNC = asciiBytes('func=');
const K_FUNCTION = asciiBytes(' function=');
const K_NEXT_COMM = asciiBytes(' next_comm=');
const K_NEXT_COMM_FIELD = asciiBytes('next_comm=');
const K_NEXT_PID = asciiBytes(' next_pid=');
const K_NEXT_PRIO = asciiBytes(' next_prio=');
const K_OLD_PID = asciiBytes(' old_pid=');
const K_ORIG_CPU = asciiBytes(' orig_cpu=');
const K_PID = asciiBytes(' pid=');
const K_PREV_COMM = asciiBytes('prev_comm=');
const K_PREV_PID = asciiBytes(' prev_pid=');
const K_PREV_PRIO = asciiBytes(' prev_prio=');
const K_PREV_STATE = asciiBytes(' prev_state=');
const K_PRIO = asciiBytes(' prio=');
const K_REQ_CPU = asciiBytes(' req_cpu=');
const K_RET = asciiBytes(' ret=');
const K_SPACE_BRACKET = asciiBytes(' [');
const K_TARGET_CPU = asciiBytes(' target_cpu=');
const K_WORK = asciiBytes('work=');
const K_WORKQUEUE = asciiBytes(' workqueue=');
const K_WORK_STRUCT = asciiBytes('work struct=');

/** Event names materialised as TraceEvents; every other name is only counted. */
export const KNOWN_EVENT_NAMES = [
  'sched_switch',
  'sched_wakeup',
  'sched_wakeup_new',
  'sched_waking',
  'sched_migrate_task',
  'sched_process_exec',
  'workqueue_queue_work',
  'workqueue_activate_work',
  'workqueue_execute_start',
  'workqueue_execute_end',
  'initcall_level',
  'initcall_start',
  'initcall_finish',
  'tracing_mark_write',
  'print',
  'funcgraph_entry',
  'funcgraph_exit',
] as const;
export type KnownEventName = (typeof KNOWN_EVENT_NAMES)[number];

/** The known event whose name is exactly `b[start, end)`, or null. Allocates nothing. */
export function knownEventAt(b: Uint8Array, start: number, end: number): KnownEventName | null {
  const candidates = NAMES_BY_LENGTH[end - start];
  if (candidates === undefined) return null;
  // Compared from the last character: names of one length share their prefixes (sched_wakeup/sched_waking).
  const length = end - start;
  for (let c = 0; c < candidates.length; c++) {
    const bytes = candidates[c]!.bytes;
    let k = length - 1;
    while (k >= 0 && bytes[k] === b[start + k]) k--;
    if (k < 0) return candidates[c]!.name;
  }
  return null;
}

const NAMES_BY_LENGTH: Array<Array<{ name: KnownEventName; bytes: Uint8Array }> | undefined> = [];
for (const name of KNOWN_EVENT_NAMES) (NAMES_BY_LENGTH[name.length] ??= []).push({ name, bytes: asciiBytes(name) });
const KNOWN_NAMES: ReadonlySet<string> = new Set(KNOWN_EVENT_NAMES);

/** `name` if it is a known event name, else null. */
export function knownEventName(name: string): KnownEventName | null {
  return KNOWN_NAMES.has(name) ? (name as KnownEventName) : null;
}

/**
 * Parses the fields of a known event, `b[start, end)` (kernel print format, trace-cmd plugin text or trace-cmd -R
 * raw text; `ascii` as from readLineBytes), into a TraceEvent with the context's TASK/CPU/time. Returns null when
 * the text does not match any known layout of that event (the caller reports a diagnostic).
 */
export function parseEventFields(name: KnownEventName, b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
  switch (name) {
    case 'sched_switch':
      if (bytesStartWith(b, start, end, K_PREV_COMM)) return parseSchedSwitchKernel(b, start, end, ascii, ctx);
      return parseSchedSwitchPlugin(b, start, end, ascii, ctx);
    case 'sched_wakeup':
    case 'sched_wakeup_new':
    case 'sched_waking':
      if (bytesStartWith(b, start, end, K_COMM)) return parseWakeupKernel(name, b, start, end, ascii, ctx);
      return parseWakeupPlugin(name, b, start, end, ascii, ctx);
    case 'sched_migrate_task':
      return parseMigrate(b, start, end, ascii, ctx);
    case 'sched_process_exec':
      return parseExec(b, start, end, ascii, ctx);
    case 'workqueue_queue_work':
      return parseQueueWork(b, start, end, ascii, ctx);
    case 'initcall_finish':
      return parseInitcallFinish(b, start, end, ascii, ctx);
    default:
      return parseEventText(name, textOf(b, start, end, ascii), ctx);
  }
}

/** parseEventFields for fields held as text (function_graph's `/* event: fields *\/` comments). */
export function parseEventFieldsText(name: KnownEventName, fields: string, ctx: EventContext): TraceEvent | null {
  // Written into one reused buffer (nothing keeps a view of it: strings and CommCache entries are copies): as latin1
  // (one byte per character, the fastest write) when the text is ASCII, else as UTF-8.
  const ascii = !NON_ASCII.test(fields);
  const length = ascii ? fields.length : Buffer.byteLength(fields, 'utf8');
  if (length > textScratch.length) textScratch = Buffer.allocUnsafe(Math.max(length, 2 * textScratch.length));
  textScratch.write(fields, 0, ascii ? 'latin1' : 'utf8');
  return parseEventFields(name, textScratch, 0, length, ascii, ctx);
}
const NON_ASCII = /[^\x00-\x7f]/;
let textScratch = Buffer.allocUnsafe(4096);

/** The events parseEventFields reads from their decoded text (no numeric fields). */
type TextEventName = Exclude<KnownEventName, 'sched_switch' | 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking' | 'sched_migrate_task' | 'sched_process_exec' | 'workqueue_queue_work' | 'initcall_finish'>;

/** The events without numeric fields, read from their decoded text. */
function parseEventText(name: TextEventName, fields: string, ctx: EventContext): TraceEvent | null {
  switch (name) {
    case 'workqueue_activate_work':
    case 'workqueue_execute_start':
    case 'workqueue_execute_end':
      return parseWorkEvent(name, fields, ctx);
    case 'initcall_level':
      return fields.startsWith('level=') ? { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_level', level: fields.slice(6).trimEnd() } : null;
    case 'initcall_start':
      return fields.startsWith('func=') ? { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_start', func: fields.slice(5).trimEnd() } : null;
    case 'tracing_mark_write':
      // Markers are few and kept by the model: their text is copied off the decoded chunk (detached-string.ts).
      return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'marker', text: detached(fields) };
    case 'print':
      return parsePrint(fields, ctx);
    case 'funcgraph_entry':
    case 'funcgraph_exit':
      return parseGraphColumns(fields, 0, ctx);
  }
}

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
/** Shared by every parser: a hit is checked byte for byte, so a stale entry (pid reused, exec) is only a miss. */
export const comms = new CommCache();

/** Short texts (sched_switch prev_state: `R`, `R+`, `S`, `D`, `I`, `D|K`, ...) made once. */
const shortTexts = new Map<number, string>();
const oneCharTexts: string[] = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
function shortText(b: Buffer, start: number, end: number, ascii: boolean): string {
  const length = end - start;
  if (length === 1 && b[start]! < 128) return oneCharTexts[b[start]!]!;
  if (length > 3 || !ascii) return textOf(b, start, end, ascii);
  let key = length;
  for (let k = start; k < end; k++) key = key * 256 + b[k]!;
  let text = shortTexts.get(key);
  if (text === undefined) {
    text = textOf(b, start, end, ascii);
    // A real trace has a handful of states; damaged input must not grow the table without bound.
    if (shortTexts.size >= 4096) shortTexts.clear();
    shortTexts.set(key, text);
  }
  return text;
}

// Events are built as literals naming every field (no object spread): one hidden class per event type.

// ---- integer scanning without allocation ----------------------------------------------------------

let scanEnd = 0;
/** Parses a (possibly negative) decimal integer at `b[pos, end)`; NaN if there is none. Sets scanEnd. */
function intAtByte(b: Uint8Array, pos: number, end: number): number {
  let i = pos;
  let negative = false;
  if (i < end && b[i] === 45) {
    negative = true;
    i++;
  }
  const digitsStart = i;
  let value = 0;
  while (i < end) {
    const c = b[i]!;
    if (!(c >= 48 && c <= 57)) break;
    value = value * 10 + (c - 48);
    i++;
  }
  scanEnd = i;
  if (i === digitsStart) return NaN;
  return negative ? -value : value;
}

/**
 * intAfter on the bytes `b[from, end)`. The kernel prints its fields in a fixed order, so the search (which tries
 * `from` first) usually ends at its first step.
 */
function intAfterByte(b: Uint8Array, key: Uint8Array, from: number, end: number): number {
  const at = bytesIndexOf(b, key, from, end);
  if (at < 0) {
    scanEnd = from;
    return NaN;
  }
  return intAtByte(b, at + key.length, end);
}

// prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d
// (trace-cmd -R: ... prev_state=%ld next_comm=... with no `==>`)
function parseSchedSwitchKernel(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
  const prevPidAt = bytesIndexOf(b, K_PREV_PID, start + 10, end);
  if (prevPidAt < 0) return null;
  const prevPid = intAtByte(b, prevPidAt + 10, end);
  const prevPrio = intAfterByte(b, K_PREV_PRIO, scanEnd, end);
  const stateAt = bytesIndexOf(b, K_PREV_STATE, scanEnd, end);
  if (stateAt < 0) return null;
  const stateStart = stateAt + 12;
  let nextCommAt: number;
  const arrow = bytesIndexOf(b, K_ARROW, stateStart, end);
  let prevState: string;
  if (arrow >= 0) {
    nextCommAt = bytesIndexOf(b, K_NEXT_COMM_FIELD, arrow + 5, end);
    prevState = shortText(b, stateStart, arrow, ascii);
  } else {
    nextCommAt = bytesIndexOf(b, K_NEXT_COMM, stateStart, end);
    if (nextCommAt < 0) return null;
    prevState = rawStateLetters(textOf(b, stateStart, nextCommAt, ascii));
    nextCommAt++;
  }
  if (nextCommAt < 0) return null;
  // The last one: a comm may hold the text too, and the kernel prints ` next_pid=%d next_prio=%d` at the end.
  const nextPidAt = bytesLastIndexOf(b, K_NEXT_PID, nextCommAt, end);
  if (nextPidAt < nextCommAt) return null;
  const nextPid = intAtByte(b, nextPidAt + 10, end);
  const nextPrio = intAfterByte(b, K_NEXT_PRIO, scanEnd, end);
  if (Number.isNaN(prevPid) || Number.isNaN(prevPrio) || Number.isNaN(nextPid) || Number.isNaN(nextPrio)) return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'sched_switch',
    prevComm: comms.text(prevPid, ctx.cpu, b, start + 10, prevPidAt, ascii),
    prevPid: prevPid as Pid,
    prevPrio,
    prevState,
    nextComm: comms.text(nextPid, ctx.cpu, b, nextCommAt + 10, nextPidAt, ascii),
    nextPid: nextPid as Pid,
    nextPrio,
  };
}

const STATE_LETTERS = 'SDTtXZPI';
/** trace-cmd -R prints prev_state as a number: TASK_REPORT bits (4.14+), 0 = R, bit 8 (TASK_REPORT_MAX) = preempted. */
function rawStateLetters(raw: string): string {
  const value = Number(raw);
  if (!Number.isInteger(value)) return raw;
  if (value === 0) return 'R';
  if (value === 256) return 'R+';
  let letters = '';
  for (let bit = 0; bit < STATE_LETTERS.length; bit++) {
    if (value & (1 << bit)) letters += (letters ? '|' : '') + STATE_LETTERS[bit];
  }
  return letters || raw;
}

// libtraceevent plugin: `prev_comm:prev_pid [prev_prio] STATE ==> next_comm:next_pid [next_prio]`
function parseSchedSwitchPlugin(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
  const arrow = bytesIndexOf(b, K_ARROW, start, end);
  if (arrow < 0) return null;
  const prev = commPidPrio(b, start, arrow, ascii, ctx.cpu);
  if (prev === null) return null;
  // Trimmed as text: any white space, as the plugin's own reader would (trace-cmd prints one space each side).
  const prevState = textOf(b, prev.after, arrow, ascii).trim();
  const next = commPidPrio(b, arrow + 5, end, ascii, ctx.cpu);
  if (next === null || prevState === '') return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'sched_switch',
    prevComm: prev.comm,
    prevPid: prev.pid as Pid,
    prevPrio: prev.prio,
    prevState,
    nextComm: next.comm,
    nextPid: next.pid as Pid,
    nextPrio: next.prio,
  };
}

/** `comm:pid [prio]` inside b[start, end) (comm may hold spaces and colons: anchor on the last ` [`). */
function commPidPrio(b: Buffer, start: number, end: number, ascii: boolean, cpu: number): { comm: string; pid: number; prio: number; after: number } | null {
  const bracket = bytesLastIndexOf(b, K_SPACE_BRACKET, start, end);
  if (bracket < 0) return null;
  const colon = bytesLastIndexOf(b, K_COLON, start, bracket);
  if (colon < 0) return null;
  const pid = intAtByte(b, colon + 1, end);
  if (scanEnd !== bracket) return null;
  const prio = intAtByte(b, bracket + 2, end);
  if (scanEnd >= end || b[scanEnd] !== 93) return null;
  if (Number.isNaN(pid) || Number.isNaN(prio)) return null;
  let commStart = start;
  while (b[commStart] === 32) commStart++;
  return { comm: comms.text(pid, cpu, b, commStart, colon, ascii), pid, prio, after: scanEnd + 1 };
}

// comm=%s pid=%d prio=%d [success=%d] target_cpu=%03d [state=...]
function parseWakeupKernel(type: 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking', b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
  const pidAt = bytesIndexOf(b, K_PID, start + 5, end);
  if (pidAt < 0) return null;
  const pid = intAtByte(b, pidAt + 5, end);
  const prio = intAfterByte(b, K_PRIO, scanEnd, end);
  const targetCpu = intAfterByte(b, K_TARGET_CPU, scanEnd, end);
  if (Number.isNaN(pid) || Number.isNaN(prio) || Number.isNaN(targetCpu)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, targetComm: comms.text(pid, ctx.cpu, b, start + 5, pidAt, ascii), targetPid: pid as Pid, prio, targetCpu: targetCpu as Cpu };
}

// plugin: comm:pid [prio] [success=N] CPU:%03d
function parseWakeupPlugin(type: 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking', b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
  const cpuAt = bytesLastIndexOf(b, K_PLUGIN_CPU, start, end);
  if (cpuAt < 0) return null;
  const task = commPidPrio(b, start, cpuAt, ascii, ctx.cpu);
  const targetCpu = intAtByte(b, cpuAt + 5, end);
  if (task === null || Number.isNaN(targetCpu)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, targetComm: task.comm, targetPid: task.pid as Pid, prio: task.prio, targetCpu: targetCpu as Cpu };
}

// comm=%s pid=%d prio=%d orig_cpu=%d dest_cpu=%d
function parseMigrate(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
  if (!bytesStartWith(b, start, end, K_COMM)) return null;
  const pidAt = bytesIndexOf(b, K_PID, start + 5, end);
  if (pidAt < 0) return null;
  const pid = intAtByte(b, pidAt + 5, end);
  const prio = intAfterByte(b, K_PRIO, scanEnd, end);
  const origCpu = intAfterByte(b, K_ORIG_CPU, scanEnd, end);
  const destCpu = intAfterByte(b, K_DEST_CPU, scanEnd, end);
  if (Number.isNaN(pid) || Number.isNaN(prio) || Number.isNaN(origCpu) || Number.isNaN(destCpu)) return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'sched_migrate_task',
    targetComm: comms.text(pid, ctx.cpu, b, start + 5, pidAt, ascii),
    targetPid: pid as Pid,
    prio,
    origCpu: origCpu as Cpu,
    destCpu: destCpu as Cpu,
  };
}

// filename=%s pid=%d old_pid=%d
function parseExec(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
  if (!bytesStartWith(b, start, end, K_FILENAME)) return null;
  const pidAt = bytesLastIndexOf(b, K_PID, start, end);
  if (pidAt < start + 9) return null;
  const pid = intAtByte(b, pidAt + 5, end);
  const oldPid = intAfterByte(b, K_OLD_PID, scanEnd, end);
  if (Number.isNaN(pid) || Number.isNaN(oldPid)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'sched_process_exec', filename: textOf(b, start + 9, pidAt, ascii), targetPid: pid as Pid, oldPid: oldPid as Pid };
}

// ---- workqueue ------------------------------------------------------------------------------------

// work struct=%p function=%ps workqueue=%p|%s req_cpu=%u|%d cpu=%u|%d   (trace-cmd -R: work=… function=…)
function parseQueueWork(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
  let workStart: number;
  if (bytesStartWith(b, start, end, K_WORK_STRUCT)) workStart = start + 12;
  else if (bytesStartWith(b, start, end, K_WORK)) workStart = start + 5;
  else return null;
  const fnAt = bytesIndexOf(b, K_FUNCTION, workStart, end);
  if (fnAt < 0) return null;
  const wqAt = bytesIndexOf(b, K_WORKQUEUE, fnAt + 10, end);
  if (wqAt < 0) return null;
  const reqAt = bytesLastIndexOf(b, K_REQ_CPU, start, end);
  if (reqAt < wqAt) return null;
  const reqCpu = intAtByte(b, reqAt + 9, end);
  const poolCpu = intAfterByte(b, K_CPU, scanEnd, end);
  if (Number.isNaN(reqCpu) || Number.isNaN(poolCpu)) return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'workqueue_queue_work',
    work: textOf(b, workStart, fnAt, ascii),
    function: textOf(b, fnAt + 10, wqAt, ascii),
    workqueue: textOf(b, wqAt + 11, reqAt, ascii),
    reqCpu,
    poolCpu: poolCpu === -1 || poolCpu === 4294967295 ? null : poolCpu,
  };
}

// activate_work: `work struct %p` [` function=%ps `]; execute_start: `work struct %p: function %ps`;
// execute_end: `work struct %p` [`: function %ps`]; trace-cmd -R: `work=%p` [` function=%p`].
function parseWorkEvent(
  type: 'workqueue_activate_work' | 'workqueue_execute_start' | 'workqueue_execute_end',
  f: string,
  ctx: EventContext,
): TraceEvent | null {
  let workStart: number;
  if (f.startsWith('work struct ')) workStart = 12;
  else if (f.startsWith('work=')) workStart = 5;
  else return null;
  let workEnd = f.indexOf(' ', workStart);
  if (workEnd < 0) workEnd = f.length;
  let fn: string | null = null;
  if (f.charCodeAt(workEnd - 1) === 58 /* : */ && f.startsWith(' function ', workEnd)) {
    fn = f.slice(workEnd + 10).trimEnd();
    workEnd--;
  } else if (f.startsWith(' function=', workEnd)) {
    fn = f.slice(workEnd + 10).trimEnd();
  } else if (workEnd !== f.length && f.slice(workEnd).trim() !== '') {
    return null;
  }
  if (fn === '') fn = null;
  if (workEnd <= workStart) return null;
  const work = f.slice(workStart, workEnd);
  if (type === 'workqueue_execute_start') {
    if (fn === null) return null;
    return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, work, function: fn };
  }
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, work, function: fn };
}

// ---- initcall, marker -----------------------------------------------------------------------------

// func=%pS ret=%d
function parseInitcallFinish(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
  if (!bytesStartWith(b, start, end, K_FUNC)) return null;
  const retAt = bytesLastIndexOf(b, K_RET, start, end);
  if (retAt < start + 5) return null;
  const ret = intAtByte(b, retAt + 5, end);
  if (Number.isNaN(ret)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_finish', func: textOf(b, start + 5, retAt, ascii), ret };
}

// trace-cmd shows trace_marker writes as the ftrace `print` event: `%ps: %s` (`tracing_mark_write: text`).
function parsePrint(f: string, ctx: EventContext): TraceEvent | null {
  const colon = f.indexOf(': ');
  const text = colon >= 0 && f.indexOf(' ') > colon ? f.slice(colon + 2) : f;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'marker', text: detached(text.trimEnd()) };
}
