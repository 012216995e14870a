// Reads the calibration (sim/trace-calibration.ts) from the trace files a Boot was loaded from: one more
// streaming pass over each trace input (its reader in ingest/formats.ts), with its times
// moved to the Boot's clock (InputInfo.clockOffsetNs), restricted to the probe window of the workload. A Boot
// JSON whose trace files are gone, or a trace on a counter clock, gives no calibration and says why.

import { InputError } from '../core/input-error.js';
import { formatModule, isTraceFormat, type TraceFormat } from '../ingest/formats.js';
import { type Boot } from '../model/types.js';
import { WorkItemBuilder } from '../model/work-items.js';
import { type AsyncItem, asyncQueueTimes, type CalibrationWindow, calibrationOf, type TraceCalibration, WorkerCreationCollector, type WorkerCreationSample } from './trace-calibration.js';
import type { Workload } from './workload.js';

export interface TraceCalibrationResult {
  calibration: TraceCalibration;
  /** Why parts of the calibration are missing (empty when nothing is). */
  notes: string[];
}

export async function readTraceCalibration(boot: Boot, workload: Workload): Promise<TraceCalibrationResult> {
  const notes: string[] = [];
  const samples: WorkerCreationSample[] = [];
  const asyncItems: AsyncItem[] = [];
  // function_graph output carries the sched and workqueue events as comments (with funcgraph-abstime for times).
  const traces = boot.inputs.filter((i) => isTraceFormat(i.format));
  for (const input of traces) {
    const collector = new WorkerCreationCollector();
    // Only the async items' own times are read: no task's scheduling is followed for their queuers.
    const items = new WorkItemBuilder({ keepItem: (fn) => fn === 'async_run_entry_fn', queuerMatters: () => false });
    try {
      const result = await formatModule(input.format as TraceFormat).read(input.path, (e) => {
        collector.handle(e);
        items.handle(e);
      }, () => {});
      if (result.header.clockUnit !== 'ns') {
        notes.push(`${input.path}: the trace clock counts cycles, not ns: no worker-creation latency or async arrival taken from it`);
        continue;
      }
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      notes.push(`${input.path}: cannot be read again for calibration (${err.reason})`);
      continue;
    }
    // The Boot's times are on the printk clock; the trace's are `clockOffsetNs` behind (loadBoot's join).
    const offset = input.clockOffsetNs ?? 0;
    const shift = (t: number | null) => (t === null ? null : t + offset);
    for (const s of collector.finalize()) {
      samples.push({ ...s, managerStartNs: shift(s.managerStartNs), requestNs: s.requestNs + offset, forkNs: s.forkNs + offset, startedNs: s.startedNs + offset });
    }
    items.finalize();
    for (const w of items.data().workItems) {
      asyncItems.push({ workerPid: w.worker?.pid ?? null, queuedNs: shift(w.queuedAt), startedNs: shift(w.startedAt), endedNs: shift(w.endedAt) });
    }
  }
  if (traces.length > 0 && samples.length === 0 && notes.length === 0) notes.push('the trace shows no kworker being created (it needs sched_wakeup_new, sched_wakeup and sched_switch with timestamps)');
  const spanStarts = new Map<string, number>();
  for (const p of boot.probes) if (p.startNs !== null) spanStarts.set(`${p.source.file}:${p.source.line}`, p.startNs);
  const calibration = calibrationOf(samples, probeWindow(boot, workload));
  const asyncQueued = asyncQueueTimes(workload, spanStarts, asyncItems);
  return { calibration: asyncQueued.length > 0 ? { ...calibration, asyncQueued } : calibration, notes };
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
