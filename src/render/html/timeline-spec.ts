// The probe timeline (Gantt): one lane per CPU that ran probe bodies, bars coloured by the kind of
// worker that ran them (bound kworker / unbound kworker / task), each body preceded by its queue delay
// (queue_work to execute_start), paler. The runnable wait is not drawn: the Boot records how long the
// body's task waited for a CPU, not when, so it is in the tooltip only. Legends list the worker kinds and
// parts present. Vega-Lite spec; data from probe-rows.ts.

import type { TopLevelSpec } from 'vega-lite';
import type { TimeWindow } from '../../findings/episodes.js';
import type { Boot } from '../../model/types.js';
import { ARIA_ROW_LIMIT, CHART_FONT, KIND_COLOURS, secondsAxisFormat, spanOf, VEGA_LITE_SCHEMA } from './chart-style.js';
import { probeRows, WORKER_KIND_LABELS, type ProbeRows } from './probe-rows.js';

export interface TimelineOptions {
  width: number;
  /** Shared x domain in seconds, when several boots are shown side by side. */
  xDomain?: [number, number] | null;
  /** false: bodies only, no queue-delay parts (the static picture of a very large boot). */
  phases?: boolean;
  /** Only the probes that reach into this window, on an x axis of exactly this window (a finding's zoom). */
  window?: TimeWindow | null;
  /** Title of the chart (default: the whole-boot timeline's). */
  title?: string;
  /** Subtitle lines (default: how to read the chart). */
  subtitle?: string[];
  /** Draw at most this many probes one by one: the slowest (the report counts the rest per driver). */
  limit?: number;
  /** Stretches to shade on the axis (the episodes drawn on their own above the whole timeline). */
  highlights?: Array<TimeWindow & { label: string }>;
}

export const PHASES = ['probe body', 'queue delay'] as const;
const ROW_HEIGHT = 22;
const LABEL_ROW_LIMIT = 300;
/** Bar width in pixels from which a device name fits inside it (PCI names are ~12 characters). */
const LABEL_MIN_PX = 80;

export function timelineSpec(boot: Boot, options: TimelineOptions): { spec: TopLevelSpec; rows: ProbeRows } {
  const rows = probeRows(boot, options.window ?? null, options.limit ?? Infinity);
  const xDomain: [number, number] | null = options.window
    ? [Math.round(options.window.startNs) / 1e9, Math.round(options.window.endNs) / 1e9]
    : options.xDomain ?? null;
  // Legends list only what is drawn.
  const present = new Set(rows.rows.map((r) => r.kind));
  const kinds = WORKER_KIND_LABELS.filter((k) => present.has(k));
  const phases = options.phases !== false && rows.rows.some((r) => r.t1 > r.t0) ? [...PHASES] : [PHASES[0]];
  const tooltip = [
    { field: 'device', title: 'device' },
    { field: 'driver', title: 'driver' },
    { field: 'worker', title: 'worker' },
    { field: 'kind', title: 'worker kind' },
    { field: 'queuedBy', title: 'queued by' },
    { field: 'cpu', title: 'CPU' },
    { field: 'status', title: 'status' },
    { field: 'spanStart', title: 'probe start (s)', format: '.6f' },
    { field: 'spanEnd', title: 'probe end (s)', format: '.6f' },
    { field: 't1', title: 'body start (s)', format: '.6f' },
    { field: 't3', title: 'body end (s)', format: '.6f' },
    { field: 'durationMs', title: 'duration (ms)', format: '.3f' },
    { field: 'queueDelay', title: 'queue delay (ms)' },
    { field: 'runnableWait', title: 'runnable wait (ms, somewhere in the body)' },
    { field: 'onCpu', title: 'on CPU (ms)' },
    { field: 'source', title: 'source' },
  ];
  const x = {
    field: 't0',
    type: 'quantitative' as const,
    title: 'time since boot (s, printk clock)',
    axis: { format: secondsAxisFormat(xDomain ? xDomain[1] - xDomain[0] : spanOf(rows.rows)), grid: true, tickCount: 8 },
    scale: { zero: false, nice: false, ...(xDomain ? { domain: xDomain } : {}) },
  };
  const phaseLayer = (name: string, phase: string, from: string, to: string, filter: string | null) => ({
    name,
    transform: [...(filter ? [{ filter }] : []), { calculate: JSON.stringify(phase), as: 'phase' }],
    mark: { type: 'bar' as const, clip: true, ...(rows.rows.length <= ARIA_ROW_LIMIT ? { stroke: '#333', strokeWidth: 0.3 } : {}) },
    encoding: {
      x: { ...x, field: from },
      x2: { field: to },
    },
  });
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: (options.title ?? 'Probe timeline: one lane per CPU that ran a probe body') +
        (rows.omitted > 0 ? ` (the ${rows.rows.length.toLocaleString('en-US')} slowest of ${(rows.rows.length + rows.omitted).toLocaleString('en-US')} probes, each ≥ ${rows.shortestDrawnMs!.toFixed(3)} ms)` : ''),
      subtitle: options.subtitle ?? (options.window ? ['Only the probes that reach into this stretch; drag to pan, scroll to zoom.'] : [
        'Each bar is a probe body on the CPU that ran it, coloured by the kind of task that ran it; paler before it: its queue delay',
        '(queue_work to execute_start). Overlapping bodies get rows ·2, ·3... The tooltip gives on-CPU, runnable and asleep times.',
      ]),
      anchor: 'start' as const,
    },
    width: options.width,
    height: Math.max(ROW_HEIGHT * 2, rows.lanes.length * ROW_HEIGHT),
    datasets: { probes: rows.rows },
    data: { name: 'probes' },
    config: { aria: rows.rows.length <= ARIA_ROW_LIMIT, font: CHART_FONT },
    encoding: {
      y: { field: 'lane', type: 'nominal' as const, title: null, scale: { domain: rows.lanes }, axis: { labelLimit: 120 } },
      color: {
        field: 'kind',
        type: 'nominal' as const,
        title: 'worker kind',
        scale: { domain: kinds, range: kinds.map((k) => KIND_COLOURS[k]) },
      },
      opacity: {
        field: 'phase',
        type: 'ordinal' as const,
        sort: phases,
        title: 'part',
        scale: { domain: phases, range: [1, 0.3].slice(0, phases.length) },
        ...(phases.length === 1 ? { legend: null } : {}),
      },
      tooltip: [...tooltip, { field: 'phase', title: 'this part' }],
    },
    // Later layers draw on top: queue delays under the bodies they precede.
    layer: [
      ...highlightLayers(options.highlights ?? [], x).slice(0, 1),
      ...(phases.length > 1 ? [phaseLayer('probe_queue', 'queue delay', 't0', 't1', 'datum.t1 > datum.t0')] : []),
      {
        ...phaseLayer('probe_running', 'probe body', 't1', 't3', null),
        params: [{ name: 'timeline_zoom', select: { type: 'interval' as const, encodings: ['x' as const] }, bind: 'scales' as const }],
      },
      // Device names inside the bodies wide enough to hold them (not for very large boots).
      ...(rows.rows.length <= LABEL_ROW_LIMIT
        ? [
            {
              name: 'probe_labels',
              // The shared tooltip names the phase: a label lies on the running part.
              transform: [{ calculate: JSON.stringify('running'), as: 'phase' }],
              mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 3, fontSize: 10, clip: true },
              encoding: {
                x: { ...x, field: 't1' },
                color: { value: 'white' },
                opacity: { value: 1 },
                text: {
                  condition: { test: `scale('x', datum.t3) - scale('x', datum.t1) > ${LABEL_MIN_PX}`, field: 'device' },
                  value: '',
                },
              },
            },
          ]
        : []),
      // The episodes' names on top of the bars.
      ...highlightLayers(options.highlights ?? [], x).slice(1),
    ],
  };
  return { spec: spec as TopLevelSpec, rows };
}

/** A pale band per highlighted stretch, under the bars, with its label at the top. */
function highlightLayers(highlights: Array<TimeWindow & { label: string }>, x: Record<string, unknown>): object[] {
  if (highlights.length === 0) return [];
  const data = { values: highlights.map((h) => ({ h0: Math.round(h.startNs) / 1e9, h1: Math.round(h.endNs) / 1e9, label: h.label })) };
  return [
    {
      name: 'episode_band',
      data,
      mark: { type: 'rect' as const, color: '#fdd835', opacity: 0.35, clip: true },
      encoding: { x: { ...x, field: 'h0' }, x2: { field: 'h1' }, y: { value: 0 }, y2: { value: { expr: 'height' } }, color: { value: '#fdd835' }, opacity: { value: 0.35 }, tooltip: { field: 'label' } },
    },
    {
      name: 'episode_label',
      data,
      mark: { type: 'text' as const, align: 'left' as const, baseline: 'top' as const, dx: 2, dy: 2, fontSize: 10, fontWeight: 'bold' as const, clip: true },
      encoding: { x: { ...x, field: 'h0' }, y: { value: 0 }, text: { field: 'label' }, color: { value: '#6d5a00' }, opacity: { value: 1 }, tooltip: { field: 'label' } },
    },
  ];
}
