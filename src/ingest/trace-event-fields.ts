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
// Hot path: no regular expressions; names are matched with startsWith before any slicing.

import { detached } from '../model/detached-string.js';
import type { Cpu, Pid } from '../model/types.js';
import type { TraceEvent, TraceEventBase } from './trace-events.types.js';
import { parseGraphColumns } from './funcgraph-body.js';

/** The per-line context (TASK column, CPU, time) every event carries. Reused between lines by callers. */
export type EventContext = TraceEventBase;

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

/** The known event whose name is exactly `text[start, end)`, or null. Allocates nothing. */
export function knownEventAt(text: string, start: number, end: number): KnownEventName | null {
  const candidates = NAMES_BY_LENGTH[end - start];
  if (candidates === undefined) return null;
  // Compared from the last character: names of one length share their prefixes (sched_wakeup/sched_waking).
  const length = end - start;
  for (const name of candidates) {
    let k = length - 1;
    while (k >= 0 && name.charCodeAt(k) === text.charCodeAt(start + k)) k--;
    if (k < 0) return name;
  }
  return null;
}

const NAMES_BY_LENGTH: Array<KnownEventName[] | undefined> = [];
for (const name of KNOWN_EVENT_NAMES) (NAMES_BY_LENGTH[name.length] ??= []).push(name);

/**
 * Parses the fields text of a known event (kernel print format, trace-cmd plugin text or trace-cmd -R raw
 * text) into a TraceEvent with the context's TASK/CPU/time. Returns null when the text does not match any
 * known layout of that event (the caller reports a diagnostic).
 */
export function parseEventFields(name: KnownEventName, fields: string, ctx: EventContext): TraceEvent | null {
  switch (name) {
    case 'sched_switch':
      return parseSchedSwitch(fields, ctx);
    case 'sched_wakeup':
    case 'sched_wakeup_new':
    case 'sched_waking':
      return parseWakeup(name, fields, ctx);
    case 'sched_migrate_task':
      return parseMigrate(fields, ctx);
    case 'sched_process_exec':
      return parseExec(fields, ctx);
    case 'workqueue_queue_work':
      return parseQueueWork(fields, ctx);
    case 'workqueue_activate_work':
    case 'workqueue_execute_start':
    case 'workqueue_execute_end':
      return parseWorkEvent(name, fields, ctx);
    case 'initcall_level':
      return fields.startsWith('level=') ? { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_level', level: fields.slice(6).trimEnd() } : null;
    case 'initcall_start':
      return fields.startsWith('func=') ? { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_start', func: fields.slice(5).trimEnd() } : null;
    case 'initcall_finish':
      return parseInitcallFinish(fields, ctx);
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

// Events are built as literals naming every field (no object spread): one hidden class per event type.

// ---- integer scanning without allocation ----------------------------------------------------------

let scanEnd = 0;
/** Parses a (possibly negative) decimal integer at `pos`; NaN if there is none. Sets scanEnd. */
function intAt(text: string, pos: number): number {
  let i = pos;
  let negative = false;
  if (text.charCodeAt(i) === 45) {
    negative = true;
    i++;
  }
  const digitsStart = i;
  let value = 0;
  for (;;) {
    const c = text.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) break;
    value = value * 10 + (c - 48);
    i++;
  }
  scanEnd = i;
  if (i === digitsStart) return NaN;
  return negative ? -value : value;
}

/** The integer after `key` (searched from `from`), or NaN. */
function intAfter(text: string, key: string, from: number): number {
  const at = text.indexOf(key, from);
  if (at < 0) {
    scanEnd = from;
    return NaN;
  }
  return intAt(text, at + key.length);
}

// ---- sched ----------------------------------------------------------------------------------------

function parseSchedSwitch(f: string, ctx: EventContext): TraceEvent | null {
  if (f.startsWith('prev_comm=')) return parseSchedSwitchKernel(f, ctx);
  return parseSchedSwitchPlugin(f, ctx);
}

// prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d
// (trace-cmd -R: ... prev_state=%ld next_comm=... with no `==>`)
function parseSchedSwitchKernel(f: string, ctx: EventContext): TraceEvent | null {
  const prevPidAt = f.indexOf(' prev_pid=', 10);
  if (prevPidAt < 0) return null;
  const prevPid = intAt(f, prevPidAt + 10);
  const prevPrio = intAfter(f, ' prev_prio=', scanEnd);
  const stateAt = f.indexOf(' prev_state=', scanEnd);
  if (stateAt < 0) return null;
  const stateStart = stateAt + 12;
  let stateEnd: number;
  let nextCommAt: number;
  const arrow = f.indexOf(' ==> ', stateStart);
  let prevState: string;
  if (arrow >= 0) {
    stateEnd = arrow;
    nextCommAt = f.indexOf('next_comm=', arrow);
    prevState = f.slice(stateStart, stateEnd);
  } else {
    nextCommAt = f.indexOf(' next_comm=', stateStart);
    if (nextCommAt < 0) return null;
    stateEnd = nextCommAt;
    nextCommAt++;
    prevState = rawStateLetters(f.slice(stateStart, stateEnd));
  }
  if (nextCommAt < 0) return null;
  const nextPidAt = f.lastIndexOf(' next_pid=');
  if (nextPidAt < nextCommAt) return null;
  const nextPid = intAt(f, nextPidAt + 10);
  const nextPrio = intAfter(f, ' next_prio=', scanEnd);
  if (Number.isNaN(prevPid) || Number.isNaN(prevPrio) || Number.isNaN(nextPid) || Number.isNaN(nextPrio)) return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'sched_switch',
    prevComm: f.slice(10, prevPidAt),
    prevPid: prevPid as Pid,
    prevPrio,
    prevState,
    nextComm: f.slice(nextCommAt + 10, nextPidAt),
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
function parseSchedSwitchPlugin(f: string, ctx: EventContext): TraceEvent | null {
  const arrow = f.indexOf(' ==> ');
  if (arrow < 0) return null;
  const prev = commPidPrio(f, 0, arrow);
  if (prev === null) return null;
  const prevState = f.slice(prev.after, arrow).trim();
  const next = commPidPrio(f, arrow + 5, f.length);
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

/** `comm:pid [prio]` inside f[start, end) (comm may hold spaces and colons: anchor on the last ` [`). */
function commPidPrio(f: string, start: number, end: number): { comm: string; pid: number; prio: number; after: number } | null {
  const bracket = f.lastIndexOf(' [', end - 1);
  if (bracket < start) return null;
  const colon = f.lastIndexOf(':', bracket);
  if (colon < start) return null;
  const pid = intAt(f, colon + 1);
  if (scanEnd !== bracket) return null;
  const prio = intAt(f, bracket + 2);
  if (f.charCodeAt(scanEnd) !== 93) return null;
  if (Number.isNaN(pid) || Number.isNaN(prio)) return null;
  let commStart = start;
  while (f.charCodeAt(commStart) === 32) commStart++;
  return { comm: f.slice(commStart, colon), pid, prio, after: scanEnd + 1 };
}

// comm=%s pid=%d prio=%d [success=%d] target_cpu=%03d [state=...]; plugin: comm:pid [prio] [success=N] CPU:%03d
function parseWakeup(type: 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking', f: string, ctx: EventContext): TraceEvent | null {
  if (f.startsWith('comm=')) {
    const pidAt = f.indexOf(' pid=', 5);
    if (pidAt < 0) return null;
    const pid = intAt(f, pidAt + 5);
    const prio = intAfter(f, ' prio=', scanEnd);
    const targetCpu = intAfter(f, ' target_cpu=', scanEnd);
    if (Number.isNaN(pid) || Number.isNaN(prio) || Number.isNaN(targetCpu)) return null;
    return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, targetComm: f.slice(5, pidAt), targetPid: pid as Pid, prio, targetCpu: targetCpu as Cpu };
  }
  const cpuAt = f.lastIndexOf(' CPU:');
  if (cpuAt < 0) return null;
  const task = commPidPrio(f, 0, cpuAt);
  const targetCpu = intAt(f, cpuAt + 5);
  if (task === null || Number.isNaN(targetCpu)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, targetComm: task.comm, targetPid: task.pid as Pid, prio: task.prio, targetCpu: targetCpu as Cpu };
}

// comm=%s pid=%d prio=%d orig_cpu=%d dest_cpu=%d
function parseMigrate(f: string, ctx: EventContext): TraceEvent | null {
  if (!f.startsWith('comm=')) return null;
  const pidAt = f.indexOf(' pid=', 5);
  if (pidAt < 0) return null;
  const pid = intAt(f, pidAt + 5);
  const prio = intAfter(f, ' prio=', scanEnd);
  const origCpu = intAfter(f, ' orig_cpu=', scanEnd);
  const destCpu = intAfter(f, ' dest_cpu=', scanEnd);
  if (Number.isNaN(pid) || Number.isNaN(prio) || Number.isNaN(origCpu) || Number.isNaN(destCpu)) return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'sched_migrate_task',
    targetComm: f.slice(5, pidAt),
    targetPid: pid as Pid,
    prio,
    origCpu: origCpu as Cpu,
    destCpu: destCpu as Cpu,
  };
}

// filename=%s pid=%d old_pid=%d
function parseExec(f: string, ctx: EventContext): TraceEvent | null {
  if (!f.startsWith('filename=')) return null;
  const pidAt = f.lastIndexOf(' pid=');
  if (pidAt < 9) return null;
  const pid = intAt(f, pidAt + 5);
  const oldPid = intAfter(f, ' old_pid=', scanEnd);
  if (Number.isNaN(pid) || Number.isNaN(oldPid)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'sched_process_exec', filename: f.slice(9, pidAt), targetPid: pid as Pid, oldPid: oldPid as Pid };
}

// ---- workqueue ------------------------------------------------------------------------------------

// work struct=%p function=%ps workqueue=%p|%s req_cpu=%u|%d cpu=%u|%d   (trace-cmd -R: work=… function=…)
function parseQueueWork(f: string, ctx: EventContext): TraceEvent | null {
  let workStart: number;
  if (f.startsWith('work struct=')) workStart = 12;
  else if (f.startsWith('work=')) workStart = 5;
  else return null;
  const fnAt = f.indexOf(' function=', workStart);
  if (fnAt < 0) return null;
  const wqAt = f.indexOf(' workqueue=', fnAt + 10);
  if (wqAt < 0) return null;
  const reqAt = f.lastIndexOf(' req_cpu=');
  if (reqAt < wqAt) return null;
  const reqCpu = intAt(f, reqAt + 9);
  const poolCpu = intAfter(f, ' cpu=', scanEnd);
  if (Number.isNaN(reqCpu) || Number.isNaN(poolCpu)) return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'workqueue_queue_work',
    work: f.slice(workStart, fnAt),
    function: f.slice(fnAt + 10, wqAt),
    workqueue: f.slice(wqAt + 11, reqAt),
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
function parseInitcallFinish(f: string, ctx: EventContext): TraceEvent | null {
  if (!f.startsWith('func=')) return null;
  const retAt = f.lastIndexOf(' ret=');
  if (retAt < 5) return null;
  const ret = intAt(f, retAt + 5);
  if (Number.isNaN(ret)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_finish', func: f.slice(5, retAt), ret };
}

// trace-cmd shows trace_marker writes as the ftrace `print` event: `%ps: %s` (`tracing_mark_write: text`).
function parsePrint(f: string, ctx: EventContext): TraceEvent | null {
  const colon = f.indexOf(': ');
  const text = colon >= 0 && f.indexOf(' ') > colon ? f.slice(colon + 2) : f;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'marker', text: detached(text.trimEnd()) };
}
