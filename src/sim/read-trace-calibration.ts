// The calibration (sim/trace-calibration.ts) of a Boot from its own trace. pipeline/load-boot-for-simulation.ts
// loads the boot with the simulator's collector (sim/sim-trace-collector.ts) as one more builder of the ingest
// pass, so the trace is read once per `simulate`; a Boot JSON (analyze --json) has no pass of its own, so its trace files
// are read for the collector alone, when they are still there. The collected figures are moved onto the Boot's
// clock (InputInfo.clockOffsetNs) and restricted to the probe window of the workload. A trace on a counter
// clock, or one the join could not put on the kernel log's clock, gives no calibration and says why.

import { formatModule, isKernelLogFormat, isTraceFormat, type TraceFormat } from '../ingest/formats.js';
import { InputError } from '../ingest/input-error.js';
import type { Boot } from '../model/types.js';
import { SimTraceCollector, type SimTraceData } from './sim-trace-collector.js';
import { asyncQueueTimes, type CalibrationWindow, calibrationOf, type TraceCalibration } from './trace-calibration.js';
import type { Workload } from './workload.js';

export interface TraceCalibrationResult {
  calibration: TraceCalibration;
  /** The collected trace figures on the Boot's clock (null: no usable trace). */
  trace: SimTraceData | null;
  /** Why parts of the calibration are missing (empty when nothing is). */
  notes: string[];
}

/** What the ingest pass collected for the simulator, in the trace's clock. */
export interface CollectedTrace {
  data: SimTraceData;
}

export async function readTraceCalibration(boot: Boot, workload: Workload, collected: CollectedTrace | null = null): Promise<TraceCalibrationResult> {
  const notes: string[] = [];
  // function_graph output carries the sched and workqueue events as comments (with funcgraph-abstime for times).
  const traces = boot.inputs.filter((i) => isTraceFormat(i.format));
  let data: SimTraceData | null = collected?.data ?? null;
  if (data === null && traces.length > 0) {
    // A Boot JSON: its trace files are read for the collector alone.
    const collector = new SimTraceCollector();
    collector.reset();
    let read = 0;
    for (const input of traces) {
      try {
        const result = await formatModule(input.format as TraceFormat).read(input.path, (e) => collector.handle(e), () => {});
        if (result.header.clockUnit !== 'ns') {
          notes.push(`${input.path}: the trace clock counts cycles, not ns: no calibration taken from it`);
          continue;
        }
        read++;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        notes.push(`${input.path}: cannot be read again for calibration (${err.reason})`);
      }
    }
    if (read > 0) data = collector.data();
  }
  if (data !== null && traces.some((t) => t.clockOffsetNs === undefined) && boot.inputs.some((i) => isKernelLogFormat(i.format))) {
    notes.push('the trace could not be put on the kernel log\'s clock (counter clock, or no probe or marker to align them): no calibration taken from it');
    data = null;
  }
  if (data === null) {
    if (traces.length === 0) notes.push('no trace among the inputs: nothing to calibrate the simulation with');
    return { calibration: { workerCreation: null }, trace: null, notes };
  }
  const offset = traces[0]?.clockOffsetNs ?? 0;
  const shifted = shiftTraceData(data, offset);
  if (shifted.creation.length === 0) notes.push('the trace shows no kworker being created (it needs sched_wakeup_new, sched_wakeup and sched_switch with timestamps)');
  const spanStarts = new Map<string, number>();
  for (const p of boot.probes) if (p.startNs !== null) spanStarts.set(`${p.source.file}:${p.source.line}`, p.startNs);
  const calibration = calibrationOf(shifted.creation, probeWindow(boot, workload));
  const asyncQueued = asyncQueueTimes(workload, spanStarts, shifted.asyncItems);
  return { calibration: asyncQueued.length > 0 ? { ...calibration, asyncQueued } : calibration, trace: shifted, notes };
}

/** The collected figures moved by `offset` (trace clock → Boot clock). */
function shiftTraceData(d: SimTraceData, offset: number): SimTraceData {
  if (offset === 0) return d;
  const shift = (t: number | null) => (t === null ? null : t + offset);
  return {
    creation: d.creation.map((s) => ({ ...s, managerStartNs: shift(s.managerStartNs), requestNs: s.requestNs + offset, forkNs: s.forkNs + offset, startedNs: s.startedNs + offset })),
    asyncItems: d.asyncItems.map((w) => ({ workerPid: w.workerPid, queuedNs: shift(w.queuedNs), startedNs: shift(w.startedNs), endedNs: shift(w.endedNs) })),
    kworkers: d.kworkers.map((k) => ({ ...k, firstNs: k.firstNs + offset, lastNs: k.lastNs + offset, forkedNs: shift(k.forkedNs), ranOn: k.ranOn.map(([t, c]) => [t + offset, c] as [number, number]) })),
    wakeLatency: d.wakeLatency.map((s) => ({ ...s, wokenNs: s.wokenNs + offset, startedNs: s.startedNs + offset })),
    busy: d.busy.map((b) => ({ ...b, startNs: b.startNs + offset, endNs: b.endNs + offset })),
    executions: d.executions.map((x) => ({ ...x, startNs: x.startNs + offset, endNs: x.endNs + offset })),
    schedSwitch: d.schedSwitch,
  };
}

/** From the first simulated probe's start to the last one's end, in the Boot's time base (the printk clock). */
export function probeWindow(boot: Boot, workload: Workload): CalibrationWindow | null {
  const sources = new Set(workload.probes.map((p) => `${p.source.file}:${p.source.line}`));
  let startNs = Infinity;
  let endNs = -Infinity;
  for (const p of boot.probes) {
    if (p.startNs === null || p.endNs === null || !sources.has(`${p.source.file}:${p.source.line}`)) continue;
    startNs = Math.min(startNs, p.startNs);
    endNs = Math.max(endNs, p.endNs);
  }
  return startNs <= endNs ? { startNs, endNs } : null;
}
