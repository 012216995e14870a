// dmesg presentations with wall-clock stamps, from util-linux sys-utils/dmesg.c (print_record):
// -T / --time-format=ctime "[%a %b %e %H:%M:%S %Y] " (with -d: "[ctime <%12.06f>] "),
// --time-format=iso "YYYY-MM-DDTHH:MM:SS,uuuuuu+HH:MM " (comma before the µs), and
// -e / --time-format=reltime "[%b%e %H:%M] " on the first record of each minute, else
// "[  %+8.06f] " (delta to the previous record). util-linux >= 2.40 may add the caller bracket
// "[   T123] " after the stamp; with -x the "kern  :info  : " prefix comes before the stamp. Checked against util-linux 2.38.1 output (docs/kernel-log-formats.md §1.2) and the
// real -T logs in corpus/dmesg_formats/ (util-linux of Debian 11/12, Gentoo, RHEL 10).
// timeNs is ns since the first stamped line of the file (clock 'wall'); these stamps are the boot
// time plus the printk time, so they are wrong after a suspend (dmesg --help says so).

import { ns, type Ns } from '../core/units.js';
import { parseCallerAt, parseDecodePrefix } from './dmesg-prefix.js';
import { parseLocalizedCtime, UnknownMonths } from './dmesg-localized-time.js';
import type { PresentationContext, PresentationParser, RecordStamp } from './kernel-log-presentation.js';
import { badLine, isBlank, isIndented, kernelLogLine } from './kernel-log-presentation.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function monthIndex(name: string): number {
  return MONTHS.indexOf(name);
}

/** Converts wall-clock instants to ns since the first instant seen (integer ns without losing precision). */
export class WallClock {
  private firstSec: number | null = null;
  private firstNs = 0;

  /** `epochSec` whole seconds since 1970 (or any fixed origin), `fracNs` the sub-second part in ns. */
  at(epochSec: number, fracNs: number): Ns {
    if (this.firstSec === null) {
      this.firstSec = epochSec;
      this.firstNs = fracNs;
    }
    return ns((epochSec - this.firstSec) * 1e9 + (fracNs - this.firstNs));
  }
}

/** Sub-second digits (any count up to 9) to ns. */
export function fractionToNs(digits: string | undefined): number {
  return digits === undefined || digits.length === 0 ? 0 : Number(digits) * 10 ** (9 - digits.length);
}

/** Seconds since the epoch of a calendar time given in a zone `offsetMinutes` east of UTC. */
export function calendarSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number, offsetMinutes = 0): number {
  return Date.UTC(year, month, day, hour, minute, second) / 1000 - offsetMinutes * 60;
}

/** `+01:00`, `+0100`, `Z`, or nothing (local time, taken as UTC: only differences matter). */
export function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === '' || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

const CTIME = /^\[[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})(?: <[ +\-\d.]*>)?\] ?/;
const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[,.](\d{1,9}))?(Z|[+-]\d\d:?\d\d)? /;
const REL_MINUTE = /^\[([A-Z][a-z]{2}) ?(\d{1,2}) (\d\d):(\d\d)\] ?/;
const REL_DELTA = /^\[ *([+-])(\d+)\.(\d{1,9})\] ?/;

type WallFormat = 'dmesg-ctime' | 'dmesg-iso' | 'dmesg-reltime';

export function createDmesgWallClockParser(ctx: PresentationContext, format: WallFormat): PresentationParser {
  const clock = new WallClock();
  let stamp: RecordStamp | null = null;
  let skipped = 0;
  // reltime state: accumulated time, and the minute of the first record (a year is assumed; it
  // advances when the month goes backwards, i.e. the log crossed New Year).
  let relNs = 0;
  let relYear = 2000;
  let relLastMonth = -1;
  let relFirstMinute: number | null = null;
  let relUnanchored = false;
  let lineNoNow = 0;
  const unknownMonths = new UnknownMonths();

  const stampOf = (text: string): { timeNs: Ns; textStart: number } | null => {
    if (format === 'dmesg-ctime') {
      const m = CTIME.exec(text);
      if (!m) {
        // Another locale's stamp (dmesg-localized-time.ts).
        const l = parseLocalizedCtime(text);
        if (l === null) return null;
        const sec = calendarSeconds(l.year, unknownMonths.monthOf(l), l.day, l.hour, l.minute, l.second);
        return { timeNs: clock.at(sec, 0), textStart: l.textStart };
      }
      const month = monthIndex(m[1]!);
      if (month < 0) return null;
      const sec = calendarSeconds(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
      return { timeNs: clock.at(sec, 0), textStart: m[0].length };
    }
    if (format === 'dmesg-iso') {
      const m = ISO.exec(text);
      if (!m) return null;
      const sec = calendarSeconds(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), zoneOffsetMinutes(m[8]));
      return { timeNs: clock.at(sec, fractionToNs(m[7])), textStart: m[0].length };
    }
    const d = REL_DELTA.exec(text);
    if (d) {
      // A log that starts with deltas (its first `[Mmm dd hh:mm]` line cut off): times count from its first line.
      if (relFirstMinute === null && !relUnanchored) {
        relUnanchored = true;
        ctx.onDiagnostic({ file: ctx.file, line: lineNoNow, severity: 'warning',
          message: 'reltime deltas before any [Mmm dd hh:mm] line (the start of the log is missing): times count from this line, not from boot' });
      }
      // `%+8.06f`: negative when printk time went backwards (a CPU printing before its clock was synchronised).
      relNs += (d[1] === '-' ? -1 : 1) * (Number(d[2]) * 1e9 + fractionToNs(d[3]));
      return { timeNs: ns(relNs), textStart: d[0].length };
    }
    const m = REL_MINUTE.exec(text);
    if (!m) return null;
    const month = monthIndex(m[1]!);
    if (month < 0) return null;
    if (relLastMonth >= 0 && month < relLastMonth) relYear++;
    relLastMonth = month;
    const minute = calendarSeconds(relYear, month, Number(m[2]), Number(m[3]), Number(m[4]), 0) / 60;
    if (relFirstMinute === null) {
      // After unanchored deltas, this minute holds the time summed so far.
      relFirstMinute = relUnanchored ? minute - Math.floor(relNs / 60e9) : minute;
    } else {
      // The record's delta is not printed on a minute line: it lies in that minute, so it is at
      // least (minute - first minute - 1) minutes after the first record, and not before the previous one.
      relNs = Math.max(relNs, (minute - relFirstMinute - 1) * 60e9);
    }
    return { timeNs: ns(relNs), textStart: m[0].length };
  };

  return {
    get skipped() {
      return skipped;
    },
    line(text, lineNo) {
      lineNoNow = lineNo;
      if (isBlank(text)) {
        skipped++;
        return;
      }
      // dmesg -x -T etc.: the facility:level prefix comes first.
      const decoded = parseDecodePrefix(text);
      const body = decoded ? text.slice(decoded.end) : text;
      const s = stampOf(body);
      if (s) {
        let textStart = s.textStart;
        let caller = null;
        if (body.charCodeAt(textStart) === 91) {
          const c = parseCallerAt(body, textStart);
          if (c) {
            caller = c.caller;
            textStart = c.end;
          }
        }
        stamp = { timeNs: s.timeNs, clock: 'wall', level: decoded ? decoded.level : null, facility: decoded ? decoded.facility : null, caller };
        ctx.onLine(kernelLogLine(ctx.file, lineNo, stamp, body.slice(textStart), false));
      } else if (stamp !== null && isIndented(text)) {
        ctx.onLine(kernelLogLine(ctx.file, lineNo, stamp, text.trimStart(), true));
      } else {
        badLine(ctx, lineNo, format, text);
      }
    },
    end() {},
  };
}

