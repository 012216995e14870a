// What people and tools add around a kernel log, undone before a presentation parser sees a line:
// - ANSI escape sequences: `dmesg --color=always` (util-linux sys-utils/dmesg.c, the colors of
//   include/colors.h: `ESC[32m[ts] ESC[0m`, subsystem prefixes in brown, alerts in bold red), kept when such
//   output is piped to a file or pasted from a terminal;
// - mail quoting (`> `, `>> `, `> > `) of logs quoted in replies, and quoted-printable soft line breaks (a line
//   ending in `=` continues on the next, RFC 2045 §6.7 rule 5), which mail archives keep;
// - a line wrapped by a paste (a web form or terminal cut `... returned -19 after ` / `0 usecs`): a line that ends
//   in a space, followed by a short line with no log prefix, is one message;
// - vendor tags after the printk prefix: Samsung (Exynos/Qualcomm Android kernels, kernel/printk/printk.c patched
//   to print `[%d:%15s:%5d] ` = cpu, comm, pid) and MediaTek (`(cpu)[pid:comm]`).
// Each decoration is decided once from the head of the file (decorationsOf) and then undone line by line; a file
// without any costs nothing per line.

import type { Diagnostic } from '../core/diagnostics.js';
import { parsePrintkPrefix } from './dmesg-prefix.js';
import type { KernelLogLine, KernelLogLineSink } from './kernel-log.js';

export interface Decorations {
  ansi: boolean;
  quote: boolean;
  vendorTag: 'samsung' | 'mediatek' | null;
}

export const NO_DECORATIONS: Decorations = { ansi: false, quote: false, vendorTag: null };

/** CSI sequences (`ESC [ ... final`), OSC (`ESC ] ... BEL|ESC \`) and two-character escapes. */
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const QUOTE = /^(?:[ \t]*>)+[ \t]?/;
const SAMSUNG_TAG = /^ ?\[ *(\d{1,4}): *(.{1,24}?): *(\d+)\] ?/;
const MEDIATEK_TAG = /^ ?\(\d{1,4}\)\[(\d+):([^\]]{1,24})\] ?/;

export function stripEscapes(text: string): string {
  return text.indexOf('\x1b') < 0 ? text : text.replace(ESCAPES, '');
}

function isQuoted(text: string): boolean {
  return QUOTE.test(text);
}

function unquote(text: string): string {
  const q = QUOTE.exec(text);
  return q ? text.slice(q[0].length) : text;
}

/** Decides the decorations of a file from its first lines. */
export function decorationsOf(head: readonly string[]): Decorations {
  let content = 0;
  let escapes = 0;
  let quoted = 0;
  for (const raw of head) {
    if (raw.trim().length === 0) continue;
    content++;
    if (raw.indexOf('\x1b[') >= 0) escapes++;
    if (isQuoted(raw)) quoted++;
  }
  const ansi = escapes > 0 && escapes >= 0.2 * content;
  const quote = quoted >= 2 && quoted >= 0.6 * content;
  let printk = 0;
  let samsung = 0;
  let mediatek = 0;
  for (const raw of head) {
    let text = ansi ? stripEscapes(raw) : raw;
    if (quote) text = unquote(text);
    const p = parsePrintkPrefix(text);
    if (p === null || p.timeNs === null) continue;
    printk++;
    const body = text.slice(p.textStart);
    if (SAMSUNG_TAG.test(body)) samsung++;
    else if (MEDIATEK_TAG.test(body)) mediatek++;
  }
  const vendorTag = printk >= 2 && samsung >= 0.5 * printk ? 'samsung' : printk >= 2 && mediatek >= 0.5 * printk ? 'mediatek' : null;
  return { ansi, quote, vendorTag };
}

/** The head lines as a sniffer should classify them: escapes removed, mail quoting undone. */
export function undecorateHead(lines: readonly string[]): string[] {
  const d = decorationsOf(lines);
  if (!d.ansi && !d.quote) return lines.map((l) => (l.indexOf('\x1b') >= 0 ? stripEscapes(l) : l));
  return joinSoftBreaks(lines.map((l) => (d.quote ? unquote(stripEscapes(l)) : stripEscapes(l))), d.quote);
}

function joinSoftBreaks(lines: string[], quote: boolean): string[] {
  if (!quote) return lines;
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    while (line.endsWith('=') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!;
    out.push(line);
  }
  return out;
}

export type RawLineSink = (text: string, lineNo: number) => void;

/** Joins that are listed one by one before the rest are counted. */
const JOINS_LISTED = 10;
/** A wrapped remainder is short: the end of a message cut at the paste's width. */
const WRAP_MAX = 60;

/**
 * Undoes the line decorations (escapes, quoting, soft breaks) and, when `joinWraps`, joins wrapped lines;
 * calls `next` with the cleaned lines (a joined line keeps the number of its first part).
 */
export function createLineUndecorator(d: Decorations, joinWraps: boolean, file: string, onDiagnostic: (d: Diagnostic) => void, next: RawLineSink): { line: RawLineSink; end(): void } {
  let held: string | null = null;
  let heldNo = 0;
  let joins = 0;
  let softBreak = false;
  const flush = () => {
    if (held !== null) next(held, heldNo);
    held = null;
  };
  const line: RawLineSink = (raw, lineNo) => {
    let text = d.ansi ? stripEscapes(raw) : raw;
    if (d.quote) text = unquote(text);
    // The common case (no pending line, no wrap possible): straight through.
    if (held === null && !d.quote && text.charCodeAt(text.length - 1) !== 32) {
      next(text, lineNo);
      return;
    }
    if (softBreak && held !== null) {
      // Quoted-printable soft break: the previous line ended in `=` and continues here.
      held = held.slice(0, -1) + text;
      softBreak = d.quote && held.endsWith('=');
      return;
    }
    if (held !== null && joinWraps && isWrappedRemainder(held, text)) {
      joins++;
      if (joins <= JOINS_LISTED) {
        onDiagnostic({ file, line: lineNo, severity: 'warning', message: `line ${lineNo} continues line ${heldNo} (a wrapped line, e.g. from a paste): joined` });
      }
      held = held + text;
      return;
    }
    flush();
    held = text;
    heldNo = lineNo;
    softBreak = d.quote && text.endsWith('=');
  };
  return {
    line,
    end() {
      flush();
      if (joins > JOINS_LISTED) onDiagnostic({ file, line: null, severity: 'warning', message: `${joins - JOINS_LISTED} more wrapped lines joined to the line before them (not listed one by one)` });
    },
  };
}

/** `held` is a prefixed log line cut after a space, `text` a short line with no prefix and no indentation. */
function isWrappedRemainder(held: string, text: string): boolean {
  if (held.charCodeAt(held.length - 1) !== 32) return false;
  if (text.length === 0 || text.length > WRAP_MAX) return false;
  const c = text.charCodeAt(0);
  if (c === 32 || c === 9 || c === 91 /* [ */ || c === 60 /* < */) return false;
  const p = parsePrintkPrefix(held);
  return p !== null && p.timeNs !== null;
}

/** Strips a vendor tag from each message (and takes its pid as the caller when the line has none). */
export function vendorTagStripper(kind: 'samsung' | 'mediatek', next: KernelLogLineSink): KernelLogLineSink {
  const re = kind === 'samsung' ? SAMSUNG_TAG : MEDIATEK_TAG;
  return (line: KernelLogLine) => {
    if (line.continuation) return next(line);
    const m = re.exec(line.text);
    if (m === null) return next(line);
    const pid = Number(kind === 'samsung' ? m[3] : m[1]);
    next({ ...line, text: line.text.slice(m[0].length), caller: line.caller ?? (pid > 0 ? { kind: 'T', id: pid } : null) });
  };
}
