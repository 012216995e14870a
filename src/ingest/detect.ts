// Sniffs an input file's format from its first lines (the file name only breaks ties, e.g.
// `topology.csv`, `console.log`, `kern.log`). Content decides, never a kernel version (formats doc
// §0 rule 2). The shapes recognised are the ones the presentation and trace modules parse:
// formats doc §1 (printk / util-linux dmesg / kmsg / journalctl / syslog / console), §6 (ftrace
// text, include/linux/trace_events.h + kernel/trace/trace_output.c), §7 (trace-cmd report),
// function_graph (kernel/trace/trace_functions_graph.c), lscpu (util-linux sys-utils/lscpu.c, -p
// CSV and human output), sysfs cpulists (lib/vsprintf.c %*pbl), sysfs PCI numa_node listings and
// the trace-probe JSON schemas. Mapping notes: `journalctl -o short-delta` is returned as
// 'journal-short-monotonic' (same printk stamp, plus a delta) and `-o short-unix` as
// 'journal-short-precise' (µs wall clock); the journal-short parser accepts every short stamp.

import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { InputFormat } from './formats.js';
import { KERNEL_LOG_FORMATS } from './formats.js';
import { InputError } from './input-error.js';
import { parseCallerOnly } from './dmesg-prefix.js';
import { ORIGIN } from './journal.js';
import { headLines } from './lines.js';
import { isTraceDat } from './trace-dat/read-trace-dat.js';
import { isLocalizedCtime } from './dmesg-localized-time.js';
import { undecorateHead } from './log-decorations.js';
import { readablePath } from './input-source.js';
import { binaryError, findKernelRun, runIsLog, unknownFormatError } from './sniff-fallback.js';

/** How many leading lines are sniffed. */
export const SNIFF_LINES = 400;
const RAW_HEAD_BYTES = 64 * 1024;

type LineClass =
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

function classify(line: string): LineClass {
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

const KERNEL_CLASSES: ReadonlyArray<Extract<LineClass, InputFormat>> = [
  'kmsg', 'dmesg', 'dmesg-raw', 'dmesg-decode', 'dmesg-delta', 'dmesg-ctime', 'dmesg-reltime', 'dmesg-iso',
  'syslog', 'journal-short', 'journal-short-precise', 'journal-short-iso', 'journal-short-monotonic',
];

function detectJson(lines: string[]): InputFormat | null {
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

function nameSays(path: string, ...words: string[]): boolean {
  const name = basename(path).toLowerCase();
  return words.some((w) => name.includes(w));
}

/** Sniffs a file's format from its first lines and (as a tie-breaker) its name; null = unknown. */
export function detectFormat(path: string, firstLines: string[]): InputFormat | null {
  const lines: string[] = [];
  // Escapes (dmesg --color=always) and mail quoting are looked through (log-decorations.ts).
  for (const raw of undecorateHead(firstLines)) {
    if (lines.length >= SNIFF_LINES) break;
    const line = lines.length === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim().length > 0) lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
  const first = lines[0];
  if (first === undefined) return null;
  const firstTrimmed = first.trimStart();
  if (firstTrimmed.startsWith('{') || firstTrimmed.startsWith('[{')) {
    const json = detectJson(lines);
    if (json) return json;
  }
  // `journalctl -o json-seq` (RFC 7464): each entry is an RS byte then one JSON object.
  if (firstTrimmed.startsWith('\u001e{') && detectJson(lines.map((l) => l.replace(/^\u001e/, ''))) === 'journal-json') return 'journal-json';
  if (/^__CURSOR=|^__REALTIME_TIMESTAMP=/.test(first) || (lines.slice(0, 30).some((l) => /^(?:__MONOTONIC_TIMESTAMP|_SOURCE_MONOTONIC_TIMESTAMP|_TRANSPORT)=/.test(l)) && lines.slice(0, 10).every((l) => /^[A-Za-z0-9_]+=/.test(l)))) {
    return 'journal-export';
  }
  if (lines.some((l) => /^#\s*tracer: function_graph\b/.test(l))) return 'function-graph';
  if (/^cpus=\d+\s*$/.test(first) || /^version = \d+\s*$/.test(first)) return 'trace-cmd';
  if (lines.some((l) => /^#\s*tracer: \S/.test(l))) return 'ftrace';
  if (lines.some((l) => /^#\s*CPU,/.test(l))) return 'lscpu';

  const counts = new Map<LineClass, number>();
  let firstKernelIndex = -1;
  lines.forEach((line, i) => {
    const k = classify(line);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    if (firstKernelIndex < 0 && (KERNEL_CLASSES as ReadonlyArray<LineClass>).includes(k)) firstKernelIndex = i;
  });
  const n = (k: LineClass) => counts.get(k) ?? 0;
  const content = lines.length - n('comment');

  if (n('funcgraph') > 0 && n('funcgraph') >= 0.5 * content) return 'function-graph';
  if (n('ftrace') > 0 && n('ftrace') >= 0.5 * content) return 'ftrace';

  let best: Extract<LineClass, InputFormat> | null = null;
  for (const k of KERNEL_CLASSES) if (n(k) > 0 && (best === null || n(k) > n(best))) best = k;
  // Kernel lines must be a fair share of the head: a README quoting a few log lines is not a log.
  if (best !== null && n(best) >= Math.min(3, lines.length) && n(best) >= 0.3 * content) {
    if (best === 'dmesg' || best === 'dmesg-raw') {
      const printk = n('dmesg') + n('dmesg-raw');
      const unprefixed = n('other') + n('kernel-bare') + n('bdf-message') + n('custom-probe') + n('comment') + n('cpulist') + n('csv-row');
      if (nameSays(path, 'console', 'serial', 'ttys')) return 'console';
      if (unprefixed >= 2) return 'console';
      return n('dmesg-raw') >= printk / 2 ? 'dmesg-raw' : 'dmesg';
    }
    if (best === 'journal-short' || best === 'journal-short-precise' || best === 'journal-short-iso') {
      // The same header wraps rsyslog/syslog-ng files; kernel lines that still carry the printk time say syslog.
      if (n('syslog') > 0 || nameSays(path, 'kern.log', 'syslog', 'messages')) return 'syslog';
      if (best === 'journal-short-iso') return n('journal-marker') > 0 || nameSays(path, 'journal') ? 'journal-short-iso' : 'syslog';
      return best;
    }
    return best;
  }

  if (n('pci-numa') > 0 && n('pci-numa') >= 0.8 * content) return 'pci-numa';
  if (n('lscpu-human') >= 2) return 'lscpu';
  if (n('csv-row') > 0 && n('csv-row') >= 0.8 * content) return n('csv-row') === 1 && !nameSays(path, '.csv', 'lscpu', 'topology') ? 'cpulist' : 'lscpu';
  if (n('cpulist') > 0 && n('cpulist') + n('csv-row') >= 0.8 * content) return 'cpulist';
  if (n('custom-probe') > 0 || (n('bdf-message') > 0 && n('bdf-message') >= 0.5 * content)) return 'patch-mail';
  if (n('kernel-bare') > 0) return 'dmesg-notime';
  return null;
}

/** Reads the head of `path` and sniffs it. Throws InputError only when the file cannot be read. */
export async function sniffFile(path: string): Promise<InputFormat | null> {
  if (isTraceDat(await rawHeadBytes(path, 16))) return 'trace-dat';
  let lines: string[];
  let damage: InputError | null = null;
  try {
    lines = await headLines(path, SNIFF_LINES);
  } catch (err) {
    // A single-line JSON document longer than the sniff window (a compact Boot/Sim JSON).
    if (err instanceof InputError && err.reason.startsWith('line longer')) lines = [await rawHead(path)];
    // A kernel log with NUL runs or stray bytes (a crash, a power loss, serial line noise) is still a log, read
    // around the damage (kernel-log-reader.ts), and a journal export with binary-safe fields is still one; a
    // trace, a topology or anything else with NUL bytes or invalid UTF-8 is refused.
    else if (err instanceof InputError && /^(binary data|invalid UTF-8)/.test(err.reason)) {
      damage = err;
      lines = await headLines(path, SNIFF_LINES, undefined, true);
    } else throw err;
  }
  const format = detectFormat(path, lines);
  if (format !== null && (damage === null || KERNEL_LOG_FORMAT_SET.has(format))) return format;
  // Not in the head: a log after thousands of lines of firmware output, or a log followed by other output.
  if (format === null) {
    const run = await findKernelRun(path, (line) => (KERNEL_CLASSES as ReadonlyArray<LineClass>).includes(classify(line)) || EMBEDDED_PRINTK.test(line));
    // A file that starts as a log is one (whatever follows it is reported line by line); a run after other lines
    // is a log only when the lines after it are mostly log lines (a console after firmware output), not when
    // they are the prose around a quoted excerpt (a README, a mail).
    if (run !== null && runIsLog(run)) {
      const found = detectFormat(path, run.lines);
      if (found !== null && KERNEL_LOG_FORMAT_SET.has(found)) {
        // printk lines after other output: a serial console (firmware, boot loader), read as one.
        return run.startLine > 1 && (found === 'dmesg' || found === 'dmesg-raw') ? 'console' : found;
      }
      // printk lines behind a prefix of another tool (a serial logger's own timestamp, `logcat -b kernel`, a
      // test harness's log): the console reader finds the printk stamp inside the line.
      if (found === null && run.lines.filter((l) => EMBEDDED_PRINTK.test(l)).length >= 0.8 * run.lines.length) return 'console';
    }
  }
  if (damage !== null) throw await binaryError(path, damage);
  return null;
}

const KERNEL_LOG_FORMAT_SET: ReadonlySet<InputFormat> = new Set(KERNEL_LOG_FORMATS);
/** A printk stamp (six decimals) after some other prefix on the line. */
const EMBEDDED_PRINTK = /^[^\n]{1,120}?(?:<\d{1,3}>)?\[ *\d+\.\d{6}\] \S/;

async function rawHeadBytes(path: string, length: number): Promise<Buffer> {
  const handle = await open(readablePath(path), 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function rawHead(path: string): Promise<string> {
  const handle = await open(readablePath(path), 'r');
  try {
    const buf = Buffer.allocUnsafe(RAW_HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, RAW_HEAD_BYTES, 0);
    return new TextDecoder('utf-8').decode(buf.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** The refusal of a file no format fits: names its first line that has no known shape. */
export function unknownFormat(path: string): Promise<InputError> {
  return unknownFormatError(path, (line) => classify(line) !== 'other');
}
