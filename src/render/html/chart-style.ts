// Colours and sizes every chart of the report shares, so a worker kind has one colour everywhere.

import type { WorkerKindLabel } from './probe-rows.js';

export const KIND_COLOURS: Record<WorkerKindLabel, string> = {
  bound: '#d62728',
  highpri: '#ff7f0e',
  unbound: '#1f77b4',
  rescuer: '#9467bd',
  task: '#2ca02c',
  unknown: '#7f7f7f',
};

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

/** Above this many data rows, marks carry no ARIA descriptions (at 1,000 bars they make 1 MB of static SVG per chart). */
export const ARIA_ROW_LIMIT = 500;

export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/**
 * d3 format for a seconds axis spanning `spanS`: enough decimals that neighbouring ticks differ
 * (dmesg prints 6), at least 3.
 */
export function secondsAxisFormat(spanS: number): string {
  if (!(spanS > 0)) return '.6f';
  const decimals = Math.ceil(-Math.log10(spanS / 20));
  return `.${Math.min(6, Math.max(3, decimals))}f`;
}

/** Smallest start and largest end of a list of rows (seconds), for axis formats. */
export function spanOf(rows: ReadonlyArray<{ t0: number; t1?: number; t3?: number }>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    lo = Math.min(lo, r.t0);
    hi = Math.max(hi, r.t0, r.t3 ?? r.t1 ?? r.t0);
  }
  return hi > lo ? hi - lo : 0;
}
