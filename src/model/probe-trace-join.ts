// Joins probe spans (from the kernel log: really_probe_debug `probe of ... after N usecs`, the
// custom cost line) with the trace models: which work item carried the probe body, which task ran
// it on which CPU, who queued it and waited, and how the executing task spent the span.
//
// Kernel facts used (docs/workqueue-model.md §4–6, 6.1.176 as captured): pci_call_probe() runs the
// probe body through work_on_cpu() (`work_for_cpu_fn` on a bound `kworker/N:M`) while the caller
// sleeps in flush_work(); the v2 idea queues `local_pci_probe_callback` on an unbound wq; the v1 fix
// and device nodes without a NUMA node run local_pci_probe() in the caller (the async worker's
// `async_run_entry_fn`, or insmod/init). Clocks (docs/kernel-log-formats.md §2): with
// trace_clock=global the trace and printk share local_clock(); otherwise a constant offset is
// estimated from markers written to both /dev/kmsg and trace_marker.

import type { TraceEvent, TraceHeader } from '../ingest/trace-events.types.js';
import type { Builder } from './builder.js';
import { detached } from '../core/detached-string.js';
import { occupancyBetween, type TaskOccupancy } from './task-occupancy.js';
import type { Diagnostic, Ns, Pid, ProbeSpan, SourceRef, WorkerIdentity } from './types.js';
import { ns } from './types.js';
import { parseWorkerComm } from './worker-identity.js';
import type { WorkItem } from './work-items.js';

/** Work functions that run a PCI probe body on another task (work_on_cpu and its successors/proposals). */
export const PROBE_BODY_FUNCTIONS: ReadonlySet<string> = new Set([
  'work_for_cpu_fn',
  'local_pci_probe_callback',
  'pci_probe_work_func',
  'numa_work_func',
]);

/** Work functions inside which a probe runs in the worker itself (async attach, deferred retries). */
export const PROBE_CARRIER_FUNCTIONS: ReadonlySet<string> = new Set(['async_run_entry_fn', 'deferred_probe_work_func']);

/** A text written to the kernel log and to trace_marker (e.g. `lab: insmod nvme`), with its time on that clock. */
export interface ClockMarker {
  text: string;
  timeNs: Ns;
  source: SourceRef;
}

export interface JoinOptions {
  /** Markers from the kernel log, paired by text with the trace's tracing_mark_write markers. */
  kernelLogMarkers?: ClockMarker[];
  /** printk time − trace time, when known; overrides the marker estimate. */
  clockOffsetNs?: Ns;
  /** Slack when comparing kernel-log and trace times (µs rounding, printk after ktime). Default 200 µs. */
  toleranceNs?: Ns;
  /** Marker differences up to this are taken as "same clock" (the marker writes are not simultaneous). Default 2 ms. */
  sameClockNs?: Ns;
  /** 'count' for counter/uptime/x86-tsc trace clocks, which cannot be joined. */
  traceClockUnit?: 'ns' | 'count';
  /** The trace's header (readTrace): its clock unit, lost events and restarted CPU buffers. */
  traceHeader?: TraceHeader;
  /** The trace file, for diagnostics about the trace as a whole. */
  traceFile?: string;
}

export interface TraceModels {
  workItems: WorkItem[];
  occupancy: TaskOccupancy;
  markers?: ClockMarker[];
}

/** How far apart a kernel-log time and a trace time may be and still name the same moment (clock offsets are estimates). */
export const DEFAULT_TOLERANCE_NS = 200_000;
/** Up to this many unjoined probes get one diagnostic each; more are summarised in one. */
const UNJOINED_LISTED = 5;
const DEFAULT_SAME_CLOCK_NS = 2_000_000;
/** Marker pairs spread by the delay between the two writes (up to ~7 ms seen under TCG); beyond this the clocks drift. */
const MARKER_SPREAD_LIMIT_NS = 20_000_000;

/** Collects tracing_mark_write markers from a trace in one pass (for the clock join). */
export class TraceMarkerBuilder implements Builder<TraceEvent, ClockMarker[]> {
  readonly name = 'trace-markers';
  private markers: ClockMarker[] = [];
  reset(): void {
    this.markers = [];
  }
  handle(event: TraceEvent): void {
    if (event.type === 'marker' && event.timeNs !== null) {
      // Kept strings must not hold the trace's decoded chunks alive (detached-string.ts).
      this.markers.push({ text: detached(event.text.trim()), timeNs: event.timeNs, source: event.source });
    }
  }
  finalize(): void {}
  data(): ClockMarker[] {
    return this.markers;
  }
}

interface Candidate {
  probe: number;
  item: number;
  score: number;
  tieBreak: number;
}

type Match =
  | { kind: 'body'; item: number }
  | { kind: 'carrier'; item: number }
  | { kind: 'caller'; pid: Pid };

/**
 * The join, in named steps: refuse what cannot be joined (a counter clock, an untimed trace), find the clock offset,
 * keep the probe spans that lie inside the trace, then match each span to what ran it, in order of certainty: a
 * probe body handed to another task (work_on_cpu and kin), a work item of its caller that carried it (async attach,
 * deferred probe), the caller task itself (sync probing). Each step only sees the spans the earlier steps left.
 */
export function joinProbesWithTrace(
  probes: ProbeSpan[],
  trace: TraceModels,
  options: JoinOptions = {},
): { probes: ProbeSpan[]; diagnostics: Diagnostic[]; clockOffsetNs: number | null } {
  const diagnostics: Diagnostic[] = [];
  const traceFile = options.traceFile ?? trace.workItems.find((w) => w.sources.length > 0)?.sources[0]?.file ?? '';
  const refusal = unjoinableTrace(trace, options, traceFile);
  if (refusal !== null) {
    if (refusal.diagnostic !== null) diagnostics.push(refusal.diagnostic);
    return { probes, diagnostics, clockOffsetNs: null };
  }
  const offset = resolveClockOffset(trace.markers ?? [], options, traceFile, diagnostics);
  const window: JoinWindow = {
    probes,
    trace,
    offset,
    tolerance: options.toleranceNs ?? DEFAULT_TOLERANCE_NS,
    // On one clock with scheduler events, a task that was off-CPU when `probe of` was printed did not
    // print it: without a printk caller id such a candidate is dropped, not just ranked last.
    strict: offset === 0 && trace.occupancy.hasSchedSwitch,
  };
  const spans = spansInsideTrace(window);
  const matches = new Map<number, Match>();
  const bodyItems = matchProbeBodies(window, spans.timed, matches);
  matchCarrierItems(window, spans.timed, matches);
  matchCallerTasks(window, spans.timed, matches);

  const out = probes.map((p, i) => {
    const match = matches.get(i);
    if (!match) return p;
    return applyMatch(p, match, trace.workItems, trace.occupancy, offset);
  });
  diagnostics.push(...joinDiagnostics(window, spans, matches, bodyItems, traceFile));
  if (options.traceHeader) diagnostics.push(...gapDiagnostics(options.traceHeader, out, matches, traceFile));
  return { probes: out, diagnostics, clockOffsetNs: offset };
}

/** What every step of the join shares. */
interface JoinWindow {
  probes: ProbeSpan[];
  trace: TraceModels;
  /** printk time − trace time. */
  offset: number;
  tolerance: number;
  strict: boolean;
}

/** The probe spans (indices) the trace can join, and how many it cannot. */
interface SpansInTrace {
  timed: number[];
  untimed: number;
  outside: number;
}

/** A trace that cannot be joined with kernel-log times at all: why (null: nothing worth saying). */
function unjoinableTrace(trace: TraceModels, options: JoinOptions, traceFile: string): { diagnostic: Diagnostic | null } | null {
  if (options.traceClockUnit === 'count' || options.traceHeader?.clockUnit === 'count') {
    return { diagnostic: { file: traceFile, line: null, severity: 'error',
      message: 'the trace uses a counter clock (counter/uptime/x86-tsc), which cannot be joined with kernel-log times: record with trace_clock=global' } };
  }
  if (trace.occupancy.startNs === null) {
    if (trace.workItems.length > 0) {
      return { diagnostic: { file: traceFile, line: null, severity: 'warning',
        message: 'the trace carries no timestamps (function_graph without funcgraph-abstime?), so it cannot be joined with kernel-log times' } };
    }
    return { diagnostic: null };
  }
  return null;
}

function spansInsideTrace({ probes, trace: { occupancy }, offset }: JoinWindow): SpansInTrace {
  const timed: number[] = [];
  let untimed = 0;
  let outside = 0;
  for (let i = 0; i < probes.length; i++) {
    const p = probes[i]!;
    if (p.startNs === null || p.endNs === null) {
      untimed++;
      continue;
    }
    const s = p.startNs - offset;
    const e = p.endNs - offset;
    if (occupancy.startNs !== null && occupancy.endNs !== null && (e < occupancy.startNs || s > occupancy.endNs)) {
      outside++;
      continue;
    }
    timed.push(i);
  }
  return { timed, untimed, outside };
}

/** 1. The probe body ran as a separate work item queued from inside the span (work_on_cpu and kin). Returns the body items. */
function matchProbeBodies({ probes, trace: { workItems, occupancy }, offset, tolerance, strict }: JoinWindow, timed: number[], matches: Map<number, Match>): number[] {
  const bodyItems = indicesSorted(workItems, (w) => PROBE_BODY_FUNCTIONS.has(w.function), (w) => w.queuedAt ?? w.startedAt!);
  const bodyPairs: Candidate[] = [];
  for (const i of timed) {
    const p = probes[i]!;
    const s = p.startNs! - offset;
    const e = p.endNs! - offset;
    for (const k of bodyItems) {
      const w = workItems[k]!;
      const q = w.queuedAt ?? w.startedAt!;
      if (q < s - tolerance) continue;
      if (q > e + tolerance) break;
      if (w.endedAt !== null && w.endedAt > e + tolerance) continue;
      if (callerOf(p) !== null && w.queuedBy !== null && w.queuedBy.pid !== callerOf(p)) continue;
      // The body is queued right after really_probe() starts (pci_device_probe → work_on_cpu), while the
      // waiter's wake-up after the body ends can lag by milliseconds under CPU contention: rank by the
      // queue gap, and by the end gap only to break ties.
      const endGap = w.endedAt === null ? Number.MAX_SAFE_INTEGER / 4 : Math.abs(e - w.endedAt);
      const penalty = notPrintingPenalty(occupancy, w.queuedBy?.pid ?? null, e, tolerance);
      if (penalty > 0 && strict && callerOf(p) === null) continue;
      bodyPairs.push({ probe: i, item: k, score: penalty + Math.abs(q - s), tieBreak: endGap });
    }
  }
  assignGreedily(bodyPairs, matches, 'body', true);
  return bodyItems;
}

/**
 * 2. The probe ran inside a work item of its own caller (async attach, deferred probe, v1 fix). Candidates: any
 * item of the caller when the log names it, else only items of probe-carrying functions.
 */
function matchCarrierItems({ probes, trace: { workItems, occupancy }, offset, tolerance, strict }: JoinWindow, timed: number[], matches: Map<number, Match>): void {
  const byWorker = new Map<number, number[]>();
  for (const k of indicesSorted(workItems, (w) => w.worker?.pid != null, (w) => w.startedAt!)) {
    const pid = workItems[k]!.worker!.pid!;
    const list = byWorker.get(pid) ?? [];
    list.push(k);
    byWorker.set(pid, list);
  }
  const carrierFunctionItems = indicesSorted(workItems,
    (w) => w.worker !== null && (PROBE_BODY_FUNCTIONS.has(w.function) || PROBE_CARRIER_FUNCTIONS.has(w.function)), (w) => w.startedAt!);
  const carrierPairs: Candidate[] = [];
  for (const i of timed) {
    if (matches.has(i)) continue;
    const p = probes[i]!;
    const s = p.startNs! - offset;
    const e = p.endNs! - offset;
    const caller = callerOf(p);
    for (const k of caller === null ? carrierFunctionItems : byWorker.get(caller) ?? []) {
      const w = workItems[k]!;
      if (w.startedAt! > s + tolerance) break;
      if (w.endedAt !== null && w.endedAt < e - tolerance) continue;
      let rank: number;
      if (callerOf(p) !== null) {
        if (w.worker!.pid !== callerOf(p)) continue;
        rank = 0;
      } else if (PROBE_BODY_FUNCTIONS.has(w.function)) rank = 0;
      else if (PROBE_CARRIER_FUNCTIONS.has(w.function)) rank = 1;
      else continue;
      // really_probe() starts right after the work item does; what the item does after the probe varies.
      const startGap = Math.abs(s - w.startedAt!);
      const penalty = notPrintingPenalty(occupancy, w.worker!.pid, e, tolerance);
      if (penalty > 0 && strict && callerOf(p) === null) continue;
      carrierPairs.push({ probe: i, item: k, score: rank * 1e15 + penalty + startGap, tieBreak: Math.abs((w.endedAt ?? e) - e) });
    }
  }
  assignGreedily(carrierPairs, matches, 'carrier', true);
  assignGreedily(carrierPairs, matches, 'carrier', false);
}

/** 3. No work item: the caller ran the probe in its own context (sync probing by init/insmod). */
function matchCallerTasks({ probes, trace: { occupancy } }: JoinWindow, timed: number[], matches: Map<number, Match>): void {
  for (const i of timed) {
    const callerPid = callerOf(probes[i]!);
    if (!matches.has(i) && callerPid !== null && occupancy.tasks.has(callerPid)) matches.set(i, { kind: 'caller', pid: callerPid });
  }
}

/** What the join could not do: spans left unjoined, outside the trace or untimed, and probe bodies no log line claims. */
function joinDiagnostics({ probes, trace: { workItems, occupancy }, offset }: JoinWindow, { timed, untimed, outside }: SpansInTrace,
  matches: Map<number, Match>, bodyItems: number[], traceFile: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const unjoined = timed.filter((i) => !matches.has(i)).map((i) => probes[i]!);
  if (unjoined.length > 0 && unjoined.length <= UNJOINED_LISTED) {
    for (const p of unjoined) {
      diagnostics.push({ file: p.source.file, line: p.source.line, severity: 'warning',
        message: `probe of ${p.device} could not be joined with the trace: no work item or task found for its span${callerOf(p) === null ? ' (the log has no printk caller ids to name the task)' : ''}` });
    }
  } else if (unjoined.length > UNJOINED_LISTED) {
    const first = unjoined[0]!;
    const names = unjoined.slice(0, UNJOINED_LISTED).map((p) => p.device).join(', ');
    diagnostics.push({ file: first.source.file, line: first.source.line, severity: 'warning',
      message: `${unjoined.length} probe spans inside the trace could not be joined with it (${names}, ...): no work item ran them and ${callerOf(first) === null ? 'the log has no printk caller ids (CONFIG_PRINTK_CALLER) to name the task that did' : 'their caller task has no scheduler events'}; they ran synchronously in their caller` });
  }
  if (outside > 0) {
    const start = occupancy.startNs === null ? '?' : seconds(ns(occupancy.startNs + offset));
    const end = occupancy.endNs === null ? '?' : seconds(ns(occupancy.endNs + offset));
    diagnostics.push({ file: traceFile, line: null, severity: 'warning',
      message: `${outside} probe span(s) lie outside the trace (${start}–${end} s on the kernel-log clock) and were not joined` });
  }
  if (untimed > 0 && timed.length + outside > 0) {
    diagnostics.push({ file: probes.find((p) => p.startNs === null)?.source.file ?? traceFile, line: null, severity: 'warning',
      message: `${untimed} probe span(s) carry no timestamps and cannot be joined with the trace` });
  }
  if (timed.length === 0 && outside > 0 && occupancy.startNs !== null) {
    diagnostics.push({ file: traceFile, line: null, severity: 'warning',
      message: 'no probe span falls inside the trace: the trace clock is not the printk clock (trace_clock=local/mono/boot?) or the trace does not cover probing; record with trace_clock=global or write the same marker to /dev/kmsg and trace_marker' });
  }
  // A probe body the trace shows (handed over from an async attach worker) that no probe line claims: the kernel
  // log is cut, or lacks the probe lines for them (initcall_debug / dyndbg off): those probes are missing.
  const claimed = new Set([...matches.values()].filter((m) => m.kind === 'body' || m.kind === 'carrier').map((m) => (m as { item: number }).item));
  const orphans = bodyItems.filter((k) => !claimed.has(k) && parseWorkerComm(workItems[k]!.queuedBy?.comm ?? '', null).kind === 'unbound');
  if (orphans.length > 0 && timed.length > 0) {
    const first = workItems[orphans[0]!]!;
    diagnostics.push({ file: first.sources[0]?.file ?? traceFile, line: first.sources[0]?.line ?? null, severity: 'warning',
      message: `${orphans.length} probe bod${orphans.length === 1 ? 'y' : 'ies'} in the trace (${first.function}, queued by an async attach worker; first here) match no probe line of the kernel log: the log may be cut or miss their probe lines, so those probes are not in the result` });
  }
  return diagnostics;
}

/** Lost events and restarted buffers make work items and occupancy on those CPUs incomplete: say which joins they touch. */
function gapDiagnostics(header: TraceHeader, probes: ProbeSpan[], matches: Map<number, Match>, traceFile: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const gaps = [
    ...header.lostEvents.map((g) => ({ cpu: g.cpu, source: g.source, what: g.count === null ? 'lost events' : `lost ${g.count} events` })),
    ...header.bufferStarted.map((g) => ({ cpu: g.cpu, source: g.source, what: 'buffer restarted (earlier events gone)' })),
  ];
  for (const gap of gaps) {
    const touched = [...matches.keys()].sort((a, b) => a - b).map((i) => probes[i]!).filter((p) => p.cpu === gap.cpu).map((p) => p.device);
    out.push({ file: gap.source.file || traceFile, line: gap.source.line, severity: 'warning',
      message: `trace CPU ${gap.cpu} ${gap.what}: work items and CPU occupancy on it may be incomplete${touched.length > 0 ? `; probes joined on that CPU: ${touched.join(', ')}` : ''}` });
  }
  return out;
}

function applyMatch(p: ProbeSpan, match: Match, workItems: WorkItem[], occ: TaskOccupancy, offset: number): ProbeSpan {
  const s = p.startNs! - offset;
  const e = p.endNs! - offset;
  if (match.kind === 'caller') {
    const split = occupancyBetween(occ, match.pid, ns(s), ns(e));
    return {
      ...p,
      cpu: split.cpus[0] ?? p.cpu,
      worker: identity(occ, match.pid, ''),
      queuedBy: null,
      queueDelayNs: null,
      bodyStartNs: p.startNs,
      bodyEndNs: p.endNs,
      ...splitFields(occ, split),
    };
  }
  const w = workItems[match.item]!;
  const worker = w.worker!;
  const from = ns(Math.max(s, w.startedAt ?? s));
  const to = ns(Math.min(e, w.endedAt ?? e));
  const split = worker.pid === null ? null : occupancyBetween(occ, worker.pid, from, ns(Math.max(from, to)));
  // Who queued the body and slept in flush_work() until it ended; an async_run_entry_fn's queuer did not wait.
  const waited = match.kind === 'body' || PROBE_BODY_FUNCTIONS.has(w.function);
  const queuer = waited ? w.queuedBy : null;
  const body = match.kind === 'body';
  return {
    ...p,
    cpu: w.workerCpu ?? split?.cpus[0] ?? p.cpu,
    worker: worker.pid === null ? worker : identity(occ, worker.pid, worker.comm),
    queuedBy: queuer === null ? p.queuedBy : identity(occ, queuer.pid, queuer.comm),
    queueDelayNs: body ? w.queueDelayNs : p.queueDelayNs ?? null,
    bodyStartNs: body && w.startedAt !== null ? ns(w.startedAt + offset) : p.startNs,
    bodyEndNs: body && w.endedAt !== null ? ns(w.endedAt + offset) : p.endNs,
    ...(split ? splitFields(occ, split) : {}),
    evidence: [...p.evidence, ...w.sources],
  };
}

/**
 * The PID that ran really_probe() and printed `probe of` (printk caller `[T8]`): `callerPid`, or what
 * the span builder recorded from it before any trace was seen (a pid-only identity: the queuer when a
 * custom line named another task, else the worker).
 */
function callerOf(p: ProbeSpan): Pid | null {
  if (p.callerPid != null) return p.callerPid;
  if (p.queuedBy?.pid != null) return p.queuedBy.pid;
  return p.worker?.pid ?? null;
}

/**
 * The task that printed `probe of ...` was on a CPU at that moment (printk runs in its context and
 * shares the clock with trace_clock=global). A candidate whose task was not is ranked after all others.
 */
function notPrintingPenalty(occ: TaskOccupancy, pid: Pid | null, t: number, tolerance: number): number {
  if (!occ.hasSchedSwitch || pid === null || !occ.tasks.has(pid)) return 0;
  const around = occupancyBetween(occ, pid, ns(t - tolerance), ns(t + tolerance));
  return around.onCpuNs > 0 ? 0 : 1e12;
}

function splitFields(occ: TaskOccupancy, split: { onCpuNs: Ns; runnableWaitNs: Ns; sleepNs: Ns }) {
  if (!occ.hasSchedSwitch) return { onCpuNs: null, runnableWaitNs: null, sleepNs: null };
  return { onCpuNs: split.onCpuNs, runnableWaitNs: split.runnableWaitNs, sleepNs: split.sleepNs };
}

/** The worker identity, from sched events' full comm when the event's comm is cut (`<...>`, funcgraph's 7 chars). */
function identity(occ: TaskOccupancy, pid: Pid, printed: string | null): WorkerIdentity {
  if (printed === null) printed = '';
  const schedComm = occ.tasks.get(pid)?.comm ?? '';
  const comm = schedComm.length > printed.length || printed === '<...>' ? schedComm : printed;
  return parseWorkerComm(comm || printed, pid);
}

/** Indices of the started items that `keep` accepts, sorted by `time`. */
function indicesSorted(items: WorkItem[], keep: (w: WorkItem) => boolean, time: (w: WorkItem) => number): number[] {
  const out: number[] = [];
  for (let k = 0; k < items.length; k++) {
    const w = items[k]!;
    if (w.startedAt !== null && keep(w)) out.push(k);
  }
  return out.sort((a, b) => time(items[a]!) - time(items[b]!));
}

function assignGreedily(pairs: Candidate[], matches: Map<number, Match>, kind: 'body' | 'carrier', exclusive: boolean): void {
  pairs.sort((a, b) => a.score - b.score || a.tieBreak - b.tieBreak || a.probe - b.probe);
  const used = new Set<number>();
  for (const [, m] of matches) if (m.kind === kind) used.add(m.item);
  for (const pair of pairs) {
    if (matches.has(pair.probe)) continue;
    if (exclusive && used.has(pair.item)) continue;
    matches.set(pair.probe, { kind, item: pair.item });
    used.add(pair.item);
  }
}

/** printk time − trace time: explicit, else from markers present in both logs, else 0 (same clock). */
function resolveClockOffset(traceMarkers: ClockMarker[], options: JoinOptions, traceFile: string, diagnostics: Diagnostic[]): number {
  if (options.clockOffsetNs !== undefined) return options.clockOffsetNs;
  const logMarkers = options.kernelLogMarkers ?? [];
  if (logMarkers.length === 0 || traceMarkers.length === 0) return 0;
  const byText = new Map<string, ClockMarker[]>();
  for (const m of traceMarkers) {
    const list = byText.get(m.text) ?? [];
    list.push(m);
    byText.set(m.text, list);
  }
  const diffs: number[] = [];
  for (const m of logMarkers) {
    const twin = byText.get(m.text.trim())?.shift();
    if (twin) diffs.push(m.timeNs - twin.timeNs);
  }
  if (diffs.length === 0) return 0;
  // Each difference is offset + the delay between the two writes. Writers put the trace_marker
  // copy first (docs/kernel-log-formats.md §2, the captures' /init), so the delay is ≥ 0 and the smallest
  // difference is the closest estimate of the offset.
  const spread = Math.max(...diffs) - Math.min(...diffs);
  const closest = Math.min(...diffs);
  const sameClock = options.sameClockNs ?? DEFAULT_SAME_CLOCK_NS;
  if (spread > MARKER_SPREAD_LIMIT_NS) {
    diagnostics.push({ file: traceFile, line: null, severity: 'warning',
      message: `${diffs.length} markers found in both the kernel log and the trace disagree by ${ms(spread)} ms among themselves (more than the delay between two marker writes): the trace clock drifts from printk (not a constant offset), so the join is approximate` });
  }
  if (Math.abs(closest) <= sameClock) return 0;
  diagnostics.push({ file: traceFile, line: null, severity: 'warning',
    message: `trace clock is ${ms(closest)} ms off the printk clock (from ${diffs.length} markers in both logs): trace times were shifted to join them` });
  return closest;
}

function ms(value: number): string {
  return (value / 1e6).toFixed(3);
}

function seconds(value: Ns): string {
  return (value / 1e9).toFixed(6);
}
