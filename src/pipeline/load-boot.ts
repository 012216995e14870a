// The pipeline: input paths → one Boot. Expands capture directories, sniffs every file's format,
// streams each file once through its parser into the model builders, joins the trace with the dmesg
// probe spans, and runs the findings. All analysis lives in the modules called here; this file only
// wires them (ingest → model → findings, architecture.md).

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { detectFindings } from '../findings/index.js';
import { sniffFile, unknownFormat } from '../ingest/detect.js';
import { inputOrigin, prepareInput, readablePath } from '../ingest/input-source.js';
import { InputError } from '../ingest/input-error.js';
import { isCaptureTarball, unpackCaptureTarball, withTarballNames, type UnpackedCapture } from '../ingest/capture-tarball.js';
import type { DiagnosticSink } from '../ingest/kernel-log.js';
import { recognizeKernelMessage } from '../ingest/kernel-records.js';
import type { KernelRecord } from '../ingest/kernel-records.types.js';
import type { TraceEvent, TraceHeader } from '../ingest/trace-events.types.js';
import type { Builder } from '../model/builder.js';
import { checkBootJson } from '../model/boot-json-check.js';
import { followedTasks } from '../model/followed-tasks.js';
import { FunctionGraphProbeBuilder, spansFromGraphCalls } from '../model/funcgraph-probes.js';
import { InitcallBuilder } from '../model/initcalls.js';
import { KernelInfoBuilder } from '../model/kernel-info.js';
import { joinProbesWithTrace, PROBE_BODY_FUNCTIONS, PROBE_CARRIER_FUNCTIONS, TraceMarkerBuilder, type ClockMarker } from '../model/probe-trace-join.js';
import { ProbeSpanBuilder } from '../model/probe-spans.js';
import { TaskOccupancyBuilder } from '../model/task-occupancy.js';
import { mergeTopologies } from '../model/topology-merge.js';
import { captureFiles, formatModule, isKernelLogFormat, isTraceFormat, type InputFormat, type KernelLogFormat, type TraceFormat } from '../ingest/formats.js';
import { oneBootInputs } from '../model/one-boot.js';
import { PlatformBuilder, topologyFromPlatform } from '../model/platform.js';
import { isBootClockFormat, markImpossibleTimes } from '../model/impossible-times.js';
import type { Boot, Diagnostic, InputInfo, NodeId, Ns, ProbeSpan, Topology } from '../model/types.js';
import { BOOT_SCHEMA } from '../model/types.js';
import { WorkItemBuilder } from '../model/work-items.js';


interface ResolvedInput {
  path: string;
  format: InputFormat;
  /** The argument it came from (the file itself, or its capture directory). */
  arg: string;
}

/** Extra builders a command feeds from the same pass over the trace (e.g. the simulator's calibration collector). */
export interface LoadBootOptions {
  /** Called once, before the first trace event, with the kernel log's probe spans (printk clock). */
  traceBuilders?: (logProbes: readonly ProbeSpan[]) => Array<Builder<TraceEvent, unknown>>;
}

/** Loads one boot from files and capture directories (or a Boot JSON written by `analyze --json`). */
export async function loadBoot(paths: string[], options: LoadBootOptions = {}): Promise<Boot> {
  if (paths.length === 0) throw new InputError('(no input)', null, 'no input files given');
  // Capture tarballs are unpacked into temporary directories for the time of the reading.
  const unpacked: Array<UnpackedCapture & { tarball: string }> = [];
  try {
    const boot = await loadResolved(await resolveInputs(paths, unpacked), options);
    return unpacked.length > 0 ? withTarballNames(boot, unpacked) : boot;
  } finally {
    for (const u of unpacked) await u.remove();
  }
}

async function loadResolved(inputs: ResolvedInput[], options: LoadBootOptions): Promise<Boot> {
  const jsonInputs = inputs.filter((i) => formatModule(i.format).role === 'boot-json');
  if (jsonInputs.length > 0) {
    if (inputs.length > 1) {
      throw new InputError(jsonInputs[0]!.path, null, 'a Boot JSON is a whole boot: give it alone, not with other inputs');
    }
    return readBootJson(jsonInputs[0]!.path);
  }
  // One boot at a time: duplicates read once, kernel logs of other boots refused (one-boot.ts).
  const { inputs: oneBoot, notes } = await oneBootInputs(inputs);
  const boot = await buildBoot(oneBoot, options);
  if (notes.length > 0) boot.diagnostics = [...notes, ...boot.diagnostics];
  return boot;
}

/** The files a boot's analysis reads, in reading order (a capture tarball counts as itself): what `fleet` hashes. */
export async function inputFilesOf(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null) throw new InputError(path, null, 'no such file or directory');
    if (info.isDirectory()) files.push(...(await resolveCaptureDirectory(path)).map((i) => i.path));
    else files.push(path);
  }
  return files;
}

async function resolveInputs(paths: string[], unpacked: Array<UnpackedCapture & { tarball: string }>): Promise<ResolvedInput[]> {
  const resolved: ResolvedInput[] = [];
  for (const path of paths) {
    let isDir: boolean;
    // Standard input, pipes, tracefs/procfs files and compressed files are spooled first (input-source.ts).
    await prepareInput(path);
    try {
      isDir = (await stat(readablePath(path))).isDirectory();
    } catch {
      throw new InputError(path, null, 'no such file or directory');
    }
    if (isDir) resolved.push(...(await resolveCaptureDirectory(path)).map((i) => ({ ...i, arg: path })));
    else if (await isCaptureTarball(path)) {
      const capture = await unpackCaptureTarball(path);
      unpacked.push({ ...capture, tarball: path });
      const files = await resolveCaptureDirectory(capture.dir).catch((err: unknown) => {
        throw err instanceof InputError ? new InputError(path, null, err.reason) : err;
      });
      resolved.push(...files.map((i) => ({ ...i, arg: path })));
    } else resolved.push({ path, format: await sniffOrFail(path), arg: path });
  }
  return resolved;
}

async function sniffOrFail(path: string): Promise<InputFormat> {
  const info = await stat(readablePath(path));
  if (info.size === 0) throw new InputError(path, null, inputOrigin(path)?.stream ? 'empty input (nothing was read from it)' : 'empty file');
  const format = await sniffFile(path);
  if (format === null) throw await unknownFormat(path);
  return format;
}

async function resolveCaptureDirectory(dir: string): Promise<Array<Omit<ResolvedInput, 'arg'>>> {
  const names = new Set(await readdir(dir));
  // Each name also as a compressed file (dmesg.log.gz, trace.txt.zst), read through input-source.ts.
  const pick = (candidates: string[]) => candidates.flatMap((n) => ['', '.gz', '.zst', '.xz'].map((z) => n + z)).filter((n) => names.has(n)).map((n) => join(dir, n));
  const chosen: Array<Omit<ResolvedInput, 'arg'>> = [];
  const firstOfRole = async (candidates: string[], accept: (format: InputFormat) => boolean) => {
    for (const path of pick(candidates)) {
      await prepareInput(path);
      const info = await stat(readablePath(path));
      if (!info.isFile() || info.size === 0) continue;
      const format = await sniffFile(path);
      if (format !== null && accept(format)) return { path, format };
    }
    return null;
  };
  const log = await firstOfRole(captureFiles('kernel-log'), isKernelLogFormat);
  if (log) chosen.push(log);
  const trace = await firstOfRole(captureFiles('trace'), isTraceFormat);
  if (trace) chosen.push(trace);
  for (const path of pick(captureFiles('topology'))) {
    await prepareInput(path);
    const format = await sniffFile(path);
    if (format !== null && formatModule(format).role === 'topology') chosen.push({ path, format });
  }
  for (const path of pick(captureFiles('device-nodes'))) {
    await prepareInput(path);
    chosen.push({ path, format: 'pci-numa' });
  }
  if (!log && !trace) {
    throw new InputError(dir, null, `no kernel log or trace found (expected one of ${[...captureFiles('kernel-log'), ...captureFiles('trace')].join(', ')})`);
  }
  return chosen;
}

async function buildBoot(inputs: ResolvedInput[], options: LoadBootOptions): Promise<Boot> {
  const diagnostics: Diagnostic[] = [];
  const infos: InputInfo[] = [];
  const kernelInfo = new KernelInfoBuilder();
  const probeSpans = new ProbeSpanBuilder();
  const initcalls = new InitcallBuilder();
  const platformFacts = new PlatformBuilder();
  const logBuilders: Array<Builder<KernelRecord, unknown>> = [kernelInfo, probeSpans, initcalls, platformFacts];
  for (const b of logBuilders) b.reset();

  // Bounded memory on long traces: keep only the work items that can carry a probe (or run in a task the
  // kernel log names), and the scheduling of the tasks that run or queue them, that the log names (probe
  // callers: known because kernel logs are read first), or that are in a probe call of a function graph.
  const probeTasks = new Set<number>();
  const workItemOptions = {
    keepItem: (fn: string, workerPid: number | null) => PROBE_BODY_FUNCTIONS.has(fn) || PROBE_CARRIER_FUNCTIONS.has(fn) || (workerPid !== null && probeTasks.has(workerPid)),
    // The join looks at the queuer only of a probe body (it waits in flush_work); an async_run_entry_fn's does not wait.
    queuerMatters: (fn: string) => PROBE_BODY_FUNCTIONS.has(fn),
  };
  const workItems = new WorkItemBuilder(workItemOptions);
  const graphProbes = new FunctionGraphProbeBuilder();
  // A trace.dat is read twice: first for the tasks the builders can ever follow (followed-tasks.ts), then with the
  // scheduler events of the other tasks left out before they are decoded.
  let followed: ReadonlySet<number> | null = null;
  const occupancy = new TaskOccupancyBuilder({
    taskInterestUntil: (pid) => (probeTasks.has(pid) ? Infinity : Math.max(workItems.taskInterestUntil(pid), graphProbes.taskInterestUntil(pid))),
    // probeTasks is fixed before the trace is read; the two builders count their own changes.
    interestChanges: () => workItems.interestChanges() + graphProbes.interestChanges(),
    completeTask: (pid) => followed === null || followed.has(pid),
  });
  const traceMarkers = new TraceMarkerBuilder();
  // The graph builder sees each event before the occupancy, so a task is wanted from its probe's first line.
  const traceBuilders: Array<Builder<TraceEvent, unknown>> = [workItems, graphProbes, occupancy, traceMarkers];
  for (const b of traceBuilders) b.reset();
  let traceSeen = false;
  let functionGraph = false;
  let traceHeader: TraceHeader | undefined;
  let traceFile: string | undefined;
  const kernelLogMarkers: ClockMarker[] = [];
  let markerTexts: ReadonlySet<string> = new Set();

  const topologies: Topology[] = [];
  const deviceNodes = new Map<string, NodeId | null>();

  // Kernel logs first, so the trace builders know the tasks the probe spans name; the kernel logs are
  // searched for the trace's markers afterwards (they are small next to a trace).
  const ordered = [
    ...inputs.filter((i) => isKernelLogFormat(i.format)),
    ...inputs.filter((i) => isTraceFormat(i.format)),
    ...inputs.filter((i) => !isKernelLogFormat(i.format) && !isTraceFormat(i.format)),
  ];
  let probeTasksKnown = false;
  let extraBuilders: Array<Builder<TraceEvent, unknown>> = [];
  // Infos and diagnostics are reported traces first, then the other inputs in the order given.
  const reported = new Map<ResolvedInput, { info: InputInfo; diagnostics: Diagnostic[] }>();
  for (const input of ordered) {
    let fileDiagnostics = 0;
    const inputDiagnostics: Diagnostic[] = [];
    const onDiagnostic: DiagnosticSink = (d) => {
      fileDiagnostics++;
      inputDiagnostics.push(d);
    };
    let lines = 0;
    const origin = inputOrigin(input.path);
    if (origin?.warning) onDiagnostic({ file: input.path, line: null, severity: 'warning', message: origin.warning });
    if (isKernelLogFormat(input.format)) {
      const result = await formatModule(input.format as KernelLogFormat).read(input.path, (line) => {
        const record = recognizeKernelMessage(line);
        if (record) for (const b of logBuilders) b.handle(record);
      }, onDiagnostic);
      lines = result.lines;
    } else if (isTraceFormat(input.format)) {
      traceSeen = true;
      if (!probeTasksKnown) {
        probeTasksKnown = true;
        probeSpans.finalize();
        for (const p of probeSpans.data().probes) {
          for (const pid of [p.callerPid, p.queuedBy?.pid, p.worker?.pid]) if (pid != null) probeTasks.add(pid);
        }
        extraBuilders = options.traceBuilders?.(probeSpans.data().probes) ?? [];
        for (const b of extraBuilders) b.reset();
      }
      const format = input.format as TraceFormat;
      if (format === 'function-graph') functionGraph = true;
      // Extra builders (the simulator's calibration) may need every task's scheduling: nothing is left out for them.
      followed = extraBuilders.length === 0 ? await followedTasks(input.path, format, probeTasks, workItemOptions) : null;
      const follow = followed;
      // One call site per builder, in traceBuilders order (not a loop over it): each call stays monomorphic on the hot path.
      const extra = extraBuilders;
      const result = await formatModule(format).read(input.path, extra.length === 0 ? (event) => {
        workItems.handle(event);
        graphProbes.handle(event);
        occupancy.handle(event);
        traceMarkers.handle(event);
      } : (event) => {
        workItems.handle(event);
        graphProbes.handle(event);
        occupancy.handle(event);
        traceMarkers.handle(event);
        for (const b of extra) b.handle(event);
      }, onDiagnostic, follow === null ? {} : { followTasks: follow });
      if (result.filtered) occupancy.noteWholeTrace(result.filtered.firstNs as Ns | null, result.filtered.lastNs as Ns | null, result.filtered.schedSwitch);
      lines = result.lines;
      traceHeader = result.header;
      traceFile = input.path;
      markerTexts = new Set(traceMarkers.data().map((m) => m.text));
    } else if (input.format === 'lscpu' || input.format === 'cpulist') {
      topologies.push(await formatModule(input.format).read(input.path, onDiagnostic));
      lines = await countLines(input.path);
    } else if (input.format === 'pci-numa') {
      for (const entry of await formatModule(input.format).read(input.path, onDiagnostic)) deviceNodes.set(entry.device, entry.node);
      lines = await countLines(input.path);
    } else {
      throw new InputError(input.path, null, `a ${input.format} file cannot be combined with other inputs`);
    }
    reported.set(input, { info: { path: input.path, format: input.format, lines, diagnostics: fileDiagnostics }, diagnostics: inputDiagnostics });
  }
  for (const input of [...inputs.filter((i) => isTraceFormat(i.format)), ...inputs.filter((i) => !isTraceFormat(i.format))]) {
    const r = reported.get(input)!;
    infos.push(r.info);
    for (const d of r.diagnostics) diagnostics.push(d);
  }
  // Kernel-log lines whose text was also written to trace_marker align the two clocks.
  if (markerTexts.size > 0) {
    for (const input of ordered.filter((i) => isKernelLogFormat(i.format))) {
      await formatModule(input.format as KernelLogFormat).read(input.path, (line) => {
        if (line.timeNs !== null && markerTexts.has(line.text.trim())) {
          kernelLogMarkers.push({ text: line.text.trim(), timeNs: line.timeNs, source: line.source });
        }
      }, () => {});
    }
  }

  for (const b of [...logBuilders, ...traceBuilders, ...extraBuilders]) b.finalize();
  const probeData = probeSpans.data();
  const initcallData = initcalls.data();
  diagnostics.push(...probeData.diagnostics, ...initcallData.diagnostics);

  const platform = platformFacts.data();
  // The log's own root-bus nodes fill in what neither the probe lines' neighbours nor a pci-numa file said.
  for (const f of platform.pciFunctions) if (!deviceNodes.has(f.device) && f.node !== null) deviceNodes.set(f.device, f.node);
  let probes: ProbeSpan[] = applyDeviceNodes(probeData.probes, deviceNodes);
  if (traceSeen) {
    const workData = workItems.data();
    diagnostics.push(...workData.diagnostics, ...occupancy.data().diagnostics);
    if (functionGraph && probes.length === 0) {
      const graph = graphProbes.data();
      probes = applyDeviceNodes(spansFromGraphCalls(graph.calls, occupancy.data(), { workItems: workData.workItems }), deviceNodes);
      for (const d of graph.diagnostics) diagnostics.push(d);
    } else {
      const joined = joinProbesWithTrace(
        probes,
        { workItems: workData.workItems, occupancy: occupancy.data(), markers: traceMarkers.data() },
        { kernelLogMarkers, ...(traceHeader ? { traceHeader } : {}), ...(traceFile ? { traceFile } : {}) },
      );
      probes = joined.probes;
      diagnostics.push(...joined.diagnostics);
      // The join moved the events of every trace input by one offset.
      if (joined.clockOffsetNs !== null) for (const info of infos) if (isTraceFormat(info.format)) info.clockOffsetNs = joined.clockOffsetNs;
    }
  }

  // Times that cannot be are marked and reported, never passed on silently.
  const formatOf = new Map(infos.map((i) => [i.path, i.format]));
  diagnostics.push(...markImpossibleTimes(probes, initcallData.initcalls, (file) => isBootClockFormat(formatOf.get(file) ?? '')));

  // Diagnostics in reading order: by input (traces first, as in `inputs`), then by line; whole-file ones first.
  const fileOrder = new Map(infos.map((info, i) => [info.path, i]));
  const rank = (d: Diagnostic) => fileOrder.get(d.file) ?? infos.length;
  diagnostics.sort((a, b) => rank(a) - rank(b) || (a.line ?? -1) - (b.line ?? -1));
  // Each input counts every diagnostic reported about it, the model's and the findings' included.
  for (const info of infos) info.diagnostics = diagnostics.filter((d) => d.file === info.path).length;

  // Topology files win; the kernel log's own CPU/node lines fill in what they do not say (or everything, without one).
  const hasKernelLog = inputs.some((i) => isKernelLogFormat(i.format));
  const topology = mergeTopologies(hasKernelLog ? [...topologies, topologyFromPlatform(platform)] : topologies);
  const boot: Boot = {
    schema: BOOT_SCHEMA,
    inputs: infos,
    kernel: kernelInfo.data(),
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

/** Sysfs numa_node (pci-numa.txt) is authoritative for a device's node; it fills in what dmesg did not show. */
function applyDeviceNodes(probes: ProbeSpan[], deviceNodes: Map<string, NodeId | null>): ProbeSpan[] {
  if (deviceNodes.size === 0) return probes;
  return probes.map((p) => {
    const node = deviceNodes.get(p.device.toLowerCase());
    return node === undefined || p.node !== null ? p : { ...p, node };
  });
}

async function countLines(path: string): Promise<number> {
  const text = await readFile(readablePath(path), 'utf8');
  if (text.length === 0) return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

/** Reads a Boot written by `analyze --json` (or one run of `simulate --json`). */
export async function readBootJson(path: string): Promise<Boot> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(readablePath(path), 'utf8'));
  } catch (err) {
    throw new InputError(path, null, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InputError(path, null, 'not a trace-probe JSON object');
  const obj = parsed as { schema?: unknown; runs?: Array<{ policy?: string; boot?: Boot }> };
  if (obj.schema === BOOT_SCHEMA) {
    checkBootJson(obj, path);
    return obj as unknown as Boot;
  }
  if (obj.schema === 'trace-probe.sim/1' || obj.schema === 'trace-probe.sim/2') {
    const run = Array.isArray(obj.runs) ? obj.runs[0] : undefined;
    if (!run?.boot) throw new InputError(path, null, 'simulation JSON has no runs');
    checkBootJson(run.boot, path, 'runs[0].boot');
    if ((obj.runs?.length ?? 0) > 1) {
      run.boot.diagnostics = [...run.boot.diagnostics, { file: path, line: null, severity: 'warning',
        message: `simulation JSON holds ${obj.runs!.length} runs; using the first (policy ${run.policy ?? '?'})` }];
    }
    return run.boot;
  }
  throw new InputError(path, null, `unsupported JSON schema ${JSON.stringify(obj.schema ?? null)} (expected ${BOOT_SCHEMA}, trace-probe.sim/1 or trace-probe.sim/2)`);
}

