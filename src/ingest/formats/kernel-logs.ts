// Kernel-log presentations: the same printk records as util-linux dmesg (every time format, -r, -x, -J), /dev/kmsg,
// journalctl (short*, json, export), syslog files, serial consoles and patch-mail snippets print them (formats
// doc §1). Each is read by kernel-log-reader.ts with its presentation parser. Which timestamped presentation a
// head is, is one vote over its lines (`presentationVote`), so a file is never two presentations at once.

import { readKernelLog, type KernelLogPresentation } from '../kernel-log-reader.js';
import type { PresentationContext, PresentationParser } from '../kernel-log-presentation.js';
import { createConsoleParser } from '../console.js';
import { createDmesgJsonParser } from '../dmesg-json.js';
import { createDmesgParser } from '../dmesg-prefix.js';
import { createDmesgWallClockParser } from '../dmesg-wallclock.js';
import { createJournalExportParser, createJournalJsonParser, createJournalShortParser } from '../journal.js';
import { createKmsgParser } from '../kmsg.js';
import { createPatchMailParser } from '../patch-mail.js';
import { createSyslogParser } from '../syslog.js';
import { jsonDocumentKind, jsonHeadKind, KERNEL_CLASSES as VOTING_CLASSES, type LineClass, type SniffHead } from '../sniff-head.js';
import type { Confidence, KernelLogFormatModule } from './format-module.js';

interface PresentationOptions {
  framing?: KernelLogPresentation['framing'];
  /** JSON and export records carry no terminal escapes, quoting or vendor tags (default: looked for). */
  decorated?: boolean;
  joinsWrappedLines?: boolean;
}

function kernelLog<const F extends string>(
  format: F,
  createParser: (ctx: PresentationContext) => PresentationParser,
  sniff: (head: SniffHead) => Confidence | null,
  options: PresentationOptions = {},
): KernelLogFormatModule<F> {
  const module: KernelLogFormatModule<F> = {
    format,
    role: 'kernel-log',
    sniff,
    createParser,
    framing: options.framing ?? 'lines',
    decorated: options.decorated ?? true,
    joinsWrappedLines: options.joinsWrappedLines ?? false,
    read: (path, onLine, onDiagnostic) => readKernelLog(path, module, onLine, onDiagnostic),
  };
  return module;
}

type VotedPresentation = (typeof VOTING_CLASSES)[number] | 'console';

/** The timestamped presentation most lines of the head have, or null when kernel lines are not a fair share of it. */
function presentationVote(head: SniffHead): VotedPresentation | null {
  return head.memo('kernel-log-vote', () => {
    const n = (k: LineClass) => head.count(k);
    let best: (typeof VOTING_CLASSES)[number] | null = null;
    for (const k of VOTING_CLASSES) if (n(k) > 0 && (best === null || n(k) > n(best))) best = k;
    // Kernel lines must be a fair share of the head: a README quoting a few log lines is not a log.
    if (best === null || n(best) < Math.min(3, head.lines.length) || n(best) < 0.3 * head.content) return null;
    if (best === 'dmesg' || best === 'dmesg-raw') {
      const printk = n('dmesg') + n('dmesg-raw');
      const unprefixed = n('other') + n('kernel-bare') + n('bdf-message') + n('custom-probe') + n('comment') + n('cpulist') + n('csv-row');
      if (head.nameSays('console', 'serial', 'ttys')) return 'console';
      if (unprefixed >= 2) return 'console';
      return n('dmesg-raw') >= printk / 2 ? 'dmesg-raw' : 'dmesg';
    }
    if (best === 'journal-short' || best === 'journal-short-precise' || best === 'journal-short-iso') {
      // The same header wraps rsyslog/syslog-ng files; kernel lines that still carry the printk time say syslog.
      if (n('syslog') > 0 || head.nameSays('kern.log', 'syslog', 'messages')) return 'syslog';
      if (best === 'journal-short-iso') return n('journal-marker') > 0 || head.nameSays('journal') ? 'journal-short-iso' : 'syslog';
      return best;
    }
    return best;
  });
}

const voted = (format: VotedPresentation) => (head: SniffHead): Confidence | null => (presentationVote(head) === format ? 'likely' : null);

export const dmesgJson = kernelLog('dmesg-json', createDmesgJsonParser, (head) => (jsonHeadKind(head) === 'dmesg-json' ? 'certain' : null), { decorated: false });

export const journalJson = kernelLog('journal-json', createJournalJsonParser, (head) => {
  if (jsonHeadKind(head) === 'journal-json') return 'certain';
  // `journalctl -o json-seq` (RFC 7464): each entry is an RS byte then one JSON object.
  if (head.firstTrimmed.startsWith('\u001e{') && jsonDocumentKind(head.lines.map((l) => l.replace(/^\u001e/, ''))) === 'journal-json') return 'certain';
  return null;
});

/** `journalctl -o export`: `FIELD=value` lines, binary-safe fields framed by length (journal-export-reader.ts). */
export const journalExport = kernelLog('journal-export', createJournalExportParser, (head) => {
  const lines = head.lines;
  if (/^__CURSOR=|^__REALTIME_TIMESTAMP=/.test(head.first ?? '')) return 'certain';
  const exportFields = lines.slice(0, 30).some((l) => /^(?:__MONOTONIC_TIMESTAMP|_SOURCE_MONOTONIC_TIMESTAMP|_TRANSPORT)=/.test(l)) && lines.slice(0, 10).every((l) => /^[A-Za-z0-9_]+=/.test(l));
  return exportFields ? 'certain' : null;
}, { framing: 'journal-export', decorated: false });

export const kmsg = kernelLog('kmsg', createKmsgParser, voted('kmsg'));
export const dmesg = kernelLog('dmesg', (ctx) => createDmesgParser(ctx, 'dmesg'), voted('dmesg'), { joinsWrappedLines: true });
export const dmesgRaw = kernelLog('dmesg-raw', (ctx) => createDmesgParser(ctx, 'dmesg-raw'), voted('dmesg-raw'), { joinsWrappedLines: true });
export const dmesgDecode = kernelLog('dmesg-decode', (ctx) => createDmesgParser(ctx, 'dmesg-decode'), voted('dmesg-decode'));
export const dmesgDelta = kernelLog('dmesg-delta', (ctx) => createDmesgParser(ctx, 'dmesg-delta'), voted('dmesg-delta'));
export const dmesgCtime = kernelLog('dmesg-ctime', (ctx) => createDmesgWallClockParser(ctx, 'dmesg-ctime'), voted('dmesg-ctime'));
export const dmesgReltime = kernelLog('dmesg-reltime', (ctx) => createDmesgWallClockParser(ctx, 'dmesg-reltime'), voted('dmesg-reltime'));
export const dmesgIso = kernelLog('dmesg-iso', (ctx) => createDmesgWallClockParser(ctx, 'dmesg-iso'), voted('dmesg-iso'));
export const syslog = kernelLog('syslog', createSyslogParser, voted('syslog'));
export const journalShort = kernelLog('journal-short', (ctx) => createJournalShortParser(ctx, 'journal-short'), voted('journal-short'));
export const journalShortPrecise = kernelLog('journal-short-precise', (ctx) => createJournalShortParser(ctx, 'journal-short-precise'), voted('journal-short-precise'));
export const journalShortIso = kernelLog('journal-short-iso', (ctx) => createJournalShortParser(ctx, 'journal-short-iso'), voted('journal-short-iso'));
export const journalShortMonotonic = kernelLog('journal-short-monotonic', (ctx) => createJournalShortParser(ctx, 'journal-short-monotonic'), voted('journal-short-monotonic'));
/** A serial console: printk lines mixed with firmware and init output. */
export const serialConsole = kernelLog('console', createConsoleParser, voted('console'));

/** The lines a patch mail quotes: the author's `CPU: N, COMM: ..., cost: N ns` probe line, or device messages. */
export const patchMail = kernelLog('patch-mail', createPatchMailParser, (head) =>
  head.count('custom-probe') > 0 || (head.count('bdf-message') > 0 && head.count('bdf-message') >= 0.5 * head.content) ? 'likely' : null);

/** `dmesg -t` (no timestamps): bare kernel messages such as `Linux version` and initcall lines. */
export const dmesgNotime = kernelLog('dmesg-notime', (ctx) => createDmesgParser(ctx, 'dmesg-notime'), (head) => (head.count('kernel-bare') > 0 ? 'likely' : null));
