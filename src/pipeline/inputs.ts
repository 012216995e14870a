// The inputs of one boot: every path given, a capture directory expanded into its files by role (the file names
// come from the format registry, ingest/formats.ts), a capture tarball unpacked, every file's format sniffed.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sniffFile, unknownFormat } from '../ingest/detect.js';
import { captureFiles, formatModule, isKernelLogFormat, isTraceFormat, type InputFormat } from '../ingest/formats.js';
import { inputOrigin, prepareInput, readablePath } from '../ingest/input-source.js';
import { InputError } from '../ingest/input-error.js';
import { isCaptureTarball, unpackCaptureTarball, type UnpackedCapture } from '../ingest/capture-tarball.js';

export interface ResolvedInput {
  path: string;
  format: InputFormat;
  /** The argument it came from (the file itself, or its capture directory). */
  arg: string;
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

export async function resolveInputs(paths: string[], unpacked: Array<UnpackedCapture & { tarball: string }>): Promise<ResolvedInput[]> {
  const resolved: ResolvedInput[] = [];
  for (const path of paths) {
    let isDir: boolean;
    // Standard input, pipes, tracefs/procfs files and compressed files are spooled first (input-source.ts).
    await prepareInput(path);
    try {
      isDir = (await stat(readablePath(path))).isDirectory();
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
  const info = await stat(readablePath(path));
  if (info.size === 0) throw new InputError(path, null, inputOrigin(path)?.stream ? 'empty input (nothing was read from it)' : 'empty file');
  const format = await sniffFile(path);
  if (format === null) throw await unknownFormat(path);
  return format;
}

export async function resolveCaptureDirectory(dir: string): Promise<Array<Omit<ResolvedInput, 'arg'>>> {
  const names = new Set(await readdir(dir));
  // Each name also as a compressed file (dmesg.log.gz, trace.txt.zst), read through input-source.ts.
  const pick = (candidates: string[]) => candidates.flatMap((n) => ['', '.gz', '.zst', '.xz'].map((z) => n + z)).filter((n) => names.has(n)).map((n) => join(dir, n));
  const chosen: Array<Omit<ResolvedInput, 'arg'>> = [];
  const firstOfRole = async (candidates: string[], accept: (format: InputFormat) => boolean) => {
    for (const path of pick(candidates)) {
      await prepareInput(path);
      const info = await stat(readablePath(path));
      if (!info.isFile() || info.size === 0) continue;
      const format = await sniffFile(path);
      if (format !== null && accept(format)) return { path, format };
    }
    return null;
  };
  const log = await firstOfRole(captureFiles('kernel-log'), isKernelLogFormat);
  if (log) chosen.push(log);
  const trace = await firstOfRole(captureFiles('trace'), isTraceFormat);
  if (trace) chosen.push(trace);
  for (const path of pick(captureFiles('topology'))) {
    await prepareInput(path);
    const format = await sniffFile(path);
    if (format !== null && formatModule(format).role === 'topology') chosen.push({ path, format });
  }
  for (const path of pick(captureFiles('device-nodes'))) {
    await prepareInput(path);
    chosen.push({ path, format: 'pci-numa' });
  }
  if (!log && !trace) {
    throw new InputError(dir, null, `no kernel log or trace found (expected one of ${[...captureFiles('kernel-log'), ...captureFiles('trace')].join(', ')})`);
  }
  return chosen;
}

