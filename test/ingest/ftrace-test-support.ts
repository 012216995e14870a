// Shared by the ftrace, trace-cmd and function_graph tests: read a trace into arrays, write synthetic files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../src/model/types.js';
import type { TraceEvent } from '../../src/ingest/trace-events.types.js';
import { formatModule, type TraceFormat } from '../../src/ingest/formats.js';

export const captures = join(import.meta.dirname, '..', '..', 'fixtures', 'captures');
export const corpus = join(import.meta.dirname, '..', '..', 'fixtures', 'ftrace');
const dir = mkdtempSync(join(tmpdir(), 'tp-trace-'));

export async function collectTrace(path: string, format: TraceFormat) {
  const events: TraceEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  const result = await formatModule(format).read(path, (e) => events.push(e), (d) => diagnostics.push(d));
  return { events, diagnostics, result };
}

export function synthetic(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export const ofType = <T extends TraceEvent['type']>(events: TraceEvent[], type: T) =>
  events.filter((e): e is Extract<TraceEvent, { type: T }> => e.type === type);
export const atLine = (events: TraceEvent[], line: number) => events.find((e) => e.source.line === line);
