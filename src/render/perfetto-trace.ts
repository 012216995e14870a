// Boots as a Chrome JSON trace-event file ("Trace Event Format", the JSON that ui.perfetto.dev and
// chrome://tracing open): one process per boot, one thread track per CPU that ran a probe body, per task
// (kworker/0:1, the async worker that queued a body, init with its initcalls, ...), one for probes and one for
// initcalls whose task is unknown, and one for the findings. Pure: Boot in, events out, no analysis (the spans, identities and findings are the Boot's).
//
// Rules followed, as google/perfetto's JSON importer applies them
// (src/trace_processor/importers/json/json_trace_tokenizer.cc and json_trace_parser.cc, with
// importers/common/slice_tracker.cc and flow_tracker.cc; see docs/perfetto.md):
// - `ts`/`dur` in µs; the importer reads a fractional value as llround(v * 1000) ns, so ns/1000 keeps ns exactly.
// - complete events (`X`) on one thread must nest or be disjoint; a span that would partially overlap another
//   one of its track goes to an extra lane (a thread named "... (lane 2: overlaps lane 1)"), see nested-lanes.ts.
// - flows are v2: `bind_id` + `flow_out` on the slice that queued the body, `bind_id` + `flow_in` on the body;
//   each binds to the slice its event opens. v1 `s`/`f` flows would need `bp: "e"` and match by (id, cat, name).
// - events are written in the order the importer's sorter processes them (ts, then longer `X` first), so a
//   flow's out end is always seen before its in end (else "flow_end_without_start").
// - pid/tid are 32-bit; tid == pid would make the track the process's main thread, tid 0 is replaced by the
//   pid: task tracks use the real pid, every other track (CPU, lanes, findings) a synthetic id above all of
//   them, and process ids are synthetic too.

import type { Boot, Finding, ProbeSpan, WorkerIdentity } from '../model/types.js';
import { probeBody } from './html/probe-rows.js';
import { nestedLanes } from './nested-lanes.js';
import { workerLabel } from './worker-label.js';

export const PERFETTO_SCHEMA = 'trace-probe.perfetto/1' as const;

/** One boot of the file, shown as one process. */
export interface PerfettoBoot {
  /** The process name: "n0x3", "simulated: spread", "before 1: ../captures/before-n0x3". */
  label: string;
  boot: Boot;
}

export type Args = Record<string, unknown>;

export interface TraceEvent {
  name: string;
  cat?: string;
  ph: 'X' | 'i' | 'M';
  /** µs (ns / 1000). Absent on metadata events. */
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  /** Instant scope: 't' (the thread's track). */
  s?: 't';
  bind_id?: number;
  flow_in?: true;
  flow_out?: true;
  args?: Args;
}

export interface SplitTrack {
  track: string;
  lanes: number;
}

export interface PerfettoProcessInfo {
  pid: number;
  label: string;
  inputs: string[];
  probes: number;
  /** Probes without a start time (only a cost): not on the timeline. */
  untimedProbes: number;
  /** Initcalls without a start (or without an end and a duration): not on the timeline. */
  untimedInitcalls: number;
  /** Probes (and initcalls, prefixed `initcall`) whose end is before their start: not on the timeline. */
  invalidProbes: string[];
  flows: number;
  findings: number;
  /** Tracks whose spans overlapped without nesting, split into that many lanes. */
  splitTracks: SplitTrack[];
}

export interface PerfettoTraceFile {
  traceEvents: TraceEvent[];
  otherData: {
    schema: typeof PERFETTO_SCHEMA;
    clock: string;
    processes: PerfettoProcessInfo[];
  };
}

type TrackKind = 'findings' | 'cpu' | 'task' | 'unknown';

interface Track {
  key: string;
  kind: TrackKind;
  name: string;
  /** CPU number for ordering (task tracks are ordered by their first slice). */
  order: number;
  /** The task's pid, when it is a task known by pid. */
  pid: number | null;
  slices: Slice[];
}

interface Slice {
  name: string;
  cat: string;
  startNs: number;
  endNs: number;
  args: Args;
  /** Both ends of a flow point at each other through this id (file-wide). */
  flow?: number;
  instant?: boolean;
  /** Creation order within the boot: breaks ties so a flow's caller side comes first. */
  seq: number;
  /** Spans nest only within a group: on a CPU track the task that ran them, on the unknown-task track none. */
  group?: string;
}

const us = (ns: number): number => Math.round(ns) / 1000;
const usOrNull = (ns: number | null | undefined): number | null => (ns === null || ns === undefined ? null : us(ns));

/** Drops null/undefined values so args show only what the input has. */
function compact(args: Args): Args {
  const out: Args = {};
  for (const [k, v] of Object.entries(args)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

function taskKey(w: WorkerIdentity): string | null {
  if (w.pid !== null) return `task:pid:${w.pid}`;
  if (w.comm !== null) return `task:comm:${w.comm}`;
  return null;
}

const sameTask = (a: WorkerIdentity, b: WorkerIdentity): boolean => taskKey(a) !== null && taskKey(a) === taskKey(b);

/** The tracks and slices of one boot (no ids yet). */
function bootTracks(boot: Boot, nextFlow: () => number): { tracks: Track[]; untimed: number; untimedInitcalls: number; invalid: string[]; flows: number } {
  const tracks = new Map<string, Track>();
  const track = (key: string, kind: TrackKind, name: string, order: number, pid: number | null = null): Track => {
    let t = tracks.get(key);
    if (!t) tracks.set(key, (t = { key, kind, name, order, pid, slices: [] }));
    return t;
  };
  const taskTrack = (w: WorkerIdentity): Track | null => {
    const key = taskKey(w);
    if (key === null) return null;
    const t = track(key, 'task', w.comm ?? `pid ${w.pid}`, 0, w.pid);
    if (t.name === `pid ${w.pid}` && w.comm !== null) t.name = w.comm; // known by pid first, its comm seen later
    return t;
  };

  let seq = 0;
  let untimed = 0;
  let flows = 0;
  const invalid: string[] = [];
  boot.probes.forEach((p, index) => {
    if (p.startNs === null) {
      untimed++;
      return;
    }
    const startNs = Math.round(p.startNs);
    const endNs = Math.round(p.endNs ?? p.startNs + p.durationNs);
    if (endNs < startNs) {
      invalid.push(`${p.device} (${p.source.file}:${p.source.line})`);
      return;
    }
    const name = `${p.driver ?? '?'} ${p.device}`;
    const args = probeArgs(p);
    const executor = p.worker;
    const caller: WorkerIdentity | null = p.queuedBy
      ?? (p.callerPid != null && (executor === null || executor.pid !== p.callerPid) ? callerOnly(p.callerPid) : null);
    const handedOff = caller !== null && executor !== null && !sameTask(caller, executor);
    // The stretch the executing task (and its CPU) spent on the probe: the body when another task queued it.
    let execStart = startNs;
    let execEnd = endNs;
    if (handedOff) {
      const body = probeBody(p)!;
      execStart = Math.round(body.bodyStartNs);
      execEnd = Math.round(body.bodyEndNs);
      if (execEnd < execStart) execEnd = execStart;
      const callerTrack = taskTrack(caller)!;
      const flow = nextFlow();
      flows++;
      // The hand-off inside the caller's span, where the flow starts: queue_work of the body's work item to its
      // execute_start (the queue delay) when the trace gives it, else the caller's wait from the span start.
      // Perfetto draws a flow from the end of its out slice (or its start, when that is not before the in
      // slice's start), so the hand-off ends where the body starts and the arrow never points back in time.
      const queuedAt = p.queueDelayNs !== null ? execStart - Math.round(p.queueDelayNs) : null;
      const handoffStart = queuedAt !== null && queuedAt >= startNs ? queuedAt : startNs;
      const handoff = handoffStart < execStart && execStart <= endNs;
      callerTrack.slices.push({ name, cat: 'probe', startNs, endNs, args: { role: 'probe (really_probe in the task that queued the body and waited for it)', ...args }, seq: seq++, ...(handoff ? {} : { flow }) });
      if (handoff) {
        callerTrack.slices.push({
          name: handoffStart === queuedAt ? 'queue delay' : 'waiting for the body to start',
          cat: 'queue',
          startNs: handoffStart,
          endNs: execStart,
          args: compact({ device: p.device, driver: p.driver, queue_delay_us: usOrNull(p.queueDelayNs), ran_by: workerLabel(executor) }),
          seq: seq++,
          flow,
        });
      }
      taskTrack(executor)!.slices.push({ name, cat: 'probe body', startNs: execStart, endNs: execEnd, args: { role: 'probe body (run for the task that queued it)', ...args }, seq: seq++, flow });
    } else {
      const owner = executor ?? caller;
      const t = owner !== null ? taskTrack(owner) : null;
      // Without a task, spans at the same time may be of different tasks: they never nest (group per span).
      const group = t === null ? `probe ${index}` : undefined;
      (t ?? track('unknown', 'unknown', 'probes (task not in the input)', 0)).slices.push({ name, cat: 'probe', startNs, endNs, args: { role: 'probe', ...args }, seq: seq++, group });
    }
    if (p.cpu !== null) {
      track(`cpu:${p.cpu}`, 'cpu', `CPU ${p.cpu}`, p.cpu).slices.push({
        name,
        cat: handedOff ? 'probe body' : 'probe',
        startNs: execStart,
        endNs: execEnd,
        args: { role: handedOff ? 'probe body' : 'probe', ...args },
        seq: seq++,
        group: (executor ?? caller) === null ? 'unknown task' : (taskKey((executor ?? caller)!) ?? 'unknown task'),
      });
    }
  });

  // Initcalls on the task that ran them (printk caller id; pid 1 is init), so the probes an initcall made nest
  // in it; without a caller id on a track of their own where, as for probes, spans at one time never nest.
  let untimedInitcalls = 0;
  for (const [index, ic] of boot.initcalls.entries()) {
    if (ic.startNs === null || (ic.endNs === null && ic.durationNs === null)) {
      untimedInitcalls++;
      continue;
    }
    const startNs = Math.round(ic.startNs);
    const endNs = Math.round(ic.endNs ?? ic.startNs + ic.durationNs!);
    if (endNs < startNs) {
      invalid.push(`initcall ${ic.fn} (${ic.source.file}:${ic.source.line})`);
      continue;
    }
    const t = ic.callerPid !== null
      ? taskTrack(callerOnly(ic.callerPid))!
      : track('initcalls', 'unknown', 'initcalls (task not in the input)', 1);
    t.slices.push({
      name: ic.fn,
      cat: 'initcall',
      startNs,
      endNs,
      args: compact({
        role: ic.asyncCookie !== null ? 'async function (async_schedule)' : 'initcall',
        fn: ic.fn,
        module: ic.module,
        duration_us: usOrNull(ic.durationNs),
        usecs_are_shifted: ic.usecsAreShifted || null,
        ret: ic.ret,
        level: ic.level,
        async_cookie: ic.asyncCookie,
        caller_pid: ic.callerPid,
        source: `${ic.source.file}:${ic.source.line}`,
      }),
      seq: seq++,
      group: ic.callerPid === null ? `initcall ${index}` : undefined,
    });
  }

  if (boot.findings.length > 0) {
    const t = track('findings', 'findings', 'findings', 0);
    const firstStart = Math.min(...boot.probes.map((p) => p.startNs ?? Infinity));
    for (const f of boot.findings) {
      const at = findingTime(boot, f) ?? (Number.isFinite(firstStart) ? firstStart : 0);
      t.slices.push({ name: `${f.kind}: ${f.title}`, cat: 'finding', startNs: Math.round(at), endNs: Math.round(at), args: findingArgs(f), instant: true, seq: seq++ });
    }
  }
  return { tracks: [...tracks.values()], untimed, untimedInitcalls, invalid, flows };
}

function callerOnly(pid: number): WorkerIdentity {
  return { comm: null, pid: pid as WorkerIdentity['pid'], kind: null, cpu: null, pool: null, workerId: null, rescuerOf: null, maybeTruncated: false };
}

function probeArgs(p: ProbeSpan): Args {
  return compact({
    device: p.device,
    driver: p.driver,
    status: p.status,
    ret: p.ret,
    cost_us: us(p.durationNs),
    queue_delay_us: usOrNull(p.queueDelayNs),
    body_us: p.bodyStartNs != null && p.bodyEndNs != null ? us(p.bodyEndNs - p.bodyStartNs) : null,
    on_cpu_us: usOrNull(p.onCpuNs),
    runnable_wait_us: usOrNull(p.runnableWaitNs),
    sleep_us: usOrNull(p.sleepNs),
    cpu: p.cpu,
    node: p.node,
    worker: p.worker ? workerLabel(p.worker) : null,
    worker_kind: p.worker?.kind ?? null,
    queued_by: p.queuedBy ? workerLabel(p.queuedBy) : null,
    deferred: p.deferred || null,
    origin: p.origin,
    source: `${p.source.file}:${p.source.line}`,
  });
}

/** The earliest moment of the finding's devices' probes (queue_work of a body, or the span start). */
function findingTime(boot: Boot, f: Finding): number | null {
  const wanted = new Set(f.devices);
  let at = Infinity;
  for (const p of boot.probes) {
    if (!wanted.has(p.device) || p.startNs === null) continue;
    const body = probeBody(p);
    at = Math.min(at, p.startNs, body?.queuedNs ?? Infinity);
  }
  return Number.isFinite(at) ? at : null;
}

function findingArgs(f: Finding): Args {
  return compact({
    kind: f.kind,
    severity: f.severity,
    title: f.title,
    detail: f.detail,
    lost_us: usOrNull(f.lostNs),
    devices: f.devices,
    drivers: f.drivers,
    cpu: f.cpu,
    node: f.node,
    warnings: f.warnings.length > 0 ? f.warnings : null,
    evidence: f.evidence.map((e) => `${e.file}:${e.line}`),
    data: f.data,
  });
}

const KIND_RANK: Record<TrackKind, number> = { findings: 0, cpu: 1, task: 2, unknown: 3 };

/** Why a track has a second lane, in the lane's name. */
const LANE_REASON: Record<TrackKind, string> = {
  findings: 'at the same time',
  cpu: "another task's probe at the same time",
  task: 'overlaps without nesting',
  unknown: 'another probe at the same time',
};

/** The sorter's order (trace_sorter.h SlowOperatorLess): ts, then `X` by longer duration, then the rest. */
function sortKey(e: TraceEvent): number {
  return e.ph === 'X' ? -(e.dur ?? 0) : 0;
}

export function perfettoTrace(boots: readonly PerfettoBoot[]): PerfettoTraceFile {
  let flowCounter = 0;
  const nextFlow = () => ++flowCounter;
  const built = boots.map((b) => ({ ...b, ...bootTracks(b.boot, nextFlow) }));
  // Synthetic ids start above every real pid used as a tid (32-bit, as the importer reads them).
  let maxPid = 0;
  for (const b of built) for (const t of b.tracks) if (t.pid !== null) maxPid = Math.max(maxPid, t.pid);
  let nextId = maxPid + 1;
  const meta: TraceEvent[] = [];
  const timed: Array<{ e: TraceEvent; process: number; seq: number }> = [];
  const processes: PerfettoProcessInfo[] = [];

  built.forEach((b, processIndex) => {
    const pid = nextId++;
    meta.push({ name: 'process_name', ph: 'M', pid, tid: pid, args: { name: b.label } });
    meta.push({ name: 'process_sort_index', ph: 'M', pid, tid: pid, args: { sort_index: processIndex } });
    const ranks = new Map(b.tracks.map((t) => [t, t.kind === 'task' ? t.slices.reduce((m, s) => Math.min(m, s.startNs), Infinity) : t.order]));
    const rank = (t: Track) => ranks.get(t)!;
    const ordered = [...b.tracks].sort((x, y) => KIND_RANK[x.kind] - KIND_RANK[y.kind] || rank(x) - rank(y) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    const splitTracks: SplitTrack[] = [];
    let sortIndex = 0;
    for (const t of ordered) {
      const lanes = nestedLanes(t.slices);
      const laneCount = lanes.reduce((m, l) => Math.max(m, l + 1), 0);
      if (laneCount > 1) splitTracks.push({ track: t.name, lanes: laneCount });
      const tids: number[] = [];
      for (let lane = 0; lane < Math.max(laneCount, 1); lane++) {
        const realPid = lane === 0 && t.pid !== null && t.pid > 0 && t.pid <= 0xffffffff ? t.pid : null;
        const tid = realPid ?? nextId++;
        tids.push(tid);
        const name = lane === 0 ? t.name : `${t.name} (lane ${lane + 1}: ${LANE_REASON[t.kind]})`;
        meta.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
        meta.push({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: sortIndex++ } });
      }
      t.slices.forEach((s, i) => {
        const tid = tids[lanes[i]!]!;
        if (s.instant) {
          timed.push({ e: { name: s.name, cat: s.cat, ph: 'i', ts: us(s.startNs), pid, tid, s: 't', args: s.args }, process: processIndex, seq: s.seq });
        } else {
          const e: TraceEvent = { name: s.name, cat: s.cat, ph: 'X', ts: us(s.startNs), dur: us(s.endNs - s.startNs), pid, tid, args: s.args };
          if (s.flow !== undefined) e.bind_id = s.flow;
          timed.push({ e, process: processIndex, seq: s.seq });
        }
      });
    }
    processes.push({
      pid,
      label: b.label,
      inputs: b.boot.inputs.map((i) => i.path),
      probes: b.boot.probes.length,
      untimedProbes: b.untimed,
      untimedInitcalls: b.untimedInitcalls,
      invalidProbes: b.invalid,
      flows: b.flows,
      findings: b.boot.findings.length,
      splitTracks,
    });
  });

  // Stable sort in the importer's processing order; then the first event of each flow is its out end.
  const indexed = timed;
  indexed.sort((a, b) => a.e.ts! - b.e.ts! || sortKey(a.e) - sortKey(b.e) || a.process - b.process || a.seq - b.seq);
  const seen = new Set<number>();
  const traceEvents = [...meta];
  for (const { e } of indexed) {
    if (e.bind_id !== undefined) {
      if (seen.has(e.bind_id)) e.flow_in = true;
      else {
        seen.add(e.bind_id);
        e.flow_out = true;
      }
    }
    traceEvents.push(e);
  }
  return {
    traceEvents,
    otherData: { schema: PERFETTO_SCHEMA, clock: 'each boot on its own printk clock (time since boot); ts and dur in µs with ns precision', processes },
  };
}

/** The file's text: one event per line, keys in a fixed order, a final newline. */
export function renderPerfettoJson(boots: readonly PerfettoBoot[]): string {
  const file = perfettoTrace(boots);
  const events = file.traceEvents.map((e) => JSON.stringify(e)).join(',\n');
  return `{"traceEvents":[\n${events}\n],\n"otherData":${JSON.stringify(file.otherData)}}\n`;
}
