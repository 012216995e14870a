// trace.dat ingest speed (issue 17 item 3): `analyze FILE` against `trace-cmd report -i FILE > /dev/null` on the same
// file in the same run, on a trace.dat of at least 300 MB of ring-buffer pages recorded on this machine.
//
// The file is bench/out/trace-dat-bench.dat (git-ignored). When it is absent it is recorded here (root, tracefs and
// trace-cmd needed): the sched_* and workqueue_* events the model reads, into a per-CPU ring buffer large enough
// that nothing is overwritten, while two threads hand a token back and forth (futex wake-ups: about 12 MB of
// events a second on a busy 2-CPU machine) until the CPUs hold at least 330 MB; then `trace-cmd extract` (file
// version 7, zstd) and `trace-cmd convert --compression none` for the uncompressed file measured. tracefs settings
// are restored afterwards. TRACE_DAT_BENCH=/path/file.dat measures another file instead.
//
// Each command runs in its own process under /usr/bin/time (wall, user+system CPU, peak RSS), three times; the
// fastest run of each is reported (a shared machine's load only ever slows a run). MB/s are of uncompressed
// ring-buffer data (the sum of the CPUs' data sizes the file records).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatFile } from '../src/ingest/trace-dat/dat-file.js';
import { readMetadata } from '../src/ingest/trace-dat/file-header.js';

export const name = 'trace.dat ingest (analyze vs trace-cmd report)';

const here = dirname(fileURLToPath(import.meta.url));
const root = here.endsWith(join('dist', 'bench')) ? join(here, '..', '..') : join(here, '..');
const MB = 1024 * 1024;
const TRACEFS = '/sys/kernel/tracing';
const EVENTS = 'sched:sched_switch sched:sched_wakeup sched:sched_wakeup_new sched:sched_waking sched:sched_migrate_task sched:sched_process_exec workqueue:*';
const TARGET_BYTES = 330 * 1000 * 1000;

interface Timed {
  wallS: number;
  cpuS: number;
  rssMb: number;
}

/** Runs `argv` under /usr/bin/time, stdout to /dev/null; the best of `runs`. */
function timed(argv: string[], runs = 3): Timed {
  const all: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...argv], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 64 * MB });
    const last = r.stderr.trim().split('\n').pop() ?? '';
    const m = /^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(last);
    if (r.status !== 0 || m === null) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
    all.push({ wallS: Number(m[1]), cpuS: Number(m[2]) + Number(m[3]), rssMb: Number(m[4]) / 1024 });
  }
  return { wallS: Math.min(...all.map((t) => t.wallS)), cpuS: Math.min(...all.map((t) => t.cpuS)), rssMb: Math.max(...all.map((t) => t.rssMb)) };
}

/** The uncompressed ring-buffer bytes of a trace.dat (sum of its CPUs' data sizes). */
function ringBytes(path: string): { bytes: number; version: number; compression: string } {
  const file = new DatFile(path);
  try {
    const meta = readMetadata(file);
    if (meta.compression !== 'none') return { bytes: NaN, version: meta.version, compression: meta.compression };
    const bytes = meta.buffers.reduce((n, b) => n + b.cpus.reduce((m, c) => m + c.size, 0), 0);
    return { bytes, version: meta.version, compression: meta.compression };
  } finally {
    file.close();
  }
}

function tracefs(name: string, value?: string): string {
  const path = join(TRACEFS, name);
  if (value !== undefined) writeFileSync(path, value);
  return readFileSync(path, 'utf8');
}

/** A token passed between two threads: every hand-over is a futex wake-up, a sched_waking/wakeup/switch. */
const PING_PONG = `
const { Worker, isMainThread, workerData } = require('node:worker_threads');
if (isMainThread) {
  const sab = new SharedArrayBuffer(4);
  for (const id of [0, 1]) new Worker(__filename, { workerData: { sab, id } });
} else {
  const a = new Int32Array(workerData.sab), id = workerData.id;
  for (;;) {
    while (Atomics.load(a, 0) !== id) Atomics.wait(a, 0, 1 - id, 5);
    Atomics.store(a, 0, 1 - id);
    Atomics.notify(a, 0);
  }
}`;

function record(outDir: string, path: string): void {
  if (!existsSync(TRACEFS) || spawnSync('trace-cmd', ['--version']).status === null) {
    throw new Error(`no ${TRACEFS} or no trace-cmd: cannot record the bench trace (set TRACE_DAT_BENCH to a trace.dat of 300 MB or more)`);
  }
  const saved = { on: tracefs('tracing_on').trim(), size: tracefs('buffer_size_kb').trim().split(' ')[0]!, events: tracefs('set_event'), clock: /\[(\S+)\]/.exec(tracefs('trace_clock'))?.[1] ?? 'local' };
  const cpus = availableParallelism();
  const script = join(outDir, 'ping-pong.cjs');
  writeFileSync(script, PING_PONG);
  const zstd = join(outDir, 'trace-dat-bench-zstd.dat');
  try {
    tracefs('tracing_on', '0');
    // Every CPU may end up with most of the events (the threads share CPUs with whatever else runs).
    tracefs('buffer_size_kb', String(Math.ceil((TARGET_BYTES * 1.15) / 1024)));
    tracefs('trace', '');
    tracefs('set_event', EVENTS);
    tracefs('trace_clock', 'global');
    tracefs('tracing_on', '1');
    console.log(`recording: ${EVENTS} on ${cpus} CPUs, global clock, while two threads ping-pong, until the buffers hold ${TARGET_BYTES / 1e6} MB`);
    const load = spawnSync('bash', ['-c', `node ${script} & pid=$!; for i in $(seq 1 600); do sleep 1; b=$(cat ${TRACEFS}/per_cpu/cpu*/stats | awk '/^bytes/{s+=$2} END{print s}'); [ "$b" -ge ${TARGET_BYTES} ] && break; done; kill $pid; echo $b`], { encoding: 'utf8' });
    tracefs('tracing_on', '0');
    console.log(`recorded ${load.stdout.trim()} bytes; overruns: ${tracefs('per_cpu/cpu0/stats').match(/^overrun: (\d+)/m)?.[1] ?? '?'} (CPU 0)`);
    const extract = spawnSync('trace-cmd', ['extract', '-o', zstd], { encoding: 'utf8' });
    if (extract.status !== 0) throw new Error(`trace-cmd extract failed: ${extract.stderr}`);
    const convert = spawnSync('trace-cmd', ['convert', '-i', zstd, '-o', `${path}.tmp`, '--file-version', '7', '--compression', 'none'], { encoding: 'utf8' });
    if (convert.status !== 0) throw new Error(`trace-cmd convert failed: ${convert.stderr}`);
    renameSync(`${path}.tmp`, path);
  } finally {
    tracefs('tracing_on', '0');
    tracefs('set_event', saved.events.trim() === '' ? '' : saved.events);
    tracefs('buffer_size_kb', saved.size);
    tracefs('trace_clock', saved.clock);
    tracefs('trace', '');
    tracefs('tracing_on', saved.on);
    rmSync(script, { force: true });
  }
}

export async function run(): Promise<void> {
  const outDir = join(root, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  const path = process.env.TRACE_DAT_BENCH ?? join(outDir, 'trace-dat-bench.dat');
  if (!existsSync(path)) record(outDir, path);
  const ring = ringBytes(path);
  if (!(ring.bytes >= 300e6)) {
    console.log(`${path}: ${ring.compression !== 'none' ? `compressed (${ring.compression}): give an uncompressed file` : `${(ring.bytes / 1e6).toFixed(0)} MB of ring-buffer data, under the 300 MB the target is set for`}; delete it to record a new one`);
    return;
  }
  const mb = ring.bytes / 1e6;
  const cli = join(root, 'dist', 'src', 'cli.js');
  console.log(`file ${path}: v${ring.version}, ${(statSync(path).size / 1e6).toFixed(0)} MB on disk, ${mb.toFixed(0)} MB of ring-buffer pages`);
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs (wall figures depend on it; CPU figures much less)`);
  const report = timed(['trace-cmd', 'report', '-i', path]);
  const analyze = timed([process.execPath, cli, 'analyze', path]);
  // TRACE_PROBE_BASE_CLI=/path/to/other/dist/src/cli.js: another build measured in the same run (compare versions
  // side by side: this machine is shared and its load moves from minute to minute).
  const baseCli = process.env.TRACE_PROBE_BASE_CLI ?? null;
  const base = baseCli !== null ? timed([process.execPath, baseCli, 'analyze', path]) : null;
  const zstdPath = path.replace(/\.dat$/, '-zstd.dat');
  const zstd = existsSync(zstdPath) && zstdPath !== path ? timed([process.execPath, cli, 'analyze', zstdPath], 1) : null;
  const row = (label: string, t: Timed) =>
    `${label.padEnd(34)} ${t.wallS.toFixed(2).padStart(7)} ${(mb / t.wallS).toFixed(0).padStart(7)} ${t.cpuS.toFixed(2).padStart(7)} ${(mb / t.cpuS).toFixed(0).padStart(9)} ${t.rssMb.toFixed(0).padStart(12)}`;
  console.log(`${'command'.padEnd(34)} ${'wall s'.padStart(7)} ${'MB/s'.padStart(7)} ${'CPU s'.padStart(7)} ${'CPU MB/s'.padStart(9)} ${'peak RSS MB'.padStart(12)}`);
  console.log(row('trace-cmd report -i FILE >/dev/null', report));
  console.log(row('trace-probe analyze FILE', analyze));
  if (base) console.log(row('  the same, TRACE_PROBE_BASE_CLI', base));
  if (zstd) console.log(row('trace-probe analyze FILE (zstd v7)', zstd));
  const wallRatio = report.wallS / analyze.wallS;
  const cpuRatio = report.cpuS / analyze.cpuS;
  console.log(`analyze vs trace-cmd report: ${wallRatio.toFixed(1)}x faster (wall), ${cpuRatio.toFixed(1)}x (CPU)`);
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`targets: ≥3x trace-cmd report: ${verdict(wallRatio >= 3)} (wall) / ${verdict(cpuRatio >= 3)} (CPU); ≥500 MB/s: ${verdict(mb / analyze.wallS >= 500)} (wall) / ${verdict(mb / analyze.cpuS >= 500)} (CPU); peak RSS < 300 MB: ${verdict(analyze.rssMb < 300)}`);
}
