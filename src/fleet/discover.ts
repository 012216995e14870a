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

/** A boot to analyze (a capture directory or a file), or an input that is not one. */
export type Discovered = { kind: 'boot'; path: string } | { kind: 'skipped'; skipped: SkippedInput };

/**
 * The boots under `inputs`, found as the walk goes (depth first, entries by name), so an ingest starts on the first
 * while the walk goes on and never holds the list of a whole fleet's paths.
 */
export async function* walkBoots(inputs: readonly string[]): AsyncGenerator<Discovered> {
  // A directory inside itself (a symlink loop) is not entered again; the same directory reached under two names
  // (a fleet relabelled with symlinks, host-a/boot -> capture) is a boot under each name.
  const visit = async function* (path: string, given: boolean, ancestors: ReadonlySet<string> = new Set()): AsyncGenerator<Discovered> {
    const skip = (reason: string): Discovered => ({ kind: 'skipped', skipped: { path, reason } });
    let info;
    try {
      info = await stat(path);
    } catch {
      yield skip('no such file or directory');
      return;
    }
    if (info.isDirectory()) {
      const real = await realpath(path);
      if (ancestors.has(real)) return;
      const inside = new Set(ancestors).add(real);
      const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const capture = entries.some((e) => CAPTURE_NAMES.has(e.name) && !e.isDirectory());
      if (capture) yield { kind: 'boot', path };
      for (const e of entries) {
        const child = join(path, e.name);
        if (capture) {
          // A capture's own files are its boot; only its subdirectories (boot-2/, boot-3/) may hold other boots.
          if (e.isDirectory() || (e.isSymbolicLink() && (await isDirectory(child)))) yield* visit(child, false, inside);
        } else {
          yield* visit(child, false, inside);
        }
      }
      return;
    }
    if (!info.isFile()) return;
    if (info.size === 0) {
      yield skip('empty file');
      return;
    }
    if (await isCaptureTarball(path)) {
      yield { kind: 'boot', path };
      return;
    }
    let format: InputFormat | null;
    try {
      format = await sniffFile(path);
    } catch (err) {
      yield skip((err as Error).message.split('\n')[0]!);
      return;
    }
    if (format !== null && BOOT_FORMATS.has(format)) yield { kind: 'boot', path };
    else if (given || format !== null) yield skip(format === null ? 'unknown format' : `a ${format} file alone is not a boot`);
  };

  for (const input of inputs) yield* visit(input, true);
}

/** How many boots walkBoots() finds, holding none of their paths (an ingest's progress total). */
export async function countBoots(inputs: readonly string[]): Promise<number> {
  let count = 0;
  for await (const found of walkBoots(inputs)) if (found.kind === 'boot') count++;
  return count;
}

/** walkBoots() collected: every boot's path, and what was skipped. */
export async function discoverBoots(inputs: readonly string[]): Promise<{ jobs: string[]; skipped: SkippedInput[] }> {
  const jobs: string[] = [];
  const skipped: SkippedInput[] = [];
  for await (const found of walkBoots(inputs)) {
    if (found.kind === 'boot') jobs.push(found.path);
    else skipped.push(found.skipped);
  }
  return { jobs, skipped };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
