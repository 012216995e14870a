// `--perfetto FILE` of analyze, simulate and diff: writes the boots as one Chrome JSON trace-event file
// (render/perfetto-trace.ts), one process per boot. docs/perfetto.md says what the user sees.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/input-error.js';
import { type PerfettoBoot, renderPerfettoJson } from '../render/perfetto-trace.js';

export const PERFETTO_OPTION = ['--perfetto <file>', 'also write a Chrome JSON trace-event file for ui.perfetto.dev (one process per boot, tracks per CPU and task, flows queue -> body)'] as const;

export async function writePerfettoTrace(file: string, boots: readonly PerfettoBoot[]): Promise<void> {
  const text = renderPerfettoJson(boots);
  try {
    await mkdir(dirname(resolve(file)), { recursive: true });
    await writeFile(file, text);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError(file, null, `cannot write the Perfetto trace: ${e.code ?? e.message}`);
  }
}
