// A Boot written by `analyze --json` (or the first run of `simulate --json`), read back as an input: checked
// against the model's rules (model/boot-json-check.ts) before anything uses it.

import { readFile } from 'node:fs/promises';
import { readablePath } from '../ingest/input-source.js';
import { InputError } from '../ingest/input-error.js';
import { checkBootJson } from '../model/boot-json-check.js';
import { BOOT_SCHEMA, type Boot } from '../model/types.js';

/** Reads a Boot written by `analyze --json` (or one run of `simulate --json`). */
export async function readBootJson(path: string): Promise<Boot> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(readablePath(path), 'utf8'));
  } catch (err) {
    throw new InputError(path, null, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InputError(path, null, 'not a trace-probe JSON object');
  const obj = parsed as { schema?: unknown; runs?: Array<{ policy?: string; boot?: Boot }> };
  if (obj.schema === BOOT_SCHEMA) {
    checkBootJson(obj, path);
    return obj as unknown as Boot;
  }
  if (obj.schema === 'trace-probe.sim/1' || obj.schema === 'trace-probe.sim/2') {
    const run = Array.isArray(obj.runs) ? obj.runs[0] : undefined;
    if (!run?.boot) throw new InputError(path, null, 'simulation JSON has no runs');
    checkBootJson(run.boot, path, 'runs[0].boot');
    if ((obj.runs?.length ?? 0) > 1) {
      run.boot.diagnostics = [...run.boot.diagnostics, { file: path, line: null, severity: 'warning',
        message: `simulation JSON holds ${obj.runs!.length} runs; using the first (policy ${run.policy ?? '?'})` }];
    }
    return run.boot;
  }
  throw new InputError(path, null, `unsupported JSON schema ${JSON.stringify(obj.schema ?? null)} (expected ${BOOT_SCHEMA}, trace-probe.sim/1 or trace-probe.sim/2)`);
}

