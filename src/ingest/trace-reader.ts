// One entry point for every trace text format: ftrace (/sys/kernel/tracing/trace, trace_pipe,
// ftrace_dump_on_oops), `trace-cmd report`, and function_graph output (the kernel's own, or trace-cmd's
// funcgraph_entry/funcgraph_exit events). Streams the file once through readLineBytes / readLines (lines.ts); see ftrace.ts,
// trace-cmd.ts and funcgraph.ts for the formats and the kernel / tool versions they were checked against.
//
// The requested format is followed, with two corrections made from the first lines: an ftrace file whose
// header says `# tracer: function_graph` is read as function_graph, and a function-graph file that is a
// trace-cmd report (`funcgraph_entry:` event lines) is read as trace-cmd.

import type { DiagnosticSink } from './kernel-log.js';
import { headLines, readLineBytes } from './lines.js';
import { FtraceParser } from './ftrace.js';
import { FuncgraphParser } from './funcgraph.js';
import { TraceCmdParser } from './trace-cmd.js';
import type { ReadTraceOptions, ReadTraceResult, TraceEvent } from './trace-events.types.js';

/** The trace text formats this reader parses (formats/text-traces.ts registers them). */
export type TextTraceFormat = 'ftrace' | 'trace-cmd' | 'function-graph';

export type { ReadTraceOptions, ReadTraceResult } from './trace-events.types.js';

/** Streams `path` as `format`, calling `onEvent` for each known event in file order. */
export async function readTrace(
  path: string,
  format: TextTraceFormat,
  onEvent: (event: TraceEvent) => void,
  onDiagnostic: DiagnosticSink,
  // Only binary traces use the options (trace-events.types.ts): a text trace is read whole.
  _options: ReadTraceOptions = {},
): Promise<ReadTraceResult> {
  const head = await headLines(path, 40);
  const parser = chooseParser(path, format, head, onEvent, onDiagnostic);
  // ftrace and trace-cmd lines are read from their bytes (trace-line-prefix.ts); function_graph lines as text, but
  // for the fields of their tracepoint comments.
  const read = await readLineBytes(path, parser instanceof FuncgraphParser ? parser.bytes : parser.line);
  parser.collector.finish(read);
  return { header: parser.collector.header, lines: read.lines, events: parser.collector.events, unknownEvents: parser.collector.unknownEvents };
}

function chooseParser(
  path: string,
  format: TextTraceFormat,
  head: string[],
  onEvent: (event: TraceEvent) => void,
  onDiagnostic: DiagnosticSink,
): FtraceParser | TraceCmdParser | FuncgraphParser {
  const isGraphTracer = head.some((l) => l.startsWith('# tracer: function_graph'));
  const isTraceCmdGraph = head.some((l) => /\]\s+\S*\s*\d+(?:\.\d+)?: funcgraph_(?:entry|exit): /.test(l));
  if (format === 'ftrace' && isGraphTracer) return new FuncgraphParser(path, onEvent, onDiagnostic);
  if (format === 'function-graph' && isTraceCmdGraph) return new TraceCmdParser(path, onEvent, onDiagnostic);
  if (format === 'ftrace') return new FtraceParser(path, onEvent, onDiagnostic);
  if (format === 'trace-cmd') return new TraceCmdParser(path, onEvent, onDiagnostic);
  return new FuncgraphParser(path, onEvent, onDiagnostic);
}
