// Times that cannot be, caught before anything uses them. A kernel log can hold them honestly:
// - printk time going backwards inside one span: the `calling` line and the `returned` line were printed on
//   two CPUs whose clocks disagree (local_clock() is per CPU; sched_clock_stable() off, TSC not synchronised
//   yet early in boot, e.g. 5.10.70's pt_init returned at 2.775891 s after being called at 2.776000 s);
// - a printed duration longer than the time since boot at its own line (a start before boot), or too large
//   for integer ns at all (a corrupted or hand-edited line: `after 99999999999999999999999 usecs`);
// - a negative duration or a time that is not an integer number of ns (arithmetic on a value beyond 2^53).
// Each such span gets a diagnostic naming its file and line and is marked (`invalid`, the reason); a marked
// span keeps integer times (an unknowable start becomes null, an unknowable duration 0) and is left out of the
// findings and the simulator's workload. The Boot JSON check refuses such values in a file read back.

import type { Diagnostic, InitcallSpan, Ns, ProbeSpan } from './types.js';
import { ns } from './types.js';

/** Presentations whose times are printk's, counted from boot (a start before 0 is before boot). */
const BOOT_CLOCK_FORMATS = new Set(['dmesg', 'dmesg-raw', 'dmesg-decode', 'dmesg-delta', 'kmsg', 'console', 'journal-short-monotonic']);

export function isBootClockFormat(format: string): boolean {
  return BOOT_CLOCK_FORMATS.has(format);
}

const okTime = (v: number | null | undefined) => v === null || v === undefined || Number.isSafeInteger(v);
const seconds = (v: number) => (Math.abs(v) < 1e12 * 1e9 ? `${(v / 1e9).toFixed(6)} s` : `${(v / 1e9).toExponential(3)} s`);

interface Span {
  startNs: Ns | null;
  endNs: Ns | null;
  durationNs: Ns | null;
  invalid?: string;
  source: { file: string; line: number };
}

/** The reason a span's times cannot be, or null. `bootClock`: its times count from boot. */
function whyImpossible(s: Span, bootClock: boolean): { reason: string; unknownStart: boolean; unknownDuration: boolean } | null {
  if (!okTime(s.durationNs) || (s.durationNs !== null && s.durationNs < 0)) {
    return { reason: `its duration (${s.durationNs === null ? '?' : seconds(s.durationNs)}) is ${s.durationNs !== null && s.durationNs < 0 ? 'negative' : 'not an integer number of ns (beyond 2^53 ns, 104 days)'}`, unknownStart: true, unknownDuration: true };
  }
  if (!okTime(s.endNs) || (s.endNs !== null && s.endNs < 0 && bootClock)) {
    return { reason: `its end time (${s.endNs === null ? '?' : seconds(s.endNs)}) cannot be`, unknownStart: true, unknownDuration: false };
  }
  if (!okTime(s.startNs) || (s.startNs !== null && s.startNs < 0 && bootClock)) {
    const longer = s.endNs !== null && s.durationNs !== null && s.durationNs > s.endNs;
    return {
      reason: longer ? `its duration (${seconds(s.durationNs!)}) is longer than the ${seconds(s.endNs!)} since boot at its line (a start before boot)` : `its start time (${s.startNs === null ? '?' : seconds(s.startNs)}) cannot be`,
      unknownStart: true,
      unknownDuration: longer,
    };
  }
  if (s.startNs !== null && s.endNs !== null && s.endNs < s.startNs) {
    return { reason: `printk time goes backwards inside it: it ends at ${seconds(s.endNs)}, before it starts at ${seconds(s.startNs)} (lines printed on CPUs whose clocks disagree?)`, unknownStart: false, unknownDuration: false };
  }
  return null;
}

/** Marks the probe spans and initcalls whose times cannot be; returns one diagnostic for each. */
export function markImpossibleTimes(probes: ProbeSpan[], initcalls: InitcallSpan[], bootClock: (file: string) => boolean): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const check = (s: Span, what: string, keepDuration: (d: Ns) => void) => {
    const why = whyImpossible(s, bootClock(s.source.file));
    if (why === null) return;
    s.invalid = why.reason;
    if (why.unknownStart) s.startNs = null;
    if (!okTime(s.endNs)) s.endNs = null;
    if (why.unknownDuration || !okTime(s.durationNs) || (s.durationNs !== null && s.durationNs < 0)) keepDuration(ns(0));
    diagnostics.push({ file: s.source.file, line: s.source.line, severity: 'warning',
      message: `${what}: ${why.reason}; the span is marked invalid and left out of the findings` });
  };
  for (const p of probes) check(p, `probe of ${p.device}`, (d) => (p.durationNs = d));
  for (const c of initcalls) check(c, `initcall ${c.fn}`, () => (c.durationNs = null));
  return diagnostics;
}
