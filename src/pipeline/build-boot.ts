// One Boot from the sniffed inputs of one boot, in named steps: create the builders of the two passes (kernel-log
// records, trace events), read every input once through its format's reader (kernel logs first, so the trace
// builders know the tasks the probe spans name), find the trace's clock markers in the kernel logs, finalize the
// builders, assemble the probe spans (sysfs nodes, then the trace join or the function-graph spans), mark the
// times that cannot be, order the diagnostics, and run the findings.

import { readFile } from 'node:fs/promises';
import { detectFindings } from '../findings/index.js';
import { formatModule, isKernelLogFormat, isTraceFormat, type KernelLogFormat, type TraceFormat } from '../ingest/formats.js';
import { inputOrigin, readablePath } from '../ingest/input-source.js';
import { InputError } from '../ingest/input-error.js';
import type { DiagnosticSink } from '../ingest/kernel-log.js';
import { recognizeKernelMessage } from '../ingest/kernel-records.js';
import type { KernelRecord } from '../ingest/kernel-records.types.js';
import type { TraceEvent, TraceHeader } from '../ingest/trace-events.types.js';
import { type Builder, BuilderPass } from '../model/builder.js';
import { followedTasks } from '../model/followed-tasks.js';
import { FunctionGraphProbeBuilder, spansFromGraphCalls } from '../model/funcgraph-probes.js';
import { isBootClockFormat, markImpossibleTimes } from '../model/impossible-times.js';
import { InitcallBuilder } from '../model/initcalls.js';
import { KernelInfoBuilder } from '../model/kernel-info.js';
import { PlatformBuilder, topologyFromPlatform } from '../model/platform.js';
import { joinProbesWithTrace, PROBE_BODY_FUNCTIONS, PROBE_CARRIER_FUNCTIONS, TraceMarkerBuilder, type ClockMarker } from '../model/probe-trace-join.js';
import { ProbeSpanBuilder } from '../model/probe-spans.js';
import { TaskOccupancyBuilder } from '../model/task-occupancy.js';
import { mergeTopologies } from '../model/topology-merge.js';
import { BOOT_SCHEMA, type Boot, type Diagnostic, type InputInfo, type NodeId, type Ns, type ProbeSpan, type Topology } from '../model/types.js';
import { WorkItemBuilder, type WorkItemOptions } from '../model/work-items.js';
import type { ResolvedInput } from './inputs.js';

/** Extra builders a command feeds from the same pass over the trace (e.g. the simulator's calibration collector). */
export interface LoadBootOptions {
  /** Called once, before the first trace event, with the kernel log's probe spans (printk clock). */
  traceBuilders?: (logProbes: readonly ProbeSpan[]) => Array<Builder<TraceEvent, unknown>>;
}

/** The builders of one boot: a pass over kernel-log records, and one over trace events. */
interface PassBuilders {
  kernelInfo: KernelInfoBuilder;
  probeSpans: ProbeSpanBuilder;
  initcalls: InitcallBuilder;
  platform: PlatformBuilder;
  logPass: BuilderPass<KernelRecord>;
  workItems: WorkItemBuilder;
  workItemOptions: WorkItemOptions;
  graphProbes: FunctionGraphProbeBuilder;
  occupancy: TaskOccupancyBuilder;
  traceMarkers: TraceMarkerBuilder;
  /** The trace pass, made when the first trace is read (the extra builders need the kernel log's probe spans). */
  tracePass: BuilderPass<TraceEvent> | null;
  /** How many of its builders a command added (LoadBootOptions.traceBuilders). */
  extraBuilders: number;
  /** Tasks the kernel log's probe spans name (callers, queuers, workers): filled before the first trace is read. */
  probeTasks: Set<number>;
  /** The tasks a trace.dat reader follows (followed-tasks.ts); null: every task. */
  followed: ReadonlySet<number> | null;
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

export async function buildBoot(inputs: ResolvedInput[], options: LoadBootOptions): Promise<Boot> {
  const builders = createBuilders();
  const ordered = readingOrder(inputs);
  const pass = await readInputs(inputs, ordered, builders, options);
  const kernelLogMarkers = await findKernelLogMarkers(ordered, pass.markerTexts);
  builders.logPass.finalize();
  finalizeTracePass(builders);
  const diagnostics = pass.diagnostics;
  const probeData = builders.probeSpans.data();
  const initcallData = builders.initcalls.data();
  diagnostics.push(...probeData.diagnostics, ...initcallData.diagnostics);
  const platform = builders.platform.data();
  const probes = assembleProbes(probeData.probes, builders, pass, kernelLogMarkers, diagnostics);
  // Times that cannot be are marked and reported, never passed on silently.
  const formatOf = new Map(pass.infos.map((i) => [i.path, i.format]));
  diagnostics.push(...markImpossibleTimes(probes, initcallData.initcalls, (file) => isBootClockFormat(formatOf.get(file) ?? '')));
  sortDiagnostics(diagnostics, pass.infos);

  // Topology files win; the kernel log's own CPU/node lines fill in what they do not say (or everything, without one).
  const hasKernelLog = inputs.some((i) => isKernelLogFormat(i.format));
  const topology = mergeTopologies(hasKernelLog ? [...pass.topologies, topologyFromPlatform(platform)] : pass.topologies);
  const boot: Boot = {
    schema: BOOT_SCHEMA,
    inputs: pass.infos,
    kernel: builders.kernelInfo.data(),
    topology,
    probes,
    initcalls: initcallData.initcalls,
    findings: [],
    diagnostics,
  };
  if (hasKernelLog) boot.platform = platform;
  boot.findings = detectFindings(boot);
  return boot;
}

function createBuilders(): PassBuilders {
  // One kernel-info builder: the probe-span and initcall builders read the boot's release from it (deps()).
  const kernelInfo = new KernelInfoBuilder();
  const probeSpans = new ProbeSpanBuilder(kernelInfo);
  const initcalls = new InitcallBuilder(kernelInfo);
  const platform = new PlatformBuilder();
  const logPass = new BuilderPass<KernelRecord>([kernelInfo, probeSpans, initcalls, platform]);
  logPass.reset();

  // Bounded memory on long traces: keep only the work items that can carry a probe (or run in a task the
  // kernel log names), and the scheduling of the tasks that run or queue them, that the log names (probe
  // callers: known because kernel logs are read first), or that are in a probe call of a function graph.
  const probeTasks = new Set<number>();
  const workItemOptions: WorkItemOptions = {
    keepItem: (fn: string, workerPid: number | null) => PROBE_BODY_FUNCTIONS.has(fn) || PROBE_CARRIER_FUNCTIONS.has(fn) || (workerPid !== null && probeTasks.has(workerPid)),
    // The join looks at the queuer only of a probe body (it waits in flush_work); an async_run_entry_fn's does not wait.
    queuerMatters: (fn: string) => PROBE_BODY_FUNCTIONS.has(fn),
  };
  const workItems = new WorkItemBuilder(workItemOptions);
  const graphProbes = new FunctionGraphProbeBuilder();
  const builders: PassBuilders = {
    kernelInfo, probeSpans, initcalls, platform, logPass, workItems, workItemOptions, graphProbes,
    occupancy: new TaskOccupancyBuilder({
      taskInterestUntil: (pid) => (probeTasks.has(pid) ? Infinity : Math.max(workItems.taskInterestUntil(pid), graphProbes.taskInterestUntil(pid))),
      // probeTasks is fixed before the trace is read; the two builders count their own changes.
      interestChanges: () => workItems.interestChanges() + graphProbes.interestChanges(),
      completeTask: (pid) => builders.followed === null || builders.followed.has(pid),
      // The graph builder sees each event before the occupancy, so a task is wanted from its probe's first line.
      interestFrom: [workItems.name, graphProbes.name],
    }),
    traceMarkers: new TraceMarkerBuilder(),
    tracePass: null,
    extraBuilders: 0,
    probeTasks,
    followed: null,
  };
  for (const b of [builders.workItems, builders.graphProbes, builders.occupancy, builders.traceMarkers]) b.reset();
  return builders;
}

/** Kernel logs first, so the trace builders know the tasks the probe spans name; then traces; then the rest. */
function readingOrder(inputs: ResolvedInput[]): ResolvedInput[] {
  return [
    ...inputs.filter((i) => isKernelLogFormat(i.format)),
    ...inputs.filter((i) => isTraceFormat(i.format)),
    ...inputs.filter((i) => !isKernelLogFormat(i.format) && !isTraceFormat(i.format)),
  ];
}

async function readInputs(inputs: ResolvedInput[], ordered: ResolvedInput[], builders: PassBuilders, options: LoadBootOptions): Promise<PassResult> {
  const pass: PassResult = {
    infos: [], diagnostics: [], traceSeen: false, functionGraph: false, traceHeader: undefined, traceFile: undefined,
    markerTexts: new Set(), topologies: [], deviceNodes: new Map(),
  };
  const reported = new Map<ResolvedInput, { info: InputInfo; diagnostics: Diagnostic[] }>();
  for (const input of ordered) {
    const inputDiagnostics: Diagnostic[] = [];
    const onDiagnostic: DiagnosticSink = (d) => inputDiagnostics.push(d);
    const origin = inputOrigin(input.path);
    if (origin?.warning) onDiagnostic({ file: input.path, line: null, severity: 'warning', message: origin.warning });
    const module = formatModule(input.format);
    let lines: number;
    switch (module.role) {
      case 'kernel-log':
        lines = await readKernelLogInput(input.path, input.format as KernelLogFormat, builders, onDiagnostic);
        break;
      case 'trace':
        if (builders.tracePass === null) startTracePass(builders, options);
        lines = await readTraceInput(input.path, input.format as TraceFormat, builders, pass, onDiagnostic);
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

async function readKernelLogInput(path: string, format: KernelLogFormat, builders: PassBuilders, onDiagnostic: DiagnosticSink): Promise<number> {
  const handle = builders.logPass.handle;
  const result = await formatModule(format).read(path, (line) => {
    const record = recognizeKernelMessage(line);
    if (record) handle(record);
  }, onDiagnostic);
  return result.lines;
}

/** Before the first trace event: the tasks the kernel log's probe spans name, and the command's extra builders. */
function startTracePass(builders: PassBuilders, options: LoadBootOptions): void {
  builders.probeSpans.finalize();
  const logProbes = builders.probeSpans.data().probes;
  for (const p of logProbes) {
    for (const pid of [p.callerPid, p.queuedBy?.pid, p.worker?.pid]) if (pid != null) builders.probeTasks.add(pid);
  }
  const extra = options.traceBuilders?.(logProbes) ?? [];
  for (const b of extra) b.reset();
  builders.extraBuilders = extra.length;
  builders.tracePass = new BuilderPass<TraceEvent>([builders.workItems, builders.graphProbes, builders.occupancy, builders.traceMarkers, ...extra]);
}

async function readTraceInput(path: string, format: TraceFormat, builders: PassBuilders, pass: PassResult, onDiagnostic: DiagnosticSink): Promise<number> {
  pass.traceSeen = true;
  if (format === 'function-graph') pass.functionGraph = true;
  const tracePass = builders.tracePass!;
  // A trace.dat is read twice: first for the tasks the builders can ever follow (followed-tasks.ts), then with the
  // scheduler events of the other tasks left out before they are decoded. Extra builders (the simulator's
  // calibration) may need every task's scheduling: nothing is left out for them.
  builders.followed = builders.extraBuilders > 0 ? null : await followedTasks(path, format, builders.probeTasks, builders.workItemOptions);
  const result = await formatModule(format).read(path, tracePass.handle, onDiagnostic, builders.followed === null ? {} : { followTasks: builders.followed });
  if (result.filtered) builders.occupancy.noteWholeTrace(result.filtered.firstNs as Ns | null, result.filtered.lastNs as Ns | null, result.filtered.schedSwitch);
  pass.traceHeader = result.header;
  pass.traceFile = path;
  pass.markerTexts = new Set(builders.traceMarkers.data().map((m) => m.text));
  return result.lines;
}

/** Kernel-log lines whose text was also written to trace_marker: they align the two clocks. */
async function findKernelLogMarkers(ordered: ResolvedInput[], markerTexts: ReadonlySet<string>): Promise<ClockMarker[]> {
  const markers: ClockMarker[] = [];
  if (markerTexts.size === 0) return markers;
  for (const input of ordered.filter((i) => isKernelLogFormat(i.format))) {
    await formatModule(input.format as KernelLogFormat).read(input.path, (line) => {
      if (line.timeNs !== null && markerTexts.has(line.text.trim())) {
        markers.push({ text: line.text.trim(), timeNs: line.timeNs, source: line.source });
      }
    }, () => {});
  }
  return markers;
}

function finalizeTracePass(builders: PassBuilders): void {
  if (builders.tracePass !== null) builders.tracePass.finalize();
  else for (const b of [builders.workItems, builders.graphProbes, builders.occupancy, builders.traceMarkers]) b.finalize();
}

/** The probe spans: the kernel log's with their nodes, joined with the trace (or the function graph's own spans). */
function assembleProbes(logProbes: ProbeSpan[], builders: PassBuilders, pass: PassResult, kernelLogMarkers: ClockMarker[], diagnostics: Diagnostic[]): ProbeSpan[] {
  const deviceNodes = pass.deviceNodes;
  // The log's own root-bus nodes fill in what neither the probe lines' neighbours nor a pci-numa file said.
  for (const f of builders.platform.data().pciFunctions) if (!deviceNodes.has(f.device) && f.node !== null) deviceNodes.set(f.device, f.node);
  const probes = applyDeviceNodes(logProbes, deviceNodes);
  if (!pass.traceSeen) return probes;
  const workData = builders.workItems.data();
  const occupancy = builders.occupancy.data();
  diagnostics.push(...workData.diagnostics, ...occupancy.diagnostics);
  if (pass.functionGraph && probes.length === 0) {
    const graph = builders.graphProbes.data();
    diagnostics.push(...graph.diagnostics);
    return applyDeviceNodes(spansFromGraphCalls(graph.calls, occupancy, { workItems: workData.workItems }), deviceNodes);
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

/** Diagnostics in reading order: by input (traces first, as in `inputs`), then by line, whole-file ones first; each input counts every one about it. */
function sortDiagnostics(diagnostics: Diagnostic[], infos: InputInfo[]): void {
  const fileOrder = new Map(infos.map((info, i) => [info.path, i]));
  const rank = (d: Diagnostic) => fileOrder.get(d.file) ?? infos.length;
  diagnostics.sort((a, b) => rank(a) - rank(b) || (a.line ?? -1) - (b.line ?? -1));
  for (const info of infos) info.diagnostics = diagnostics.filter((d) => d.file === info.path).length;
}

async function countLines(path: string): Promise<number> {
  const text = await readFile(readablePath(path), 'utf8');
  if (text.length === 0) return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}
