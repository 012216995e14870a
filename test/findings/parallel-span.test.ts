import { describe, expect, it } from 'vitest';
import { formatCpuList } from '../../src/core/cpu-list.js';
import { parallelSpanNs } from '../../src/findings/parallel-span.js';

describe('parallelSpanNs (synthetic)', () => {
  it('each job on its own CPU when there are enough: the latest finish from the first ready time', () => {
    expect(parallelSpanNs([{ readyNs: 0, costNs: 10 }, { readyNs: 5, costNs: 10 }, { readyNs: 2, costNs: 3 }], 4)).toBe(15);
  });

  it('bounded by the CPU count: three 10-unit jobs ready together on 2 CPUs take 20', () => {
    expect(parallelSpanNs([{ readyNs: 0, costNs: 10 }, { readyNs: 0, costNs: 10 }, { readyNs: 0, costNs: 10 }], 2)).toBe(20);
  });

  it('one CPU is fully serial; no jobs is 0', () => {
    expect(parallelSpanNs([{ readyNs: 0, costNs: 4 }, { readyNs: 1, costNs: 4 }], 1)).toBe(8);
    expect(parallelSpanNs([], 4)).toBe(0);
  });
});

describe('formatCpuList', () => {
  it('prints ranges like the kernel %*pbl', () => {
    expect(formatCpuList([3, 1, 2, 6, 8, 7])).toBe('1-3,6-8');
    expect(formatCpuList([5])).toBe('5');
    expect(formatCpuList([])).toBe('');
  });
});
