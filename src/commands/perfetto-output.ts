// `--perfetto FILE` of analyze, simulate and diff: writes the boots as one Chrome JSON trace-event file
// (render/perfetto-trace.ts), one process per boot. docs/perfetto.md says what the user sees.

import { type PerfettoBoot, renderPerfettoJson } from '../render/perfetto-trace.js';
import { writeOutputFile } from './output-file.js';
import { sayWrote } from './wrote.js';

export const PERFETTO_OPTION = ['--perfetto <file>', 'also write a Chrome JSON trace-event file for ui.perfetto.dev (one process per boot, tracks per CPU and task, flows queue -> body)'] as const;

export async function writePerfettoTrace(file: string, boots: readonly PerfettoBoot[]): Promise<void> {
  const text = renderPerfettoJson(boots);
  await writeOutputFile(file, text, 'the Perfetto trace');
  sayWrote(file, Buffer.byteLength(text), 'Perfetto trace');
}
