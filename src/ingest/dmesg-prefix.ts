// dmesg presentations with the printk clock: the kernel's own prefix and util-linux dmesg's variants.
// Kernel: kernel/printk/printk.c (print_syslog "<%u>", print_time "[%5lu.%06lu]", print_caller "[%6s]"
// with T<pid>/C<cpu>, glued to the time; one space after the last prefix). util-linux
// sys-utils/dmesg.c print_record: -r "<%d>[...]", -x "%-6s:%-6s: " (facility:level), --time-format=
// delta "[<%12.06f>] ", -d "[%5ld.%06ld <%12.06f>] ", -t (no prefix), and since 2.40 the caller id as a
// separate bracket after a space ("[ts] [   T123] ", width of pid_max). Continuation lines of a
// multi-line record are indented and carry no prefix (without -p).
// Checked against Linux 4.19/5.4/5.10/5.15/6.1/6.6/6.12 printk.c and util-linux 2.38/2.40, and real
// logs: the captures (6.1, with and without CONFIG_PRINTK_CALLER) and corpus dmesg_formats/,
// initcall_debug/, server_nvme_numa/ (kernels 3.13 to 7.1).

import type { PrintkCaller } from './kernel-log.js';
import { ns, type Ns } from '../core/units.js';
import type { PresentationContext, PresentationParser, RecordStamp } from './kernel-log-presentation.js';
import { NO_STAMP, badLine, isBlank, isIndented, kernelLogLine } from './kernel-log-presentation.js';

/** `<lvl>`? `[ sec.frac]` then an optional caller bracket (glued or after one space), then one space. */
const PRINTK_PREFIX = /^(?:<(\d{1,3})>)?\[ *(\d+)\.(\d{1,9})\](?: ?\[ *([TC])(\d+)\])? ?/;
/** `<lvl>` alone (syslog(2) / console_msg_format=syslog with printk.time=0). */
const LEVEL_ONLY = /^<(\d{1,3})>/;
/** dmesg -x: `kern  :info  : ` (each name padded to 6). */
const DECODE_PREFIX = /^([a-z]+[0-9]?) *:([a-z]+) *: /;
/** dmesg -d: `[    0.289583 <    0.000003>] `. */
const SHOW_DELTA = /^\[ *(\d+)\.(\d{1,9}) <[ +\-\d.]*>\](?: ?\[ *([TC])(\d+)\])? ?/;
/** dmesg --time-format=delta: `[<    0.000003>] `. */
const DELTA_ONLY = /^\[< *(-?)(\d+)\.(\d{1,9})>\](?: ?\[ *([TC])(\d+)\])? ?/;
/** util-linux >= 2.40 caller bracket: `[   T123] `, after a non-printk time prefix or with no time at all. */
const CALLER_BRACKET = /^\[ *([TC])(\d+)\] ?/;

/** The caller id of a `[    T300] ` prefix with no time before it (util-linux ≥ 2.40 `-t`, `-x -t`), and where the text starts; null if none. */
export function parseCallerOnly(text: string): { caller: PrintkCaller; textStart: number } | null {
  const m = CALLER_BRACKET.exec(text);
  return m ? { caller: callerOf(m[1], m[2])!, textStart: m[0].length } : null;
}

export const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp',
  'res0', 'res1', 'res2', 'res3', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
export const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

/** `sec` and a fraction of up to 9 digits (µs as printed by printk) to integer ns. */
export function secondsToNs(sec: string, frac: string): Ns {
  return ns(Number(sec) * 1e9 + Number(frac) * 10 ** (9 - frac.length));
}

export function callerOf(kind: string | undefined, id: string | undefined): PrintkCaller | null {
  if (kind === undefined || id === undefined) return null;
  return { kind: kind === 'C' ? 'C' : 'T', id: Number(id) };
}

/** The §1.1 prefix of one line (`<lvl>`, time, caller). */
export interface PrintkPrefix {
  level: number | null;
  facility: number | null;
  timeNs: Ns | null;
  caller: PrintkCaller | null;
  /** Index of the first character of the message text. */
  textStart: number;
}

/** Parses `<lvl>[ts][caller] ` / `[ts] [caller] ` / `<lvl>` at the start of `text`; null when neither a level nor a time is there. */
export function parsePrintkPrefix(text: string): PrintkPrefix | null {
  const m = PRINTK_PREFIX.exec(text);
  if (m) {
    const raw = m[1];
    return {
      level: raw === undefined ? null : Number(raw) & 7,
      facility: raw === undefined ? null : Number(raw) >> 3,
      timeNs: secondsToNs(m[2]!, m[3]!),
      caller: callerOf(m[4], m[5]),
      textStart: m[0].length,
    };
  }
  const l = LEVEL_ONLY.exec(text);
  if (l) return { level: Number(l[1]) & 7, facility: Number(l[1]) >> 3, timeNs: null, caller: null, textStart: l[0].length };
  return null;
}

/** Optional util-linux caller bracket at `pos` (after a wall-clock prefix). */
export function parseCallerAt(text: string, pos: number): { caller: PrintkCaller; end: number } | null {
  if (text.charCodeAt(pos) !== 91 /* [ */) return null;
  const c = CALLER_BRACKET.exec(text.slice(pos, pos + 16));
  if (!c) return null;
  return { caller: callerOf(c[1], c[2])!, end: pos + c[0].length };
}

/** dmesg -x `kern  :info  : `: facility and level names padded to 6, then `: `. */
export function parseDecodePrefix(text: string): { facility: number; level: number; end: number } | null {
  const c = text.charCodeAt(0);
  if (c < 97 || c > 122) return null;
  const d = DECODE_PREFIX.exec(text);
  if (!d) return null;
  const facility = FACILITIES.indexOf(d[1]!);
  const level = LEVELS.indexOf(d[2]!);
  return facility < 0 || level < 0 ? null : { facility, level, end: d[0].length };
}

type PrefixedFormat = 'dmesg' | 'dmesg-raw' | 'dmesg-decode' | 'dmesg-delta' | 'dmesg-notime';

/**
 * dmesg with printk time (`dmesg`, `dmesg-raw`, `dmesg-decode`, `dmesg-delta`) or without any prefix
 * (`dmesg-notime`). Unprefixed indented lines continue the previous record; other unprefixed lines
 * are reported and skipped (except in `dmesg-notime`, where every line is a message).
 */
export function createDmesgParser(ctx: PresentationContext, format: PrefixedFormat): PresentationParser {
  let stamp: RecordStamp | null = null;
  let skipped = 0;
  let deltaSum = 0;
  const emit = (lineNo: number, s: RecordStamp, text: string, continuation: boolean) =>
    ctx.onLine(kernelLogLine(ctx.file, lineNo, s, text, continuation));

  const parseDelta = (text: string): { stamp: RecordStamp; textStart: number } | null => {
    const d = SHOW_DELTA.exec(text);
    if (d) return { stamp: { timeNs: secondsToNs(d[1]!, d[2]!), clock: 'printk', level: null, facility: null, caller: callerOf(d[3], d[4]) }, textStart: d[0].length };
    const o = DELTA_ONLY.exec(text);
    if (o) {
      // Signed: printk times go backwards when a CPU prints before its clock is synchronised (util-linux prints `%12.06f`).
      deltaSum += (o[1] === '-' ? -1 : 1) * secondsToNs(o[2]!, o[3]!);
      return { stamp: { timeNs: ns(deltaSum), clock: 'printk', level: null, facility: null, caller: callerOf(o[4], o[5]) }, textStart: o[0].length };
    }
    return null;
  };

  return {
    get skipped() {
      return skipped;
    },
    line(text, lineNo) {
      if (isBlank(text)) {
        skipped++;
        return;
      }
      if (format === 'dmesg-notime') {
        const c = parseCallerOnly(text);
        emit(lineNo, c ? { ...NO_STAMP, caller: c.caller } : NO_STAMP, c ? text.slice(c.textStart) : text, false);
        return;
      }
      if (format === 'dmesg' || format === 'dmesg-raw') {
        // Fast path for the common case: one regex, one record (the record is the stamp of its continuations).
        const m = PRINTK_PREFIX.exec(text);
        if (m) {
          const raw = m[1];
          const record = kernelLogLine(ctx.file, lineNo, {
            timeNs: secondsToNs(m[2]!, m[3]!),
            clock: 'printk',
            level: raw === undefined ? null : Number(raw) & 7,
            facility: raw === undefined ? null : Number(raw) >> 3,
            caller: m[4] === undefined ? null : callerOf(m[4], m[5]),
          }, text.slice(m[0].length), false);
          stamp = record;
          ctx.onLine(record);
          return;
        }
      }
      // dmesg -x puts `kern  :info  : ` before whichever time format was chosen.
      const decoded = parseDecodePrefix(text);
      const body = decoded ? text.slice(decoded.end) : text;
      let parsed: { stamp: RecordStamp; textStart: number } | null = format === 'dmesg-delta' ? parseDelta(body) : null;
      if (parsed === null) {
        const p = parsePrintkPrefix(body);
        if (p) {
          parsed = {
            stamp: { timeNs: p.timeNs, clock: p.timeNs === null ? 'none' : 'printk', level: p.level, facility: p.facility, caller: p.caller },
            textStart: p.textStart,
          };
        }
      }
      if (parsed === null && decoded) {
        const c = parseCallerOnly(body);
        parsed = c ? { stamp: { ...NO_STAMP, caller: c.caller }, textStart: c.textStart } : { stamp: { ...NO_STAMP }, textStart: 0 };
      }
      if (parsed && decoded) {
        parsed.stamp.level = decoded.level;
        parsed.stamp.facility = decoded.facility;
      }
      if (parsed) {
        stamp = parsed.stamp;
        emit(lineNo, stamp, body.slice(parsed.textStart), false);
      } else if (stamp !== null && isIndented(text) && !(format === 'dmesg' && text.charCodeAt(0) === 9)) {
        // util-linux indents a record's continuation lines with spaces; a line that starts with a tab after a
        // timed dmesg line is other output pasted after the log (`lspci -vvv`), not a continuation.
        emit(lineNo, stamp, text.trimStart(), true);
      } else {
        badLine(ctx, lineNo, format, text);
      }
    },
    end() {},
  };
}
