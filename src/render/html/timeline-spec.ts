// The probe timeline (Gantt): one lane per CPU that ran probe bodies, bars coloured by the kind of
// worker that ran them (bound kworker / unbound kworker / task), each bar divided into queue delay,
// runnable wait and the rest of the span. Vega-Lite spec; data from probe-rows.ts.

import type { TopLevelSpec } from 'vega-lite';
import type { Boot } from '../../model/types.js';
import { ARIA_ROW_LIMIT, CHART_FONT, KIND_COLOURS, secondsAxisFormat, spanOf, VEGA_LITE_SCHEMA } from './chart-style.js';
import { probeRows, WORKER_KIND_LABELS, type ProbeRows, type TimeWindow } from './probe-rows.js';

export interface TimelineOptions {
  width: number;
  /** Shared x domain in seconds, when several boots are shown side by side. */
  xDomain?: [number, number] | null;
  /** false: bodies only, no queue-delay and runnable-wait parts (the static picture of a very large boot). */
  phases?: boolean;
  /** Only the probes that reach into this window, on an x axis of exactly this window (a finding's zoom). */
  window?: TimeWindow | null;
  /** Title of the chart (default: the whole-boot timeline's). */
  title?: string;
}

export const PHASES = ['running', 'runnable wait', 'queue delay'] as const;
const ROW_HEIGHT = 22;
const LABEL_ROW_LIMIT = 300;
/** Bar width in pixels from which a device name fits inside it (PCI names are ~12 characters). */
const LABEL_MIN_PX = 80;

export function timelineSpec(boot: Boot, options: TimelineOptions): { spec: TopLevelSpec; rows: ProbeRows } {
  const rows = probeRows(boot, options.window ?? null);
  const xDomain: [number, number] | null = options.window
    ? [Math.round(options.window.startNs) / 1e9, Math.round(options.window.endNs) / 1e9]
    : options.xDomain ?? null;
  const kinds = WORKER_KIND_LABELS;
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
    { field: 'runnableWait', title: 'runnable wait (ms)' },
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
      text: options.title ?? 'Probe timeline: one lane per CPU that ran a probe body',
      subtitle: options.window ? 'Only the probes that reach into this stretch; drag to pan, scroll to zoom.' : [
        'Each bar is a probe body on the CPU that ran it, coloured by the kind of task that ran it. Palest: its queue delay (queue_work',
        'to execute_start). Paler: its runnable wait, drawn at the body start (the model records how long, not when). Overlaps get rows ·2, ·3...',
      ],
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
        scale: { domain: [...kinds], range: kinds.map((k) => KIND_COLOURS[k]) },
      },
      opacity: {
        field: 'phase',
        type: 'ordinal' as const,
        sort: [...PHASES],
        title: 'phase',
        scale: { domain: [...PHASES], range: [1, 0.55, 0.2] },
      },
      tooltip: [...tooltip, { field: 'phase', title: 'this part' }],
    },
    // Later layers draw on top: queue delays under the bodies they precede.
    layer: [
      ...(options.phases === false
        ? []
        : [
            phaseLayer('probe_queue', 'queue delay', 't0', 't1', 'datum.t1 > datum.t0'),
            phaseLayer('probe_wait', 'runnable wait', 't1', 't2', 'datum.t2 > datum.t1'),
          ]),
      {
        ...phaseLayer('probe_running', 'running', 't2', 't3', null),
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
    ],
  };
  return { spec: spec as TopLevelSpec, rows };
}
