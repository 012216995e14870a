import { describe, expect, it } from 'vitest';
import { bootIdOf, PackedIdWriter, packedHas } from '../../src/fleet/boot-identity.js';

/** What a store's ORDER BY boot_id streams in: the ids sorted (repeats included). */
function packIds(ids: string[]): SharedArrayBuffer {
  const sorted = [...ids].sort();
  const writer = new PackedIdWriter(sorted.length);
  for (const id of sorted) writer.add(id);
  return writer.finish();
}

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

  it('packs sorted ids as they stream in, drops repeats, and refuses ids out of order', () => {
    const ids = Array.from({ length: 100 }, (_, i) => bootIdOf(`c-${i}`, 'h')).sort();
    const writer = new PackedIdWriter(102);
    for (const id of ids) writer.add(id);
    writer.add(ids[99]!);
    writer.add('not-an-id');
    const packed = writer.finish();
    // Fewer ids than announced: the buffer is cut to what was added, so the binary search sees no zero ids.
    expect(packed.byteLength).toBe(100 * 16);
    for (const id of ids) expect(packedHas(packed, id)).toBe(true);
    expect(packedHas(packed, '0'.repeat(32))).toBe(false);
    expect(() => writer.add(ids[0]!)).toThrow(/sorted order/);
    const full = new PackedIdWriter(1);
    full.add(ids[0]!);
    expect(() => full.add(ids[1]!)).toThrow(/announced/);
  });
});
