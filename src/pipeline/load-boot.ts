// The pipeline: input paths → one Boot. Resolves the inputs (capture directories, tarballs, sniffed formats:
// inputs.ts), reads a Boot JSON back (boot-json.ts) or keeps the inputs of one boot (model/one-boot.ts) and builds
// it in one pass of the model builders (build-boot.ts). All analysis lives in the modules called here; this
// layer only wires them (ingest → model → findings, docs/architecture.md).

import { withTarballNames, type UnpackedCapture } from '../ingest/capture-tarball.js';
import { formatModule } from '../ingest/formats.js';
import { InputError } from '../ingest/input-error.js';
import { oneBootInputs } from '../model/one-boot.js';
import type { Boot } from '../model/types.js';
import { readBootJson } from './boot-json.js';
import { buildBoot, type LoadBootOptions } from './build-boot.js';
import { type ResolvedInput, resolveInputs } from './inputs.js';

export type { LoadBootOptions } from './build-boot.js';
export { readBootJson } from './boot-json.js';
export { inputFilesOf } from './inputs.js';

/** Loads one boot from files and capture directories (or a Boot JSON written by `analyze --json`). */
export async function loadBoot(paths: string[], options: LoadBootOptions = {}): Promise<Boot> {
  if (paths.length === 0) throw new InputError('(no input)', null, 'no input files given');
  // Capture tarballs are unpacked into temporary directories for the time of the reading.
  const unpacked: Array<UnpackedCapture & { tarball: string }> = [];
  try {
    const boot = await loadResolved(await resolveInputs(paths, unpacked), options);
    return unpacked.length > 0 ? withTarballNames(boot, unpacked) : boot;
  } finally {
    for (const u of unpacked) await u.remove();
  }
}

async function loadResolved(inputs: ResolvedInput[], options: LoadBootOptions): Promise<Boot> {
  const jsonInputs = inputs.filter((i) => formatModule(i.format).role === 'boot-json');
  if (jsonInputs.length > 0) {
    if (inputs.length > 1) {
      throw new InputError(jsonInputs[0]!.path, null, 'a Boot JSON is a whole boot: give it alone, not with other inputs');
    }
    return readBootJson(jsonInputs[0]!.path);
  }
  // One boot at a time: duplicates read once, kernel logs of other boots refused (one-boot.ts).
  const { inputs: oneBoot, notes } = await oneBootInputs(inputs);
  const boot = await buildBoot(oneBoot, options);
  if (notes.length > 0) boot.diagnostics = [...notes, ...boot.diagnostics];
  return boot;
}
