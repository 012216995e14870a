// One boot at a time. analyze, report and simulate build ONE boot from their inputs, so before the pipeline
// reads anything:
// - a file given twice (a capture directory and one of its own files) is read once;
// - a trace given twice under two names (byte-identical files) is read once;
// - kernel logs that are the same boot in other presentations (dmesg.log, dmesg-raw.log, console.log,
//   kmsg.txt, a journal export, ...) are read once: the richest presentation is kept, with a note;
// - kernel logs of different boots are refused (one line that points to `diff`), because their probes would
//   be merged into one wrong boot.
//
// "Same boot" is decided from content, the same way for every presentation: each printk record is keyed by
// its local_clock() stamp (µs, identical in every presentation of one boot: kernel/printk/printk.c prints the
// same ts_nsec to /dev/kmsg, syslog(2) and the console) and its text. Two presentations of one boot share
// most keys; two boots share almost none, even of the same kernel on the same machine (stamps differ by µs;
// the [0.000000] records, identical across boots, are left out). A different `Linux version` banner is a
// different boot at once. Logs without printk stamps (dmesg -T, syslog files) are compared by message text,
// which must then agree almost entirely. Two pieces of one log (the second starts after the first ends and
// has no banner of its own) are one boot read from both files.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { InputError } from '../ingest/input-error.js';
import type { KernelLogLine } from '../ingest/kernel-log.js';
import type { Diagnostic } from '../core/diagnostics.js';
import { formatModule, KERNEL_LOG_FORMATS, TRACE_FORMATS, type InputFormat, type KernelLogFormat } from '../ingest/formats.js';
import { readablePath } from '../ingest/input-source.js';

export interface BootInput {
  path: string;
  format: InputFormat;
  /** The command-line argument this input came from (a file, or the capture directory holding it). */
  arg: string;
}

/** What one kernel log says about which boot it is. */
export interface KernelLogFingerprint {
  banner: string | null;
  /** Hashes of (printk stamp, text) of every stamped record after 0.000000. */
  stamped: Set<number>;
  /** Hashes of the message texts. */
  texts: Set<number>;
  firstNs: number | null;
  lastNs: number | null;
  /** Records the probe and initcall spans are built from (`probe of`, `calling`, `initcall`): KERN_DEBUG, so a
   * console below loglevel 8 lacks them even when it shows more of everything else. */
  spanRecords: number;
}

export type Relation = 'same' | 'pieces' | 'different';

/** Shares this large a part of the smaller log's stamped records: the same boot. */
const SAME_STAMPED = 0.5;
/** Without stamps, the texts of the smaller log must be found this completely in the other. */
const SAME_TEXTS = 0.9;
/** Fewer stamped records than this and the stamps are not used (the texts decide). */
const MIN_STAMPED = 20;

const SPAN_RECORD = /^(?:probe of \S+ returned |calling {2}\S|initcall \S+ returned )/;
const KERNEL_LOGS: ReadonlySet<InputFormat> = new Set(KERNEL_LOG_FORMATS);
const TRACES: ReadonlySet<InputFormat> = new Set(TRACE_FORMATS);

/** Reads a kernel log once for its fingerprint. */
export async function fingerprintKernelLog(path: string, format: KernelLogFormat): Promise<KernelLogFingerprint> {
  const fp: KernelLogFingerprint = { banner: null, stamped: new Set(), texts: new Set(), firstNs: null, lastNs: null, spanRecords: 0 };
  await formatModule(format).read(path, (line: KernelLogLine) => {
    if (line.continuation) return;
    const text = line.text.trim();
    if (text.length === 0) return;
    if (fp.banner === null && text.startsWith('Linux version ')) fp.banner = text;
    fp.texts.add(hash(text));
    if (SPAN_RECORD.test(text)) fp.spanRecords++;
    if (line.clock === 'printk' && line.timeNs !== null && line.timeNs > 0) {
      fp.stamped.add(hash(`${line.timeNs}|${text}`));
      if (fp.firstNs === null || line.timeNs < fp.firstNs) fp.firstNs = line.timeNs;
      if (fp.lastNs === null || line.timeNs > fp.lastNs) fp.lastNs = line.timeNs;
    }
  }, () => {});
  return fp;
}

/** How two kernel logs relate, with the figures that decided it (for the messages). */
export function relate(a: KernelLogFingerprint, b: KernelLogFingerprint): { relation: Relation; why: string } {
  if (a.banner !== null && b.banner !== null && a.banner !== b.banner) {
    return { relation: 'different', why: `different kernels: ${describeBanners(a.banner, b.banner)}` };
  }
  if (a.stamped.size >= MIN_STAMPED && b.stamped.size >= MIN_STAMPED) {
    const shared = common(a.stamped, b.stamped);
    const smaller = Math.min(a.stamped.size, b.stamped.size);
    const why = `${shared} of ${smaller} timestamped messages in common`;
    if (shared >= SAME_STAMPED * smaller) return { relation: 'same', why };
    // One log continued in a second file: no overlap in time, and the later part has no banner of its own.
    const [early, late] = (a.firstNs ?? 0) <= (b.firstNs ?? 0) ? [a, b] : [b, a];
    if (shared === 0 && late.banner === null && early.lastNs !== null && late.firstNs !== null && late.firstNs > early.lastNs) {
      return { relation: 'pieces', why: 'the second continues where the first ends' };
    }
    return { relation: 'different', why };
  }
  const shared = common(a.texts, b.texts);
  const smaller = Math.min(a.texts.size, b.texts.size);
  const why = `${shared} of ${smaller} distinct messages in common, no printk timestamps to compare`;
  return { relation: smaller > 0 && shared >= SAME_TEXTS * smaller ? 'same' : 'different', why };
}

/**
 * The inputs of one boot: duplicates removed (with notes), kernel logs of one boot read once, kernel logs of
 * different boots refused with an InputError that says to use `diff`.
 */
export async function oneBootInputs<T extends BootInput>(inputs: T[]): Promise<{ inputs: T[]; notes: Diagnostic[] }> {
  const notes: Diagnostic[] = [];
  // The same file twice (a directory and one of its files, or a path given twice).
  const byRealPath = new Map<string, T>();
  let kept: T[] = [];
  for (const input of inputs) {
    const real = await realpath(input.path).catch(() => input.path);
    const first = byRealPath.get(real);
    if (first) {
      notes.push(note(input.path, `${input.path} was given twice (also as ${first.arg === first.path ? first.path : `part of ${first.arg}`}): read once`));
      continue;
    }
    byRealPath.set(real, input);
    kept.push(input);
  }
  kept = await dropIdenticalTraces(kept, notes);
  const logs = kept.filter((i) => KERNEL_LOGS.has(i.format));
  if (logs.length < 2) return { inputs: kept, notes };

  const prints = await Promise.all(logs.map((l) => fingerprintKernelLog(l.path, l.format as KernelLogFormat)));
  // Group the logs of one boot; every two groups must be pieces of one log, or they are different boots.
  const group = logs.map((_, i) => i);
  const find = (i: number): number => (group[i] === i ? i : (group[i] = find(group[i]!)));
  const relations = new Map<string, { relation: Relation; why: string }>();
  for (let i = 0; i < logs.length; i++) {
    for (let j = i + 1; j < logs.length; j++) {
      const r = relate(prints[i]!, prints[j]!);
      relations.set(`${i},${j}`, r);
      if (r.relation === 'same') group[find(j)] = find(i);
    }
  }
  for (let i = 0; i < logs.length; i++) {
    for (let j = i + 1; j < logs.length; j++) {
      const r = relations.get(`${i},${j}`)!;
      if (find(i) === find(j)) continue;
      if (r.relation === 'pieces') {
        notes.push(note(logs[j]!.path, `${logs[i]!.path} and ${logs[j]!.path} are pieces of one boot's log (${r.why}): both are read`));
        continue;
      }
      // Only pairs of different groups that are not pieces of one log: refuse.
      const a = logs[i]!;
      const b = logs[j]!;
      const [argA, argB] = a.arg === b.arg ? [a.path, b.path] : [a.arg, b.arg];
      throw new InputError(`${argA} and ${argB}`, null,
        `kernel logs of different boots (${r.why}): one boot is analyzed at a time; to compare boots use \`trace-probe diff ${argA} ${argB}\` (many boots: \`trace-probe fleet ingest\`)`);
    }
  }
  const drop = new Set<T>();
  const members = new Map<number, number[]>();
  logs.forEach((_, i) => members.set(find(i), [...(members.get(find(i)) ?? []), i]));
  for (const idx of members.values()) {
    if (idx.length < 2) continue;
    // The richest presentation: most probe/initcall records, then most stamped records, then the format that
    // carries most per record (kmsg, dmesg -r, ...).
    const best = [...idx].sort((x, y) => prints[y]!.spanRecords - prints[x]!.spanRecords || prints[y]!.stamped.size - prints[x]!.stamped.size || formatRank(logs[x]!.format) - formatRank(logs[y]!.format) || x - y)[0]!;
    const others = idx.filter((i) => i !== best);
    for (const i of others) drop.add(logs[i]!);
    const r = relations.get(`${Math.min(best, others[0]!)},${Math.max(best, others[0]!)}`)!;
    notes.push(note(logs[best]!.path,
      `${idx.map((i) => logs[i]!.path).join(', ')} are the same boot (${r.why}): read once, from ${logs[best]!.path}`));
  }
  return { inputs: kept.filter((i) => !drop.has(i)), notes };
}

/** Byte-identical trace files under two names (a capture's trace.txt and trace-fgraph.txt) are read once. */
async function dropIdenticalTraces<T extends BootInput>(inputs: T[], notes: Diagnostic[]): Promise<T[]> {
  const traces = inputs.filter((i) => TRACES.has(i.format));
  if (traces.length < 2) return inputs;
  const sizes = new Map<T, number>();
  for (const t of traces) sizes.set(t, (await stat(t.path)).size);
  const digests = new Map<string, T>();
  const drop = new Set<T>();
  for (const t of traces) {
    if (traces.filter((u) => sizes.get(u) === sizes.get(t)).length < 2) continue;
    const digest = `${sizes.get(t)}:${await fileDigest(t.path)}`;
    const first = digests.get(digest);
    if (first) {
      drop.add(t);
      notes.push(note(t.path, `${t.path} is byte for byte ${first.path}: read once`));
    } else digests.set(digest, t);
  }
  return inputs.filter((i) => !drop.has(i));
}

function fileDigest(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(readablePath(path)).on('data', (chunk) => h.update(chunk)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

/** Presentations that carry more per record first (levels, caller ids, dictionaries). */
const RICHNESS: readonly InputFormat[] = ['kmsg', 'journal-export', 'journal-json', 'dmesg-json', 'dmesg-raw', 'dmesg-decode', 'dmesg', 'journal-short-monotonic'];
function formatRank(format: InputFormat): number {
  const i = RICHNESS.indexOf(format);
  return i < 0 ? RICHNESS.length + (format === 'console' ? 1 : 0) : i;
}

function note(file: string, message: string): Diagnostic {
  return { file, line: null, severity: 'warning', message };
}

function common(a: Set<number>, b: Set<number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let n = 0;
  for (const k of small) if (large.has(k)) n++;
  return n;
}

/** `6.1.0-50-amd64 and 6.1.176-lab`, or for one release built twice `6.1.176-lab #1 ... 17:20:33 and #2 ... 17:21:46`. */
function describeBanners(a: string, b: string): string {
  const release = (banner: string) => banner.replace(/^Linux version /, '').split(' ')[0] ?? banner;
  if (release(a) !== release(b)) return `${release(a)} and ${release(b)}`;
  const build = (banner: string) => /#\d+.*$/.exec(banner)?.[0] ?? banner;
  return `${release(a)} ${build(a)} and ${build(b)}`;
}

/** Two independent 32-bit FNV-1a hashes folded into one 53-bit number (collisions are negligible here). */
function hash(text: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
