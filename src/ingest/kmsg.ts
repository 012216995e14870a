// /dev/kmsg records, as read from /dev/kmsg or forwarded verbatim (netconsole extended format).
// Kernel: kernel/printk/printk.c info_print_ext_header "%u,%llu,%llu,%c%s;" (prio, seq, µs since
// boot, flag '-' / 'c' (LOG_CONT) / '+' (old kernels), then ",caller=T123" with CONFIG_PRINTK_CALLER,
// 5.1+; netconsole's extended format adds ",ncfrag=<off>/<len>"), msg_add_ext_text
// (bytes < 0x20, >= 0x7f and '\' escaped as \xNN, so an embedded newline is \x0a) and
// msg_add_dict_text (dictionary lines " SUBSYSTEM=pci", " DEVICE=+pci:0000:00:01.0" after the record).
// Checked against 4.19, 5.10, 6.1, 6.12 printk.c and the real netconsole capture in
// corpus/dmesg_formats/netconsole_rtw89_crash_kmsg_raw_records.txt.

import { ns } from '../core/units.js';
import { callerOf } from './dmesg-prefix.js';
import type { PresentationContext, PresentationParser, RecordStamp } from './kernel-log-presentation.js';
import { badLine, kernelLogLine } from './kernel-log-presentation.js';

const HEADER = /^(\d{1,4}),(\d+),(\d+),([-c+])([^;]*);/;
const CALLER_FIELD = /(?:^|,)caller=([TC])(\d+)/;
const DICTIONARY = /^ [A-Z_][A-Z0-9_]*=/;
const ESCAPE = /\\x([0-9a-fA-F]{2})/g;
const utf8 = new TextDecoder('utf-8');

/** Undoes the kernel's \xNN escaping; escaped byte runs are decoded as UTF-8 (invalid bytes become U+FFFD). */
export function unescapeKmsgText(text: string): string {
  if (!text.includes('\\x')) return text;
  const bytes: number[] = [];
  let last = 0;
  for (const m of text.matchAll(ESCAPE)) {
    const at = m.index;
    if (at > last) for (const b of Buffer.from(text.slice(last, at), 'utf8')) bytes.push(b);
    bytes.push(parseInt(m[1]!, 16));
    last = at + m[0].length;
  }
  if (last < text.length) for (const b of Buffer.from(text.slice(last), 'utf8')) bytes.push(b);
  return utf8.decode(Uint8Array.from(bytes));
}

export function createKmsgParser(ctx: PresentationContext): PresentationParser {
  let skipped = 0;
  let lastSeq: number | null = null;
  let inRecord = false;
  return {
    get skipped() {
      return skipped;
    },
    line(text, lineNo) {
      if (text.length === 0) {
        skipped++;
        return;
      }
      const m = HEADER.exec(text);
      if (!m) {
        if (inRecord && DICTIONARY.test(text)) skipped++;
        else badLine(ctx, lineNo, 'kmsg', text);
        return;
      }
      inRecord = true;
      const prio = Number(m[1]);
      const seq = Number(m[2]);
      if (lastSeq !== null && seq > lastSeq + 1) {
        ctx.onDiagnostic({ file: ctx.file, line: lineNo, severity: 'warning',
          message: `kmsg sequence jumps from ${lastSeq} to ${seq}: ${seq - lastSeq - 1} records missing (overwritten or filtered)` });
      }
      lastSeq = seq;
      const c = m[5] ? CALLER_FIELD.exec(m[5]) : null;
      const stamp: RecordStamp = {
        timeNs: ns(Number(m[3]) * 1000),
        clock: 'printk',
        level: prio & 7,
        facility: prio >> 3,
        caller: c ? callerOf(c[1], c[2]) : null,
      };
      const pieces = unescapeKmsgText(text.slice(m[0].length)).split('\n');
      // 'c' (LOG_CONT): a pr_cont() piece the kernel could not merge, stored as its own record that
      // continues the previous one (5.10+); '+' is the old (3.x) mark of a continuation fragment.
      const fragment = m[4] === 'c' || m[4] === '+';
      pieces.forEach((piece, i) => ctx.onLine(kernelLogLine(ctx.file, lineNo, stamp, piece, fragment || i > 0)));
    },
    end() {},
  };
}
