import { describe, expect, it } from 'vitest';
import { bootstrapMedianChange, compareSamples, mannWhitney } from '../../src/compare/significance.js';

describe('mannWhitney', () => {
  it('matches scipy.stats.mannwhitneyu(method="exact") without ties', () => {
    // scipy 1.17: mannwhitneyu([9,8,11.5,7,10.5,6], [10,12,15,11,14,13], method='exact') → U=3, p=0.015151...
    const r = mannWhitney([10, 12, 15, 11, 14, 13], [9, 8, 11.5, 7, 10.5, 6]);
    expect(r.u).toBe(3);
    expect(r.p).toBeCloseTo(0.015151515151515152, 12);
    expect(r.exact).toBe(true);
    // U=20, p=2/126
    const s = mannWhitney([1, 2, 3, 4], [5, 6, 7, 8, 9]);
    expect(s.u).toBe(20);
    expect(s.p).toBeCloseTo(2 / 126, 12);
    expect(s.minP).toBeCloseTo(2 / 126, 12);
    // interleaved: U=15, p=0.690476...
    expect(mannWhitney([3, 5, 7, 9, 11], [4, 6, 8, 10, 12]).p).toBeCloseTo(0.6904761904761905, 12);
  });

  it('3 vs 3 boots can never go below p = 0.1 (2 of C(6,3) = 20 orderings)', () => {
    const r = mannWhitney([3, 4, 5], [10, 11, 12]);
    expect(r.u).toBe(9);
    expect(r.p).toBeCloseTo(0.1, 12);
    expect(r.minP).toBeCloseTo(0.1, 12);
  });

  it('above 60 values uses the normal approximation with tie and continuity correction, as scipy does', () => {
    // scipy 1.17: mannwhitneyu(after, before, method='asymptotic', use_continuity=True) → U=329.5, p=0.0023792845...
    const before = Array.from({ length: 35 }, (_, i) => ((i * 7) % 31) + 10);
    const after = Array.from({ length: 33 }, (_, i) => ((i * 5) % 29) + 4);
    const r = mannWhitney(before, after);
    expect(r.exact).toBe(false);
    expect(r.u).toBe(329.5);
    expect(r.p).toBeCloseTo(0.0023792845098691935, 6);
  });

  it('with ties, equals the brute-force permutation p-value over midranks', () => {
    const before = [1, 2, 2, 3];
    const after = [2, 3, 3, 4];
    const pooled = [...after, ...before];
    const ranks = midranks(pooled);
    const stat = (idx: number[]) => idx.reduce((acc, i) => acc + ranks[i]!, 0);
    const center = (after.length * (pooled.length + 1)) / 2;
    const observed = Math.abs(stat([0, 1, 2, 3]) - center);
    let hits = 0;
    let all = 0;
    for (const idx of combinations(pooled.length, after.length)) {
      all++;
      if (Math.abs(stat(idx) - center) >= observed - 1e-9) hits++;
    }
    const r = mannWhitney(before, after);
    expect(r.u).toBe(13);
    expect(r.p).toBeCloseTo(hits / all, 12);
  });
});

describe('compareSamples', () => {
  it('never calls one boot per side significant', () => {
    const s = compareSamples([53372612], [34765890]);
    expect(s.verdict).toBe('needs-more-boots');
    expect(s.pValue).toBeNull();
    expect(s.medianChange).toBeNull();
    expect(s.words).toContain('one boot per side');
  });

  it('says "needs more boots" for 3 vs 3 even when every after boot is slower', () => {
    const s = compareSamples([9.8e6, 9.9e6, 10.1e6], [19.1e6, 18.7e6, 20.2e6]);
    expect(s.verdict).toBe('needs-more-boots');
    expect(s.pValue).toBeCloseTo(0.1, 12);
    expect(s.minPossibleP).toBeCloseTo(0.1, 12);
    expect(s.words).toBe('needs more boots (3 vs 3 boots cannot reach 5 %: smallest possible p = 0.10; p = 0.10, after higher in every pair)');
  });

  it('calls a separated 5 vs 5 sample significant, with the direction in words', () => {
    const faster = compareSamples([50, 52, 54, 51, 53], [34, 35, 33, 36, 34.5]);
    expect(faster.verdict).toBe('faster');
    expect(faster.words).toBe('faster, significant at 5 % (Mann-Whitney p = 0.008)');
    const slower = compareSamples([34, 35, 33, 36, 34.5], [50, 52, 54, 51, 53]);
    expect(slower.verdict).toBe('slower');
  });

  it('finds no change in interleaved samples', () => {
    const s = compareSamples([3, 5, 7, 9, 11], [4, 6, 8, 10, 12]);
    expect(s.verdict).toBe('no-detectable-change');
    expect(s.words).toBe('no detectable change (Mann-Whitney p = 0.69)');
  });
});

describe('bootstrapMedianChange', () => {
  it('is reproducible for a seed and brackets the observed median change', () => {
    const before = [50, 52, 54, 51, 53];
    const after = [34, 35, 33, 36, 34.5];
    const a = bootstrapMedianChange(before, after, 2000, 7);
    const b = bootstrapMedianChange(before, after, 2000, 7);
    expect(a).toEqual(b);
    expect(a.lowNs).toBeLessThanOrEqual(-18);
    expect(a.highNs).toBeGreaterThanOrEqual(-18);
    // Any resampled median change lies between min(after) − max(before) and max(after) − min(before).
    expect(a.lowNs).toBeGreaterThanOrEqual(33 - 54);
    expect(a.highNs).toBeLessThanOrEqual(36 - 50);
  });
});

function midranks(values: number[]): number[] {
  return values.map((v) => {
    const below = values.filter((w) => w < v).length;
    const equal = values.filter((w) => w === v).length;
    return below + (equal + 1) / 2;
  });
}

function* combinations(n: number, k: number, start = 0, prefix: number[] = []): Generator<number[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = start; i < n; i++) yield* combinations(n, k, i + 1, [...prefix, i]);
}
