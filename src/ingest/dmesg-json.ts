// `dmesg -J` / `--json` (util-linux sys-utils/dmesg.c print_record via lib/jsonwrt.c, 2.36+):
//   { "dmesg": [ { "pri": 6, "time":     0.000000, "msg": "..." },{ ... } ] }
// pretty-printed with one member per line; `pri` is facility<<3|level as a number, or with -x
// separate `fac` and `pri` strings ("kern", "info"); `time` is printed "%5ld.%06ld" (a JSON number
// padded with spaces); since 2.40 a `caller` member ("T123"/"C1") when /dev/kmsg has caller ids.
// Checked against util-linux 2.38.1 output (docs/kernel-log-formats.md §1.2) and jsonwrt.c of 2.40 (synthetic
// fixtures: no real `dmesg -J` file is in the corpus). Objects written on one line are accepted too.


import { FACILITIES, LEVELS, callerOf, secondsToNs } from './dmesg-prefix.js';
import type { PresentationContext, PresentationParser, RecordStamp } from './kernel-log-presentation.js';
import { badLine, kernelLogLine } from './kernel-log-presentation.js';

const MEMBER = /^\s*"([a-z]+)":\s*(.*?),?\s*$/;
const TIME = /^(\d+)\.(\d{1,9})$/;
const CALLER = /^([TC])(\d+)$/;
const STRUCTURE = /^\s*(?:\{?\s*"dmesg":\s*\[|\]|\}|\]\s*\}|\}\s*,?\s*\{|\{|\},?)\s*$/;

interface PendingRecord {
  pri: string | null;
  fac: string | null;
  time: string | null;
  caller: string | null;
  msg: string | null;
  msgLine: number;
}

function stringValue(raw: string): string | null {
  if (!raw.startsWith('"')) return raw;
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function createDmesgJsonParser(ctx: PresentationContext): PresentationParser {
  let skipped = 0;
  let rec: PendingRecord | null = null;

  const emit = (r: PendingRecord) => {
    if (r.msg === null) return;
    let level: number | null = null;
    let facility: number | null = null;
    if (r.pri !== null) {
      if (/^\d+$/.test(r.pri)) {
        level = Number(r.pri) & 7;
        facility = Number(r.pri) >> 3;
      } else if (LEVELS.includes(r.pri)) {
        level = LEVELS.indexOf(r.pri);
      }
    }
    if (r.fac !== null && FACILITIES.includes(r.fac)) facility = FACILITIES.indexOf(r.fac);
    const t = r.time !== null ? TIME.exec(r.time.trim()) : null;
    const c = r.caller !== null ? CALLER.exec(r.caller) : null;
    const stamp: RecordStamp = {
      timeNs: t ? secondsToNs(t[1]!, t[2]!) : null,
      clock: t ? 'printk' : 'none',
      level,
      facility,
      caller: c ? callerOf(c[1], c[2]) : null,
    };
    r.msg.split('\n').forEach((piece, i) => ctx.onLine(kernelLogLine(ctx.file, r.msgLine, stamp, piece, i > 0)));
  };

  const fresh = (): PendingRecord => ({ pri: null, fac: null, time: null, caller: null, msg: null, msgLine: 0 });

  const oneLineObject = (text: string, lineNo: number): boolean => {
    const body = text.trim().replace(/^\},\s*/, '').replace(/,$/, '');
    if (!body.startsWith('{') || !body.endsWith('}') || !body.includes('"msg"')) return false;
    let o: unknown;
    try {
      o = JSON.parse(body);
    } catch {
      return false;
    }
    if (o === null || typeof o !== 'object') return false;
    const v = o as Record<string, unknown>;
    const str = (x: unknown) => (x === undefined || x === null ? null : String(x));
    const time = typeof v.time === 'number' ? (v.time as number).toFixed(6) : str(v.time);
    emit({ pri: str(v.pri), fac: str(v.fac), time, caller: str(v.caller), msg: str(v.msg), msgLine: lineNo });
    return true;
  };

  return {
    get skipped() {
      return skipped;
    },
    line(text, lineNo) {
      if (text.trim().length === 0) {
        skipped++;
        return;
      }
      const m = MEMBER.exec(text);
      if (m && m[1] !== 'dmesg') {
        if (rec === null) rec = fresh();
        const value = m[2]!;
        switch (m[1]) {
          case 'pri':
            rec.pri = stringValue(value);
            break;
          case 'fac':
            rec.fac = stringValue(value);
            break;
          case 'time':
            rec.time = value;
            break;
          case 'caller':
            rec.caller = stringValue(value);
            break;
          case 'msg':
            rec.msg = stringValue(value);
            rec.msgLine = lineNo;
            if (rec.msg === null) badLine(ctx, lineNo, 'dmesg-json', text);
            break;
          default:
            break;
        }
        return;
      }
      if (STRUCTURE.test(text)) {
        // `}` / `},{` / `]` close the pending object; `{` opens one.
        if (/^\s*[}\]]/.test(text) && rec !== null) {
          emit(rec);
          rec = null;
        }
        return;
      }
      if (!oneLineObject(text, lineNo)) badLine(ctx, lineNo, 'dmesg-json', text);
    },
    end() {
      if (rec !== null) emit(rec);
      rec = null;
    },
  };
}

