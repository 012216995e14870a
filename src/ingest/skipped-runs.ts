// Lines a presentation parser could not read (kernel-log-presentation.ts badLine) come in runs: other output
// pasted after a log (`lspci -vvv` after `dmesg`), a program's banner in the middle. A short run is reported line
// by line; a longer one (more than RUN_LISTED lines that no kernel message separates) in one warning from its
// first line, naming how many lines and the last one, so a log followed by ten thousand lines of something else
// still gets a readable list of diagnostics.

import type { Diagnostic } from '../core/diagnostics.js';
import type { DiagnosticSink, KernelLogLine, KernelLogLineSink } from './kernel-log.js';

const SKIPPED = /^not an? (\S+) line, skipped: /;
const RUN_LISTED = 10;

export interface SkippedRuns {
  onDiagnostic: DiagnosticSink;
  onLine: KernelLogLineSink;
  end(): void;
}

/** Merges the "not a ... line, skipped" warnings that no kernel message separates into one per run. */
export function coalesceSkippedLines(onDiagnostic: DiagnosticSink, onLine: KernelLogLineSink): SkippedRuns {
  let run: { first: Diagnostic; presentation: string; count: number; last: number; listed: Diagnostic[] } | null = null;
  const flush = () => {
    if (run === null) return;
    const r = run;
    run = null;
    if (r.count <= RUN_LISTED) return r.listed.forEach(onDiagnostic);
    onDiagnostic({ ...r.first, message: `${r.count} lines (${r.first.line}-${r.last}) are not ${r.presentation} lines, skipped; the first: ${r.first.message.replace(SKIPPED, '')}` });
  };
  return {
    onDiagnostic(d) {
      const m = SKIPPED.exec(d.message);
      if (m === null || d.line === null) {
        onDiagnostic(d);
        return;
      }
      if (run !== null && run.presentation === m[1]) {
        run.count++;
        run.last = d.line;
        if (run.count <= RUN_LISTED) run.listed.push(d);
        else run.listed = [];
        return;
      }
      flush();
      run = { first: d, presentation: m[1]!, count: 1, last: d.line, listed: [d] };
    },
    onLine(line: KernelLogLine) {
      if (run !== null && !line.continuation) flush();
      onLine(line);
    },
    end: flush,
  };
}
