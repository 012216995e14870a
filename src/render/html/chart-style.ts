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

/** Above this many data rows, marks carry no ARIA descriptions (they would double the static SVG). */
export const ARIA_ROW_LIMIT = 1500;

export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
