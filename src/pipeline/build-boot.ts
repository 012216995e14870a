// One Boot from sniffed inputs, in named steps: create the model builders, stream every input once through its
// reader into them (kernel logs first, so the trace builders know the tasks the probe spans name), find the
// trace's clock markers in the kernel logs, finalize the builders, assemble the probe spans (sysfs nodes, the
// trace join or the function-graph spans), order the diagnostics, and run the findings.

import { readFile } from 'node:fs/promises';
import type { Diagnostic, DiagnosticSink } from '../core/diagnostics.js';
import { InputError } from '../core/input-error.js';
import type { NodeId } from '../core/units.js';
import { detectFindings } from '../findings/index.js';
import { formatModule, isKernelLogFormat, isTraceFormat } from '../ingest/formats.js';
import type { KernelLogFormatModule, TraceFormatModule } from '../ingest/formats/format-module.js';
import { recognizeKernelMessage } from '../ingest/kernel-records.js';
import type { KernelRecord } from '../ingest/kernel-records.types.js';
import type { Topology } from '../ingest/topology.types.js';
import type { TraceHeader } from '../ingest/trace-events.types.js';
import type { Builder } from '../model/builder.js';
import { FunctionGraphProbeBuilder, spansFromGraphCalls } from '../model/funcgraph-probes.js';
import { InitcallBuilder } from '../model/initcalls.js';
import { KernelInfoBuilder } from '../model/kernel-info.js';
import { joinProbesWithTrace, PROBE_BODY_FUNCTIONS, PROBE_CARRIER_FUNCTIONS, TraceMarkerBuilder, type ClockMarker } from '../model/probe-trace-join.js';
import { ProbeSpanBuilder } from '../model/probe-spans.js';
import { TaskOccupancyBuilder } from '../model/task-occupancy.js';
import { mergeTopologies } from '../model/topology-merge.js';
import { BOOT_SCHEMA, type Boot, type InputInfo, type ProbeSpan } from '../model/types.js';
import { WorkItemBuilder } from '../model/work-items.js';
import type { ResolvedInput } from './inputs.js';

/** The builders of one pass over the inputs. */
interface PassBuilders {
  kernelInfo: KernelInfoBuilder;
  probeSpans: ProbeSpanBuilder;
  initcalls: InitcallBuilder;
  /** Kernel-log records go to these, in this order. */
  log: Array<Builder<KernelRecord, unknown>>;
  workItems: WorkItemBuilder;
  graphProbes: FunctionGraphProbeBuilder;
  occupancy: TaskOccupancyBuilder;
  traceMarkers: TraceMarkerBuilder;
  /** Tasks the kernel log's probe spans name (callers, queuers, workers): filled before the first trace is read. */
  probeTasks: Set<number>;
}

/** What reading the inputs gathered besides the builders' own state. */
interface PassResult {
  infos: InputInfo[];
  /** Every input's own diagnostics, in the order of `infos`. */
  diagnostics: Diagnostic[];
  traceSeen: boolean;
  functionGraph: boolean;
  traceHeader: TraceHeader | undefined;
  traceFile: string | undefined;
  /** The texts of the trace's trace_marker writes. */
  markerTexts: ReadonlySet<string>;
  topologies: Topology[];
  /** Sysfs numa_node of devices (pci-numa.txt). */
  deviceNodes: Map<string, NodeId | null>;
}

export async function buildBoot(inputs: ResolvedInput[]): Promise<Boot> {
  const builders = createBuilders();
  const ordered = readingOrder(inputs);
  const pass = await readInputs(inputs, ordered, builders);
  const kernelLogMarkers = await findKernelLogMarkers(ordered, pass.markerTexts);
  const diagnostics = pass.diagnostics;
  for (const b of [...builders.log, builders.workItems, builders.graphProbes, builders.occupancy, builders.traceMarkers]) b.finalize();
  const probes = assembleProbes(builders, pass, kernelLogMarkers, diagnostics);
  sortDiagnostics(diagnostics, pass.infos);
  const boot: Boot = {
    schema: BOOT_SCHEMA,
    inputs: pass.infos,
    kernel: builders.kernelInfo.data(),
    topology: mergeTopologies(pass.topologies),
    probes,
    initcalls: builders.initcalls.data().initcalls,
    findings: [],
    diagnostics,
  };
  boot.findings = detectFindings(boot);
  return boot;
}

function createBuilders(): PassBuilders {
  const kernelInfo = new KernelInfoBuilder();
  const probeSpans = new ProbeSpanBuilder();
  const initcalls = new InitcallBuilder();
  // Bounded memory on long traces: keep only the work items that can carry a probe (or run in a task the
  // kernel log names), and the scheduling of the tasks that run or queue them, that the log names (probe
  // callers: known because kernel logs are read first), or that are in a probe call of a function graph.
  const probeTasks = new Set<number>();
  const workItems = new WorkItemBuilder({
    keepItem: (fn, workerPid) => PROBE_BODY_FUNCTIONS.has(fn) || PROBE_CARRIER_FUNCTIONS.has(fn) || (workerPid !== null && probeTasks.has(workerPid)),
    // The join looks at the queuer only of a probe body (it waits in flush_work); an async_run_entry_fn's does not wait.
    queuerMatters: (fn) => PROBE_BODY_FUNCTIONS.has(fn),
  });
  const graphProbes = new FunctionGraphProbeBuilder();
  const occupancy = new TaskOccupancyBuilder({
    taskInterestUntil: (pid) => (probeTasks.has(pid) ? Infinity : Math.max(workItems.taskInterestUntil(pid), graphProbes.taskInterestUntil(pid))),
    // probeTasks is fixed before the trace is read; the two builders count their own changes.
    interestChanges: () => workItems.interestChanges() + graphProbes.interestChanges(),
  });
  const traceMarkers = new TraceMarkerBuilder();
  const log: Array<Builder<KernelRecord, unknown>> = [kernelInfo, probeSpans, initcalls];
  for (const b of [...log, workItems, graphProbes, occupancy, traceMarkers]) b.reset();
  return { kernelInfo, probeSpans, initcalls, log, workItems, graphProbes, occupancy, traceMarkers, probeTasks };
}

/** Kernel logs first, so the trace builders know the tasks the probe spans name; then traces; then the rest. */
function readingOrder(inputs: ResolvedInput[]): ResolvedInput[] {
  return [
    ...inputs.filter((i) => isKernelLogFormat(i.format)),
    ...inputs.filter((i) => isTraceFormat(i.format)),
    ...inputs.filter((i) => !isKernelLogFormat(i.format) && !isTraceFormat(i.format)),
  ];
}

/** Streams every input once, in reading order, into the builders. */
async function readInputs(inputs: ResolvedInput[], ordered: ResolvedInput[], builders: PassBuilders): Promise<PassResult> {
  const pass: PassResult = {
    infos: [], diagnostics: [], traceSeen: false, functionGraph: false, traceHeader: undefined, traceFile: undefined,
    markerTexts: new Set(), topologies: [], deviceNodes: new Map(),
  };
  let probeTasksKnown = false;
  const reported = new Map<ResolvedInput, { info: InputInfo; diagnostics: Diagnostic[] }>();
  for (const input of ordered) {
    const inputDiagnostics: Diagnostic[] = [];
    const onDiagnostic: DiagnosticSink = (d) => inputDiagnostics.push(d);
    let lines: number;
    const module = formatModule(input.format);
    switch (module.role) {
      case 'kernel-log':
        lines = await readKernelLogInput(input.path, module, builders, onDiagnostic);
        break;
      case 'trace':
        if (!probeTasksKnown) {
          probeTasksKnown = true;
          collectProbeTasks(builders);
        }
        lines = await readTraceInput(input.path, module, builders, pass, onDiagnostic);
        break;
      case 'topology':
        pass.topologies.push(await module.read(input.path, onDiagnostic));
        lines = await countLines(input.path);
        break;
      case 'device-nodes':
        for (const entry of await module.read(input.path, onDiagnostic)) pass.deviceNodes.set(entry.device, entry.node);
        lines = await countLines(input.path);
        break;
      case 'boot-json':
        throw new InputError(input.path, null, `a ${input.format} file cannot be combined with other inputs`);
    }
    reported.set(input, { info: { path: input.path, format: input.format, lines, diagnostics: inputDiagnostics.length }, diagnostics: inputDiagnostics });
  }
  // Infos and diagnostics are reported traces first, then the other inputs in the order given.
  for (const input of [...inputs.filter((i) => isTraceFormat(i.format)), ...inputs.filter((i) => !isTraceFormat(i.format))]) {
    const r = reported.get(input)!;
    pass.infos.push(r.info);
    for (const d of r.diagnostics) pass.diagnostics.push(d);
  }
  return pass;
}

async function readKernelLogInput(path: string, module: KernelLogFormatModule, builders: PassBuilders, onDiagnostic: DiagnosticSink): Promise<number> {
  const result = await module.read(path, (line) => {
    const record = recognizeKernelMessage(line);
    if (record) for (const b of builders.log) b.handle(record);
  }, onDiagnostic);
  return result.lines;
}

/** The tasks the kernel log's probe spans name: the trace builders keep their work items and scheduling. */
function collectProbeTasks(builders: PassBuilders): void {
  builders.probeSpans.finalize();
  for (const p of builders.probeSpans.data().probes) {
    for (const pid of [p.callerPid, p.queuedBy?.pid, p.worker?.pid]) if (pid != null) builders.probeTasks.add(pid);
  }
}

async function readTraceInput(path: string, module: TraceFormatModule, builders: PassBuilders, pass: PassResult, onDiagnostic: DiagnosticSink): Promise<number> {
  pass.traceSeen = true;
  if (module.format === 'function-graph') pass.functionGraph = true;
  const { workItems, graphProbes, occupancy, traceMarkers } = builders;
  // One call site per builder (not a loop over them): each call stays monomorphic on the hot path. The graph
  // builder sees each event before the occupancy, so a task is wanted from its probe's first line.
  const result = await module.read(path, (event) => {
    workItems.handle(event);
    graphProbes.handle(event);
    occupancy.handle(event);
    traceMarkers.handle(event);
  }, onDiagnostic);
  pass.traceHeader = result.header;
  pass.traceFile = path;
  pass.markerTexts = new Set(traceMarkers.data().map((m) => m.text));
  return result.lines;
}

/** Kernel-log lines whose text was also written to trace_marker align the two clocks (the logs are small next to a trace). */
async function findKernelLogMarkers(ordered: ResolvedInput[], markerTexts: ReadonlySet<string>): Promise<ClockMarker[]> {
  const markers: ClockMarker[] = [];
  if (markerTexts.size === 0) return markers;
  for (const input of ordered) {
    if (!isKernelLogFormat(input.format)) continue;
    await formatModule(input.format).read(input.path, (line) => {
      if (line.timeNs !== null && markerTexts.has(line.text.trim())) {
        markers.push({ text: line.text.trim(), timeNs: line.timeNs, source: line.source });
      }
    }, () => {});
  }
  return markers;
}

/** The probe spans of the boot: the kernel log's, with sysfs nodes, joined with the trace (or the function graph's). */
function assembleProbes(builders: PassBuilders, pass: PassResult, kernelLogMarkers: ClockMarker[], diagnostics: Diagnostic[]): ProbeSpan[] {
  const probeData = builders.probeSpans.data();
  diagnostics.push(...probeData.diagnostics, ...builders.initcalls.data().diagnostics);
  let probes: ProbeSpan[] = applyDeviceNodes(probeData.probes, pass.deviceNodes);
  if (!pass.traceSeen) return probes;
  const workData = builders.workItems.data();
  const occupancy = builders.occupancy.data();
  diagnostics.push(...workData.diagnostics, ...occupancy.diagnostics);
  if (pass.functionGraph && probes.length === 0) {
    const graph = builders.graphProbes.data();
    probes = applyDeviceNodes(spansFromGraphCalls(graph.calls, occupancy, { workItems: workData.workItems }), pass.deviceNodes);
    for (const d of graph.diagnostics) diagnostics.push(d);
    return probes;
  }
  const joined = joinProbesWithTrace(
    probes,
    { workItems: workData.workItems, occupancy, markers: builders.traceMarkers.data() },
    { kernelLogMarkers, ...(pass.traceHeader ? { traceHeader: pass.traceHeader } : {}), ...(pass.traceFile ? { traceFile: pass.traceFile } : {}) },
  );
  diagnostics.push(...joined.diagnostics);
  // The join moved the events of every trace input by one offset.
  if (joined.clockOffsetNs !== null) for (const info of pass.infos) if (isTraceFormat(info.format)) info.clockOffsetNs = joined.clockOffsetNs;
  return joined.probes;
}

/** Sysfs numa_node (pci-numa.txt) is authoritative for a device's node; it fills in what dmesg did not show. */
function applyDeviceNodes(probes: ProbeSpan[], deviceNodes: Map<string, NodeId | null>): ProbeSpan[] {
  if (deviceNodes.size === 0) return probes;
  return probes.map((p) => {
    const node = deviceNodes.get(p.device.toLowerCase());
    return node === undefined || p.node !== null ? p : { ...p, node };
  });
}

/** Diagnostics in reading order: by input (traces first, as in `infos`), then by line; whole-file ones first. */
function sortDiagnostics(diagnostics: Diagnostic[], infos: InputInfo[]): void {
  const fileOrder = new Map(infos.map((info, i) => [info.path, i]));
  const rank = (d: Diagnostic) => fileOrder.get(d.file) ?? infos.length;
  diagnostics.sort((a, b) => rank(a) - rank(b) || (a.line ?? -1) - (b.line ?? -1));
}

async function countLines(path: string): Promise<number> {
  const text = await readFile(path, 'utf8');
  if (text.length === 0) return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}
