// The BootDiff as versioned JSON (schema trace-probe.diff/1, documented in docs/json-schemas.md).
// Flattens each side's statistics next to its placement and each significance into
// verdict/verdictText/pValue/medianChangeCi, so scripts need not know the internal types.
// Integer nanoseconds throughout; two-space indentation; a final newline.

import type { BootDiff, DeviceSide, MetricDiff } from '../compare/boot-diff.js';
import type { SampleStats } from '../compare/side-stats.js';
import type { Significance } from '../compare/significance.js';

export function renderDiffJson(diff: BootDiff): string {
  return JSON.stringify(diffToJson(diff), null, 2) + '\n';
}

export function diffToJson(diff: BootDiff): Record<string, unknown> {
  return {
    schema: diff.schema,
    drivers: diff.drivers,
    before: diff.before,
    after: diff.after,
    devices: diff.devices.map((d) => ({
      device: d.device,
      afterDevice: d.after?.device ?? null,
      driver: d.driver,
      matchedBy: d.matchedBy,
      before: sideJson(d.before),
      after: sideJson(d.after),
      deltaNs: d.deltaNs,
      ratio: d.ratio,
      placementChanged: d.placementChanged,
      ...significanceJson(d.significance),
    })),
    window: metricJson(diff.window),
    totalProbe: metricJson(diff.totalProbe),
    meanCost: diff.meanCost,
    maxCost: diff.maxCost,
    findings: diff.findings,
    warnings: diff.warnings,
  };
}

function sideJson(side: DeviceSide | null): Record<string, unknown> | null {
  if (!side) return null;
  return {
    boots: side.boots,
    ...statsJson(side.cost),
    cpus: side.cpus,
    workerKinds: side.workerKinds,
    workers: side.workers,
    statuses: side.statuses,
  };
}

function statsJson(s: SampleStats | null): Record<string, unknown> {
  if (!s) return { n: 0, medianNs: null, madNs: null, q1Ns: null, q3Ns: null, minNs: null, maxNs: null, valuesNs: [] };
  return { ...s };
}

function metricJson(m: MetricDiff): Record<string, unknown> {
  return {
    before: m.before ? statsJson(m.before) : null,
    after: m.after ? statsJson(m.after) : null,
    deltaNs: m.deltaNs,
    ratio: m.ratio,
    ...significanceJson(m.significance),
  };
}

function significanceJson(s: Significance | null): Record<string, unknown> {
  if (!s) return { verdict: null, verdictText: null, pValue: null, minPossibleP: null, u: null, medianChangeCi: null };
  return {
    verdict: s.verdict,
    verdictText: s.words,
    pValue: s.pValue,
    minPossibleP: s.minPossibleP,
    u: s.u,
    medianChangeCi: s.medianChange,
  };
}
