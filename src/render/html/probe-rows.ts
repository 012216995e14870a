// One row per timed probe, as the timeline chart and the browser test read it: lane (CPU and packed
// row), the three phases of the span and the tooltip fields. Times are seconds on the boot's printk
// clock (as dmesg prints them); durations are milliseconds.

import type { TimeWindow } from '../../findings/episodes.js';
import type { Boot, ProbeSpan } from '../../model/types.js';
import { packRows } from './lane-packing.js';
import { workerLabel } from '../worker-label.js';

export type WorkerKindLabel = 'bound' | 'highpri' | 'unbound' | 'rescuer' | 'task' | 'unknown';
export const WORKER_KIND_LABELS: readonly WorkerKindLabel[] = ['bound', 'highpri', 'unbound', 'rescuer', 'task', 'unknown'];

export interface ProbeRow {
  /** Index of the probe in `boot.probes`. */
  probe: number;
  device: string;
  driver: string;
  worker: string;
  queuedBy: string;
  kind: WorkerKindLabel;
  cpu: string;
  /** Lane label: "CPU 3", or "CPU 3 ·2" for the second row of overlapping probes on CPU 3. */
  lane: string;
  status: string;
  /** Body queued, body start, body end (s). */
  t0: number;
  t1: number;
  t3: number;
  /** The probe span (really_probe) as the kernel log gives it (s). */
  spanStart: number;
  spanEnd: number;
  durationMs: number;
  /** Tooltip texts: ms with 3 decimals, or why there is no value (never a bare `null`). */
  queueDelay: string;
  runnableWait: string;
  onCpu: string;
  source: string;
}

export interface ProbeRows {
  rows: ProbeRow[];
  /** Lane labels in display order (CPU number, then row). */
  lanes: string[];
  /** Probes with no start time (only a cost, e.g. the patch-mail line): not on the timeline. */
  untimed: number;
  /** Timed probes (in the window) left out because only the `limit` slowest are drawn one by one. */
  omitted: number;
  /** The shortest duration drawn when probes were left out (ms), else null. */
  shortestDrawnMs: number | null;
}


const msText = (value: number | null): string => (value === null ? 'not in the input (needs a trace)' : (value / 1e6).toFixed(3));
/** Seconds from integer ns, printed with at most 9 decimals in the JSON. */
const seconds = (value: number): number => Math.round(value) / 1e9;

/** Where the probe body ran, in ns on the span's clock. */
export interface ProbeBody {
  /** queue_work of the body's work item (bodyStart − queue delay), or the span start. */
  queuedNs: number;
  bodyStartNs: number;
  bodyEndNs: number;
}

/**
 * The body of a timed probe: the trace's execute_start/end when the pipeline joined one
 * (`bodyStartNs`/`bodyEndNs`, read structurally so older Boot JSON without them still renders),
 * otherwise the span after its queue delay.
 */
export function probeBody(p: ProbeSpan): ProbeBody | null {
  if (p.startNs === null) return null;
  const joined = p as ProbeSpan & { bodyStartNs?: number | null; bodyEndNs?: number | null };
  const end = p.endNs ?? p.startNs + p.durationNs;
  const queue = p.queueDelayNs ?? 0;
  if (joined.bodyStartNs != null && joined.bodyEndNs != null && joined.bodyEndNs >= joined.bodyStartNs) {
    return { queuedNs: joined.bodyStartNs - queue, bodyStartNs: joined.bodyStartNs, bodyEndNs: joined.bodyEndNs };
  }
  const bodyStart = Math.min(end, p.startNs + queue);
  return { queuedNs: p.startNs, bodyStartNs: bodyStart, bodyEndNs: end };
}

/**
 * Builds the timeline rows: a bar per probe body on the CPU that ran it and its queue delay (queue_work
 * to execute_start) before it. The runnable wait is a tooltip figure: the Boot records how long the task
 * waited for a CPU during the body, not when.
 */
export function probeRows(boot: Boot, window: TimeWindow | null = null, limit = Infinity): ProbeRows {
  let timed: Array<{ probe: ProbeSpan; index: number; body: ProbeBody }> = [];
  let untimed = 0;
  boot.probes.forEach((probe, index) => {
    const body = probeBody(probe);
    if (body === null) {
      untimed++;
      return;
    }
    if (window && (body.bodyEndNs < window.startNs || body.queuedNs > window.endNs)) return;
    timed.push({ probe, index, body });
  });
  // Beyond `limit` probes only the slowest are drawn one by one (the report counts the rest per driver).
  const inWindow = timed.length;
  let shortestDrawnMs: number | null = null;
  if (timed.length > limit) {
    timed = [...timed].sort((a, b) => b.probe.durationNs - a.probe.durationNs || a.index - b.index).slice(0, limit);
    shortestDrawnMs = timed[timed.length - 1]!.probe.durationNs / 1e6;
    timed.sort((a, b) => a.index - b.index);
  }
  // Pack rows per CPU lane.
  const byCpu = new Map<number, typeof timed>();
  for (const t of timed) {
    const key = t.probe.cpu ?? -1;
    let list = byCpu.get(key);
    if (!list) byCpu.set(key, (list = []));
    list.push(t);
  }
  const lanes: string[] = [];
  const rows: ProbeRow[] = [];
  const cpus = [...byCpu.keys()].sort((a, b) => (a === -1 ? 1 : b === -1 ? -1 : a - b));
  for (const cpu of cpus) {
    const list = byCpu.get(cpu)!;
    // Rows are packed by the body (what occupied the CPU); queue delays are drawn under the bodies of
    // the same row, so serialized bodies on one CPU stay on one row.
    const packed = packRows(list.map((t) => ({ start: t.body.bodyStartNs, end: t.body.bodyEndNs })));
    const cpuLabel = cpu === -1 ? 'CPU ?' : `CPU ${cpu}`;
    const rowCount = packed.reduce((m, r) => Math.max(m, r + 1), 0);
    for (let r = 0; r < rowCount; r++) lanes.push(r === 0 ? cpuLabel : `${cpuLabel} ·${r + 1}`);
    list.forEach((t, i) => {
      const p = t.probe;
      const { queuedNs, bodyStartNs, bodyEndNs } = t.body;
      const row = packed[i]!;
      rows.push({
        probe: t.index,
        device: p.device,
        driver: p.driver ?? 'unknown',
        worker: workerLabel(p.worker),
        queuedBy: p.queuedBy ? workerLabel(p.queuedBy) : '-',
        kind: p.worker?.kind ?? 'unknown',
        cpu: cpu === -1 ? 'unknown' : String(cpu),
        lane: row === 0 ? cpuLabel : `${cpuLabel} ·${row + 1}`,
        status: p.status,
        t0: seconds(queuedNs),
        t1: seconds(bodyStartNs),
        t3: seconds(bodyEndNs),
        spanStart: seconds(p.startNs!),
        spanEnd: seconds(p.endNs ?? p.startNs! + p.durationNs),
        durationMs: p.durationNs / 1e6,
        queueDelay: msText(p.queueDelayNs),
        runnableWait: msText(p.runnableWaitNs),
        onCpu: msText(p.onCpuNs),
        source: `${p.source.file}:${p.source.line}`,
      });
    });
  }
  return { rows, lanes, untimed, omitted: inWindow - timed.length, shortestDrawnMs };
}
