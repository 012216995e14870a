// One row per timed probe, as the timeline chart and the browser test read it: lane (CPU and packed
// row), the three phases of the span and the tooltip fields. Times are seconds on the boot's printk
// clock (as dmesg prints them); durations are milliseconds.

import type { Boot, ProbeSpan, WorkerIdentity } from '../../model/types.js';
import { packRows } from './lane-packing.js';

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
  /** Span start, end of queue delay, end of runnable wait, span end (s). */
  t0: number;
  t1: number;
  t2: number;
  t3: number;
  durationMs: number;
  queueDelayMs: number | null;
  runnableWaitMs: number | null;
  onCpuMs: number | null;
  source: string;
}

export interface ProbeRows {
  rows: ProbeRow[];
  /** Lane labels in display order (CPU number, then row). */
  lanes: string[];
  /** Probes with no start time (only a cost, e.g. the patch-mail line): not on the timeline. */
  untimed: number;
}

export function workerLabel(w: WorkerIdentity | null): string {
  if (w === null) return 'unknown';
  if (w.comm !== null) return w.pid !== null ? `${w.comm}-${w.pid}` : w.comm;
  return w.pid !== null ? `pid ${w.pid}` : 'unknown';
}

const ms = (value: number | null): number | null => (value === null ? null : value / 1e6);
/** Seconds from integer ns, printed with at most 9 decimals in the JSON. */
const seconds = (value: number): number => Math.round(value) / 1e9;

/**
 * Builds the timeline rows. The queue delay is drawn from the span start and the runnable wait right
 * after it: the Boot records how long each lasted, not exactly when, so the bar shows how the span
 * divides, not the instants (the chart's subtitle says so).
 */
export function probeRows(boot: Boot): ProbeRows {
  const timed: Array<{ probe: ProbeSpan; index: number; start: number; end: number }> = [];
  boot.probes.forEach((probe, index) => {
    if (probe.startNs === null) return;
    const end = probe.endNs ?? probe.startNs + probe.durationNs;
    timed.push({ probe, index, start: probe.startNs, end });
  });
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
    // Rows are packed by the probe body (after its queue delay): what occupied the CPU. Queue delays
    // are drawn under the bodies of the same row, so serialized bodies on one CPU stay on one row.
    const packed = packRows(list.map((t) => ({ start: Math.min(t.end, t.start + (t.probe.queueDelayNs ?? 0)), end: t.end })));
    const cpuLabel = cpu === -1 ? 'CPU ?' : `CPU ${cpu}`;
    const rowCount = packed.reduce((m, r) => Math.max(m, r + 1), 0);
    for (let r = 0; r < rowCount; r++) lanes.push(r === 0 ? cpuLabel : `${cpuLabel} ·${r + 1}`);
    list.forEach((t, i) => {
      const p = t.probe;
      const span = t.end - t.start;
      const queue = Math.min(p.queueDelayNs ?? 0, span);
      const wait = Math.min(p.runnableWaitNs ?? 0, span - queue);
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
        t0: seconds(t.start),
        t1: seconds(t.start + queue),
        t2: seconds(t.start + queue + wait),
        t3: seconds(t.end),
        durationMs: p.durationNs / 1e6,
        queueDelayMs: ms(p.queueDelayNs),
        runnableWaitMs: ms(p.runnableWaitNs),
        onCpuMs: ms(p.onCpuNs),
        source: `${p.source.file}:${p.source.line}`,
      });
    });
  }
  return { rows, lanes, untimed: boot.probes.length - timed.length };
}
