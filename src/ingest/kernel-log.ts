// The common record every kernel-log presentation (dmesg in all its forms, /dev/kmsg, journalctl,
// syslog files, serial consoles, patch-mail snippets) is reduced to: the message text with every
// prefix stripped, plus what the prefix told us. Presentation modules produce these; the message
// recognisers (kernel-records.ts) and the model builders consume them.

import type { Diagnostic, SourceRef } from '../core/diagnostics.js';
import type { Ns } from '../core/units.js';

/**
 * Which clock `timeNs` is on.
 * - `printk`: the kernel's own local_clock() stamp (dmesg [s.us], -r, -x, kmsg, journal
 *   _SOURCE_MONOTONIC_TIMESTAMP, short-monotonic): exact to the µs.
 * - `wall`: a wall-clock presentation (dmesg -T/iso/reltime, journal short*, syslog): converted to
 *   ns since the first timestamped line of the file; resolution as printed (often 1 s).
 * - `none`: the line carries no timestamp.
 */
export type LogClock = 'printk' | 'wall' | 'none';

export interface PrintkCaller {
  /** `T` = task context (id is a PID), `C` = interrupt context (id is a CPU). */
  kind: 'T' | 'C';
  id: number;
}

export interface KernelLogLine {
  source: SourceRef;
  timeNs: Ns | null;
  clock: LogClock;
  /** syslog level 0..7 when the presentation carries it (`<6>`, `-x`, kmsg, journal PRIORITY). */
  level: number | null;
  /** syslog facility (0 = kern) when the presentation carries it. */
  facility: number | null;
  caller: PrintkCaller | null;
  /** The message text, every presentation prefix removed, leading message spaces kept. */
  text: string;
  /** True for continuation lines of a multi-line record (no prefix of their own). */
  continuation: boolean;
}


export type KernelLogLineSink = (line: KernelLogLine) => void;
export type { DiagnosticSink } from '../core/diagnostics.js';
