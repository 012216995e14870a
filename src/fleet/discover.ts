// What `fleet ingest INPUTS...` takes as boots: a capture directory is one boot (its boot-N/ subdirectories are
// boots of their own), a capture tarball (`capture collect --tar`), a kernel log, trace or Boot JSON file is one boot, and any other directory is searched
// recursively. Files inside a capture directory belong to its boot. Topology and pci-numa files alone are not
// boots; other files are listed as skipped with the reason.

import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isCaptureTarball } from '../ingest/capture-tarball.js';
import { sniffFile } from '../ingest/detect.js';
import { captureFiles, KERNEL_LOG_FORMATS, TRACE_FORMATS, type InputFormat } from '../ingest/formats.js';

export interface SkippedInput {
  path: string;
  reason: string;
}

const BOOT_FORMATS: ReadonlySet<InputFormat> = new Set<InputFormat>([...KERNEL_LOG_FORMATS, ...TRACE_FORMATS, 'boot-json', 'sim-json']);
const CAPTURE_NAMES: ReadonlySet<string> = new Set([...captureFiles('kernel-log'), ...captureFiles('trace')]);

export async function discoverBoots(inputs: readonly string[]): Promise<{ jobs: string[]; skipped: SkippedInput[] }> {
  /** Capture directories and files, each analyzed as one boot. */
  const jobs: string[] = [];
  const skipped: SkippedInput[] = [];
  // A directory inside itself (a symlink loop) is not entered again; the same directory reached under two names
  // (a fleet relabelled with symlinks, host-a/boot -> capture) is a boot under each name.
  const visit = async (path: string, given: boolean, ancestors: ReadonlySet<string> = new Set()): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch {
      skipped.push({ path, reason: 'no such file or directory' });
      return;
    }
    if (info.isDirectory()) {
      const real = await realpath(path);
      if (ancestors.has(real)) return;
      const inside = new Set(ancestors).add(real);
      const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const capture = entries.some((e) => CAPTURE_NAMES.has(e.name) && !e.isDirectory());
      if (capture) jobs.push(path);
      for (const e of entries) {
        const child = join(path, e.name);
        if (capture) {
          // A capture's own files are its boot; only its subdirectories (boot-2/, boot-3/) may hold other boots.
          if (e.isDirectory() || (e.isSymbolicLink() && (await isDirectory(child)))) await visit(child, false, inside);
        } else {
          await visit(child, false, inside);
        }
      }
      return;
    }
    if (!info.isFile()) return;
    if (info.size === 0) {
      skipped.push({ path, reason: 'empty file' });
      return;
    }
    if (await isCaptureTarball(path)) {
      jobs.push(path);
      return;
    }
    let format: InputFormat | null;
    try {
      format = await sniffFile(path);
    } catch (err) {
      skipped.push({ path, reason: (err as Error).message.split('\n')[0]! });
      return;
    }
    if (format !== null && BOOT_FORMATS.has(format)) jobs.push(path);
    else if (given || format !== null) skipped.push({ path, reason: format === null ? 'unknown format' : `a ${format} file alone is not a boot` });
  };

  for (const input of inputs) await visit(input, true);
  return { jobs, skipped };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
