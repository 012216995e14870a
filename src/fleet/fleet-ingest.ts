// `fleet ingest`: every boot found under the inputs is analyzed as `analyze` does, in worker threads (one per
// core by default), and written to the store in batches. A boot already stored (by boot id) is skipped, a bad
// input is counted and listed and never stops the run, and progress is reported as boots finish.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { packedHas } from './boot-identity.js';
import { discoverBoots, type SkippedInput } from './discover.js';
import { FAILURES, FLEET_TABLES, type FleetTable, type Row } from './fleet-schema.js';
import type { FleetStore } from './fleet-store.js';
import type { WorkerResult, WorkerSetup } from './ingest-worker.js';

export interface IngestOptions {
  jobs?: number;
  hostFrom?: string | null;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestProgress {
  done: number;
  total: number;
  bytes: number;
  elapsedMs: number;
}

export interface IngestSummary {
  found: number;
  ingested: number;
  alreadyStored: number;
  /** Inputs skipped because they failed in an earlier ingest (the failures table lists them). */
  failedBefore: number;
  failed: Array<{ path: string; error: string }>;
  skipped: SkippedInput[];
  bytes: number;
  elapsedMs: number;
  jobs: number;
}

/**
 * Rows held before they are appended (and DuckDB's memory released, FleetStore.releaseMemory): bounds memory
 * whatever the fleet size. About 60 boots of the corpus; docs/performance.md "Fleet ingest".
 */
const FLUSH_ROWS = 20_000;
/** Results received but not yet written after which the lanes wait for the writes (the store is slower than the workers). */
const MAX_QUEUED = 64;

export async function ingestFleet(store: FleetStore, inputs: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const started = Date.now();
  const { jobs: paths, skipped } = await discoverBoots(inputs);
  await store.limitMemory();
  const known = await store.knownIds();
  // Boots stored and inputs failed by this run (the packed ids are what the store held when it began).
  const added = new Set<string>();
  const failedNow = new Set<string>();
  const failedBefore = (id: string) => packedHas(known.failures, id) || failedNow.has(id);
  const stored = (id: string) => packedHas(known.boots, id) || added.has(id);
  const threads = Math.max(1, Math.min(options.jobs ?? availableParallelism(), paths.length));
  const summary: IngestSummary = { found: paths.length, ingested: 0, alreadyStored: 0, failedBefore: 0, failed: [], skipped, bytes: 0, elapsedMs: 0, jobs: threads };

  const pending = new Map<FleetTable, Row[]>(FLEET_TABLES.map((t) => [t.name, []]));
  let pendingRows = 0;
  const flush = async () => {
    if (pendingRows === 0) return;
    // One transaction per batch: a boot is stored with all its rows or not at all (resume skips stored boots).
    await store.appendAll(FLEET_TABLES.map((table) => [table, pending.get(table.name)!] as const));
    for (const table of FLEET_TABLES) pending.set(table.name, []);
    pendingRows = 0;
    await store.releaseMemory();
  };
  const keep = (table: FleetTable, rows: Row[]) => {
    if (rows.length === 0) return;
    const list = pending.get(table)!;
    for (const row of rows) list.push(row);
    pendingRows += rows.length;
  };

  let done = 0;
  // Results are written one at a time, in the order they arrive, so appends never interleave.
  let writing = Promise.resolve();
  let queued = 0;
  const record = (result: WorkerResult) => {
    queued++;
    writing = writing.then(async () => {
      queued--;
      done++;
      summary.bytes += result.bytes;
      if (result.kind === 'failed') {
        summary.failed.push({ path: result.path, error: result.error });
        if (result.bootId === null || !failedBefore(result.bootId)) {
          if (result.bootId !== null) failedNow.add(result.bootId);
          keep(FAILURES.name, [[result.path, result.bootId, result.contentHash, result.host, result.error]]);
        }
      } else if (failedBefore(result.bootId)) {
        summary.failedBefore++;
      } else if (result.kind === 'known' || stored(result.bootId)) {
        summary.alreadyStored++;
      } else {
        added.add(result.bootId);
        summary.ingested++;
        for (const table of ['boots', 'probes', 'initcalls', 'findings', 'diagnostics'] as const) keep(table, result.rows[table]);
      }
      if (pendingRows >= FLUSH_ROWS) await flush();
      options.onProgress?.({ done, total: paths.length, bytes: summary.bytes, elapsedMs: Date.now() - started });
    });
  };

  const setup: WorkerSetup = { hostFrom: options.hostFrom ?? null, knownBoots: known.boots, knownFailures: known.failures };
  let next = 0;
  // One lane per thread. A worker that dies (out of memory on a huge input, a crash) fails its boot only:
  // the lane starts a new worker and goes on.
  const lane = () => new Promise<void>((resolve) => {
    let current: string | null = null;
    const start = () => {
      const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: setup });
      const feed = () => {
        if (next >= paths.length) {
          current = null;
          void worker.terminate().then(() => resolve());
          return;
        }
        current = paths[next++]!;
        worker.postMessage(current);
      };
      worker.on('message', (result: WorkerResult) => {
        record(result);
        // Backpressure: results are not piled up in memory faster than the store takes them.
        if (queued > MAX_QUEUED) void writing.then(feed);
        else feed();
      });
      worker.on('error', (err) => {
        if (current === null) return;
        record({ kind: 'failed', path: current, bootId: null, contentHash: null, host: current, bytes: 0, error: `worker failed: ${err.message.split('\n')[0]}` });
        current = null;
        start();
      });
      feed();
    };
    start();
  });
  await Promise.all(Array.from({ length: paths.length === 0 ? 0 : threads }, lane));
  await writing;
  await flush();
  summary.elapsedMs = Date.now() - started;
  return summary;
}
