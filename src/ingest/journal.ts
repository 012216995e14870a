// systemd journal output of kernel records (`journalctl -k` or a whole journal; other identifiers
// are skipped). Sources: systemd src/shared/logs-show.c (output_short with the short, short-precise,
// short-iso, short-iso-precise, short-monotonic, short-delta and short-unix timestamps; output_json;
// output_export) and src/journal/journald-kmsg.c (kernel records: _TRANSPORT=kernel,
// SYSLOG_IDENTIFIER=kernel, PRIORITY, SYSLOG_FACILITY, _SOURCE_MONOTONIC_TIMESTAMP = the kmsg µs).
// Checked against systemd 245..257 (old ones print the ISO zone as +0000) and the real journalctl
// logs in corpus/dmesg_formats/ and corpus/server_nvme_numa/.
// Clocks: short-monotonic / short-delta print the monotonic time, i.e. _SOURCE_MONOTONIC_TIMESTAMP
// before systemd 256.1 (the printk time) and journald's receive time since then (systemd #34250);
// the other short modes print the receive wall clock (ns since the first line, clock 'wall').
// json / export: time from _SOURCE_MONOTONIC_TIMESTAMP, else __MONOTONIC_TIMESTAMP (warned once).
// json-pretty (json_variant_dump with JSON_FORMAT_PRETTY): each entry is `{` on a line of its own, one
// indented `"FIELD" : value,` line per field (a tab since systemd 240, 8 spaces before), and `}`.

import { ns, type Ns } from '../core/units.js';
import { WallClock, calendarSeconds, fractionToNs, monthIndex, zoneOffsetMinutes } from './dmesg-wallclock.js';
import type { PresentationContext, PresentationParser, RecordStamp } from './kernel-log-presentation.js';
import { badLine, isBlank, isIndented, kernelLogLine } from './kernel-log-presentation.js';

const SHORT = /^([A-Z][a-z]{2}) ([ \d]?\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))? /;
const SHORT_ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d) /;
const SHORT_MONOTONIC = /^\[ *(\d+)\.(\d{1,9})(?: <[ \d.]*[ *]?>)?\] /;
const SHORT_UNIX = /^(\d{9,11})\.(\d{1,9}) /;
/** After the stamp: `host identifier[pid]: ` (kernel records have no pid). */
// busybox syslogd writes `host fac.prio ident: ` (sysklogd/syslogd.c timestamp_and_log(): "%s %.64s %s %s").
/** `host [fac.prio ]ident[pid]: ` after a syslog / journal short header (groups: host, ident, pid); detect.ts sniffs with it too. */
export const ORIGIN = /^(\S+) (?:[a-z0-9]+\.[a-z]+ )?([^\s[:]+)(?:\[(\d+)\])?: ?/;
const BUSYBOX_OWN = /^\S+ syslog\.[a-z]+ /;

/** The stamp and origin of one `journalctl -o short*` line (also the header of syslog files). */
export interface ShortHeader {
  timeNs: Ns;
  clock: 'wall' | 'printk';
  identifier: string;
  textStart: number;
}

/** Parses the timestamps of the short modes; wall stamps go through `wall` (and `years` for the yearless `short`). */
export class ShortHeaderParser {
  private readonly wall = new WallClock();
  private year = 2000;
  private lastMonth = -1;

  parse(text: string): ShortHeader | null {
    let timeNs: Ns;
    let clock: 'wall' | 'printk' = 'wall';
    let end: number;
    const c = text.charCodeAt(0);
    if (c === 91 /* [ */) {
      const m = SHORT_MONOTONIC.exec(text);
      if (!m) return null;
      timeNs = ns(Number(m[1]) * 1e9 + fractionToNs(m[2]));
      clock = 'printk';
      end = m[0].length;
    } else if (c >= 48 && c <= 57) {
      const iso = SHORT_ISO.exec(text);
      if (iso) {
        const sec = calendarSeconds(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4]), Number(iso[5]), Number(iso[6]), zoneOffsetMinutes(iso[8]));
        timeNs = this.wall.at(sec, fractionToNs(iso[7]));
        end = iso[0].length;
      } else {
        const u = SHORT_UNIX.exec(text);
        if (!u) return null;
        timeNs = this.wall.at(Number(u[1]), fractionToNs(u[2]));
        end = u[0].length;
      }
    } else {
      const m = SHORT.exec(text);
      if (!m) return null;
      const month = monthIndex(m[1]!);
      if (month < 0) return null;
      if (this.lastMonth >= 0 && month < this.lastMonth) this.year++;
      this.lastMonth = month;
      const sec = calendarSeconds(this.year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
      timeNs = this.wall.at(sec, fractionToNs(m[6]));
      end = m[0].length;
    }
    const o = ORIGIN.exec(text.slice(end, end + 300));
    if (!o) {
      // busybox syslogd's own messages carry no identifier (`vm syslog.info syslogd started: BusyBox v1.36.1`).
      const own = BUSYBOX_OWN.exec(text.slice(end, end + 300));
      return own ? { timeNs, clock, identifier: 'syslogd', textStart: end + own[0].length } : null;
    }
    return { timeNs, clock, identifier: o[2]!, textStart: end + o[0].length };
  }
}

/** journalctl's own marker lines: `-- Boot 1a2b... --`, `-- Logs begin at ... --`, `-- No entries --`, `-- Reboot --`. */
export function isJournalMarker(text: string): boolean {
  return text.startsWith('-- ') && text.endsWith(' --');
}

type ShortFormat = 'journal-short' | 'journal-short-precise' | 'journal-short-iso' | 'journal-short-monotonic' | 'syslog';

/** How the text after `host kernel: ` becomes a record: the journal keeps it as is; syslog files may still carry the printk prefix. */
export type KernelTextReader = (header: ShortHeader, rest: string) => { stamp: RecordStamp; text: string };

const journalText: KernelTextReader = (h, rest) => ({ stamp: { timeNs: h.timeNs, clock: h.clock, level: null, facility: 0, caller: null }, text: rest });

/**
 * Lines with a short-mode header (any `journalctl -o short*` stamp, or a syslog header): kernel
 * records are emitted, other identifiers and journal markers are skipped, indented lines continue the
 * previous record when it was a kernel one.
 */
export function createJournalShortParser(ctx: PresentationContext, format: ShortFormat, readText: KernelTextReader = journalText): PresentationParser {
  const headers = new ShortHeaderParser();
  let skipped = 0;
  let stamp: RecordStamp | null = null;
  let lastWasKernel = false;
  return {
    get skipped() {
      return skipped;
    },
    line(text, lineNo) {
      if (isBlank(text) || isJournalMarker(text)) {
        skipped++;
        return;
      }
      const h = headers.parse(text);
      if (h) {
        lastWasKernel = h.identifier === 'kernel';
        if (!lastWasKernel) {
          skipped++;
          return;
        }
        const r = readText(h, text.slice(h.textStart));
        stamp = r.stamp;
        ctx.onLine(kernelLogLine(ctx.file, lineNo, stamp, r.text, false));
      } else if (isIndented(text)) {
        if (lastWasKernel && stamp !== null) ctx.onLine(kernelLogLine(ctx.file, lineNo, stamp, text.trimStart(), true));
        else skipped++;
      } else {
        badLine(ctx, lineNo, format, text);
      }
    },
    end() {},
  };
}

/** The journal fields a kernel record needs. */
interface JournalFields {
  message: string | null;
  transport: string | null;
  identifier: string | null;
  priority: string | null;
  facility: string | null;
  sourceMonotonicUs: string | null;
  monotonicUs: string | null;
}

const emptyFields = (): JournalFields => ({
  message: null, transport: null, identifier: null, priority: null, facility: null, sourceMonotonicUs: null, monotonicUs: null,
});

/** Emits one journal entry if it is a kernel record; returns false when it is not one. */
function emitJournalEntry(ctx: PresentationContext, lineNo: number, f: JournalFields, fallback: { warned: boolean }): boolean {
  const isKernel = f.transport !== null ? f.transport === 'kernel' : f.identifier === 'kernel';
  if (!isKernel || f.message === null) return false;
  let timeNs: Ns | null = null;
  if (f.sourceMonotonicUs !== null && /^\d+$/.test(f.sourceMonotonicUs)) {
    timeNs = ns(Number(f.sourceMonotonicUs) * 1000);
  } else if (f.monotonicUs !== null && /^\d+$/.test(f.monotonicUs)) {
    timeNs = ns(Number(f.monotonicUs) * 1000);
    if (!fallback.warned) {
      fallback.warned = true;
      ctx.onDiagnostic({ file: ctx.file, line: lineNo, severity: 'warning',
        message: 'kernel record without _SOURCE_MONOTONIC_TIMESTAMP: using __MONOTONIC_TIMESTAMP (journald receive time, not the printk time) for such records' });
    }
  }
  const priority = f.priority !== null && /^[0-7]$/.test(f.priority) ? Number(f.priority) : null;
  const facility = f.facility !== null && /^\d+$/.test(f.facility) ? Number(f.facility) : 0;
  const stamp: RecordStamp = { timeNs, clock: timeNs === null ? 'none' : 'printk', level: priority, facility, caller: null };
  f.message.split('\n').forEach((piece, i) => ctx.onLine(kernelLogLine(ctx.file, lineNo, stamp, piece, i > 0)));
  return true;
}

/** A JSON field value: a string, a byte array (non-UTF-8 or binary data), or an array of either when repeated. */
function jsonFieldText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((b) => typeof b === 'number')) return Buffer.from(value as number[]).toString('utf8');
    return value.length > 0 ? jsonFieldText(value[0]) : null;
  }
  return null;
}

/** Bytes a json-pretty entry may hold before it is given up (journalctl prints a binary field one byte per line). */
const MAX_PRETTY_ENTRY_CHARS = 16 << 20;
const PRETTY_MESSAGE = /^\s*"MESSAGE"\s*:/;

/**
 * `journalctl -o json` (one JSON object per line), `-o json-seq` (RFC 7464: an RS byte before each) and
 * `-o json-pretty` (an object over several lines, from a `{` line to a `}` line).
 */
export function createJournalJsonParser(ctx: PresentationContext): PresentationParser {
  let skipped = 0;
  const fallback = { warned: false };
  /** The lines of an open json-pretty entry, its first line and the line of its MESSAGE field. */
  let pretty: string[] | null = null;
  let prettyLine = 0;
  let messageLine = 0;

  const entry = (json: string, lineNo: number, shown: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      parsed = null;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      badLine(ctx, lineNo, 'journal-json', shown);
      return;
    }
    const o = parsed as Record<string, unknown>;
    const fields: JournalFields = {
      message: jsonFieldText(o.MESSAGE),
      transport: jsonFieldText(o._TRANSPORT),
      identifier: jsonFieldText(o.SYSLOG_IDENTIFIER),
      priority: jsonFieldText(o.PRIORITY),
      facility: jsonFieldText(o.SYSLOG_FACILITY),
      sourceMonotonicUs: jsonFieldText(o._SOURCE_MONOTONIC_TIMESTAMP),
      monotonicUs: jsonFieldText(o.__MONOTONIC_TIMESTAMP),
    };
    if (!emitJournalEntry(ctx, lineNo, fields, fallback)) skipped++;
  };
  const unclosed = (why: string) => {
    ctx.onDiagnostic({ file: ctx.file, line: prettyLine, severity: 'warning', message: `json-pretty entry starting here ${why}: skipped` });
    pretty = null;
  };
  /** An entry given up for its size: its remaining lines are skipped up to its closing `}`. */
  let skippingEntry = false;
  let prettyChars = 0;

  return {
    get skipped() {
      return skipped;
    },
    line(text, lineNo) {
      // Entries are objects without nested objects: their `{` and `}` are the only ones at the start of a line.
      const top = text.trimEnd();
      if (skippingEntry) {
        if (top === '}') skippingEntry = false;
        return;
      }
      if (pretty !== null) {
        if (top === '{') {
          unclosed('has no closing `}` before the next entry (cut?)');
        } else {
          pretty.push(text);
          prettyChars += text.length;
          if (messageLine === 0 && PRETTY_MESSAGE.test(text)) messageLine = lineNo;
          if (top === '}') {
            const lines = pretty;
            pretty = null;
            entry(lines.join('\n'), messageLine || prettyLine, '{ ... }');
          } else if (prettyChars > MAX_PRETTY_ENTRY_CHARS) {
            unclosed(`is longer than ${MAX_PRETTY_ENTRY_CHARS >> 20} MiB`);
            skippingEntry = true;
          }
          return;
        }
      }
      if (top === '') {
        skipped++;
        return;
      }
      if (top === '{') {
        pretty = [text];
        prettyChars = text.length;
        prettyLine = lineNo;
        messageLine = 0;
        return;
      }
      // json-seq (RFC 7464) puts an RS byte before each entry.
      entry(text.charCodeAt(0) === 0x1e ? text.slice(1) : text, lineNo, text);
    },
    end() {
      if (pretty !== null) unclosed('is not closed before the end of the file (file cut?)');
    },
  };
}

const EXPORT_FIELD = /^([A-Za-z0-9_]+)=/;

/**
 * `journalctl -o export`: `FIELD=value` lines, a blank line after each entry. Binary-safe fields (name line,
 * 64-bit size, raw bytes: a multi-line MESSAGE) come as one `FIELD=value` from journal-export-reader.ts, so a
 * MESSAGE may hold newlines (one KernelLogLine per line, as for json).
 */
export function createJournalExportParser(ctx: PresentationContext): PresentationParser {
  let skipped = 0;
  const fallback = { warned: false };
  let fields = emptyFields();
  let entryLine = 0;
  let messageLine = 0;
  let open = false;
  const flush = () => {
    if (open && !emitJournalEntry(ctx, messageLine || entryLine, fields, fallback)) skipped++;
    fields = emptyFields();
    open = false;
    messageLine = 0;
  };
  return {
    get skipped() {
      return skipped;
    },
    line(text, lineNo) {
      if (text.length === 0) {
        flush();
        return;
      }
      const m = EXPORT_FIELD.exec(text);
      if (!m) {
        badLine(ctx, lineNo, 'journal-export', text);
        return;
      }
      if (!open) {
        open = true;
        entryLine = lineNo;
      }
      const value = text.slice(m[0].length);
      switch (m[1]) {
        case 'MESSAGE':
          fields.message = value;
          messageLine = lineNo;
          break;
        case '_TRANSPORT':
          fields.transport = value;
          break;
        case 'SYSLOG_IDENTIFIER':
          fields.identifier = value;
          break;
        case 'PRIORITY':
          fields.priority = value;
          break;
        case 'SYSLOG_FACILITY':
          fields.facility = value;
          break;
        case '_SOURCE_MONOTONIC_TIMESTAMP':
          fields.sourceMonotonicUs = value;
          break;
        case '__MONOTONIC_TIMESTAMP':
          fields.monotonicUs = value;
          break;
        default:
          break;
      }
    },
    end() {
      flush();
    },
  };
}
