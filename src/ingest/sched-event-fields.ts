// Fields of the scheduler tracepoints (include/trace/events/sched.h: sched_switch, sched_wakeup/_new/waking incl.
// ≤4.2 `success=` and vendor `state=` suffixes, sched_migrate_task, sched_process_exec), in the kernel's print
// formats, libtraceevent plugins/plugin_sched_switch.c (trace-cmd's `comm:pid [prio] STATE ==> ...` text) and
// trace-cmd report -R raw `field=value` text. Read from the line's bytes (nearly every line of a trace is one of
// these), comms reused per pid (CommCache).

import { asciiBytes, bytesIndexOf, bytesLastIndexOf, bytesStartWith, textOf } from './byte-text.js';
import type { Cpu, Pid } from '../core/units.js';
import type { FieldState } from './field-scanner.js';
import type { TraceEvent, TraceEventBase as EventContext } from './trace-events.types.js';

const K_ARROW = asciiBytes(' ==> ');
const K_COLON = asciiBytes(':');
const K_COMM = asciiBytes('comm=');
const K_PLUGIN_CPU = asciiBytes(' CPU:');
const K_DEST_CPU = asciiBytes(' dest_cpu=');
const K_FILENAME = asciiBytes('filename=');
const K_NEXT_COMM = asciiBytes(' next_comm=');
const K_NEXT_COMM_FIELD = asciiBytes('next_comm=');
const K_NEXT_PID = asciiBytes(' next_pid=');
const K_NEXT_PRIO = asciiBytes(' next_prio=');
const K_OLD_PID = asciiBytes(' old_pid=');
const K_ORIG_CPU = asciiBytes(' orig_cpu=');
const K_PID = asciiBytes(' pid=');
const K_PREV_PID = asciiBytes(' prev_pid=');
const K_PREV_PRIO = asciiBytes(' prev_prio=');
const K_PREV_STATE = asciiBytes(' prev_state=');
const K_PRIO = asciiBytes(' prio=');
const K_SPACE_BRACKET = asciiBytes(' [');
const K_TARGET_CPU = asciiBytes(' target_cpu=');

// prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d
// (trace-cmd -R: ... prev_state=%ld next_comm=... with no `==>`)
export function parseSchedSwitchKernel(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext, s: FieldState): TraceEvent | null {
  const prevPidAt = bytesIndexOf(b, K_PREV_PID, start + 10, end);
  if (prevPidAt < 0) return null;
  const prevPid = s.scan.intAt(b, prevPidAt + 10, end);
  const prevPrio = s.scan.intAfter(b, K_PREV_PRIO, s.scan.end, end);
  const stateAt = bytesIndexOf(b, K_PREV_STATE, s.scan.end, end);
  if (stateAt < 0) return null;
  const stateStart = stateAt + 12;
  let nextCommAt: number;
  const arrow = bytesIndexOf(b, K_ARROW, stateStart, end);
  let prevState: string;
  if (arrow >= 0) {
    nextCommAt = bytesIndexOf(b, K_NEXT_COMM_FIELD, arrow + 5, end);
    prevState = s.shortTexts.text(b, stateStart, arrow, ascii);
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
  const nextPid = s.scan.intAt(b, nextPidAt + 10, end);
  const nextPrio = s.scan.intAfter(b, K_NEXT_PRIO, s.scan.end, end);
  if (Number.isNaN(prevPid) || Number.isNaN(prevPrio) || Number.isNaN(nextPid) || Number.isNaN(nextPrio)) return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'sched_switch',
    prevComm: s.comms.text(prevPid, ctx.cpu, b, start + 10, prevPidAt, ascii),
    prevPid: prevPid as Pid,
    prevPrio,
    prevState,
    nextComm: s.comms.text(nextPid, ctx.cpu, b, nextCommAt + 10, nextPidAt, ascii),
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
export function parseSchedSwitchPlugin(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext, s: FieldState): TraceEvent | null {
  const arrow = bytesIndexOf(b, K_ARROW, start, end);
  if (arrow < 0) return null;
  const prev = commPidPrio(b, start, arrow, ascii, ctx.cpu, s);
  if (prev === null) return null;
  // Trimmed as text: any white space, as the plugin's own reader would (trace-cmd prints one space each side).
  const prevState = textOf(b, prev.after, arrow, ascii).trim();
  const next = commPidPrio(b, arrow + 5, end, ascii, ctx.cpu, s);
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
function commPidPrio(b: Buffer, start: number, end: number, ascii: boolean, cpu: number, s: FieldState): { comm: string; pid: number; prio: number; after: number } | null {
  const bracket = bytesLastIndexOf(b, K_SPACE_BRACKET, start, end);
  if (bracket < 0) return null;
  const colon = bytesLastIndexOf(b, K_COLON, start, bracket);
  if (colon < 0) return null;
  const pid = s.scan.intAt(b, colon + 1, end);
  if (s.scan.end !== bracket) return null;
  const prio = s.scan.intAt(b, bracket + 2, end);
  if (s.scan.end >= end || b[s.scan.end] !== 93) return null;
  if (Number.isNaN(pid) || Number.isNaN(prio)) return null;
  let commStart = start;
  while (b[commStart] === 32) commStart++;
  return { comm: s.comms.text(pid, cpu, b, commStart, colon, ascii), pid, prio, after: s.scan.end + 1 };
}

// comm=%s pid=%d prio=%d [success=%d] target_cpu=%03d [state=...]
export function parseWakeupKernel(type: 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking', b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext, s: FieldState): TraceEvent | null {
  const pidAt = bytesIndexOf(b, K_PID, start + 5, end);
  if (pidAt < 0) return null;
  const pid = s.scan.intAt(b, pidAt + 5, end);
  const prio = s.scan.intAfter(b, K_PRIO, s.scan.end, end);
  const targetCpu = s.scan.intAfter(b, K_TARGET_CPU, s.scan.end, end);
  if (Number.isNaN(pid) || Number.isNaN(prio) || Number.isNaN(targetCpu)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, targetComm: s.comms.text(pid, ctx.cpu, b, start + 5, pidAt, ascii), targetPid: pid as Pid, prio, targetCpu: targetCpu as Cpu };
}

// plugin: comm:pid [prio] [success=N] CPU:%03d
export function parseWakeupPlugin(type: 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking', b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext, s: FieldState): TraceEvent | null {
  const cpuAt = bytesLastIndexOf(b, K_PLUGIN_CPU, start, end);
  if (cpuAt < 0) return null;
  const task = commPidPrio(b, start, cpuAt, ascii, ctx.cpu, s);
  const targetCpu = s.scan.intAt(b, cpuAt + 5, end);
  if (task === null || Number.isNaN(targetCpu)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type, targetComm: task.comm, targetPid: task.pid as Pid, prio: task.prio, targetCpu: targetCpu as Cpu };
}

// comm=%s pid=%d prio=%d orig_cpu=%d dest_cpu=%d
export function parseMigrate(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext, s: FieldState): TraceEvent | null {
  if (!bytesStartWith(b, start, end, K_COMM)) return null;
  const pidAt = bytesIndexOf(b, K_PID, start + 5, end);
  if (pidAt < 0) return null;
  const pid = s.scan.intAt(b, pidAt + 5, end);
  const prio = s.scan.intAfter(b, K_PRIO, s.scan.end, end);
  const origCpu = s.scan.intAfter(b, K_ORIG_CPU, s.scan.end, end);
  const destCpu = s.scan.intAfter(b, K_DEST_CPU, s.scan.end, end);
  if (Number.isNaN(pid) || Number.isNaN(prio) || Number.isNaN(origCpu) || Number.isNaN(destCpu)) return null;
  return {
    source: ctx.source,
    timeNs: ctx.timeNs,
    cpu: ctx.cpu,
    pid: ctx.pid,
    comm: ctx.comm,
    tgid: ctx.tgid,
    type: 'sched_migrate_task',
    targetComm: s.comms.text(pid, ctx.cpu, b, start + 5, pidAt, ascii),
    targetPid: pid as Pid,
    prio,
    origCpu: origCpu as Cpu,
    destCpu: destCpu as Cpu,
  };
}

// filename=%s pid=%d old_pid=%d
export function parseExec(b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext, s: FieldState): TraceEvent | null {
  if (!bytesStartWith(b, start, end, K_FILENAME)) return null;
  const pidAt = bytesLastIndexOf(b, K_PID, start, end);
  if (pidAt < start + 9) return null;
  const pid = s.scan.intAt(b, pidAt + 5, end);
  const oldPid = s.scan.intAfter(b, K_OLD_PID, s.scan.end, end);
  if (Number.isNaN(pid) || Number.isNaN(oldPid)) return null;
  return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'sched_process_exec', filename: textOf(b, start + 9, pidAt, ascii), targetPid: pid as Pid, oldPid: oldPid as Pid };
}
