// `fleet ingest`: every boot found under the inputs is analyzed as `analyze` does, in worker threads (one per
// core by default), and written to the store in batches. A boot already stored (by boot id) is skipped, a bad
// input is counted and listed and never stops the run, and progress is reported as boots finish.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { packedHas } from './boot-identity.js';
import { countBoots, walkBoots, type SkippedInput } from './discover.js';
import { FAILURES, FLEET_TABLES, type FleetTable, type Row } from './fleet-schema.js';
import type { FleetStore } from './fleet-store.js';
import type { WorkerResult, WorkerSetup } from './ingest-worker.js';

export interface IngestOptions {
  jobs?: number;
  hostFrom?: string | null;
  onProgress?: (progress: IngestProgress) => void;
  /** Boots a worker analyzes before it is replaced (default RECYCLE_AFTER). */
  recycleAfter?: number;
}

export interface IngestProgress {
  done: number;
  /** Boots found so far; the walk of the inputs goes on while the first are analyzed. */
  found: number;
  /** The number of boots: counted by a walk ahead of the ingest, null until that has ended. */
  total: number | null;
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
/**
 * Boots a worker analyzes before the lane replaces it: what its V8 heap and its thread's malloc arena kept (the
 * arenas of a long run grow slowly with fragmentation) is returned, for some 50 ms of start-up per 500 boots.
 */
const RECYCLE_AFTER = 500;
/**
 * A worker's young generation: V8 lets it grow to 48 MB on a fast-allocating thread, where a boot's analysis uses
 * some 15 MB of heap. With workers replaced every 500 boots, a 9,000-boot ingest held 240-261 MB at its results
 * against 265-291 MB without either, at no cost in boots/s (the two were measured together; docs/performance.md).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16 };

export async function ingestFleet(store: FleetStore, inputs: readonly string[], options: IngestOptions = {}): Promise<IngestSummary> {
  const started = Date.now();
  await store.limitMemory();
  const known = await store.knownIds();
  // Boots stored and inputs failed by this run (the packed ids are what the store held when it began).
  const added = new Set<string>();
  const failedNow = new Set<string>();
  const failedBefore = (id: string) => packedHas(known.failures, id) || failedNow.has(id);
  const stored = (id: string) => packedHas(known.boots, id) || added.has(id);
  const threads = Math.max(1, options.jobs ?? availableParallelism());
  const recycleAfter = Math.max(1, options.recycleAfter ?? RECYCLE_AFTER);
  const summary: IngestSummary = { found: 0, ingested: 0, alreadyStored: 0, failedBefore: 0, failed: [], skipped: [], bytes: 0, elapsedMs: 0, jobs: 0 };

  // The inputs are walked as the lanes ask for boots (discover.ts): no list of the fleet's paths is held. A second
  // walk ahead of it only counts them, for the progress total (it sniffs the files' heads twice, some 0.1 ms each).
  let counted: number | null = null;
  const counting = countBoots(inputs).then(
    (n) => void (counted = n),
    () => undefined,
  );
  const walk = walkBoots(inputs);
  let walking = true;
  let walkError: unknown = null;
  const nextPath = async (): Promise<string | null> => {
    while (walking) {
      try {
        const step = await walk.next();
        if (step.done) break;
        if (step.value.kind === 'skipped') {
          summary.skipped.push(step.value.skipped);
          continue;
        }
        summary.found++;
        return step.value.path;
      } catch (err) {
        // An unreadable directory: what was found is ingested, then the error is the command's.
        walkError ??= err;
        break;
      }
    }
    walking = false;
    return null;
  };

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
      const total = !walking ? summary.found : counted === null ? null : Math.max(counted, summary.found);
      options.onProgress?.({ done, found: summary.found, total, bytes: summary.bytes, elapsedMs: Date.now() - started });
    });
  };

  const setup: WorkerSetup = { hostFrom: options.hostFrom ?? null, knownBoots: known.boots, knownFailures: known.failures };
  // One lane per thread, started with its first boot (fewer boots than threads, fewer workers). A worker that dies
  // (out of memory on a huge input, a crash) fails its boot only: the lane starts a new worker and goes on.
  const lane = async () => {
    const first = await nextPath();
    if (first === null) return;
    summary.jobs++;
    await new Promise<void>((resolve) => {
      let current: string | null = null;
      const start = (path: string | null) => {
        const worker = new Worker(new URL('./ingest-worker.js', import.meta.url), { workerData: setup, resourceLimits: WORKER_LIMITS });
        let analyzed = 0;
        const feed = async (given?: string | null) => {
          const path = given === undefined ? await nextPath() : given;
          if (path === null) {
            current = null;
            void worker.terminate().then(() => resolve());
            return;
          }
          if (analyzed++ === recycleAfter) {
            // A fresh worker for the next boots: what the old one's heap and allocator kept goes with it.
            current = null;
            void worker.terminate();
            start(path);
            return;
          }
          current = path;
          worker.postMessage(path);
        };
        worker.on('message', (result: WorkerResult) => {
          record(result);
          // Backpressure: results are not piled up in memory faster than the store takes them.
          if (queued > MAX_QUEUED) void writing.then(() => feed());
          else void feed();
        });
        worker.on('error', (err) => {
          if (current === null) return;
          record({ kind: 'failed', path: current, bootId: null, contentHash: null, host: current, bytes: 0, error: `worker failed: ${err.message.split('\n')[0]}` });
          current = null;
          start(null);
        });
        void feed(path ?? undefined);
      };
      start(first);
    });
  };
  await Promise.all(Array.from({ length: threads }, lane));
  await counting;
  await writing;
  await flush();
  if (walkError !== null) throw walkError;
  summary.elapsedMs = Date.now() - started;
  return summary;
}
