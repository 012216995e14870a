// Descriptive statistics of one side of a diff (a sample of boots): median, spread (MAD and the
// interquartile range, R type 7 quantiles), and the per-boot probe metrics the sides are compared by.

import { medianAbsoluteDeviation, median, quantileSorted } from 'simple-statistics';
import type { Boot, ProbeSpan } from '../model/types.js';
import { ns, type Cpu, type Ns } from '../core/units.js';
import { probesOfDrivers } from '../model/driver-focus.js';

export interface SampleStats {
  n: number;
  medianNs: Ns;
  /** Median absolute deviation from the median (unscaled). */
  madNs: Ns;
  q1Ns: Ns;
  q3Ns: Ns;
  minNs: Ns;
  maxNs: Ns;
  /** Every value, in input (boot) order. */
  valuesNs: Ns[];
}

/** Median, MAD, quartiles and range of a sample of durations; null for an empty sample. */
export function sampleStats(values: readonly number[]): SampleStats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => ns(Math.round(v));
  return {
    n: values.length,
    medianNs: round(median(sorted)),
    madNs: round(medianAbsoluteDeviation(sorted)),
    q1Ns: round(quantileSorted(sorted, 0.25)),
    q3Ns: round(quantileSorted(sorted, 0.75)),
    minNs: round(sorted[0]!),
    maxNs: round(sorted[sorted.length - 1]!),
    valuesNs: values.map(round),
  };
}

/** What one boot shows about the probes a diff looks at. */
export interface BootProbeMetrics {
  probes: number;
  /** Earliest probe start to latest probe end; null when no probe has both timestamps. */
  windowNs: Ns | null;
  /** Sum of every probe's duration (CPU-independent: overlapping probes both count). */
  totalProbeNs: Ns;
  /** CPUs that ran a probe body, ascending. */
  cpus: Cpu[];
}

export function bootProbeMetrics(probes: readonly ProbeSpan[]): BootProbeMetrics {
  let start: number | null = null;
  let end: number | null = null;
  let total = 0;
  const cpus = new Set<Cpu>();
  for (const p of probes) {
    total += p.durationNs;
    if (p.cpu !== null) cpus.add(p.cpu);
    if (p.startNs !== null && p.endNs !== null) {
      start = start === null ? p.startNs : Math.min(start, p.startNs);
      end = end === null ? p.endNs : Math.max(end, p.endNs);
    }
  }
  return {
    probes: probes.length,
    windowNs: start !== null && end !== null ? ns(end - start) : null,
    totalProbeNs: ns(total),
    cpus: [...cpus].sort((a, b) => a - b),
  };
}

/** The probes of a boot a diff considers: all, or those of the given drivers (case-insensitive). */
export function selectProbes(boot: Boot, drivers: readonly string[] | undefined): ProbeSpan[] {
  if (!drivers || drivers.length === 0) return boot.probes;
  return probesOfDrivers(boot.probes, drivers);
}
