// Test helpers for the trace models: real capture files through the real readers (readTrace,
// readKernelLog + ProbeSpanBuilder), optionally cut to a range of source lines.

import { recognizeKernelMessage } from '../../src/ingest/kernel-records.js';
import type { TraceEvent, TraceHeader } from '../../src/ingest/trace-events.types.js';
import { formatModule, type TraceFormat } from '../../src/ingest/formats.js';
import { type Builder, BuilderPass } from '../../src/model/builder.js';
import type { KernelRecord } from '../../src/ingest/kernel-records.types.js';
import { KernelInfoBuilder } from '../../src/model/kernel-info.js';
import type { ClockMarker } from '../../src/model/probe-trace-join.js';
import { ProbeSpanBuilder } from '../../src/model/probe-spans.js';
import type { Diagnostic, ProbeSpan } from '../../src/model/types.js';

export interface TraceRead {
  events: TraceEvent[];
  header: TraceHeader;
  diagnostics: Diagnostic[];
}

/** The events of a real trace file whose source lines lie in [fromLine, toLine]. */
export async function traceEvents(path: string, format: TraceFormat = 'ftrace', fromLine = 1, toLine = Number.MAX_SAFE_INTEGER): Promise<TraceRead> {
  const events: TraceEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  const { header } = await formatModule(format).read(path, (e) => {
    if (e.source.line >= fromLine && e.source.line <= toLine) events.push(e);
  }, (d) => diagnostics.push(d));
  return { events, header, diagnostics };
}

/** Feeds events through builders the way one ingest pass does (reset, handle each, finalize). */
export function runBuilders(events: TraceEvent[], ...builders: Array<Builder<TraceEvent, unknown>>): void {
  for (const b of builders) b.reset();
  for (const e of events) for (const b of builders) b.handle(e);
  for (const b of builders) b.finalize();
}

/** Probe spans of a real kernel log (the production builder), and its `lab: ...` marker lines. */
export async function kernelLog(path: string): Promise<{ probes: ProbeSpan[]; markers: ClockMarker[] }> {
  const kernel = new KernelInfoBuilder();
  const spans = new ProbeSpanBuilder(kernel);
  const pass = new BuilderPass<KernelRecord>([kernel, spans]);
  const markers: ClockMarker[] = [];
  pass.reset();
  await formatModule('dmesg').read(path, (line) => {
    if (line.timeNs !== null && line.text.startsWith('lab: ')) markers.push({ text: line.text.trim(), timeNs: line.timeNs, source: line.source });
    const record = recognizeKernelMessage(line);
    if (record) pass.handle(record);
  }, () => {});
  pass.finalize();
  return { probes: spans.data().probes, markers };
}
