// TEST-ONLY stand-in for src/ingest/trace-reader.ts (not yet committed when these tests were written):
// turns verbatim ftrace text lines of the captures (workqueue, sched and marker events only) into
// TraceEvents, so the model tests run on real lines. Replace with readTrace() once it lands.

import { readFileSync } from 'node:fs';
import type { TraceEvent } from '../../src/ingest/trace-events.types.js';
import type { Builder } from '../../src/model/builder.js';
import type { Ns, ProbeSpan, SourceRef } from '../../src/model/types.js';
import { cpuId, ns, pidOf } from '../../src/model/types.js';

const LINE = /^\s*(?<comm>.+?)-(?<pid>\d+)\s+\[(?<cpu>\d+)\]\s+\S+\s+(?<sec>\d+)\.(?<usec>\d{6}):\s+(?<event>\w+):\s?(?<body>.*)$/;

/** `lines` as [lineNumber, text] pairs copied from `file`. */
export function eventsFromLines(file: string, lines: Array<[number, string]>): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const [line, text] of lines) {
    const e = eventFromLine(file, line, text);
    if (e) out.push(e);
  }
  return out;
}

export function eventFromLine(file: string, line: number, text: string): TraceEvent | null {
  const m = LINE.exec(text);
  if (!m?.groups) return null;
  const g = m.groups;
  const base = {
    source: { file, line },
    timeNs: ns(Number(g.sec) * 1e9 + Number(g.usec) * 1e3),
    cpu: cpuId(Number(g.cpu)),
    pid: pidOf(Number(g.pid)),
    comm: g.comm!.trim(),
    tgid: null,
  };
  return eventFromBody(base, g.event!, g.body!);
}

type Base = Pick<TraceEvent, 'source' | 'timeNs' | 'cpu' | 'pid' | 'comm' | 'tgid'>;

function eventFromBody(base: Base, event: string, body: string): TraceEvent | null {
  const g = { event };
  let b: RegExpExecArray | null;
  switch (g.event) {
    case 'workqueue_queue_work':
      b = /^work struct=(\S+) function=(.+?) workqueue=(\S+) req_cpu=(\d+) cpu=(-?\d+)$/.exec(body);
      if (!b) return null;
      return { ...base, type: 'workqueue_queue_work', work: b[1]!, function: b[2]!, workqueue: b[3]!, reqCpu: Number(b[4]),
        poolCpu: b[5] === '-1' || b[5] === '4294967295' ? null : Number(b[5]) };
    case 'workqueue_activate_work':
      b = /^work struct (\S+)(?: function=(.+?))?\s*$/.exec(body);
      if (!b) return null;
      return { ...base, type: 'workqueue_activate_work', work: b[1]!, function: b[2] ?? null };
    case 'workqueue_execute_start':
    case 'workqueue_execute_end':
      b = /^work struct (\S+?):? function (.+)$/.exec(body);
      if (!b) return null;
      return { ...base, type: g.event, work: b[1]!, function: b[2]! };
    case 'sched_switch':
      b = /^prev_comm=(.*) prev_pid=(\d+) prev_prio=(\d+) prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+) next_prio=(\d+)$/.exec(body);
      if (!b) return null;
      return { ...base, type: 'sched_switch', prevComm: b[1]!, prevPid: pidOf(Number(b[2])), prevPrio: Number(b[3]), prevState: b[4]!,
        nextComm: b[5]!, nextPid: pidOf(Number(b[6])), nextPrio: Number(b[7]) };
    case 'sched_wakeup':
    case 'sched_wakeup_new':
    case 'sched_waking':
      b = /^comm=(.*) pid=(\d+) prio=(\d+) target_cpu=(\d+)$/.exec(body);
      if (!b) return null;
      return { ...base, type: g.event, targetComm: b[1]!, targetPid: pidOf(Number(b[2])), prio: Number(b[3]), targetCpu: cpuId(Number(b[4])) };
    case 'sched_migrate_task':
      b = /^comm=(.*) pid=(\d+) prio=(\d+) orig_cpu=(\d+) dest_cpu=(\d+)$/.exec(body);
      if (!b) return null;
      return { ...base, type: 'sched_migrate_task', targetComm: b[1]!, targetPid: pidOf(Number(b[2])), prio: Number(b[3]),
        origCpu: cpuId(Number(b[4])), destCpu: cpuId(Number(b[5])) };
    case 'tracing_mark_write':
      return { ...base, type: 'marker', text: body };
    default:
      return null;
  }
}

/** Events of lines [fromLine, toLine] (1-based, inclusive) of a real ftrace text file. */
export function eventsFromFile(path: string, fromLine = 1, toLine = Number.MAX_SAFE_INTEGER): TraceEvent[] {
  const text = readFileSync(path, 'utf8').split('\n');
  const out: TraceEvent[] = [];
  for (let i = fromLine; i <= Math.min(toLine, text.length); i++) {
    const e = eventFromLine(path, i, text[i - 1]!);
    if (e) out.push(e);
  }
  return out;
}

/** Feeds events through builders the way one ingest pass does (reset, handle each, finalize). */
export function runBuilders(events: TraceEvent[], ...builders: Array<Builder<TraceEvent, unknown>>): void {
  for (const b of builders) b.reset();
  for (const e of events) for (const b of builders) b.handle(e);
  for (const b of builders) b.finalize();
}

/**
 * TEST-ONLY stand-in for the kernel-log probe-span builder: a ProbeSpan per real dmesg
 * `probe of DEV returned R after N usecs` line (with its `[T<pid>]` caller when printed), and the
 * `lab: ...` markers of the same log.
 */
export function probesFromDmesg(path: string): { probes: ProbeSpan[]; markers: Array<{ text: string; timeNs: Ns; source: SourceRef }> } {
  const probes: ProbeSpan[] = [];
  const markers: Array<{ text: string; timeNs: Ns; source: SourceRef }> = [];
  readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
    const m = /^\[\s*(\d+)\.(\d{6})\](?:\[\s*([TC])(\d+)\])? (.*)$/.exec(text);
    if (!m) return;
    const t = Number(m[1]) * 1e9 + Number(m[2]) * 1e3;
    const msg = m[5]!;
    const source = { file: path, line: i + 1 };
    const pm = /^probe of (\S+) returned (-?\d+) after (\d+) usecs/.exec(msg);
    if (pm) {
      const d = Number(pm[3]) * 1000;
      probes.push({ device: pm[1]!, driver: null, node: null, startNs: ns(t - d), endNs: ns(t), durationNs: ns(d), ret: Number(pm[2]),
        status: 'ok', deferred: false, cpu: null, worker: null, queuedBy: null, queueDelayNs: null, onCpuNs: null,
        runnableWaitNs: null, sleepNs: null, callerPid: m[3] === 'T' ? pidOf(Number(m[4])) : null, origin: 'probe-line', source, evidence: [] });
    }
    if (msg.startsWith('lab: ')) markers.push({ text: msg, timeNs: ns(t), source });
  });
  return { probes, markers };
}

const GRAPH = /^\s*(?<sec>\d+)\.(?<usec>\d{6}) \|\s+(?<cpu>\d+)\)\s+(?<comm>.+?)-(?<pid>\d+)\s+\|(?<dur>[^|]*)\|  (?<tree>.*)$/;

/**
 * TEST-ONLY stand-in for the function_graph reader: lines with funcgraph-abstime and funcgraph-proc
 * (`    9.045200 |   0)   kworker-18   |               |  work_for_cpu_fn() {`), including the
 * `/* event: ... *\/` comments that carry the workqueue/sched events.
 */
export function graphEventsFromFile(path: string, fromLine = 1, toLine = Number.MAX_SAFE_INTEGER): TraceEvent[] {
  const text = readFileSync(path, 'utf8').split('\n');
  const out: TraceEvent[] = [];
  for (let i = fromLine; i <= Math.min(toLine, text.length); i++) {
    const m = GRAPH.exec(text[i - 1]!);
    if (!m?.groups) continue;
    const g = m.groups;
    const base: Base = { source: { file: path, line: i }, timeNs: ns(Number(g.sec) * 1e9 + Number(g.usec) * 1e3),
      cpu: cpuId(Number(g.cpu)), pid: pidOf(Number(g.pid)), comm: g.comm!.trim(), tgid: null };
    const tree = g.tree!;
    const depth = Math.floor((tree.length - tree.trimStart().length) / 2);
    const call = tree.trim();
    const dm = /([\d.]+) us/.exec(g.dur!);
    const durationNs = dm ? ns(Math.round(Number(dm[1]) * 1000)) : null;
    let c: RegExpExecArray | null;
    if ((c = /^\/\* (\w+): (.*) \*\/$/.exec(call))) {
      const e = eventFromBody(base, c[1]!, c[2]!);
      if (e) out.push(e);
    } else if ((c = /^\/\* (.*) \*\/$/.exec(call))) {
      out.push({ ...base, type: 'marker', text: c[1]! });
    } else if ((c = /^(.+)\(\) \{$/.exec(call))) {
      out.push({ ...base, type: 'funcgraph_entry', func: c[1]!, depth });
    } else if ((c = /^\}(?: \/\* (.+) \*\/)?$/.exec(call))) {
      out.push({ ...base, type: 'funcgraph_exit', func: c[1] ?? null, depth, durationNs });
    } else if ((c = /^(.+)\(\);$/.exec(call))) {
      out.push({ ...base, type: 'funcgraph_leaf', func: c[1]!, depth, durationNs });
    }
  }
  return out;
}
