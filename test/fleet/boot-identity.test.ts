import { describe, expect, it } from 'vitest';
import { bootIdOf, packedHas, packIds } from '../../src/fleet/boot-identity.js';

describe('known boot ids shared with the ingest workers', () => {
  it('finds exactly the packed ids (binary search over sorted 16-byte ids)', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => bootIdOf(`content-${i}`, `host-${i % 7}`));
    const packed = packIds([...ids.slice(0, 500), ids[3]!]);
    expect(packed.byteLength).toBe(500 * 16);
    for (const id of ids.slice(0, 500)) expect(packedHas(packed, id)).toBe(true);
    for (const id of ids.slice(500)) expect(packedHas(packed, id)).toBe(false);
    expect(packedHas(packed, 'not-an-id')).toBe(false);
  });

  it('an empty store packs to nothing and knows nothing', () => {
    const packed = packIds([]);
    expect(packed.byteLength).toBe(0);
    expect(packedHas(packed, bootIdOf('x', 'y'))).toBe(false);
  });
});
