// Serial console captures: what the kernel writes to the console (kernel/printk/printk.c
// info_print_prefix: optional "<%u>" with console_msg_format=syslog, "[%5lu.%06lu]", the caller
// bracket with CONFIG_PRINTK_CALLER; the prefix is repeated on every line of a multi-line record)
// interleaved with firmware, boot-loader and userspace output, carriage returns and ANSI escape
// sequences (docs/kernel-log-formats.md §1.5). Kernel lines are those with a printk time; everything else is
// skipped silently and counted (it is not a parse error). Checked against the captures' console.log
// (Debian 6.1 under QEMU, /init output interleaved) and the 0-day (LKP) serial logs in corpus/
// initcall_debug/ and corpus/server_nvme_numa/ (decompressor lines before the first kernel line).

import { parsePrintkPrefix } from './dmesg-prefix.js';
import type { PresentationContext, PresentationParser } from './kernel-log-presentation.js';
import { kernelLogLine } from './kernel-log-presentation.js';

/** CSI sequences (`ESC [ ... final`), OSC (`ESC ] ... BEL|ESC \`), two-character escapes, and stray CRs. */
const TERMINAL_NOISE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\r/g;

/** Removes carriage returns and ANSI escape sequences. When a CR rewrote the line, the text after the last CR is what the terminal showed. */
export function cleanConsoleLine(text: string): string {
  if (text.indexOf('\x1b') < 0 && text.indexOf('\r') < 0) return text;
  const lastCr = text.lastIndexOf('\r');
  const shown = lastCr >= 0 && lastCr < text.length - 1 && text.charCodeAt(lastCr + 1) !== 10 ? text.slice(lastCr + 1) : text;
  return shown.replace(TERMINAL_NOISE, '');
}

export function createConsoleParser(ctx: PresentationContext): PresentationParser {
  let skipped = 0;
  return {
    get skipped() {
      return skipped;
    },
    line(raw, lineNo) {
      const text = cleanConsoleLine(raw);
      // The kernel line may follow userspace output on the same physical line (no newline in between).
      let at = 0;
      const p0 = parsePrintkPrefix(text);
      let p = p0 && p0.timeNs !== null ? p0 : null;
      if (p === null) {
        at = text.search(/(?:<\d{1,3}>)?\[ *\d+\.\d{6}\]/);
        if (at > 0) {
          const q = parsePrintkPrefix(text.slice(at));
          p = q && q.timeNs !== null ? q : null;
        }
      }
      if (p === null) {
        skipped++;
        return;
      }
      const body = at > 0 ? text.slice(at) : text;
      ctx.onLine(kernelLogLine(ctx.file, lineNo,
        { timeNs: p.timeNs, clock: 'printk', level: p.level, facility: p.facility, caller: p.caller }, body.slice(p.textStart), false));
    },
    end() {},
  };
}
