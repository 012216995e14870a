// Writes an output file (--html, --perfetto, report -o), creating missing parent directories first.
// The directories are made one level at a time from the nearest existing ancestor: Node 20's
// mkdir({recursive: true}) never returns for a path under /proc (procfs answers ENOENT for the parent that
// exists, and Node retries forever), so `--perfetto /proc/x/y.json` hung instead of failing.

import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../ingest/input-error.js';

export async function writeOutputFile(file: string, text: string, what: string): Promise<void> {
  try {
    const missing: string[] = [];
    for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
      if (await stat(dir).then(() => true, () => false)) break;
      missing.push(dir);
      if (dirname(dir) === dir) break;
    }
    for (const dir of missing.reverse()) await mkdir(dir);
    await writeFile(file, text);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError(file, null, `cannot write ${what}: ${e.code ?? e.message}`);
  }
}
