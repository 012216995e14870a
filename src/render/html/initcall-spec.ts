// The initcall timeline: every initcall with a start and an end as a bar, overlapping ones (async
// initcalls, parallel module loads) packed into extra rows. Colour: built-in or module.

import type { TopLevelSpec } from 'vega-lite';
import type { Boot } from '../../model/types.js';
import { ARIA_ROW_LIMIT, CHART_FONT, secondsAxisFormat, spanOf, VEGA_LITE_SCHEMA } from './chart-style.js';
import { packRows } from './lane-packing.js';

export interface InitcallRow {
  fn: string;
  module: string;
  kind: 'built-in' | 'module' | 'async';
  row: number;
  t0: number;
  t1: number;
  durationMs: number | null;
  ret: string;
  callerPid: string;
  source: string;
}

/** The timed initcalls as bars; beyond `limit`, only the slowest (the report counts the rest per level). */
export function initcallRows(boot: Boot, limit = Infinity): InitcallRow[] {
  let timed = boot.initcalls.filter((i) => i.startNs !== null);
  if (timed.length > limit) {
    const slowest = new Set([...timed].sort((a, b) => (b.durationNs ?? 0) - (a.durationNs ?? 0)).slice(0, limit));
    timed = timed.filter((i) => slowest.has(i));
  }
  const ends = timed.map((i) => i.endNs ?? i.startNs! + (i.durationNs ?? 0));
  const rows = packRows(timed.map((i, k) => ({ start: i.startNs!, end: ends[k]! })));
  return timed.map((i, k) => ({
    fn: i.fn,
    module: i.module ?? '(built-in)',
    kind: i.asyncCookie !== null ? 'async' : i.module !== null ? 'module' : 'built-in',
    row: rows[k]!,
    t0: i.startNs! / 1e9,
    t1: ends[k]! / 1e9,
    durationMs: i.durationNs === null ? null : i.durationNs / 1e6,
    ret: i.ret === null ? '-' : String(i.ret),
    callerPid: i.callerPid === null ? '-' : String(i.callerPid),
    source: `${i.source.file}:${i.source.line}`,
  }));
}

const INITCALL_COLOURS = { 'built-in': '#8c564b', module: '#17becf', async: '#bcbd22' } as const;

export function initcallSpec(boot: Boot, options: { width: number; limit?: number }): { spec: TopLevelSpec; rows: InitcallRow[] } {
  const rows = initcallRows(boot, options.limit ?? Infinity);
  const timedCount = boot.initcalls.filter((i) => i.startNs !== null).length;
  const present = new Set(rows.map((r) => r.kind));
  const kinds = (['built-in', 'module', 'async'] as const).filter((k) => present.has(k));
  const rowCount = rows.reduce((m, r) => Math.max(m, r.row + 1), 1);
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: rows.length < timedCount ? `Initcalls: the ${rows.length.toLocaleString('en-US')} slowest of ${timedCount.toLocaleString('en-US')}` : 'Initcalls',
      subtitle: 'Each bar is one initcall from `calling` to `initcall ... returned`; overlapping initcalls take extra rows.',
      anchor: 'start' as const,
    },
    width: options.width,
    height: Math.min(400, Math.max(40, rowCount * 12)),
    datasets: { initcalls: rows },
    data: { name: 'initcalls' },
    config: { aria: rows.length <= ARIA_ROW_LIMIT, font: CHART_FONT },
    name: 'initcalls',
    params: [{ name: 'initcall_zoom', select: { type: 'interval' as const, encodings: ['x' as const] }, bind: 'scales' as const }],
    mark: { type: 'bar' as const, ...(rows.length <= ARIA_ROW_LIMIT ? { stroke: '#333', strokeWidth: 0.3 } : {}) },
    encoding: {
      x: {
        field: 't0',
        type: 'quantitative' as const,
        title: 'time since boot (s, printk clock)',
        axis: { format: secondsAxisFormat(spanOf(rows)), tickCount: 8 },
        scale: { zero: false, nice: false },
      },
      x2: { field: 't1' },
      y: { field: 'row', type: 'ordinal' as const, title: null, axis: null },
      color: {
        field: 'kind',
        type: 'nominal' as const,
        title: 'initcall',
        // Only the kinds present.
        scale: { domain: kinds, range: kinds.map((k) => INITCALL_COLOURS[k]) },
      },
      tooltip: [
        { field: 'fn', title: 'function' },
        { field: 'module', title: 'module' },
        { field: 't0', title: 'start (s)', format: '.6f' },
        { field: 'durationMs', title: 'duration (ms)', format: '.3f' },
        { field: 'ret', title: 'returned' },
        { field: 'callerPid', title: 'caller pid' },
        { field: 'source', title: 'source' },
      ],
    },
  };
  return { spec: spec as TopLevelSpec, rows };
}
