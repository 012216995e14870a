// Per-node concurrency over time: how many probes were in flight on a node against how many of the
// node's CPUs were running a probe body, with the node's CPU count for reference. When many probes
// are in flight but one CPU is busy, the node's probes are serialized (bound-queue serialization).
// A probe belongs to its device's node, else to the node of the CPU that ran it.

import type { TopLevelSpec } from 'vega-lite';
import type { TimeWindow } from '../../findings/episodes.js';
import type { Boot, ProbeSpan } from '../../model/types.js';
import { probeBody } from './probe-rows.js';
import { ARIA_ROW_LIMIT, CHART_FONT, secondsAxisFormat, spanOf, VEGA_LITE_SCHEMA } from './chart-style.js';

export const CONCURRENCY_SERIES = ['probes in flight', 'CPUs running a probe body', 'CPUs on the node'] as const;
type Series = (typeof CONCURRENCY_SERIES)[number];

export interface ConcurrencyPoint {
  node: string;
  series: Series;
  /** Seconds on the printk clock. */
  t: number;
  value: number;
}

/** Step points (value holds from t until the next point of the same node and series). */
export function concurrencyPoints(boot: Boot): ConcurrencyPoint[] {
  const nodeOfCpu = new Map<number, number | null>(boot.topology.cpus.map((c) => [c.cpu, c.node]));
  const cpusPerNode = new Map<string, number>();
  for (const c of boot.topology.cpus) {
    if (!c.online) continue;
    const key = c.node === null ? 'unknown' : String(c.node);
    cpusPerNode.set(key, (cpusPerNode.get(key) ?? 0) + 1);
  }
  const nodeOf = (p: ProbeSpan): string => {
    const n = p.node ?? (p.cpu !== null ? nodeOfCpu.get(p.cpu) ?? null : null);
    return n === null ? 'unknown' : String(n);
  };
  interface Edge {
    t: number;
    delta: number;
    cpu: number | null;
  }
  const inFlight = new Map<string, Edge[]>();
  const bodies = new Map<string, Edge[]>();
  const push = (map: Map<string, Edge[]>, key: string, edge: Edge) => {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(edge);
  };
  for (const p of boot.probes) {
    const body = probeBody(p);
    if (p.startNs === null || body === null) continue;
    const end = p.endNs ?? p.startNs + p.durationNs;
    const node = nodeOf(p);
    push(inFlight, node, { t: p.startNs, delta: 1, cpu: null });
    push(inFlight, node, { t: end, delta: -1, cpu: null });
    if (p.cpu !== null) {
      const cpuNode = nodeOfCpu.get(p.cpu);
      const key = cpuNode === undefined || cpuNode === null ? node : String(cpuNode);
      push(bodies, key, { t: body.bodyStartNs, delta: 1, cpu: p.cpu });
      push(bodies, key, { t: body.bodyEndNs, delta: -1, cpu: p.cpu });
    }
  }
  const points: ConcurrencyPoint[] = [];
  const nodes = [...new Set([...inFlight.keys(), ...bodies.keys()])].sort(compareNodes);
  for (const node of nodes) {
    const flight = steps(inFlight.get(node) ?? [], (edges, state) => {
      for (const e of edges) state.count += e.delta;
      return state.count;
    });
    const busy = steps(bodies.get(node) ?? [], (edges, state) => {
      for (const e of edges) {
        const cpu = e.cpu!;
        const n = (state.perCpu.get(cpu) ?? 0) + e.delta;
        if (n === 0) state.perCpu.delete(cpu);
        else state.perCpu.set(cpu, n);
      }
      return state.perCpu.size;
    });
    for (const [t, value] of flight) points.push({ node, series: 'probes in flight', t: Math.round(t) / 1e9, value });
    for (const [t, value] of busy) points.push({ node, series: 'CPUs running a probe body', t: Math.round(t) / 1e9, value });
    const cpus = cpusPerNode.get(node);
    const first = flight[0]?.[0];
    const last = flight[flight.length - 1]?.[0];
    if (cpus !== undefined && first !== undefined && last !== undefined) {
      points.push({ node, series: 'CPUs on the node', t: first / 1e9, value: cpus });
      points.push({ node, series: 'CPUs on the node', t: last / 1e9, value: cpus });
    }
  }
  return points;
}

interface SweepState {
  count: number;
  perCpu: Map<number, number>;
}

/** Sorts edges by time and returns one (t, value) per distinct time (n log n). */
function steps<E extends { t: number }>(edges: E[], apply: (edges: E[], state: SweepState) => number): Array<[number, number]> {
  const sorted = [...edges].sort((a, b) => a.t - b.t);
  const state: SweepState = { count: 0, perCpu: new Map() };
  const out: Array<[number, number]> = [];
  for (let i = 0; i < sorted.length; ) {
    const t = sorted[i]!.t;
    let j = i;
    while (j < sorted.length && sorted[j]!.t === t) j++;
    out.push([t, apply(sorted.slice(i, j), state)]);
    i = j;
  }
  return out;
}

function compareNodes(a: string, b: string): number {
  if (a === 'unknown') return 1;
  if (b === 'unknown') return -1;
  return Number(a) - Number(b);
}

export interface ConcurrencyOptions {
  width: number;
  xDomain?: [number, number] | null;
  /** Only this stretch (an episode), on an axis of exactly it. */
  window?: TimeWindow | null;
  title?: string;
}

/**
 * The points of `points` inside [start, end] (seconds), each node's series starting with the value it
 * held at `start` and holding its last value to `end`, so a step line drawn on that axis is complete;
 * only the nodes that had a probe in flight in the stretch.
 */
export function pointsInWindow(points: readonly ConcurrencyPoint[], start: number, end: number): ConcurrencyPoint[] {
  const out: ConcurrencyPoint[] = [];
  const series = new Map<string, ConcurrencyPoint[]>();
  for (const p of points) {
    const key = `${p.node}\u0000${p.series}`;
    let list = series.get(key);
    if (!list) series.set(key, (list = []));
    list.push(p);
  }
  for (const list of series.values()) {
    let before: ConcurrencyPoint | null = null;
    const inside: ConcurrencyPoint[] = [];
    for (const p of list) {
      if (p.t <= start) before = p;
      else if (p.t <= end) inside.push(p);
    }
    const last = inside[inside.length - 1] ?? before;
    if (last === null) continue;
    // 'CPUs on the node' is drawn from the node's first to its last probe: not before it began.
    if (before !== null) out.push({ ...before, t: start });
    out.push(...inside);
    out.push({ ...last, t: end });
  }
  // Nodes with no probe in flight in the stretch are left out.
  const active = new Set(out.filter((p) => p.series === 'probes in flight' && p.value > 0).map((p) => p.node));
  return out.filter((p) => active.has(p.node));
}

/** Above this many points a series is drawn as the largest value of each of MAX_STEPS slices of time. */
export const MAX_POINTS = 4000;
const MAX_STEPS = 600;

/**
 * Each node's series as the largest value it reached in each of `steps` equal slices of time (a peak of
 * probes in flight stays visible however many probes there are), the value held at the slice start when
 * no point falls in it.
 */
export function peakPerSlice(points: readonly ConcurrencyPoint[], steps = MAX_STEPS): ConcurrencyPoint[] {
  if (points.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.t);
    hi = Math.max(hi, p.t);
  }
  const width = (hi - lo) / steps || 1;
  const series = new Map<string, ConcurrencyPoint[]>();
  for (const p of points) {
    const key = `${p.node}\u0000${p.series}`;
    let list = series.get(key);
    if (!list) series.set(key, (list = []));
    list.push(p);
  }
  const out: ConcurrencyPoint[] = [];
  for (const list of series.values()) {
    let k = 0;
    let held: ConcurrencyPoint | null = null;
    for (let slice = 0; slice < steps && k < list.length; slice++) {
      const end = lo + (slice + 1) * width;
      let peak = held?.value ?? -1;
      let any = false;
      while (k < list.length && (list[k]!.t < end || slice === steps - 1)) {
        held = list[k]!;
        peak = Math.max(peak, held.value);
        any = true;
        k++;
      }
      if (any || held !== null) out.push({ ...(held ?? list[0]!), t: Math.round((lo + slice * width) * 1e9) / 1e9, value: Math.max(peak, 0) });
    }
    if (held !== null) out.push({ ...held, t: hi });
  }
  return out;
}

export function concurrencySpec(boot: Boot, options: ConcurrencyOptions): { spec: TopLevelSpec; points: ConcurrencyPoint[] } {
  const all = concurrencyPoints(boot);
  const w = options.window ?? null;
  const exact = w === null ? all : pointsInWindow(all, Math.round(w.startNs) / 1e9, Math.round(w.endNs) / 1e9);
  const points = exact.length > MAX_POINTS ? peakPerSlice(exact) : exact;
  const xDomain: [number, number] | null = w !== null ? [Math.round(w.startNs) / 1e9, Math.round(w.endNs) / 1e9] : options.xDomain ?? null;
  const span = xDomain ? xDomain[1] - xDomain[0] : spanOf(points.map((p) => ({ t0: p.t })));
  const present = new Set(points.map((p) => p.series));
  const series = CONCURRENCY_SERIES.filter((s) => present.has(s));
  const colours = { 'probes in flight': '#1f77b4', 'CPUs running a probe body': '#d62728', 'CPUs on the node': '#999999' } as const;
  const dashes = { 'probes in flight': [1, 0], 'CPUs running a probe body': [1, 0], 'CPUs on the node': [4, 3] } as const;
  const widths = { 'probes in flight': 4, 'CPUs running a probe body': 2, 'CPUs on the node': 1.5 } as const;
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: options.title ?? 'Concurrency per NUMA node',
      subtitle: [
        'Many probes in flight with one CPU running probe bodies means the node\u2019s probes ran one after another.',
        ...(points !== exact ? [`Drawn as the largest value in each of ${MAX_STEPS} slices of time (${exact.length.toLocaleString('en-US')} exact steps).`] : []),
      ],
      anchor: 'start' as const,
    },
    // Compact rows (n: node, s: series index, t, v); the page names the series back.
    datasets: { concurrency: points.map((p) => ({ n: p.node, s: CONCURRENCY_SERIES.indexOf(p.series), t: p.t, v: p.value })) },
    data: { name: 'concurrency' },
    transform: [
      { calculate: `${JSON.stringify(CONCURRENCY_SERIES)}[datum.s]`, as: 'series' },
      { calculate: 'datum.n', as: 'node' },
      { calculate: 'datum.v', as: 'value' },
    ],
    config: { aria: points.length <= ARIA_ROW_LIMIT, font: CHART_FONT },
    facet: {
      row: {
        field: 'node',
        type: 'nominal' as const,
        title: null,
        sort: [...new Set(points.map((p) => p.node))],
        header: { labelAngle: 0, labelAlign: 'left' as const, labelExpr: "'node ' + datum.value", labelFontWeight: 'bold' as const },
      },
    },
    spec: {
      name: 'concurrency',
      width: options.width - 60,
      height: 110,
      mark: { type: 'line' as const, interpolate: 'step-after' as const, point: false, clip: true },
      encoding: {
        x: {
          field: 't',
          type: 'quantitative' as const,
          title: 'time since boot (s, printk clock)',
          axis: { format: secondsAxisFormat(span), tickCount: 8 },
          scale: { zero: false, nice: false, ...(xDomain ? { domain: xDomain } : {}) },
        },
        y: { field: 'value', type: 'quantitative' as const, title: 'count', axis: { tickMinStep: 1 } },
        color: {
          field: 'series',
          type: 'nominal' as const,
          title: null,
          scale: { domain: series, range: series.map((x) => colours[x]) },
        },
        strokeDash: {
          field: 'series',
          type: 'nominal' as const,
          title: null,
          scale: { domain: series, range: series.map((x) => [...dashes[x]]) },
        },
        strokeWidth: {
          field: 'series',
          type: 'ordinal' as const,
          sort: series,
          title: null,
          scale: { domain: series, range: series.map((x) => widths[x]) },
        },
        tooltip: [
          { field: 'node', title: 'node' },
          { field: 'series', title: 'series' },
          { field: 't', title: 'from (s)', format: '.6f' },
          { field: 'value', title: 'value' },
        ],
      },
    },
    resolve: { scale: { x: 'shared' as const } },
  };
  return { spec: spec as TopLevelSpec, points };
}
