// Trace text: ftrace (/sys/kernel/tracing/trace, trace_pipe, ftrace_dump_on_oops), `trace-cmd report`, and
// function_graph output. All three are read by trace-reader.ts (see ftrace.ts, trace-cmd.ts, funcgraph.ts for
// the formats and the kernel / tool versions they were checked against).

import { readTrace, type TextTraceFormat } from '../trace-reader.js';
import type { SniffHead } from '../sniff-head.js';
import type { Confidence, TraceFormatModule } from './format-module.js';

function textTrace<const F extends TextTraceFormat>(format: F, sniff: (head: SniffHead) => Confidence | null): TraceFormatModule<F> {
  return { format, role: 'trace', sniff, read: (path, onEvent, onDiagnostic, options) => readTrace(path, format, onEvent, onDiagnostic, options) };
}

/** Half the head's lines or more have this shape. */
const mostly = (head: SniffHead, k: 'funcgraph' | 'ftrace') => head.count(k) > 0 && head.count(k) >= 0.5 * head.content;

export const functionGraph = textTrace('function-graph', (head) => {
  if (head.lines.some((l) => /^#\s*tracer: function_graph\b/.test(l))) return 'certain';
  return mostly(head, 'funcgraph') ? 'likely' : null;
});

/** `trace-cmd report` prints `cpus=N` first (and `version = N` with -R/--debug). */
export const traceCmd = textTrace('trace-cmd', (head) => (/^cpus=\d+\s*$/.test(head.first ?? '') || /^version = \d+\s*$/.test(head.first ?? '') ? 'certain' : null));

export const ftrace = textTrace('ftrace', (head) => {
  if (head.lines.some((l) => /^#\s*tracer: \S/.test(l))) return 'certain';
  return mostly(head, 'ftrace') ? 'likely' : null;
});
