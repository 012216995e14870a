// Boots before and after a change (one or many per side) → a BootDiff: per device its cost (median
// and spread over boots), delta, ratio and placement (CPU, worker kind) on each side; per side the
// probe window, total probe time and CPUs used; the findings resolved, new and persisting; and for
// every compared quantity a significance measure with a plain-words verdict (significance.ts).

import { mean } from 'simple-statistics';
import type { Boot, Cpu, Finding, Ns, NodeId, ProbeSpan, ProbeStatus, WorkerKind } from '../model/types.js';
import { ns } from '../model/types.js';
import { findingConcerns } from '../model/driver-focus.js';
import { dataLevelRank, isDataLevel, richestLevel, traceFilesOf } from '../findings/data-level.js';
import { collectDevices, matchDevices, type DeviceSamples, type MatchKind } from './match-devices.js';
import { bootProbeMetrics, sampleStats, selectProbes, type SampleStats } from './side-stats.js';
import { compareSamples, type Significance, type SignificanceOptions } from './significance.js';

/** One device on one side of the diff. */
export interface DeviceSide {
  device: string;
  driver: string | null;
  /** Boots of this side in which the device was probed. */
  boots: number;
  /** Per-boot probe cost (the device's probe durations in that boot, summed). */
  cost: SampleStats | null;
  /** CPUs that ran the device's probe body, over all boots of the side. */
  cpus: Cpu[];
  /** Kinds of task that ran the probe body (bound/unbound kworker, plain task, ...). */
  workerKinds: WorkerKind[];
  /** Comms of those tasks (kworker/0:1, kworker/u17:2, ...). */
  workers: string[];
  statuses: ProbeStatus[];
}

export interface DeviceDiff {
  /** The before side's bus id (the after side's when the device exists only after). */
  device: string;
  matchedBy: MatchKind;
  driver: string | null;
  before: DeviceSide | null;
  after: DeviceSide | null;
  /** median(after cost) − median(before cost). */
  deltaNs: Ns | null;
  /** median(after cost) / median(before cost). */
  ratio: number | null;
  /** True when the set of CPUs or worker kinds differs between the sides. */
  placementChanged: boolean;
  significance: Significance | null;
}

export interface MetricDiff {
  before: SampleStats | null;
  after: SampleStats | null;
  deltaNs: Ns | null;
  ratio: number | null;
  /** Null when neither side has a value (e.g. no probe timestamps for a window). */
  significance: Significance | null;
}

export interface SideSummary {
  boots: number;
  labels: string[];
  /** Probes compared in each boot. */
  probesPerBoot: number[];
  /** Every CPU that ran a compared probe body in any boot of the side. */
  cpusUsed: Cpu[];
  /** How many CPUs ran a compared probe body, per boot. */
  cpusPerBoot: number[];
  workerKinds: WorkerKind[];
}

/** Mean or maximum over the devices present on both sides of their median costs. */
export interface CostChange {
  devices: number;
  beforeNs: Ns;
  afterNs: Ns;
  deltaNs: Ns;
  /** (after − before) / before × 100. */
  changePercent: number;
}

/** A finding (identified by kind + node + CPU) and in how many boots of each side it was raised. */
export interface FindingChange {
  kind: string;
  node: NodeId | null;
  cpu: Cpu | null;
  title: string;
  devices: string[];
  beforeBoots: number;
  afterBoots: number;
  /** The data the finding was made from (its `data.dataUsed`, the poorest over the boots), when it says. */
  dataUsed: string | null;
  /** Per boot that raised it (before boots first): its devices and its lostNs; `title` is the first boot's. */
  perBoot: Array<{ side: 'before' | 'after'; devices: number; lostNs: Ns | null }>;
}

export interface BootDiff {
  schema: 'trace-probe.diff/1';
  /** Drivers the diff was restricted to, or null for every probe. */
  drivers: string[] | null;
  before: SideSummary;
  after: SideSummary;
  devices: DeviceDiff[];
  /** Earliest probe start to latest probe end of the compared probes, per boot. */
  window: MetricDiff;
  /** Sum of the compared probes' durations, per boot. */
  totalProbe: MetricDiff;
  meanCost: CostChange | null;
  maxCost: CostChange | null;
  /**
   * `unverifiable`: found before, not after, but some after boot lacks the data the finding was made from
   * (e.g. before had a trace, after only dmesg): absence there is not a fix.
   */
  findings: { resolved: FindingChange[]; new: FindingChange[]; persisting: FindingChange[]; unverifiable: FindingChange[] };
  /** What limits the comparison (one boot per side, devices missing from some boots, ...). */
  warnings: string[];
}

export interface DiffOptions {
  /** Compare only the probes of these drivers. */
  drivers?: string[];
  beforeLabels?: string[];
  afterLabels?: string[];
  significance?: Partial<SignificanceOptions>;
}

export const DIFF_SCHEMA = 'trace-probe.diff/1' as const;

export function diffBoots(before: Boot[], after: Boot[], options: DiffOptions = {}): BootDiff {
  const drivers = options.drivers && options.drivers.length > 0 ? options.drivers : undefined;
  const beforeProbes = before.map((b) => selectProbes(b, drivers));
  const afterProbes = after.map((b) => selectProbes(b, drivers));
  const warnings: string[] = [];
  const sig = options.significance ?? {};

  const matches = matchDevices(collectDevices(beforeProbes), collectDevices(afterProbes));
  const devices = matches.map((m): DeviceDiff => {
    const b = m.before ? deviceSide(m.before) : null;
    const a = m.after ? deviceSide(m.after) : null;
    const metric = metricDiff(b?.cost ?? null, a?.cost ?? null, sig);
    if (m.matchedBy === 'driver-order') {
      warnings.push(`${m.before!.device} (before) and ${m.after!.device} (after) matched by driver ${m.before!.driver} and probe order: their bus ids differ`);
    }
    return {
      device: (m.before ?? m.after)!.device,
      matchedBy: m.matchedBy,
      driver: b?.driver ?? a?.driver ?? null,
      before: b,
      after: a,
      deltaNs: metric.deltaNs,
      ratio: metric.ratio,
      placementChanged: b !== null && a !== null && (!sameSet(b.cpus, a.cpus) || !sameSet(b.workerKinds, a.workerKinds)),
      significance: b && a ? metric.significance : null,
    };
  });

  const beforeMetrics = beforeProbes.map(bootProbeMetrics);
  const afterMetrics = afterProbes.map(bootProbeMetrics);
  const windows = (ms: typeof beforeMetrics) => ms.flatMap((m) => (m.windowNs === null ? [] : [m.windowNs]));
  const window = metricDiff(sampleStats(windows(beforeMetrics)), sampleStats(windows(afterMetrics)), sig);
  const totalProbe = metricDiff(
    sampleStats(beforeMetrics.filter((m) => m.probes > 0).map((m) => m.totalProbeNs)),
    sampleStats(afterMetrics.filter((m) => m.probes > 0).map((m) => m.totalProbeNs)),
    sig,
  );

  const both = devices.filter((d) => d.before?.cost && d.after?.cost);
  const costChange = (pick: (values: number[]) => number): CostChange | null => {
    if (both.length === 0) return null;
    const bv = pick(both.map((d) => d.before!.cost!.medianNs));
    const av = pick(both.map((d) => d.after!.cost!.medianNs));
    return { devices: both.length, beforeNs: ns(Math.round(bv)), afterNs: ns(Math.round(av)), deltaNs: ns(Math.round(av - bv)), changePercent: bv === 0 ? 0 : ((av - bv) / bv) * 100 };
  };

  for (const [side, boots] of [['before', before], ['after', after]] as const) {
    const simulated = boots.filter((b) => b.probes.length > 0 && b.probes.every((p) => p.origin === 'simulated')).length;
    if (simulated > 0) warnings.push(`${simulated} of the ${side} boots ${simulated === 1 ? 'is' : 'are'} simulated (trace-probe simulate), not measured: the comparison is with the model's prediction`);
  }
  const graphTraced = [...before, ...after].map((b) => b.inputs.some((i) => i.format === 'function-graph'));
  if (graphTraced.some((t) => t) && !graphTraced.every((t) => t)) {
    warnings.push('some boots ran the function_graph tracer and some did not: their probe times carry different tracer overhead');
  }
  if (before.length < 2 || after.length < 2) {
    warnings.push(`${before.length} vs ${after.length} boots: nothing is tested for significance; boot-to-boot noise is large on real machines, give several boots per side (--before A B C --after D E F)`);
  }
  for (const [side, boots] of [['before', beforeProbes], ['after', afterProbes]] as const) {
    if (boots.length > 0 && boots.every((p) => p.length === 0)) {
      warnings.push(`no ${drivers ? `${drivers.join(', ')} ` : ''}probes in the ${side} boots${drivers ? ' (driver filter)' : ''}`);
    }
  }
  for (const d of devices) {
    for (const [side, s, n] of [['before', d.before, before.length], ['after', d.after, after.length]] as const) {
      if (s && s.boots < n) warnings.push(`${s.device} was probed in ${s.boots} of ${n} ${side} boots`);
    }
  }

  const findings = diffFindings(before, after, drivers, [...beforeProbes, ...afterProbes]);
  for (const f of findings.unverifiable) {
    warnings.push(`${f.kind}${f.cpu !== null ? ` (CPU ${f.cpu})` : ''} is not in the after boots, but they lack the data it was found from (${f.dataUsed ?? 'unknown'}): not counted as resolved; give the after boots the same inputs (e.g. their trace)`);
  }

  return {
    schema: DIFF_SCHEMA,
    drivers: drivers ? [...drivers] : null,
    before: sideSummary(before, beforeProbes, beforeMetrics, options.beforeLabels),
    after: sideSummary(after, afterProbes, afterMetrics, options.afterLabels),
    devices,
    window,
    totalProbe,
    meanCost: costChange((v) => mean(v)),
    maxCost: costChange((v) => Math.max(...v)),
    findings,
    warnings,
  };
}

function deviceSide(samples: DeviceSamples): DeviceSide {
  const spans = samples.perBoot.flat();
  const costs = samples.perBoot.filter((p) => p.length > 0).map((p) => p.reduce((acc, s) => acc + s.durationNs, 0));
  return {
    device: samples.device,
    driver: samples.driver,
    boots: samples.perBoot.filter((p) => p.length > 0).length,
    cost: sampleStats(costs),
    cpus: distinct(spans.map((s) => s.cpu)).sort((x, y) => x - y),
    workerKinds: distinct(spans.map((s) => s.worker?.kind ?? null)).sort(),
    workers: distinct(spans.map((s) => s.worker?.comm ?? null)).sort(),
    statuses: distinct(spans.map((s) => s.status)).sort(),
  };
}

function metricDiff(before: SampleStats | null, after: SampleStats | null, sig: Partial<SignificanceOptions>): MetricDiff {
  const deltaNs = before && after ? ns(after.medianNs - before.medianNs) : null;
  const ratio = before && after && before.medianNs !== 0 ? after.medianNs / before.medianNs : null;
  const significance = before || after ? compareSamples(before?.valuesNs ?? [], after?.valuesNs ?? [], sig) : null;
  return { before, after, deltaNs, ratio, significance };
}

function sideSummary(boots: Boot[], probes: ProbeSpan[][], metrics: ReturnType<typeof bootProbeMetrics>[], labels: string[] | undefined): SideSummary {
  return {
    boots: boots.length,
    labels: labels ?? boots.map((b, i) => b.inputs[0]?.path ?? `boot ${i + 1}`),
    probesPerBoot: metrics.map((m) => m.probes),
    cpusUsed: distinct(metrics.flatMap((m) => m.cpus)).sort((x, y) => x - y),
    cpusPerBoot: metrics.map((m) => m.cpus.length),
    workerKinds: distinct(probes.flat().map((p) => p.worker?.kind ?? null)).sort(),
  };
}

/**
 * Findings are the same finding when kind, node and CPU agree (titles carry numbers that change).
 * With a driver filter, only findings about those drivers or the compared devices count, plus
 * findings that name no device or driver (about the whole boot).
 */
function diffFindings(before: Boot[], after: Boot[], drivers: string[] | undefined, compared: ProbeSpan[][]): BootDiff['findings'] {
  const key = (f: Pick<Finding, 'kind' | 'node' | 'cpu'>) => `${f.kind}|${f.node ?? '-'}|${f.cpu ?? '-'}`;
  const comparedDevices = new Set(compared.flat().map((p) => p.device));
  const relevant = (f: Finding) => findingConcerns(f, drivers ?? [], comparedDevices);
  const table = new Map<string, FindingChange>();
  const count = (boots: Boot[], side: 'beforeBoots' | 'afterBoots') => {
    for (const boot of boots) {
      const seen = new Set<string>();
      for (const f of boot.findings.filter(relevant)) {
        const k = key(f);
        let entry = table.get(k);
        if (!entry) {
          entry = { kind: f.kind, node: f.node, cpu: f.cpu, title: f.title, devices: [], beforeBoots: 0, afterBoots: 0, dataUsed: null, perBoot: [] };
          table.set(k, entry);
        }
        entry.devices = distinct([...entry.devices, ...f.devices]).sort();
        if (!seen.has(k)) {
          entry[side]++;
          entry.perBoot.push({ side: side === 'beforeBoots' ? 'before' : 'after', devices: f.devices.length, lostNs: f.lostNs });
        }
        seen.add(k);
      }
    }
  };
  count(before, 'beforeBoots');
  count(after, 'afterBoots');
  const all = [...table.values()];
  // The data a before finding was made from (its data.dataUsed), and the richest each after boot has.
  for (const f of before.flatMap((b) => b.findings)) {
    const level = (f.data as { dataUsed?: unknown } | undefined)?.dataUsed;
    const entry = table.get(key(f));
    if (!isDataLevel(level) || entry === undefined) continue;
    if (!isDataLevel(entry.dataUsed) || dataLevelRank(level) < dataLevelRank(entry.dataUsed)) entry.dataUsed = level;
  }
  const poorestAfter = Math.min(...after.map((b) => dataLevelRank(richestLevel(b.probes, traceFilesOf(b)))));
  const visibleAfter = (f: FindingChange) => !isDataLevel(f.dataUsed) || dataLevelRank(f.dataUsed) <= poorestAfter;
  const gone = all.filter((f) => f.beforeBoots > 0 && f.afterBoots === 0);
  return {
    resolved: gone.filter(visibleAfter),
    unverifiable: gone.filter((f) => !visibleAfter(f)),
    new: all.filter((f) => f.beforeBoots === 0 && f.afterBoots > 0),
    persisting: all.filter((f) => f.beforeBoots > 0 && f.afterBoots > 0),
  };
}

function distinct<T>(values: readonly (T | null)[]): T[] {
  return [...new Set(values.filter((v): v is T => v !== null))];
}

function sameSet<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((v) => b.includes(v));
}
