// Kernel lines in syslog files (rsyslog / syslog-ng / busybox syslogd `kern.log`, `messages`):
// a syslog header, either the BSD `Mmm dd hh:mm:ss host kernel: ` (RFC 3164, rsyslog
// RSYSLOG_TraditionalFileFormat) or an RFC 3339 stamp `2023-11-08T17:20:01.273986+01:00 host kernel: `
// (RSYSLOG_FileFormat, syslog-ng ts-format(iso)), then the kernel text as /proc/kmsg gave it, usually
// still carrying the printk prefix `[    1.892879] ` (and a caller bracket with CONFIG_PRINTK_CALLER)
// — docs/kernel-log-formats.md §1.5. Lines of other programs are skipped. Checked against the real kern.log files in
// corpus/dmesg_formats/ (Ubuntu 14.04 rsyslog with 3.13; rsyslog RFC 3339 and syslog-ng with 6.x).
// Time: the inner printk time when present (clock 'printk'), else the syslog stamp (clock 'wall').

import { parsePrintkPrefix } from './dmesg-prefix.js';
import { createJournalShortParser, type KernelTextReader } from './journal.js';
import type { PresentationContext, PresentationParser } from './kernel-log-presentation.js';

const syslogText: KernelTextReader = (h, rest) => {
  const p = parsePrintkPrefix(rest);
  if (p && p.timeNs !== null) {
    return { stamp: { timeNs: p.timeNs, clock: 'printk', level: p.level, facility: p.facility ?? 0, caller: p.caller }, text: rest.slice(p.textStart) };
  }
  return { stamp: { timeNs: h.timeNs, clock: h.clock, level: p ? p.level : null, facility: 0, caller: null }, text: p ? rest.slice(p.textStart) : rest };
};

export function createSyslogParser(ctx: PresentationContext): PresentationParser {
  return createJournalShortParser(ctx, 'syslog', syslogText);
}
