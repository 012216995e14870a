// ftrace ingest throughput: generates traces of 10 MB, 100 MB and 1 GB (`--quick`: 10 and 100 MB) by repeating
// the real event lines of fixtures/captures/n0x3/trace.txt (Linux 6.1.176 boot: sched_* and workqueue_*
// events) with their timestamps shifted by one capture length per repetition (so per-CPU time stays
// monotonic), plus a 100 MB function_graph trace from fixtures/captures/fgraph-bootopt/trace.txt. Each file is
// parsed by readTrace in a child process (so its peak RSS is the parser's alone) and compared with `wc -l`
// on the same file in the same run. Files go to bench/out/ (git-ignored) and are deleted afterwards.

import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTrace, type TraceFormat } from '../src/ingest/trace-reader.js';

export const name = 'ftrace ingest (readTrace)';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/: the repository root is two levels up; from bench/ (ts sources) one.
const root = here.endsWith(join('dist', 'bench')) ? join(here, '..', '..') : join(here, '..');
const MB = 1024 * 1024;

interface Template {
  header: string[];
  /** Each event line split around its timestamp, with the timestamp in µs. */
  lines: Array<{ before: string; us: number; after: string }>;
  spanUs: number;
}

/** Splits the event lines of a capture around their ` %5lu.%06lu` timestamp (ftrace `: ` or function_graph ` |`). */
function loadTemplate(path: string, timeRe: RegExp): Template {
  const header: string[] = [];
  const lines: Template['lines'] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const m = timeRe.exec(line);
    if (m === null || m.index === undefined) {
      if (lines.length === 0) header.push(line);
      else lines.push({ before: line, us: -1, after: '' });
      continue;
    }
    const full = m[0];
    const at = m.index + full.indexOf(m[1]!);
    // The time is printed `%5lu.%06lu` (width 12 with its padding), after one space unless it starts the line.
    const before = line.slice(0, at).trimEnd();
    lines.push({ before: before === '' ? '' : before + ' ', us: Number(m[1]!.replace('.', '')), after: line.slice(at + m[1]!.length) });
  }
  const times = lines.filter((l) => l.us >= 0).map((l) => l.us);
  const spanUs = Math.max(...times) - Math.min(...times) + 1000;
  return { header, lines, spanUs };
}

function formatTime(us: number): string {
  const s = Math.floor(us / 1e6);
  const frac = String(us - s * 1e6).padStart(6, '0');
  return `${s}.${frac}`.padStart(12, ' ');
}

function generate(path: string, template: Template, bytes: number): void {
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    let out = template.header.join('\n') + '\n';
    for (let rep = 0; written + out.length < bytes; rep++) {
      const offset = rep * template.spanUs;
      for (const l of template.lines) {
        out += l.us < 0 ? l.before + '\n' : l.before + formatTime(l.us + offset) + l.after + '\n';
        if (out.length > 4 * MB) {
          written += writeSync(fd, out);
          out = '';
          if (written >= bytes) break;
        }
      }
    }
    if (out.length > 0) writeSync(fd, out);
  } finally {
    closeSync(fd);
  }
}

interface ChildResult {
  ms: number;
  /** CPU time of the parse (user + system): the machine is shared, so wall time alone misleads. */
  cpuMs: number;
  lines: number;
  events: number;
  unknownEvents: number;
  diagnostics: number;
  maxRssKb: number;
}

function parseInChild(path: string, format: TraceFormat): ChildResult {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', path, format], { encoding: 'utf8', maxBuffer: MB });
  if (child.status !== 0) throw new Error(`parse of ${path} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ChildResult;
}

function wcLines(path: string): { ms: number; lines: number } {
  const start = process.hrtime.bigint();
  const wc = spawnSync('wc', ['-l', path], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, lines: Number(wc.stdout.trim().split(/\s+/)[0]) };
}

async function child(path: string, format: TraceFormat): Promise<void> {
  let diagnostics = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const result = await readTrace(
    path,
    format,
    (e) => {
      sink += e.cpu;
    },
    () => diagnostics++,
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const out: ChildResult = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    lines: result.lines,
    events: result.events,
    unknownEvents: result.unknownEvents,
    diagnostics,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  if (sink < 0) out.events = -1; // keeps the callback's work observable
  process.stdout.write(JSON.stringify(out));
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const outDir = join(root, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  const sizes = quick ? [10, 100] : [10, 100, 1000];
  const fs = await statfs(outDir);
  const freeMb = (fs.bavail * fs.bsize) / MB;
  const needMb = Math.max(...sizes) * 1.1;
  if (freeMb < needMb + 1024) {
    console.log(`not enough free disk in ${outDir}: ${Math.round(freeMb)} MB free, need ${Math.round(needMb)} MB + 1 GB spare`);
    return;
  }
  const ftrace = loadTemplate(join(root, 'fixtures', 'captures', 'n0x3', 'trace.txt'), /\] \S+\s+(\d+\.\d{6}): /);
  const graph = loadTemplate(join(root, 'fixtures', 'captures', 'fgraph-bootopt', 'trace.txt'), /^\s*(\d+\.\d{6}) \|/);
  const runs: Array<{ label: string; format: TraceFormat; template: Template; mb: number }> = [
    ...sizes.map((mb) => ({ label: `ftrace ${mb} MB`, format: 'ftrace' as const, template: ftrace, mb })),
    { label: 'function_graph 100 MB', format: 'function-graph', template: graph, mb: 100 },
  ];
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs (wall figures depend on it; CPU MB/s much less)`);
  console.log('file                    MB       lines   events wall s   MB/s  CPU s  CPU MB/s  Mlines/s  peak RSS MB  wc -l s  ratio to wc -l');
  for (const r of runs) {
    const path = join(outDir, `bench-${r.format}-${r.mb}mb.txt`);
    try {
      generate(path, r.template, r.mb * MB);
      const size = statSync(path).size;
      const wc = wcLines(path);
      const res = parseInChild(path, r.format);
      if (res.lines !== wc.lines && res.lines !== wc.lines + 1) console.log(`  line count mismatch: readTrace ${res.lines}, wc -l ${wc.lines}`);
      const s = res.ms / 1000;
      console.log(
        [
          r.label.padEnd(22),
          (size / MB).toFixed(0).padStart(5),
          String(res.lines).padStart(11),
          String(res.events).padStart(8),
          s.toFixed(2).padStart(6),
          (size / MB / s).toFixed(0).padStart(6),
          (res.cpuMs / 1000).toFixed(2).padStart(6),
          (size / MB / (res.cpuMs / 1000)).toFixed(0).padStart(9),
          (res.lines / s / 1e6).toFixed(2).padStart(10),
          (res.maxRssKb / 1024).toFixed(0).padStart(12),
          (wc.ms / 1000).toFixed(2).padStart(8),
          `${(res.ms / wc.ms).toFixed(1)}x`.padStart(15),
        ].join(' '),
      );
      if (res.diagnostics > 0) console.log(`  ${res.diagnostics} diagnostics (expected 0 on generated real lines)`);
    } finally {
      rmSync(path, { force: true });
    }
  }
}

if (process.argv[2] === '--child' && process.argv[1] === fileURLToPath(import.meta.url)) {
  await child(process.argv[3]!, process.argv[4] as TraceFormat);
}
