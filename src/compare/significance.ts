// Is an after-sample of boots different from a before-sample? Two measures, both honest about
// small samples:
// - the exact two-sided Mann-Whitney U test (rank-sum permutation distribution, midranks for ties),
//   exact up to EXACT_LIMIT boots in all, normal approximation with tie correction above;
// - a seeded percentile bootstrap confidence interval of the median difference (after − before).
// The verdict comes from the U test only. With one boot on a side there is no test at all, and when
// the samples are so small that even the most extreme ordering cannot reach the level (3 vs 3 boots:
// smallest two-sided p = 2/C(6,3) = 0.1), the verdict is "needs more boots", never "significant".

import { median } from 'simple-statistics';
import { ns, type Ns } from '../core/units.js';

export type Verdict = 'faster' | 'slower' | 'no-detectable-change' | 'needs-more-boots';

export interface MedianChangeInterval {
  /** Confidence level of the interval (0.95). */
  level: number;
  lowNs: Ns;
  highNs: Ns;
  resamples: number;
  seed: number;
}

export interface Significance {
  test: 'mann-whitney-u';
  nBefore: number;
  nAfter: number;
  /** U of the after sample (how many (before, after) pairs have after > before, ties counting ½); null with an empty side. */
  u: number | null;
  /** Two-sided p-value; null when a side has fewer than two boots. */
  pValue: number | null;
  /** The smallest two-sided p these sample sizes (and ties) can produce. */
  minPossibleP: number | null;
  exact: boolean;
  /** Bootstrap interval of median(after) − median(before); null when a side has fewer than two boots. */
  medianChange: MedianChangeInterval | null;
  verdict: Verdict;
  /** The verdict in plain words, ready for a patch mail. */
  words: string;
}

export interface SignificanceOptions {
  /** Two-sided level (0.05). */
  alpha: number;
  resamples: number;
  seed: number;
}

export const DEFAULT_SIGNIFICANCE: SignificanceOptions = { alpha: 0.05, resamples: 2000, seed: 20260101 };

/** Exact distribution up to this many values in all (the DP is O(N³·n) but N stays small). */
const EXACT_LIMIT = 60;

/** Compares two samples of durations (lower is better: "faster" means the after sample is lower). */
export function compareSamples(before: readonly number[], after: readonly number[], options: Partial<SignificanceOptions> = {}): Significance {
  const opts = { ...DEFAULT_SIGNIFICANCE, ...options };
  const nBefore = before.length;
  const nAfter = after.length;
  const base = { test: 'mann-whitney-u' as const, nBefore, nAfter };
  if (nBefore === 0 || nAfter === 0) {
    return { ...base, u: null, pValue: null, minPossibleP: null, exact: false, medianChange: null, verdict: 'needs-more-boots',
      words: `needs more boots (no ${nBefore === 0 ? 'before' : 'after'} value)` };
  }
  const mw = mannWhitney(before, after);
  const direction = Math.sign(median([...after]) - median([...before]));
  if (nBefore < 2 || nAfter < 2) {
    return { ...base, u: mw.u, pValue: null, minPossibleP: null, exact: mw.exact, medianChange: null, verdict: 'needs-more-boots',
      words: `needs more boots (${nBefore} vs ${nAfter}: one boot per side cannot separate a change from boot-to-boot noise)` };
  }
  const medianChange = bootstrapMedianChange(before, after, opts.resamples, opts.seed);
  const result = { ...base, u: mw.u, pValue: mw.p, minPossibleP: mw.minP, exact: mw.exact, medianChange };
  const pText = `p = ${formatP(mw.p)}`;
  if (mw.minP > opts.alpha) {
    const seen = mw.u === 0 ? ', after lower in every pair' : mw.u === nBefore * nAfter ? ', after higher in every pair' : '';
    return { ...result, verdict: 'needs-more-boots',
      words: `needs more boots (${nBefore} vs ${nAfter} boots cannot reach ${percent(opts.alpha)}: smallest possible p = ${formatP(mw.minP)}; ${pText}${seen})` };
  }
  if (mw.p <= opts.alpha && direction !== 0) {
    return { ...result, verdict: direction < 0 ? 'faster' : 'slower',
      words: `${direction < 0 ? 'faster' : 'slower'}, significant at ${percent(opts.alpha)} (Mann-Whitney ${pText})` };
  }
  return { ...result, verdict: 'no-detectable-change', words: `no detectable change (Mann-Whitney ${pText})` };
}

interface MannWhitneyResult {
  u: number;
  p: number;
  minP: number;
  exact: boolean;
}

/** Two-sided Mann-Whitney U of `after` against `before` (exact permutation distribution of the rank sum). */
export function mannWhitney(before: readonly number[], after: readonly number[]): MannWhitneyResult {
  const n1 = after.length;
  const n2 = before.length;
  const pooled = [...after.map((v) => ({ v, after: true })), ...before.map((v) => ({ v, after: false }))].sort((a, b) => a.v - b.v);
  const total = pooled.length;
  // Doubled midranks keep every rank an integer.
  const rank2: number[] = new Array<number>(total);
  const tieSizes: number[] = [];
  for (let i = 0; i < total; ) {
    let j = i;
    while (j + 1 < total && pooled[j + 1]!.v === pooled[i]!.v) j++;
    for (let k = i; k <= j; k++) rank2[k] = i + j + 2; // 2 × ((i+1 + j+1) / 2)
    tieSizes.push(j - i + 1);
    i = j + 1;
  }
  let sum2 = 0;
  pooled.forEach((p, i) => {
    if (p.after) sum2 += rank2[i]!;
  });
  const u = sum2 / 2 - (n1 * (n1 + 1)) / 2;
  const center2 = n1 * (total + 1); // 2 × E[rank sum]
  const observed = Math.abs(sum2 - center2);
  if (total <= EXACT_LIMIT) {
    const dist = rankSumDistribution(rank2, n1);
    let all = 0;
    let atLeast = 0;
    let maxDev = 0;
    for (const [s, count] of dist) {
      all += count;
      const dev = Math.abs(s - center2);
      if (dev >= observed) atLeast += count;
      if (dev > maxDev) maxDev = dev;
    }
    let extreme = 0;
    for (const [s, count] of dist) if (Math.abs(s - center2) >= maxDev) extreme += count;
    return { u, p: Math.min(1, atLeast / all), minP: Math.min(1, extreme / all), exact: true };
  }
  // Normal approximation with tie correction and continuity correction.
  const mu = (n1 * n2) / 2;
  const tieTerm = tieSizes.reduce((acc, t) => acc + (t * t * t - t), 0);
  const sigma = Math.sqrt(((n1 * n2) / 12) * (total + 1 - tieTerm / (total * (total - 1))));
  const z = sigma === 0 ? 0 : Math.max(0, Math.abs(u - mu) - 0.5) / sigma;
  const zMax = sigma === 0 ? 0 : Math.max(0, mu - 0.5) / sigma;
  return { u, p: Math.min(1, 2 * upperNormalTail(z)), minP: Math.min(1, 2 * upperNormalTail(zMax)), exact: false };
}

/** How many ways each doubled rank sum arises when choosing k of the given (doubled) ranks. */
function rankSumDistribution(rank2: readonly number[], k: number): Map<number, number> {
  // ways[j] maps sum → count for subsets of size j of the ranks seen so far.
  let ways: Array<Map<number, number>> = Array.from({ length: k + 1 }, () => new Map<number, number>());
  ways[0]!.set(0, 1);
  for (const r of rank2) {
    const next = ways.map((m) => new Map(m));
    for (let j = 0; j < k; j++) {
      for (const [s, c] of ways[j]!) {
        const target = next[j + 1]!;
        target.set(s + r, (target.get(s + r) ?? 0) + c);
      }
    }
    ways = next;
  }
  return ways[k]!;
}

function upperNormalTail(z: number): number {
  // Abramowitz & Stegun 7.1.26 for erfc, accurate to ~1e-7.
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 0.5 * poly * Math.exp(-x * x);
}

/** Percentile bootstrap of median(after) − median(before), resampling each side with replacement. */
export function bootstrapMedianChange(before: readonly number[], after: readonly number[], resamples: number, seed: number, level = 0.95): MedianChangeInterval {
  const random = mulberry32(seed);
  const draw = (sample: readonly number[]) => {
    const out = new Array<number>(sample.length);
    for (let i = 0; i < sample.length; i++) out[i] = sample[Math.floor(random() * sample.length)]!;
    return median(out);
  };
  const diffs = new Array<number>(resamples);
  for (let i = 0; i < resamples; i++) diffs[i] = draw(after) - draw(before);
  diffs.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  const at = (q: number) => diffs[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return { level, lowNs: ns(Math.round(at(tail))), highNs: ns(Math.round(at(1 - tail))), resamples, seed };
}

/** A small, fast, seedable PRNG (Tommy Ettinger's mulberry32), so the same input gives the same interval. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function formatP(p: number): string {
  return p >= 0.01 ? p.toFixed(2) : p.toPrecision(1);
}

function percent(alpha: number): string {
  return `${Number((alpha * 100).toFixed(2))} %`;
}
