// The head of an input file as the format sniffers see it (formats.ts runs them): its first bytes, its first
// non-blank lines, and what each line looks like. The line shapes are the ones the presentation and trace
// modules parse: docs/kernel-log-formats.md §1 (printk / util-linux dmesg / kmsg / journalctl / syslog / console), §6 (ftrace
// text, include/linux/trace_events.h + kernel/trace/trace_output.c), §7 (trace-cmd report), function_graph
// (kernel/trace/trace_functions_graph.c), lscpu (util-linux sys-utils/lscpu.c, -p CSV and human output), sysfs
// cpulists (lib/vsprintf.c %*pbl), sysfs PCI numa_node listings. Content decides, never a kernel version
// (docs/kernel-log-formats.md §0 rule 2); the file name only breaks ties (`nameSays`).

import { basename } from 'node:path';
import { isLocalizedCtime } from './dmesg-localized-time.js';
import { parseCallerOnly } from './dmesg-prefix.js';
import { ORIGIN } from './journal.js';
import { undecorateHead } from './log-decorations.js';

/** How many leading lines are sniffed. */
export const SNIFF_LINES = 400;
/** How many leading bytes are sniffed (magic numbers of binary formats; a single-line JSON document). */
export const SNIFF_BYTES = 64 * 1024;

/** What one line of the head looks like (the shapes the format modules count). */
export type LineClass =
  | 'kmsg'
  | 'kmsg-dict'
  | 'dmesg'
  | 'dmesg-raw'
  | 'dmesg-decode'
  | 'dmesg-delta'
  | 'dmesg-ctime'
  | 'dmesg-reltime'
  | 'dmesg-iso'
  | 'syslog'
  | 'journal-short'
  | 'journal-short-precise'
  | 'journal-short-iso'
  | 'journal-short-monotonic'
  | 'journal-marker'
  | 'ftrace'
  | 'funcgraph'
  | 'pci-numa'
  | 'cpulist'
  | 'csv-row'
  | 'lscpu-human'
  | 'custom-probe'
  | 'bdf-message'
  | 'kernel-bare'
  | 'indented'
  | 'comment'
  | 'other';

/** The line classes that name a timestamped kernel-log presentation, in the order ties are broken. */
export const KERNEL_CLASSES = [
  'kmsg', 'dmesg', 'dmesg-raw', 'dmesg-decode', 'dmesg-delta', 'dmesg-ctime', 'dmesg-reltime', 'dmesg-iso',
  'syslog', 'journal-short', 'journal-short-precise', 'journal-short-iso', 'journal-short-monotonic',
] as const satisfies readonly LineClass[];

const KMSG = /^\d{1,4},\d+,\d+,[-c+][^;]*;/;
const KMSG_DICT = /^ [A-Z_][A-Z0-9_]*=/;
/** `<lvl>[ts]`, or `<lvl>` alone (syslog(2) text of a printk.time=0 kernel). */
const DMESG_RAW = /^<\d{1,3}>(?:\[ *\d+\.\d+\]|[^\s<>\d])/;
const DMESG_DECODE = /^[a-z]+[0-9]? *:[a-z]+ *: /;
const JOURNAL_MONOTONIC = /^\[ *\d+\.\d+(?: <[ \d.]*[ *]?>)?\] \S+ (?:kernel|[^\s[:]+\[\d+\]): /;
const DMESG_DELTA = /^\[(?: *\d+\.\d+ <[ +\-\d.]*>|< *-?\d+\.\d+>)\]/;
/** printk prints `[%5lu.%06lu]`: six decimals (an Xorg log's `[     8.925]` has three). */
const DMESG = /^\[ *\d+\.\d{6,9}\]/;
const DMESG_CTIME = /^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}[\] ]/;
const DMESG_RELTIME = /^\[(?:[A-Z][a-z]{2} ?\d{1,2} \d\d:\d\d| *[+-]\d+\.\d+)\]/;
const DMESG_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d{6}[+-]\d\d:?\d\d /;
const SYSLOG_BSD = /^[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d(\.\d{1,9})? /;
const SYSLOG_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d) /;
const JOURNAL_UNIX = /^\d{9,11}\.\d{6} /;
/** The printk stamp a syslog file keeps after `kernel: ` (klogd / rsyslog imklog pass /proc/kmsg text on). */
const INNER_PRINTK = /^(?:<\d{1,3}>)?\[ *\d+\.\d+\]/;
const JOURNAL_MARKER = /^-- .* --$/;
const FTRACE_EVENT = /^\s*\S.*-\d+\s+(?:\(\s*[\d-]+\)\s+)?\[\d{3,}\]\s+(?:\S{4,6}\s+)?\d+(?:\.\d+)?: \S/;
const FUNCGRAPH = /^\s*(?:\d+\.\d+ \|\s+)?\d+\)\s.*\|/;
const PCI_NUMA = /^(?:[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]\s+(?:numa_node=)?-?\d+(?:\s|$)|\/sys\/bus\/pci\/devices\/\S+\/numa_node:-?\d+)/;
const CPU_RANGES = String.raw`\d+(?:-\d+(?::\d+(?:\/\d+)?)?)?(?:,\d+(?:-\d+(?::\d+(?:\/\d+)?)?)?)*`;
/** A sysfs cpulist (`0-3,8-11`), alone or keyed as the captures' node-cpulist.txt / cpus.txt write them. */
const CPULIST = new RegExp(String.raw`^(?:(?:node\d+|possible|present|online|offline|isolated|nohz_full)\s*:\s*)?(?:${CPU_RANGES})?\s*$|^(?:nohz_full|isolated|offline)\s*:\s*\(null\)\s*$|^(?:nproc|kernel_max)\s*:\s*\d+\s*$|^unbound_wq_cpumask\s*:\s*[0-9a-f,]+\s*$`);
const CSV_ROW = /^\d+(?:,[^,\s]*)+$/;
const LSCPU_HUMAN = /^\s*(?:NUMA node\d+ CPU\(s\):|NUMA node\(s\):|Architecture:\s|CPU\(s\):\s+\d|On-line CPU\(s\) list:)/;
const CUSTOM_PROBE = /^\S+ \S+: CPU:\s*\d+, COMM: .+?,?\s+(?:probe )?cost:?\s*\d+ ns\s*$/;
const BDF_MESSAGE = /^\S+ [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]: /;
const KERNEL_BARE = /^(?:Linux version \d|Command line: |BIOS-e820: |KERNEL supported cpus:|DMI: |Booting Linux on physical CPU|x86\/fpu: |smp: Brought up |calling {2}\S+ @ \d+$|initcall \S+ returned )/;

export function classify(line: string): LineClass {
  const c = line.charCodeAt(0);
  if (c === 32 || c === 9) {
    if (KMSG_DICT.test(line)) return 'kmsg-dict';
    if (FTRACE_EVENT.test(line)) return 'ftrace';
    if (FUNCGRAPH.test(line)) return 'funcgraph';
    if (LSCPU_HUMAN.test(line)) return 'lscpu-human';
    return 'indented';
  }
  if (c === 35 /* # */) return 'comment';
  if (c === 60 /* < */) return DMESG_RAW.test(line) ? 'dmesg-raw' : 'other';
  if (c === 91 /* [ */) {
    if (JOURNAL_MONOTONIC.test(line)) return 'journal-short-monotonic';
    if (DMESG_DELTA.test(line)) return 'dmesg-delta';
    if (DMESG.test(line)) return 'dmesg';
    if (DMESG_CTIME.test(line)) return 'dmesg-ctime';
    if (DMESG_RELTIME.test(line)) return 'dmesg-reltime';
    if (isLocalizedCtime(line)) return 'dmesg-ctime';
    // util-linux ≥ 2.40 `dmesg -t` keeps the caller id: `[    T300] calling  ...`.
    const caller = parseCallerOnly(line);
    if (caller !== null && KERNEL_BARE.test(line.slice(caller.textStart))) return 'kernel-bare';
    return 'other';
  }
  if (JOURNAL_MARKER.test(line)) return 'journal-marker';
  if (KMSG.test(line)) return 'kmsg';
  if (DMESG_ISO.test(line)) return 'dmesg-iso';
  const bsd = SYSLOG_BSD.exec(line);
  const iso = bsd ? null : SYSLOG_ISO.exec(line);
  const unix = bsd || iso ? null : JOURNAL_UNIX.exec(line);
  const header = bsd ?? iso ?? unix;
  if (header) {
    const rest = line.slice(header[0].length);
    const origin = ORIGIN.exec(rest);
    if (origin !== null) {
      const kernelIdent = origin[2] === 'kernel' && origin[3] === undefined && origin[0].endsWith(': ');
      if (kernelIdent && INNER_PRINTK.test(rest.slice(origin[0].length))) return 'syslog';
      if (iso) return 'journal-short-iso';
      if (unix || (bsd && bsd[1] !== undefined)) return 'journal-short-precise';
      return 'journal-short';
    }
  }
  const decode = DMESG_DECODE.exec(line);
  if (decode) {
    // -x combined with another time format: the time format names the presentation.
    const rest = line.slice(decode[0].length);
    if (DMESG_CTIME.test(rest)) return 'dmesg-ctime';
    if (DMESG_DELTA.test(rest)) return 'dmesg-delta';
    if (DMESG_RELTIME.test(rest)) return 'dmesg-reltime';
    if (DMESG_ISO.test(rest)) return 'dmesg-iso';
    return 'dmesg-decode';
  }
  if (FTRACE_EVENT.test(line)) return 'ftrace';
  if (FUNCGRAPH.test(line)) return 'funcgraph';
  if (PCI_NUMA.test(line)) return 'pci-numa';
  if (CSV_ROW.test(line) && line.includes(',') && !line.includes('-')) return 'csv-row';
  if (CPULIST.test(line)) return 'cpulist';
  if (LSCPU_HUMAN.test(line)) return 'lscpu-human';
  if (CUSTOM_PROBE.test(line)) return 'custom-probe';
  if (BDF_MESSAGE.test(line)) return 'bdf-message';
  if (KERNEL_BARE.test(line)) return 'kernel-bare';
  return 'other';
}

/** The head of one file: its first bytes and first non-blank lines (BOM and CR removed), classified lazily. */
export class SniffHead {
  readonly lines: string[];
  /** The first line, or undefined for a head with no non-blank line. */
  readonly first: string | undefined;
  readonly firstTrimmed: string;
  private counts: Map<LineClass, number> | null = null;
  private readonly memos = new Map<string, unknown>();

  constructor(
    readonly path: string,
    firstLines: string[],
    /** The file's first bytes (up to SNIFF_BYTES; empty when only lines were given). */
    readonly bytes: Uint8Array = new Uint8Array(0),
  ) {
    const lines: string[] = [];
    // Escapes (dmesg --color=always) and mail quoting are looked through (log-decorations.ts).
    for (const raw of undecorateHead(firstLines)) {
      if (lines.length >= SNIFF_LINES) break;
      const line = lines.length === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (line.trim().length > 0) lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    this.lines = lines;
    this.first = lines[0];
    this.firstTrimmed = lines[0]?.trimStart() ?? '';
  }

  /** How many lines of the head are of class `k`. */
  count(k: LineClass): number {
    if (this.counts === null) {
      this.counts = new Map();
      for (const line of this.lines) {
        const c = classify(line);
        this.counts.set(c, (this.counts.get(c) ?? 0) + 1);
      }
    }
    return this.counts.get(k) ?? 0;
  }

  /** Lines that are not `#` comments. */
  get content(): number {
    return this.lines.length - this.count('comment');
  }

  /** Whether the file name holds one of `words` (lower case). */
  nameSays(...words: string[]): boolean {
    const name = basename(this.path).toLowerCase();
    return words.some((w) => name.includes(w));
  }

  /** A value several sniffers share, computed once per head. */
  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }
}

/** Which JSON document a head of JSON lines is (util-linux `dmesg -J`, trace-probe's own, journalctl's), or null. */
export function jsonDocumentKind(lines: string[]): 'dmesg-json' | 'boot-json' | 'sim-json' | 'journal-json' | null {
  const head = lines.slice(0, 50).join('\n');
  if (/^\s*\{\s*"dmesg"\s*:\s*\[/.test(head)) return 'dmesg-json';
  const schema = /"schema"\s*:\s*"trace-probe\.(boot|sim)\/\d+"/.exec(lines.join('\n'));
  if (schema) return schema[1] === 'boot' ? 'boot-json' : 'sim-json';
  const first = lines[0]!.trim();
  // `journalctl -o json-pretty`: `{` alone, then indented `"FIELD" : value,` lines.
  if (first === '{' && lines.slice(1, 40).some((l) => /^\s+"(?:__CURSOR|__REALTIME_TIMESTAMP|__MONOTONIC_TIMESTAMP|_BOOT_ID|_TRANSPORT|MESSAGE)" : /.test(l))) return 'journal-json';
  try {
    const o: unknown = JSON.parse(first);
    if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
      const keys = Object.keys(o);
      if (keys.some((k) => k === '__CURSOR' || k === '__REALTIME_TIMESTAMP' || k === '_TRANSPORT' || k === 'MESSAGE' || k === '_BOOT_ID')) return 'journal-json';
    }
  } catch {
    // not one object per line
  }
  return null;
}

/** The JSON document a head whose first line opens a JSON object (or an array of them) is, or null. */
export function jsonHeadKind(head: SniffHead): ReturnType<typeof jsonDocumentKind> {
  return head.memo('json', () => (head.firstTrimmed.startsWith('{') || head.firstTrimmed.startsWith('[{') ? jsonDocumentKind(head.lines) : null));
}
