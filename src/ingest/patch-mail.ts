// Bare kernel message lines with no prefix at all, as pasted into patch mails and bug reports
// (e.g. the EPYC 9A64 numbers of the PCI probe patch thread, examples/epyc9a64-patch-mail/, lines
// of the custom `CPU: n, COMM: c, probe cost: N ns` instrumentation of docs/kernel-log-formats.md §5). Mail quoting
// (`> `) and the indentation mail clients add are removed; blank lines are skipped. No time, no level.

import type { PresentationContext, PresentationParser } from './kernel-log-presentation.js';
import { NO_STAMP, kernelLogLine } from './kernel-log-presentation.js';

const QUOTE_AND_INDENT = /^(?:\s*>)*\s*/;

export function createPatchMailParser(ctx: PresentationContext): PresentationParser {
  let skipped = 0;
  return {
    get skipped() {
      return skipped;
    },
    line(text, lineNo) {
      const q = QUOTE_AND_INDENT.exec(text);
      const body = q && q[0].length > 0 ? text.slice(q[0].length) : text;
      if (body.trim().length === 0) {
        skipped++;
        return;
      }
      ctx.onLine(kernelLogLine(ctx.file, lineNo, NO_STAMP, body.trimEnd(), false));
    },
    end() {},
  };
}
