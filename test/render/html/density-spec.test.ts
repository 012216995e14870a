import { describe, expect, it } from 'vitest';
import { peakPerSlice, type ConcurrencyPoint } from '../../../src/render/html/concurrency-spec.js';
import { densityCells } from '../../../src/render/html/density-spec.js';
import { probeRows } from '../../../src/render/html/probe-rows.js';
import { beforeN0x3Boot } from './before-n0x3-boot.js';

const MS = 1_000_000;

describe('densityCells (the per-driver strip of a very large boot)', () => {
  it('spreads each item over the slices it covers: item-seconds per second and a count per slice', () => {
    const { cells, groups } = densityCells(
      [
        { group: 'nvme', startNs: 0, endNs: 10 * MS },
        { group: 'nvme', startNs: 0, endNs: 5 * MS },
        { group: 'ahci', startNs: 5 * MS, endNs: 20 * MS },
      ],
      4,
    );
    // 20 ms in 4 slices of 5 ms; ahci and nvme both total 15 ms (name order breaks the tie); the 0-5 ms nvme
    // probe ends on the first slice boundary and is not counted in the second slice.
    expect(groups).toEqual(['ahci', 'nvme']);
    expect(cells.filter((c) => c.group === 'nvme').map((c) => [c.b0, c.b1, c.n, c.busy])).toEqual([
      [0, 0.005, 2, 2],
      [0.005, 0.01, 1, 1],
    ]);
    expect(cells.filter((c) => c.group === 'ahci').map((c) => [c.b0, c.n, c.busy])).toEqual([
      [0.005, 1, 1],
      [0.01, 1, 1],
      [0.015, 1, 1],
    ]);
  });

  it('sums the groups beyond the largest ones into one row', () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ group: `drv${i}`, startNs: i * MS, endNs: (i + 1 + i) * MS }));
    const { groups, cells } = densityCells(items, 10, 5);
    expect(groups).toHaveLength(5);
    expect(groups[4]).toBe('other (26 groups)');
    expect(groups.slice(0, 4)).toEqual(['drv29', 'drv28', 'drv27', 'drv26']);
    expect(cells.every((c) => groups.includes(c.group))).toBe(true);
  });
});

describe('peakPerSlice (concurrency of a very large boot)', () => {
  it('keeps the peak of each slice, so a short burst of probes in flight stays visible', () => {
    const pts: ConcurrencyPoint[] = [0, 1, 1.001, 1.002, 10].map((t, i) => ({ node: '0', series: 'probes in flight', t, value: [1, 5, 2, 1, 0][i]! }));
    const out = peakPerSlice(pts, 5);
    expect(out.map((p) => [p.t, p.value])).toEqual([
      [0, 5],
      [2, 1],
      [4, 1],
      [6, 1],
      [8, 1],
      [10, 0],
    ]);
  });
});

describe('probeRows with a limit', () => {
  it('draws the slowest probes one by one and counts the others', () => {
    const r = probeRows(beforeN0x3Boot(), null, 2);
    // 0000:23:00.0 6.140 ms and 0000:21:00.0 3.208 ms are the slowest; 0000:22:00.0 (2.245 ms) is left out.
    expect(r.rows.map((x) => x.device).sort()).toEqual(['0000:21:00.0', '0000:23:00.0']);
    expect(r.omitted).toBe(1);
    expect(r.shortestDrawnMs).toBe(3.208);
    expect(probeRows(beforeN0x3Boot()).omitted).toBe(0);
  });
});
