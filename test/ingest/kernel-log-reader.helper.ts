// Test helper: reads a kernel-log file through its format module (readKernelLog) and collects what it emits.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatModule, type KernelLogFormat } from '../../src/ingest/formats.js';
import type { KernelLogLine } from '../../src/ingest/kernel-log.js';
import type { KernelLogReadResult } from '../../src/ingest/kernel-log-reader.js';
import type { Diagnostic } from '../../src/core/diagnostics.js';

export interface ReadBack {
  lines: KernelLogLine[];
  diagnostics: Diagnostic[];
  result: KernelLogReadResult;
  /** The emitted record whose text starts with `prefix` (throws when none). */
  find(prefix: string): KernelLogLine;
}

export async function readBack(path: string, format: KernelLogFormat): Promise<ReadBack> {
  const lines: KernelLogLine[] = [];
  const diagnostics: Diagnostic[] = [];
  const result = await formatModule(format).read(path, (l) => lines.push(l), (d) => diagnostics.push(d));
  return {
    lines,
    diagnostics,
    result,
    find(prefix) {
      const hit = lines.find((l) => l.text.startsWith(prefix));
      if (!hit) throw new Error(`no record starting with ${JSON.stringify(prefix)} in ${path}`);
      return hit;
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tp-kernel-log-'));

/** Writes a synthetic fixture (edge cases and formats with no real sample) and returns its path. */
/** Writes a synthetic log; like every real one it ends with a newline (a cut last line is its own test). */
export function synthetic(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content.endsWith('\n') || content === '' ? content : `${content}\n`);
  return path;
}
