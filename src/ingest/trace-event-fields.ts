// Field parsers for the tracepoints trace-probe uses, shared by the ftrace, trace-cmd and function_graph parsers
// (one implementation of each print format): this module dispatches on the event name; the fields of each
// family are read in sched-event-fields.ts, workqueue-event-fields.ts and initcall-marker-fields.ts.
// Checked against the 6.1.176 captures, the corpus traces (3.15, 4.6, 5.x, 6.x, Android) and trace-cmd 3.1.6.
// Hot path: the line's bytes (lines.ts readLineBytes); the scheduler events in the kernel's print formats (nearly
// every line of a trace) are read from the bytes, with comms reused per pid (CommCache), so a line makes no
// string that is not kept; the other events are decoded and read as text. No regular expressions. The state of
// a reader (comm cache, scan position, scratch buffer) lives in its EventFieldParser, none in this module.

import { detached } from '../core/detached-string.js';
import { asciiBytes, bytesStartWith, textOf } from './byte-text.js';
import { CommCache } from './comm-cache.js';
import { FieldScanner, type FieldState, ShortTexts } from './field-scanner.js';
import { parseGraphColumns } from './funcgraph-body.js';
import { parseInitcallFinish, parsePrint } from './initcall-marker-fields.js';
import { parseExec, parseMigrate, parseSchedSwitchKernel, parseSchedSwitchPlugin, parseWakeupKernel, parseWakeupPlugin } from './sched-event-fields.js';
import type { KnownEventName } from './trace-event-names.js';
import type { EventContext, TraceEvent, TraceEventBase } from './trace-events.types.js';
import { parseQueueWork, parseWorkEvent } from './workqueue-event-fields.js';

/** The per-line context (TASK column, CPU, time) every event carries. Reused between lines by callers. */
export type { EventContext } from './trace-events.types.js';

const K_COMM = asciiBytes('comm=');
const K_PREV_COMM = asciiBytes('prev_comm=');
const NON_ASCII = /[^\x00-\x7f]/;

/** The events parse() reads from their decoded text (no numeric fields). */
type TextEventName = Exclude<KnownEventName, 'sched_switch' | 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking' | 'sched_migrate_task' | 'sched_process_exec' | 'workqueue_queue_work' | 'initcall_finish'>;

/** The field parser of one trace reader: it owns the comm cache, the scan position and a scratch buffer. */
export class EventFieldParser implements FieldState {
  readonly scan = new FieldScanner();
  readonly comms = new CommCache();
  readonly shortTexts = new ShortTexts();
  private scratch = Buffer.allocUnsafe(4096);

  /**
   * Parses the fields of a known event, `b[start, end)` (kernel print format, trace-cmd plugin text or trace-cmd -R
   * raw text; `ascii` as from readLineBytes), into a TraceEvent with the context's TASK/CPU/time. Returns null when
   * the text does not match any known layout of that event (the caller reports a diagnostic).
   */
  parse(name: KnownEventName, b: Buffer, start: number, end: number, ascii: boolean, ctx: EventContext): TraceEvent | null {
    switch (name) {
      case 'sched_switch':
        if (bytesStartWith(b, start, end, K_PREV_COMM)) return parseSchedSwitchKernel(b, start, end, ascii, ctx, this);
        return parseSchedSwitchPlugin(b, start, end, ascii, ctx, this);
      case 'sched_wakeup':
      case 'sched_wakeup_new':
      case 'sched_waking':
        if (bytesStartWith(b, start, end, K_COMM)) return parseWakeupKernel(name, b, start, end, ascii, ctx, this);
        return parseWakeupPlugin(name, b, start, end, ascii, ctx, this);
      case 'sched_migrate_task':
        return parseMigrate(b, start, end, ascii, ctx, this);
      case 'sched_process_exec':
        return parseExec(b, start, end, ascii, ctx, this);
      case 'workqueue_queue_work':
        return parseQueueWork(b, start, end, ascii, ctx, this);
      case 'initcall_finish':
        return parseInitcallFinish(b, start, end, ascii, ctx, this);
      default:
        return parseEventText(name, textOf(b, start, end, ascii), ctx);
    }
  }

  /** parse() for fields held as text (function_graph's `/* event: fields *\/` comments). */
  parseText(name: KnownEventName, fields: string, ctx: EventContext): TraceEvent | null {
    // Written into one reused buffer (nothing keeps a view of it: strings and CommCache entries are copies): as latin1
    // (one byte per character, the fastest write) when the text is ASCII, else as UTF-8.
    const ascii = !NON_ASCII.test(fields);
    const length = ascii ? fields.length : Buffer.byteLength(fields, 'utf8');
    if (length > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(length, 2 * this.scratch.length));
    this.scratch.write(fields, 0, ascii ? 'latin1' : 'utf8');
    return this.parse(name, this.scratch, 0, length, ascii, ctx);
  }
}

/** The events without numeric fields, read from their decoded text. */
function parseEventText(name: TextEventName, fields: string, ctx: EventContext): TraceEvent | null {
  switch (name) {
    case 'workqueue_activate_work':
    case 'workqueue_execute_start':
    case 'workqueue_execute_end':
      return parseWorkEvent(name, fields, ctx);
    case 'initcall_level':
      return fields.startsWith('level=') ? { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_level', level: fields.slice(6).trimEnd() } : null;
    case 'initcall_start':
      return fields.startsWith('func=') ? { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'initcall_start', func: fields.slice(5).trimEnd() } : null;
    case 'tracing_mark_write':
      // Markers are few and kept by the model: their text is copied off the decoded chunk (detached-string.ts).
      return { source: ctx.source, timeNs: ctx.timeNs, cpu: ctx.cpu, pid: ctx.pid, comm: ctx.comm, tgid: ctx.tgid, type: 'marker', text: detached(fields) };
    case 'print':
      return parsePrint(fields, ctx);
    case 'funcgraph_entry':
    case 'funcgraph_exit':
      return parseGraphColumns(fields, 0, ctx);
  }
}
