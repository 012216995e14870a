// A fleet ingest worker thread: analyzes one boot per message exactly as `analyze` does (loadBoot) and
// answers with its rows, or with why it could not. Boots already stored (by boot id) are not analyzed.

import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../ingest/input-error.js';
import { inputFilesOf, loadBoot } from '../pipeline/load-boot.js';
import { bootIdOf, contentHash, hostOf, packedHas } from './boot-identity.js';
import { bootRows, type BootRows } from './boot-rows.js';

export interface WorkerSetup {
  hostFrom: string | null;
  /** Ids of the boots and of the failed inputs already stored (FleetStore.knownIds), shared with the main thread. */
  knownBoots: SharedArrayBuffer;
  knownFailures: SharedArrayBuffer;
}

export type WorkerResult =
  | { kind: 'boot'; path: string; bootId: string; bytes: number; rows: BootRows }
  | { kind: 'known'; path: string; bootId: string; bytes: number }
  | { kind: 'failed'; path: string; bootId: string | null; contentHash: string | null; host: string; bytes: number; error: string };

const setup = workerData as WorkerSetup;
const pattern = setup.hostFrom === null ? null : new RegExp(setup.hostFrom);

async function ingestOne(path: string): Promise<WorkerResult> {
  const { host, hostSource } = hostOf(path, pattern);
  let hash: string | null = null;
  let bytes = 0;
  try {
    const files = await inputFilesOf([path]);
    ({ hash, bytes } = await contentHash(files));
    const bootId = bootIdOf(hash, host);
    if (packedHas(setup.knownBoots, bootId) || packedHas(setup.knownFailures, bootId)) return { kind: 'known', path, bootId, bytes };
    const boot = await loadBoot([path]);
    // The boot id keeps the host it was computed with (pattern or path), so a stored boot is known before it is
    // analyzed; the host column prefers the name the log itself gives (systemd's `Hostname set to`) to a path.
    const fromLog = hostSource === 'path' && boot.kernel.hostname ? boot.kernel.hostname : null;
    const identity = { bootId, input: path, contentHash: hash, host: fromLog ?? host, hostSource: fromLog ? ('log' as const) : hostSource, inputBytes: bytes };
    return { kind: 'boot', path, bootId, bytes, rows: bootRows(boot, identity) };
  } catch (err) {
    const error = err instanceof InputError ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
    return { kind: 'failed', path, bootId: hash === null ? null : bootIdOf(hash, host), contentHash: hash, host, bytes, error: error.split('\n')[0]! };
  }
}

parentPort!.on('message', (path: string) => {
  void ingestOne(path).then((result) => parentPort!.postMessage(result));
});
