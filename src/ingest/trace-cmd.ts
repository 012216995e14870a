// `trace-cmd report` text. Format: trace-cmd tracecmd/trace-read.c (preamble `cpus=%d`; ≤2.9 also
// `version = %d` and `CPU %d is empty`; `%*s: ` file prefix with several -i inputs; `CPU:%d [%lld EVENTS
// DROPPED]`), libtraceevent src/event-parse.c (`%16s-%-5d [%03d]`, flags since trace-cmd 3.3 (commit
// 1e713bfc) or with -l (`%8.8s-%-5d %3d` + flags before 3.3), ` %5llu.%06llu:` / -t ` %5llu.%09llu:` /
// `%12llu:` for counter clocks, event name padded to 20) and plugins/plugin_sched_switch.c (sched_switch /
// sched_wakeup text; field parsing shared in trace-event-fields.ts, including -N kernel formats and -R raw).
// Unhashed `0x...` pointers are kept as printed. function_graph recorded by trace-cmd arrives as
// `funcgraph_entry:` / `funcgraph_exit:` events (parsed by funcgraph-body.ts).
// Checked against trace-cmd 3.1.6 output (corpus POWER 128-CPU funcgraph report) and the trace-cmd 3.4 sources.

import type { DiagnosticSink } from './kernel-log.js';
import type { TraceEvent } from './trace-events.types.js';
import { knownEventAt } from './trace-event-names.js';
import { TraceCollector, newEventContext } from './trace-collector.js';
import { asciiBytes, bytesIndexOf, textOf } from './byte-text.js';
import { newEventPrefix, parseBracketPrefix, parseGluedCpuPrefix } from './trace-line-prefix.js';

const SPACE = 32;
const K_COLON_SPACE = asciiBytes(': ');

export class TraceCmdParser {
  readonly collector: TraceCollector;
  private readonly prefix = newEventPrefix();
  private readonly ctx = newEventContext();
  private filePrefixReported = false;

  constructor(file: string, onEvent: (event: TraceEvent) => void, onDiagnostic: DiagnosticSink) {
    this.collector = new TraceCollector(file, onEvent, onDiagnostic);
  }

  /** One line, `b[start, end)` (lines.ts readLineBytes). Event lines are read from the bytes; other lines as text. */
  readonly line = (b: Buffer, start: number, end: number, lineNo: number, ascii: boolean): void => {
    if (start === end) return;
    const p = this.prefix;
    if (parseBracketPrefix(b, start, end, p) || parseGluedCpuPrefix(b, start, end, p)) {
      this.stripFilePrefix(b, start, ascii, lineNo);
      const name = knownEventAt(b, p.nameStart, p.nameEnd);
      if (name === null) {
        this.collector.unknownEvents++;
        return;
      }
      this.collector.eventFromPrefix(b, end, ascii, lineNo, name, p, this.ctx);
      return;
    }
    this.otherLine(textOf(b, start, end, ascii), lineNo);
  };

  /** With several input files every line starts with `<file>: ` before the right-aligned comm. */
  private stripFilePrefix(b: Buffer, start: number, ascii: boolean, lineNo: number): void {
    const p = this.prefix;
    const sep = bytesIndexOf(b, K_COLON_SPACE, p.commStart, p.commEnd + 1);
    if (sep < 0 || sep >= p.commEnd) return;
    // A comm may hold ": " itself (tmux's `tmux: server`): it has at most 15 characters (TASK_COMM_LEN) and is
    // right-aligned in 16, so a line that starts with a space and whose task text fits is a comm, not a file.
    if (b[start] === SPACE && p.commEnd - p.commStart <= 15) return;
    let from = sep + 2;
    while (from < p.commEnd && b[from] === SPACE) from++;
    if (from === p.commEnd) return;
    p.commStart = from;
    if (!this.filePrefixReported) {
      this.filePrefixReported = true;
      this.collector.warn(lineNo, `lines carry a \`${textOf(b, start, sep, ascii).trim()}:\` input-file prefix (trace-cmd report with several -i files): events of all files are read as one trace`);
    }
  }

  private otherLine(text: string, lineNo: number): void {
    const c = this.collector;
    let i = 0;
    while (text.charCodeAt(i) === SPACE) i++;
    if (i === text.length) return;
    const cpus = /^cpus=(\d+)\s*$/.exec(text.slice(i));
    if (cpus !== null) {
      c.header.cpus = Number(cpus[1]);
      return;
    }
    if (/^version = \d+\s*$/.test(text.slice(i)) || /^CPU \d+ is empty\s*$/.test(text.slice(i))) return;
    if (text.startsWith('=>', i)) return;
    if (text.charCodeAt(i) === 67 /* C */ && c.lostEventsLine(text, lineNo)) return;
    c.unparsed(lineNo, 'not a trace-cmd report event line (expected `COMM-PID [CPU] TIME: event: fields`)');
  }
}
