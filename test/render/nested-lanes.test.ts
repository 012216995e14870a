// nestedLanes: spans of one track split so every lane holds only disjoint or nested spans.

import { describe, expect, it } from 'vitest';
import { nestedLanes } from '../../src/render/nested-lanes.js';

const s = (startNs: number, endNs: number, group?: string) => ({ startNs, endNs, ...(group ? { group } : {}) });

describe('nestedLanes', () => {
  it('keeps nested and back-to-back spans on one lane (an end at a start has ended, as in Perfetto)', () => {
    expect(nestedLanes([s(0, 10), s(2, 4), s(4, 10), s(10, 12), s(12, 12)])).toEqual([0, 0, 0, 0, 0]);
  });

  it('moves a partial overlap to the next lane, and reuses lane 0 once it is free', () => {
    expect(nestedLanes([s(0, 10), s(5, 15), s(11, 20), s(16, 18)])).toEqual([0, 1, 0, 0]);
  });

  it('input order does not matter: the result is per span, sorted by start then longer first', () => {
    expect(nestedLanes([s(2, 4), s(0, 10), s(3, 12)])).toEqual([0, 0, 1]);
  });

  it('nests only within a group: a span of another group inside an open span takes another lane', () => {
    expect(nestedLanes([s(0, 10, 'a'), s(2, 4, 'a'), s(5, 6, 'b'), s(11, 12, 'b')])).toEqual([0, 0, 1, 0]);
  });
});
