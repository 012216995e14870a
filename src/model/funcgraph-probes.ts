// Probe spans from function_graph output: the outermost `pci_device_probe` / `really_probe` /
// `local_pci_probe` call of a task, from its entry to the matching `}`. Format and semantics:
// kernel/trace/trace_functions_graph.c (print_graph_entry/return, the `=>` context-switch block),
// checked against 6.1.176 (fixtures/captures/fgraph, fgraph-bootopt) and the 7.1 source as quoted in
// docs/kernel-log-formats.md §9. A call is followed by its pid, not its CPU (an unbound
// worker may return on another CPU); funcgraph-proc cuts comms to 7 characters, so the worker name
// comes from sched_switch (the occupancy model). The exit's duration is wall time, sleeps included.

import { unknownTaskOn } from '../ingest/funcgraph.js';
import type { TraceEvent } from '../ingest/trace-events.types.js';
import { occupancyBetween, type TaskOccupancy } from './task-occupancy.js';
import type { Builder } from './builder.js';
import type { Cpu, Diagnostic, Ns, Pid, ProbeSpan, SourceRef } from './types.js';
import { detached } from '../core/detached-string.js';
import { TaskInterest } from './task-interest.js';
import { ns } from './types.js';
import { parseWorkerComm } from './worker-identity.js';
import { workFunctionName, type WorkItem } from './work-items.js';
import { PROBE_BODY_FUNCTIONS } from './probe-trace-join.js';
import { statusOfReturn } from './probe-spans.js';

/** Functions whose call is a probe (outermost wins when they nest). */
export const GRAPH_PROBE_FUNCTIONS: ReadonlySet<string> = new Set(['pci_device_probe', 'really_probe', 'local_pci_probe']);

interface Frame {
  func: string;
  depth: number;
  startNs: Ns | null;
  cpu: Cpu;
  comm: string;
  source: SourceRef;
  /** The probe call this frame opened, when it is one. */
  probe: OpenProbe | null;
}

interface OpenProbe {
  func: string;
  pid: Pid;
  cpu: Cpu;
  comm: string;
  startNs: Ns | null;
  driver: string | null;
  source: SourceRef;
}

export interface FunctionGraphOptions {
  /** Work items of the same trace: the executing item of a span gives who queued it and its queue delay. */
  workItems?: WorkItem[];
}

/** A finished outermost probe call, before it is joined with the scheduling and the work items. */
export interface GraphProbeCall {
  func: string;
  pid: Pid;
  cpu: Cpu;
  comm: string;
  startNs: Ns | null;
  endNs: Ns | null;
  durationNs: Ns;
  /** The return value printed with funcgraph-retval, else null. */
  ret: number | null;
  driver: string | null;
  source: SourceRef;
  exit: SourceRef;
}

export interface GraphProbeCalls {
  calls: GraphProbeCall[];
  diagnostics: Diagnostic[];
}

export interface FunctionGraphProbeOptions {
  /** How long after its last probe call returns a task's scheduling stays of interest. Default 100 ms. */
  interestAfterNs?: number;
}

/**
 * Follows the function_graph events of a trace as they stream by: one stack of open frames per task, and
 * the outermost probe calls that finished. Memory follows the call depth and the probes, not the trace.
 */
export class FunctionGraphProbeBuilder implements Builder<TraceEvent, GraphProbeCalls> {
  readonly name = 'function-graph-probes';
  private stacks = new Map<Pid, Frame[]>();
  private calls: GraphProbeCall[] = [];
  private diagnostics: Diagnostic[] = [];
  /** Per task: probe calls open now, and when its last one returned. */
  private readonly interest: TaskInterest;
  private finalized = false;

  constructor(options: FunctionGraphProbeOptions = {}) {
    this.interest = new TaskInterest(options.interestAfterNs ?? 100_000_000);
  }

  /**
   * Until when task `pid`'s scheduling matters to the probe calls (for TaskOccupancyBuilder's
   * taskInterestUntil): +Infinity while a probe call is open in it, its last return + interestAfterNs
   * afterwards, -Infinity if it never opened one.
   */
  taskInterestUntil(pid: Pid): number {
    return this.interest.until(pid);
  }

  /** Changes whenever an answer of taskInterestUntil() may have changed (TaskOccupancyOptions.interestChanges). */
  interestChanges(): number {
    return this.interest.changes;
  }

  reset(): void {
    this.stacks = new Map();
    this.interest.clear();
    this.calls = [];
    this.diagnostics = [];
    this.finalized = false;
  }

  handle(event: TraceEvent): void {
    if (event.type === 'funcgraph_switch') {
      this.identify(unknownTaskOn(event.cpu), event.fromPid, event.fromComm);
      return;
    }
    if (event.type !== 'funcgraph_entry' && event.type !== 'funcgraph_exit' && event.type !== 'funcgraph_leaf') return;
    let stack = this.stacks.get(event.pid);
    if (!stack) {
      stack = [];
      this.stacks.set(event.pid, stack);
    }
    if (event.type === 'funcgraph_exit') {
      const at = findFrame(stack, event.depth, event.func);
      if (at < 0) {
        if (event.func === null || GRAPH_PROBE_FUNCTIONS.has(workFunctionName(event.func))) {
          this.warn(event.source, `function_graph exit${event.func ? ` of ${event.func}` : ''} at depth ${event.depth} on pid ${event.pid} without its entry (the call began before the trace, or events were lost)`);
        }
        return;
      }
      for (const lost of stack.splice(at + 1)) this.lostExit(lost, event.pid);
      const frame = stack.pop()!;
      if (frame.probe) {
        this.interest.end(event.pid, event.timeNs ?? frame.startNs);
        this.finish(frame.probe, event.timeNs, event.durationNs, event.source, event.ret ?? null);
      }
      return;
    }
    // entry or leaf: frames at the same or a deeper depth lost their exits
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= event.depth) this.lostExit(stack.pop()!, event.pid);
    const func = workFunctionName(event.func);
    const enclosing = stack.find((f) => f.probe !== null)?.probe ?? null;
    if (enclosing && enclosing.driver === null && /_probe$/.test(func) && !GRAPH_PROBE_FUNCTIONS.has(func)) {
      enclosing.driver = driverOf(event.func);
    }
    const isProbe = GRAPH_PROBE_FUNCTIONS.has(func) && enclosing === null;
    const probe: OpenProbe | null = isProbe
      ? { func, pid: event.pid, cpu: event.cpu, comm: event.comm, startNs: event.timeNs, driver: null, source: event.source }
      : null;
    if (probe) this.interest.begin(event.pid);
    if (event.type === 'funcgraph_leaf') {
      if (probe) {
        this.interest.end(event.pid, event.timeNs !== null && event.durationNs !== null ? ns(event.timeNs + event.durationNs) : event.timeNs);
        this.finish(probe, null, event.durationNs, event.source);
      }
      return;
    }
    stack.push({ func, depth: event.depth, startNs: event.timeNs, cpu: event.cpu, comm: event.comm, source: event.source, probe });
  }

  finalize(): void {
    if (this.finalized) return;
    this.finalized = true;
    for (const stack of this.stacks.values()) {
      for (const frame of stack) {
        if (frame.probe) this.warn(frame.source, `${frame.func}() of pid ${frame.probe.pid} did not return before the trace ended: span dropped`);
      }
    }
    this.stacks.clear();
  }

  data(): GraphProbeCalls {
    return { calls: this.calls, diagnostics: this.diagnostics };
  }

  /**
   * A CPU's first `=>` block names the task that ran there before it (output without funcgraph-proc): its
   * frames, kept under the CPU's placeholder pid until now, become that task's (older frames first).
   */
  private identify(placeholder: Pid, pid: Pid, comm: string): void {
    const pending = this.stacks.get(placeholder);
    if (pending === undefined || pid < 0 || placeholder === pid) return;
    this.stacks.delete(placeholder);
    for (const frame of pending) {
      if (frame.comm === '') frame.comm = comm;
      if (frame.probe) {
        frame.probe.pid = pid;
        if (frame.probe.comm === '') frame.probe.comm = comm;
      }
    }
    this.stacks.set(pid, [...pending, ...(this.stacks.get(pid) ?? [])]);
    this.interest.move(placeholder, pid);
  }

  private warn(source: SourceRef, message: string): void {
    this.diagnostics.push({ file: source.file, line: source.line, message, severity: 'warning' });
  }

  private lostExit(frame: Frame, pid: Pid): void {
    if (!frame.probe) return;
    this.interest.end(pid, frame.startNs);
    this.warn(frame.source, `${frame.func}() of pid ${pid} has no matching exit (events lost?): span dropped`);
  }

  private finish(probe: OpenProbe, endNs: Ns | null, durationNs: Ns | null, exit: SourceRef, ret: number | null = null): void {
    const startNs = probe.startNs;
    const end = endNs ?? (startNs !== null && durationNs !== null ? ns(startNs + durationNs) : null);
    const duration = durationNs ?? (startNs !== null && end !== null ? ns(end - startNs) : null);
    if (duration === null) {
      this.warn(exit, `${probe.func}() of pid ${probe.pid} ended without a duration or timestamps: span dropped`);
      return;
    }
    const { pid, cpu, source } = probe;
    // Kept strings must not hold the trace's decoded chunks alive (detached-string.ts).
    const driver = probe.driver === null ? null : detached(probe.driver);
    this.calls.push({ func: detached(probe.func), pid, cpu, comm: detached(probe.comm), startNs, endNs: end, durationNs: duration, ret, driver, source, exit });
  }
}

/** Probe spans from finished probe calls, with the task's scheduling and the work item that carried each. */
export function spansFromGraphCalls(
  calls: readonly GraphProbeCall[],
  occupancy: TaskOccupancy,
  options: FunctionGraphOptions = {},
): ProbeSpan[] {
  const probes = calls.map((c) => spanOf(c, occupancy, options.workItems ?? []));
  probes.sort((a, b) => (a.startNs ?? 0) - (b.startNs ?? 0));
  return mergeWaiterSpans(probes);
}

/** The whole path over a list of events (tests, and callers that hold the events anyway). */
export function probesFromFunctionGraph(
  events: Iterable<TraceEvent>,
  occupancy: TaskOccupancy,
  options: FunctionGraphOptions = {},
): { probes: ProbeSpan[]; diagnostics: Diagnostic[] } {
  const builder = new FunctionGraphProbeBuilder();
  for (const event of events) builder.handle(event);
  builder.finalize();
  const { calls, diagnostics } = builder.data();
  return { probes: spansFromGraphCalls(calls, occupancy, options), diagnostics };
}

/**
 * With work_on_cpu() one probe shows twice: `pci_device_probe` in the caller, which sleeps in
 * flush_work(), and `local_pci_probe` in the kworker that runs the body. Keep one span: the
 * caller's extent (what the kernel log's `probe of` line measures) with the body's task, CPU,
 * queue delay and occupancy.
 */
function mergeWaiterSpans(probes: ProbeSpan[]): ProbeSpan[] {
  const absorbed = new Set<ProbeSpan>();
  const out: ProbeSpan[] = [];
  for (const outer of probes) {
    if (absorbed.has(outer)) continue;
    const body = outer.startNs === null || outer.endNs === null ? undefined : probes.find((inner) =>
      inner !== outer && !absorbed.has(inner) && inner.queuedBy?.pid != null && inner.queuedBy.pid === outer.worker?.pid &&
      inner.startNs !== null && inner.endNs !== null && inner.startNs >= outer.startNs! && inner.endNs <= outer.endNs!);
    if (!body) {
      out.push(outer);
      continue;
    }
    absorbed.add(body);
    out.push({
      ...outer,
      driver: outer.driver ?? body.driver,
      cpu: body.cpu,
      worker: body.worker,
      queuedBy: body.queuedBy,
      queueDelayNs: body.queueDelayNs,
      bodyStartNs: body.startNs,
      bodyEndNs: body.endNs,
      onCpuNs: body.onCpuNs,
      runnableWaitNs: body.runnableWaitNs,
      sleepNs: body.sleepNs,
      evidence: [...outer.evidence, ...body.evidence],
    });
  }
  return out.filter((p) => !absorbed.has(p));
}

/** The open frame an exit closes: the innermost one at its depth (and with its name, when the exit names it). */
function findFrame(stack: Frame[], depth: number, func: string | null): number {
  for (let i = stack.length - 1; i >= 0; i--) {
    const frame = stack[i]!;
    if (frame.depth < depth) return -1;
    if (frame.depth === depth && (func === null || workFunctionName(func) === frame.func)) return i;
  }
  return -1;
}

/** `nvme_probe [nvme]` → `nvme`; `ahci_init_one` is not reached here (only `*_probe` children are asked). */
function driverOf(printed: string): string {
  const module = /\[([^\]]+)\]\s*$/.exec(printed);
  if (module) return module[1]!;
  return workFunctionName(printed).replace(/_probe$/, '');
}

function spanOf(probe: GraphProbeCall, occupancy: TaskOccupancy, workItems: WorkItem[]): ProbeSpan {
  const { startNs, endNs, durationNs, exit } = probe;
  // A negative pid is a CPU's placeholder for a task the graph never named (unknownTaskOn()).
  const known = probe.pid >= 0;
  const schedComm = known ? occupancy.tasks.get(probe.pid)?.comm ?? '' : '';
  const comm = schedComm.length > probe.comm.length ? schedComm : probe.comm;
  const worker = known || comm !== '' ? parseWorkerComm(comm, known ? probe.pid : null) : null;
  const split = known && startNs !== null && endNs !== null && occupancy.hasSchedSwitch
    ? occupancyBetween(occupancy, probe.pid, startNs, endNs)
    : null;
  const carrier = !known || startNs === null ? null : executingItem(workItems, probe.pid, startNs);
  const waited = carrier !== null && PROBE_BODY_FUNCTIONS.has(carrier.function) && carrier.queuedBy !== null;
  const queuer = waited ? carrier.queuedBy! : null;
  const queuerComm = queuer ? (occupancy.tasks.get(queuer.pid)?.comm || queuer.comm) : '';
  const time = startNs === null ? `+${(durationNs / 1e9).toFixed(6)}` : (startNs / 1e9).toFixed(6);
  return {
    device: `${probe.func}@${time}`,
    driver: probe.driver,
    node: null,
    startNs,
    endNs,
    durationNs,
    ret: probe.ret,
    ...statusOfReturn(probe.ret),
    // -1: the function_graph output had no CPU column (funcgraph-cpu off).
    cpu: probe.cpu >= 0 ? probe.cpu : null,
    worker,
    queuedBy: queuer ? parseWorkerComm(queuerComm, queuer.pid) : null,
    queueDelayNs: waited ? carrier.queueDelayNs : null,
    onCpuNs: split?.onCpuNs ?? null,
    runnableWaitNs: split?.runnableWaitNs ?? null,
    sleepNs: split?.sleepNs ?? null,
    callerPid: null,
    bodyStartNs: startNs,
    bodyEndNs: endNs,
    origin: 'function-graph',
    source: probe.source,
    evidence: [probe.source, exit, ...(carrier?.sources ?? [])],
  };
}

/** The work item worker `pid` was executing at time `t`. */
function executingItem(items: WorkItem[], pid: Pid, t: Ns): WorkItem | null {
  for (const w of items) {
    if (w.worker?.pid !== pid || w.startedAt === null || w.startedAt > t) continue;
    if (w.endedAt === null || w.endedAt >= t) return w;
  }
  return null;
}
