// What a report of a very large boot draws instead of one bar per item: a strip per group (driver, or
// initcall level) over time, each cell coloured by how much of that time slice the group's items covered
// (item-seconds per second: 2 means on average two of them were running). With at most BINS × groups
// cells it stays small and quick to draw whatever the number of probes. Vega-Lite heat map; the
// grouping and binning are a view of spans the Boot already holds.

import type { TopLevelSpec } from 'vega-lite';
import { CHART_FONT, secondsAxisFormat, VEGA_LITE_SCHEMA } from './chart-style.js';

export interface DensityItem {
  group: string;
  startNs: number;
  endNs: number;
}

export interface DensityCell {
  group: string;
  /** Bin start and end (s). */
  b0: number;
  b1: number;
  /** Items that overlap the bin. */
  n: number;
  /** Item-seconds in the bin / bin length. */
  busy: number;
}

export const DENSITY_BINS = 240;
/** Groups beyond this many (by total time) are summed into one "other" row. */
export const DENSITY_GROUPS = 16;

/** Cells of the strip chart: `bins` equal slices of the items' whole stretch, empty cells left out. */
export function densityCells(items: readonly DensityItem[], bins = DENSITY_BINS, maxGroups = DENSITY_GROUPS): { cells: DensityCell[]; groups: string[] } {
  if (items.length === 0) return { cells: [], groups: [] };
  let lo = Infinity;
  let hi = -Infinity;
  const totals = new Map<string, number>();
  for (const it of items) {
    lo = Math.min(lo, it.startNs);
    hi = Math.max(hi, it.endNs);
    totals.set(it.group, (totals.get(it.group) ?? 0) + (it.endNs - it.startNs));
  }
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([g]) => g);
  const kept = new Set(ranked.slice(0, ranked.length > maxGroups ? maxGroups - 1 : maxGroups));
  const other = `other (${ranked.length - kept.size} groups)`;
  const groups = ranked.length > kept.size ? [...ranked.filter((g) => kept.has(g)), other] : ranked;
  const width = Math.max(1, (hi - lo) / bins);
  const busy = new Map<string, Float64Array>();
  const count = new Map<string, Uint32Array>();
  for (const g of groups) {
    busy.set(g, new Float64Array(bins));
    count.set(g, new Uint32Array(bins));
  }
  for (const it of items) {
    const g = kept.has(it.group) ? it.group : other;
    const b = busy.get(g)!;
    const c = count.get(g)!;
    const first = Math.min(bins - 1, Math.floor((it.startNs - lo) / width));
    // An item that ends on a slice boundary does not reach into the next slice.
    const last = Math.max(first, Math.min(bins - 1, Math.ceil((it.endNs - lo) / width) - 1));
    for (let k = first; k <= last; k++) {
      const from = Math.max(it.startNs, lo + k * width);
      const to = Math.min(it.endNs, lo + (k + 1) * width);
      b[k]! += Math.max(0, to - from);
      c[k]!++;
    }
  }
  const cells: DensityCell[] = [];
  for (const g of groups) {
    const b = busy.get(g)!;
    const c = count.get(g)!;
    for (let k = 0; k < bins; k++) {
      if (c[k] === 0) continue;
      cells.push({ group: g, b0: round((lo + k * width) / 1e9), b1: round((lo + (k + 1) * width) / 1e9), n: c[k]!, busy: Math.round((b[k]! / width) * 1000) / 1000 });
    }
  }
  return { cells, groups };
}

export interface DensityOptions {
  width: number;
  title: string;
  subtitle: string[];
  /** What a row is, for the tooltip ("driver", "initcall level"). */
  groupTitle: string;
  /** What an item is, plural ("probes", "initcalls"). */
  itemsName: string;
  xDomain?: [number, number] | null;
}

export function densitySpec(items: readonly DensityItem[], options: DensityOptions): { spec: TopLevelSpec; cells: DensityCell[] } {
  const { cells, groups } = densityCells(items);
  const span = cells.length > 0 ? cells[cells.length - 1]!.b1 - Math.min(...cells.map((c) => c.b0)) : 0;
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title, subtitle: options.subtitle, anchor: 'start' as const },
    width: options.width,
    height: Math.max(40, groups.length * 18),
    datasets: { density: cells },
    data: { name: 'density' },
    config: { aria: false, font: CHART_FONT },
    name: 'density',
    params: [{ name: 'density_zoom', select: { type: 'interval' as const, encodings: ['x' as const] }, bind: 'scales' as const }],
    mark: { type: 'rect' as const, clip: true },
    encoding: {
      x: {
        field: 'b0',
        type: 'quantitative' as const,
        title: 'time since boot (s, printk clock)',
        axis: { format: secondsAxisFormat(options.xDomain ? options.xDomain[1] - options.xDomain[0] : span), tickCount: 8, grid: false },
        scale: { zero: false, nice: false, ...(options.xDomain ? { domain: options.xDomain } : {}) },
      },
      x2: { field: 'b1' },
      y: { field: 'group', type: 'nominal' as const, title: null, sort: groups, axis: { labelLimit: 160 } },
      color: {
        field: 'busy',
        type: 'quantitative' as const,
        title: ['running at once', '(mean of the slice)'],
        scale: { scheme: 'oranges', domainMin: 0 },
      },
      tooltip: [
        { field: 'group', title: options.groupTitle },
        { field: 'b0', title: 'from (s)', format: '.6f' },
        { field: 'b1', title: 'to (s)', format: '.6f' },
        { field: 'n', title: `${options.itemsName} in this slice` },
        { field: 'busy', title: `${options.itemsName} running at once (mean)`, format: '.3f' },
      ],
    },
  };
  return { spec: spec as TopLevelSpec, cells };
}

function round(s: number): number {
  return Math.round(s * 1e9) / 1e9;
}
