// The tracepoint names trace-probe materialises as TraceEvents (trace-event-fields.ts parses their fields); every
// other event name in a trace is only counted.

import { asciiBytes } from './byte-text.js';

/** Event names materialised as TraceEvents; every other name is only counted. */
export const KNOWN_EVENT_NAMES = [
  'sched_switch',
  'sched_wakeup',
  'sched_wakeup_new',
  'sched_waking',
  'sched_migrate_task',
  'sched_process_exec',
  'workqueue_queue_work',
  'workqueue_activate_work',
  'workqueue_execute_start',
  'workqueue_execute_end',
  'initcall_level',
  'initcall_start',
  'initcall_finish',
  'tracing_mark_write',
  'print',
  'funcgraph_entry',
  'funcgraph_exit',
] as const;
export type KnownEventName = (typeof KNOWN_EVENT_NAMES)[number];

/** The known event whose name is exactly `b[start, end)`, or null. Allocates nothing. */
export function knownEventAt(b: Uint8Array, start: number, end: number): KnownEventName | null {
  const candidates = NAMES_BY_LENGTH[end - start];
  if (candidates === undefined) return null;
  // Compared from the last character: names of one length share their prefixes (sched_wakeup/sched_waking).
  const length = end - start;
  for (let c = 0; c < candidates.length; c++) {
    const bytes = candidates[c]!.bytes;
    let k = length - 1;
    while (k >= 0 && bytes[k] === b[start + k]) k--;
    if (k < 0) return candidates[c]!.name;
  }
  return null;
}

const NAMES_BY_LENGTH: Array<Array<{ name: KnownEventName; bytes: Uint8Array }> | undefined> = [];
for (const name of KNOWN_EVENT_NAMES) (NAMES_BY_LENGTH[name.length] ??= []).push({ name, bytes: asciiBytes(name) });
const KNOWN_NAMES: ReadonlySet<string> = new Set(KNOWN_EVENT_NAMES);

/** `name` if it is a known event name, else null. */
export function knownEventName(name: string): KnownEventName | null {
  return KNOWN_NAMES.has(name) ? (name as KnownEventName) : null;
}
