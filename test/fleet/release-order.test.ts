import { describe, expect, it } from 'vitest';
import { compareReleases } from '../../src/fleet/fleet-report.js';

describe('compareReleases', () => {
  it('orders kernel releases by version, numbers as numbers', () => {
    const releases = ['6.12.19', '6.1.176-lab', '5.15.0-2-amd64', '6.1.0-50-amd64', '6.2.0-rc7', '7.1.0-rc3', '6.1.0-9-amd64', 'unknown'];
    expect([...releases].sort(compareReleases)).toEqual([
      '5.15.0-2-amd64', '6.1.0-9-amd64', '6.1.0-50-amd64', '6.1.176-lab', '6.2.0-rc7', '6.12.19', '7.1.0-rc3', 'unknown',
    ]);
  });

  it('puts a release before its longer variants and is antisymmetric', () => {
    expect(compareReleases('6.1', '6.1.5')).toBeLessThan(0);
    expect(compareReleases('6.1.5', '6.1')).toBeGreaterThan(0);
    expect(compareReleases('6.1.5', '6.1.5')).toBe(0);
  });
});
