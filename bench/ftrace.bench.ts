// ftrace ingest throughput: generates traces of 10 MB, 100 MB and 1 GB (`--quick`: 10 and 100 MB) by repeating
// the real event lines of fixtures/captures/n0x3/trace.txt (Linux 6.1.176 boot: sched_* and workqueue_*
// events) with their timestamps shifted by one capture length per repetition (so per-CPU time stays
// monotonic), plus function_graph traces of 100 MB and 1 GB (`--quick`: 100 MB) from fixtures/captures/fgraph-bootopt/trace.txt. Each file is
// read in a child process (so its peak RSS is its own) twice: `parse` (readTrace alone) and `analyze` (the
// whole pipeline the analyze command runs: loadBoot of the trace with the capture's dmesg.log and topology,
// so its probes are joined with the first repetition, then the text summary), and compared with `wc -l` on the
// same file in the same run. Files go to bench/out/ (git-ignored) and are deleted afterwards (KEEP_BENCH=1 keeps
// them, e.g. to profile one with node --cpu-prof).

import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatModule, type TraceFormat } from '../src/ingest/formats.js';
import { loadBoot } from '../src/pipeline/load-boot.js';
import { renderSummary } from '../src/render/summary-text.js';
import { limitHeapGrowth } from '../src/core/heap-growth.js';

export const name = 'ftrace ingest (readTrace, analyze)';

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
export function loadTemplate(path: string, timeRe: RegExp): Template {
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

export function generate(path: string, template: Template, bytes: number): void {
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

type Mode = 'parse' | 'analyze';

interface ChildResult {
  ms: number;
  /** CPU time (user + system): the machine is shared, so wall time alone misleads. */
  cpuMs: number;
  lines: number;
  /** parse: events delivered; analyze: probes joined with the trace. */
  events: number;
  diagnostics: number;
  maxRssKb: number;
}

function runInChild(mode: Mode, path: string, format: TraceFormat, companions: string[]): ChildResult {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, path, format, ...companions], { encoding: 'utf8', maxBuffer: MB });
  if (child.status !== 0) throw new Error(`${mode} of ${path} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ChildResult;
}

function wcLines(path: string): { ms: number; lines: number } {
  const start = process.hrtime.bigint();
  const wc = spawnSync('wc', ['-l', path], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, lines: Number(wc.stdout.trim().split(/\s+/)[0]) };
}

async function child(mode: Mode, path: string, format: TraceFormat, companions: string[]): Promise<void> {
  limitHeapGrowth();
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let out: Omit<ChildResult, 'ms' | 'cpuMs' | 'maxRssKb'>;
  if (mode === 'parse') {
    let diagnostics = 0;
    let sink = 0;
    const result = await formatModule(format).read(path, (e) => {
      sink += e.cpu;
    }, () => diagnostics++);
    out = { lines: result.lines, events: sink < 0 ? -1 : result.events, diagnostics };
  } else {
    const boot = await loadBoot([path, ...companions]);
    const summary = renderSummary(boot, { top: 10 });
    const trace = boot.inputs.find((i) => i.path === path);
    out = {
      lines: trace?.lines ?? 0,
      events: summary.length > 0 ? boot.probes.filter((p) => p.worker !== null && p.onCpuNs != null).length : -1,
      diagnostics: trace?.diagnostics ?? 0,
    };
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const result: ChildResult = { ms, cpuMs: (cpu.user + cpu.system) / 1000, ...out, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(JSON.stringify(result));
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
  const n0x3 = join(root, 'fixtures', 'captures', 'n0x3');
  const bootopt = join(root, 'fixtures', 'captures', 'fgraph-bootopt');
  const runs: Array<{ label: string; format: TraceFormat; template: Template; mb: number; companions: string[] }> = [
    ...sizes.map((mb) => ({ label: `ftrace ${mb} MB`, format: 'ftrace' as const, template: ftrace, mb,
      companions: [join(n0x3, 'dmesg.log'), join(n0x3, 'topology.csv')] })),
    ...sizes.filter((mb) => mb >= 100).map((mb) => ({ label: `function_graph ${mb} MB`, format: 'function-graph' as const, template: graph, mb,
      companions: [join(bootopt, 'dmesg.log'), join(bootopt, 'topology.csv')] })),
  ];
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs (wall figures depend on it; CPU MB/s much less)`);
  console.log('parse: readTrace alone; analyze: loadBoot (trace + the capture\'s dmesg.log and topology.csv) and the text summary');
  console.log('file                   mode       MB      lines  wall s   MB/s  CPU s  CPU MB/s  Mlines/s  peak RSS MB  wc -l s  ratio to wc -l  joined');
  for (const r of runs) {
    const path = join(outDir, `bench-${r.format}-${r.mb}mb.txt`);
    try {
      generate(path, r.template, r.mb * MB);
      const size = statSync(path).size;
      const wc = wcLines(path);
      for (const mode of ['parse', 'analyze'] as const) {
        const res = runInChild(mode, path, r.format, r.companions);
        if (res.lines !== wc.lines && res.lines !== wc.lines + 1) console.log(`  line count mismatch: ${mode} ${res.lines}, wc -l ${wc.lines}`);
        const s = res.ms / 1000;
        console.log(
          [
            r.label.padEnd(22),
            mode.padEnd(7),
            (size / MB).toFixed(0).padStart(5),
            String(res.lines).padStart(10),
            s.toFixed(2).padStart(7),
            (size / MB / s).toFixed(0).padStart(6),
            (res.cpuMs / 1000).toFixed(2).padStart(6),
            (size / MB / (res.cpuMs / 1000)).toFixed(0).padStart(9),
            (res.lines / s / 1e6).toFixed(2).padStart(9),
            (res.maxRssKb / 1024).toFixed(0).padStart(12),
            (wc.ms / 1000).toFixed(2).padStart(8),
            `${(res.ms / wc.ms).toFixed(1)}x`.padStart(15),
            mode === 'analyze' ? String(res.events).padStart(7) : '',
          ].join(' '),
        );
        // parse: the reader's own diagnostics; analyze: inputs[].diagnostics, which counts the model's warnings about
        // the trace too (a repeated capture's sched_switch seams), so only parse has to be 0.
        if (res.diagnostics > 0) {
          console.log(mode === 'parse' ? `  ${res.diagnostics} diagnostics on the trace (expected 0 on generated real lines)` : `  ${res.diagnostics} diagnostics about the trace (the model's included)`);
        }
      }
    } finally {
      if (!process.env.KEEP_BENCH) rmSync(path, { force: true });
    }
  }
}

if (process.argv[2] === '--child' && process.argv[1] === fileURLToPath(import.meta.url)) {
  await child(process.argv[3] as Mode, process.argv[4]!, process.argv[5] as TraceFormat, process.argv.slice(6));
}
