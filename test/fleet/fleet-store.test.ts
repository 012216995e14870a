// The store's batch write is all or nothing: an ingest that fails (or is killed) in the middle of a batch leaves no
// boot stored without its probes, so the next ingest, which skips stored boot ids, cannot skip a half-stored boot.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootIdOf, packedHas } from '../../src/fleet/boot-identity.js';
import { BOOTS, FAILURES, PROBES, type Row } from '../../src/fleet/fleet-schema.js';
import { FleetStore } from '../../src/fleet/fleet-store.js';

const bootRow = (id: string): Row => BOOTS.columns.map((c) => (c.name === 'boot_id' ? id : null));
const probeRow = (id: string, seq: number, startNs: number | string | null = null): Row =>
  PROBES.columns.map((c) => (c.name === 'boot_id' ? id : c.name === 'seq' ? seq : c.name === 'start_ns' ? startNs : null));

describe('FleetStore.appendAll', () => {
  it('writes a batch to every table, or, when one row cannot be written, to none', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'trace-probe-fleet-store-test-'));
    const db = join(tmp, 'fleet.duckdb');
    const store = await FleetStore.open({ db });
    try {
      await store.appendAll([[BOOTS, [bootRow('a')]], [PROBES, [probeRow('a', 0), probeRow('a', 1)]]]);
      // The second batch's boot row and first probe row go in first; its second probe row has a start that is no time.
      await expect(store.appendAll([[BOOTS, [bootRow('b')]], [PROBES, [probeRow('b', 0, 5), probeRow('b', 1, 'x')]]])).rejects.toThrow();
      expect(await store.rows('SELECT boot_id FROM boots ORDER BY 1')).toEqual([['a']]);
      expect(await store.rows('SELECT boot_id, count(*)::INTEGER FROM probes GROUP BY 1')).toEqual([['a', 2]]);
      // And the store takes the next batch as usual (nothing left open).
      await store.appendAll([[BOOTS, [bootRow('c')]]]);
      await store.releaseMemory();
      expect(await store.rows('SELECT boot_id FROM boots ORDER BY 1')).toEqual([['a'], ['c']]);
    } finally {
      store.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('FleetStore.knownIds', () => {
  it('packs the stored boot ids and the failed inputs\' ids as DuckDB streams them, several chunks long', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'trace-probe-fleet-store-test-'));
    const store = await FleetStore.open({ db: join(tmp, 'fleet.duckdb') });
    try {
      // More than one of DuckDB's 2,048-row chunks, appended out of order.
      const ids = Array.from({ length: 5000 }, (_, i) => bootIdOf(`content-${i}`, `host-${i % 13}`));
      await store.append(BOOTS, ids.slice(0, 4000).map(bootRow));
      const failureRow = (id: string | null): Row => FAILURES.columns.map((c) => (c.name === 'boot_id' ? id : c.name === 'input' ? `in-${id}` : null));
      await store.append(FAILURES, [failureRow(ids[4500]!), failureRow(ids[4500]!), failureRow(null)]);
      const known = await store.knownIds();
      expect(known.boots.byteLength).toBe(4000 * 16);
      expect(known.failures.byteLength).toBe(16);
      expect(ids.filter((id) => packedHas(known.boots, id))).toEqual(ids.slice(0, 4000));
      expect(ids.filter((id) => packedHas(known.failures, id))).toEqual([ids[4500]]);
    } finally {
      store.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
