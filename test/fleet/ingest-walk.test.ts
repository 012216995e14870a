// fleet ingest walks its inputs as it analyzes them (discover.ts walkBoots), holding no list of the fleet's paths: the
// progress total comes from a second walk that only counts (null until it has), lanes start only for boots that
// exist, and boots already stored are skipped.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countBoots, discoverBoots, walkBoots } from '../../src/fleet/discover.js';
import type { IngestProgress } from '../../src/fleet/fleet-ingest.js';

// The built modules: ingest starts its workers from ingest-worker.js next to itself (npm test builds first).
const built = (module: string) => join(process.cwd(), 'dist', 'src', 'fleet', module);
const { ingestFleet } = (await import(built('fleet-ingest.js'))) as typeof import('../../src/fleet/fleet-ingest.js');
const { FleetStore } = (await import(built('fleet-store.js'))) as typeof import('../../src/fleet/fleet-store.js');

const CAPTURE = join(process.cwd(), 'fixtures', 'captures', 'before-n0x3');

describe('fleet ingest as the inputs are walked', () => {
  it('walks the boots in the order discoverBoots lists them', async () => {
    const walked: string[] = [];
    for await (const found of walkBoots([CAPTURE, join(CAPTURE, 'missing')])) walked.push(found.kind === 'boot' ? found.path : `skipped ${found.skipped.path}`);
    const { jobs, skipped } = await discoverBoots([CAPTURE, join(CAPTURE, 'missing')]);
    expect(walked).toEqual([...jobs, ...skipped.map((s) => `skipped ${s.path}`)]);
    expect(jobs).toEqual([CAPTURE, join(CAPTURE, 'boot-2'), join(CAPTURE, 'boot-3')]);
    expect(await countBoots([CAPTURE, join(CAPTURE, 'missing')])).toBe(3);
  });

  it('reports progress against the counted total, starts no more workers than boots, and skips stored boots', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'trace-probe-fleet-walk-test-'));
    const store = await FleetStore.open({ db: join(tmp, 'fleet.duckdb') });
    try {
      const events: IngestProgress[] = [];
      const first = await ingestFleet(store, [CAPTURE], { jobs: 8, onProgress: (p) => events.push(p) });
      expect(first).toMatchObject({ found: 3, ingested: 3, alreadyStored: 0, jobs: 3, failed: [] });
      expect(events.map((e) => e.done)).toEqual([1, 2, 3]);
      for (const e of events) {
        expect(e.total === null || e.total >= e.found).toBe(true);
        expect(e.found).toBeGreaterThanOrEqual(e.done);
      }
      expect(events.at(-1)!.total).toBe(3);
      // One worker, replaced after every boot: each boot is still analyzed once (here: found stored), none lost.
      const again = await ingestFleet(store, [CAPTURE, CAPTURE], { jobs: 1, recycleAfter: 1 });
      expect(again).toMatchObject({ found: 6, ingested: 0, alreadyStored: 6, jobs: 1, failed: [] });
      const recycled = await ingestFleet(store, [CAPTURE], { jobs: 2, recycleAfter: 1, hostFrom: '(n0x3)' });
      expect(recycled).toMatchObject({ found: 3, ingested: 3, alreadyStored: 0, failed: [] });
      expect(await store.rows("SELECT count(*)::INTEGER FROM boots WHERE host = 'n0x3'")).toEqual([[3]]);
      const empty = await ingestFleet(store, [join(CAPTURE, 'missing')]);
      expect(empty).toMatchObject({ found: 0, ingested: 0, jobs: 0 });
      expect(empty.skipped).toEqual([{ path: join(CAPTURE, 'missing'), reason: 'no such file or directory' }]);
    } finally {
      store.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
