// A Boot read back from the JSON `analyze --json` writes, or the first run of a `simulate --json` file.

import { readFile } from 'node:fs/promises';
import { InputError } from '../core/input-error.js';
import { checkBootJson } from '../model/boot-json-check.js';
import { BOOT_SCHEMA, type Boot } from '../model/types.js';

/** Reads a Boot written by `analyze --json` (or one run of `simulate --json`). */
export async function readBootJson(path: string): Promise<Boot> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InputError(path, null, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InputError(path, null, 'not a trace-probe JSON object');
  const obj = parsed as { schema?: unknown; runs?: Array<{ policy?: string; boot?: Boot }> };
  if (obj.schema === BOOT_SCHEMA) {
    checkBootJson(obj, path);
    return obj as unknown as Boot;
  }
  if (obj.schema === 'trace-probe.sim/1') {
    const run = Array.isArray(obj.runs) ? obj.runs[0] : undefined;
    if (!run?.boot) throw new InputError(path, null, 'simulation JSON has no runs');
    checkBootJson(run.boot, path, 'runs[0].boot');
    if ((obj.runs?.length ?? 0) > 1) {
      run.boot.diagnostics = [...run.boot.diagnostics, { file: path, line: null, severity: 'warning',
        message: `simulation JSON holds ${obj.runs!.length} runs; using the first (policy ${run.policy ?? '?'})` }];
    }
    return run.boot;
  }
  throw new InputError(path, null, `unsupported JSON schema ${JSON.stringify(obj.schema ?? null)} (expected ${BOOT_SCHEMA} or trace-probe.sim/1)`);
}
