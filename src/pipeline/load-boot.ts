// The pipeline: input paths → one Boot. Expands capture directories (and capture tarballs), sniffs every file's
// format, and either reads a Boot JSON back or builds the Boot from the inputs of one boot (build-boot.ts:
// ingest → model → findings). All analysis lives in the modules called from here; the pipeline only wires them
// (docs/architecture.md).

import { stat } from 'node:fs/promises';
import { InputError } from '../core/input-error.js';
import { isCaptureTarball, unpackCaptureTarball, withTarballNames, type UnpackedCapture } from '../ingest/capture-tarball.js';
import { formatModule, type InputFormat } from '../ingest/formats.js';
import { sniffFile } from '../ingest/detect.js';
import { oneBootInputs } from '../model/one-boot.js';
import type { Boot } from '../model/types.js';
import { readBootJson } from './boot-json.js';
import { buildBoot } from './build-boot.js';
import { resolveCaptureDirectory } from './capture-directory.js';
import type { ResolvedInput } from './inputs.js';

/** Loads one boot from files and capture directories (or a Boot JSON written by `analyze --json`). */
export async function loadBoot(paths: string[]): Promise<Boot> {
  if (paths.length === 0) throw new InputError('(no input)', null, 'no input files given');
  // Capture tarballs are unpacked into temporary directories for the time of the reading.
  const unpacked: Array<UnpackedCapture & { tarball: string }> = [];
  try {
    const boot = await loadResolved(await resolveInputs(paths, unpacked));
    return unpacked.length > 0 ? withTarballNames(boot, unpacked) : boot;
  } finally {
    for (const u of unpacked) await u.remove();
  }
}

async function loadResolved(inputs: ResolvedInput[]): Promise<Boot> {
  const jsonInputs = inputs.filter((i) => formatModule(i.format).role === 'boot-json');
  if (jsonInputs.length > 0) {
    if (inputs.length > 1) {
      throw new InputError(jsonInputs[0]!.path, null, 'a Boot JSON is a whole boot: give it alone, not with other inputs');
    }
    return readBootJson(jsonInputs[0]!.path);
  }
  // One boot at a time: duplicates read once, kernel logs of other boots refused (one-boot.ts).
  const { inputs: oneBoot, notes } = await oneBootInputs(inputs);
  const boot = await buildBoot(oneBoot);
  if (notes.length > 0) boot.diagnostics = [...notes, ...boot.diagnostics];
  return boot;
}

/** The files a boot's analysis reads, in reading order (a capture tarball counts as itself): what `fleet` hashes. */
export async function inputFilesOf(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info === null) throw new InputError(path, null, 'no such file or directory');
    if (info.isDirectory()) files.push(...(await resolveCaptureDirectory(path)).map((i) => i.path));
    else files.push(path);
  }
  return files;
}

async function resolveInputs(paths: string[], unpacked: Array<UnpackedCapture & { tarball: string }>): Promise<ResolvedInput[]> {
  const resolved: ResolvedInput[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch {
      throw new InputError(path, null, 'no such file or directory');
    }
    if (isDir) resolved.push(...(await resolveCaptureDirectory(path)).map((i) => ({ ...i, arg: path })));
    else if (await isCaptureTarball(path)) {
      const capture = await unpackCaptureTarball(path);
      unpacked.push({ ...capture, tarball: path });
      const files = await resolveCaptureDirectory(capture.dir).catch((err: unknown) => {
        throw err instanceof InputError ? new InputError(path, null, err.reason) : err;
      });
      resolved.push(...files.map((i) => ({ ...i, arg: path })));
    } else resolved.push({ path, format: await sniffOrFail(path), arg: path });
  }
  return resolved;
}

async function sniffOrFail(path: string): Promise<InputFormat> {
  const info = await stat(path);
  if (info.size === 0) throw new InputError(path, null, 'empty file');
  const format = await sniffFile(path);
  if (format === null) {
    throw new InputError(path, 1, 'unknown format (not a kernel log, ftrace/trace-cmd/function_graph text, lscpu/cpulist topology, or trace-probe JSON)');
  }
  return format;
}
