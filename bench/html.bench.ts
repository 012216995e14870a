// `npm run bench html`: the HTML report of a boot with 10,000 probes, and of a generated 200,000-line
// initcall_debug log with 28,571 probes (bench/initcall-log.ts, through the whole pipeline) — time to
// render it in Node (specs + static SVG), the HTML size (target < 10 MB), and the time until every chart
// is drawn in headless Chromium from file:// (target < 3 s, measured as performance.now() at the page's
// __reportReady, i.e. from navigation start). The boot is synthetic but shaped like a large async
// probe of NVMe functions on a 4-node, 64-CPU machine: bound-kworker bodies on each node's first CPU
// and some unbound/task ones, with queue delays and runnable waits.

import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadBoot } from '../src/pipeline/load-boot.js';
import { writeInitcallLog } from './initcall-log.js';
import { detectFindings } from '../src/findings/index.js';
import type { Boot, InitcallSpan, ProbeSpan, WorkerKind } from '../src/model/types.js';
import { BOOT_SCHEMA, cpuId, nodeId, ns, pidOf } from '../src/model/types.js';
import { renderHtmlReport } from '../src/render/html/report.js';
import { chromiumMissing, launchChromium, offlinePage, readChartMarks } from './headless-chromium.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/: the repository root is two levels up; from bench/ (ts sources) one.
const root = here.endsWith(join('dist', 'bench')) ? join(here, '..', '..') : join(here, '..');

export const name = 'html report (10,000 probes; a 200,000-line initcall_debug log)';

const PROBES = 10_000;
const CPUS = 64;
const NODES = 4;

/** Deterministic pseudo-random numbers (mulberry32), so every run renders the same boot. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function largeBoot(probes = PROBES): Boot {
  const rand = random(6);
  const perNode = CPUS / NODES;
  const spans: ProbeSpan[] = [];
  const busyUntil = new Array<number>(CPUS).fill(0);
  for (let i = 0; i < probes; i++) {
    const node = i % NODES;
    const roll = rand();
    const kind: WorkerKind = roll < 0.7 ? 'bound' : roll < 0.9 ? 'unbound' : 'task';
    const cpu = kind === 'bound' ? node * perNode : node * perNode + 1 + Math.floor(rand() * (perNode - 1));
    const queued = 2_000_000_000 + Math.floor((i / probes) * 1_500_000_000) + Math.floor(rand() * 1_000_000);
    const duration = 200_000 + Math.floor(rand() * 3_000_000);
    const bodyStart = Math.max(queued, busyUntil[cpu]!);
    const end = bodyStart + duration;
    busyUntil[cpu] = kind === 'bound' ? end : busyUntil[cpu]!;
    const bus = 0x20 + Math.floor(i / 256);
    spans.push({
      device: `0000:${(bus % 256).toString(16).padStart(2, '0')}:${((i >> 3) % 32).toString(16).padStart(2, '0')}.${i % 8}`,
      driver: i % 5 === 0 ? 'mlx5_core' : 'nvme',
      node: nodeId(node),
      startNs: ns(queued),
      endNs: ns(end),
      durationNs: ns(end - queued),
      ret: 0,
      status: 'ok',
      deferred: false,
      cpu: cpuId(cpu),
      worker: {
        comm: kind === 'bound' ? `kworker/${cpu}:${i % 9}` : kind === 'unbound' ? `kworker/u${CPUS * 2 + 1}:${i % 50}` : 'systemd-udevd',
        pid: pidOf(1000 + (i % 4000)),
        kind,
        cpu: kind === 'bound' ? cpuId(cpu) : null,
        pool: kind === 'unbound' ? CPUS * 2 + 1 : null,
        workerId: kind === 'task' ? null : i % 50,
        rescuerOf: null,
        maybeTruncated: false,
      },
      queuedBy: null,
      queueDelayNs: ns(bodyStart - queued),
      onCpuNs: ns(Math.floor(duration * 0.6)),
      runnableWaitNs: ns(Math.floor(duration * 0.1 * rand())),
      sleepNs: null,
      origin: 'simulated',
      source: { file: 'bench/synthetic-dmesg.log', line: 1000 + i },
      evidence: [],
    });
  }
  const initcalls: InitcallSpan[] = Array.from({ length: 1500 }, (_, i) => ({
    fn: `synthetic_init_${i}`,
    module: i % 3 === 0 ? `mod${i}` : null,
    asyncCookie: null,
    callerPid: pidOf(1),
    startNs: ns(100_000_000 + i * 1_000_000),
    endNs: ns(100_000_000 + i * 1_000_000 + 200_000),
    durationNs: ns(200_000),
    usecsAreShifted: false,
    ret: 0,
    level: null,
    source: { file: 'bench/synthetic-dmesg.log', line: i + 1 },
  }));
  return {
    schema: BOOT_SCHEMA,
    inputs: [{ path: 'bench/synthetic-dmesg.log', format: 'dmesg', lines: probes + 1500, diagnostics: 0 }],
    kernel: { release: 'synthetic', banner: null, cmdline: null },
    topology: {
      cpus: Array.from({ length: CPUS }, (_, c) => ({ cpu: cpuId(c), node: nodeId(Math.floor(c / perNode)), core: c, socket: null, llc: null, online: true })),
      isolated: [],
      source: null,
    },
    probes: spans,
    initcalls,
    findings: [],
    diagnostics: [],
  };
}

export async function run(): Promise<void> {
  const boot = largeBoot();
  boot.findings = detectFindings(boot);
  await measure(`bench: ${PROBES} probes`, boot, 'synthetic Boot');
  // The whole pipeline on a generated 200,000-line initcall_debug log (bench/initcall-log.ts).
  const dir = join(root, 'bench', 'out');
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'initcall-debug-200k.log');
  const lines = writeInitcallLog(log);
  try {
    const t0 = performance.now();
    const logBoot = await loadBoot([log]);
    console.log(`\n${lines.toLocaleString('en-US')}-line initcall_debug log (${(statSync(log).size / 1e6).toFixed(1)} MB): loaded in ${(performance.now() - t0).toFixed(0)} ms`);
    await measure('bench: 200k-line log', logBoot, `${logBoot.probes.length} probes`);
  } finally {
    if (!process.env['KEEP_BENCH']) rmSync(log, { force: true });
  }
}

async function measure(title: string, boot: Boot, what: string): Promise<void> {
  const t0 = performance.now();
  const html = await renderHtmlReport({ title, boots: [{ label: what, boot }] });
  const renderMs = performance.now() - t0;
  const bytes = Buffer.byteLength(html);
  const file = join(mkdtempSync(join(tmpdir(), 'tp-bench-html-')), 'report.html');
  writeFileSync(file, html);
  const kinds = new Map<string, number>();
  for (const f of boot.findings) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
  const timed = boot.probes.filter((p) => p.startNs !== null).length;
  console.log(`probes: ${boot.probes.length} (${timed} timed), initcalls: ${boot.initcalls.length}, findings: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);
  console.log(`node render (specs + static SVG): ${renderMs.toFixed(0)} ms`);
  console.log(`html size: ${(bytes / 1e6).toFixed(2)} MB (target < 10 MB: ${bytes < 10e6 ? 'ok' : 'OVER'})`);
  const missing = chromiumMissing();
  if (missing) {
    console.log(`browser render: skipped, ${missing}`);
    return;
  }
  const browser = await launchChromium();
  try {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { context, page, errors, blocked } = await offlinePage(browser);
      await page.goto(pathToFileURL(file).href, { timeout: 60_000 });
      const marks = await readChartMarks(page);
      const readyMs = await page.evaluate(() => (globalThis as unknown as { __reportReadyMs: number }).__reportReadyMs);
      times.push(readyMs);
      const bars = marks.probeBars['spec-timeline-0']?.length ?? 0;
      if (i === 0) console.log(`timeline bars drawn: ${bars} of ${timed} timed probes (the rest counted per driver); console errors: ${errors.length}; blocked requests: ${blocked.length}`);
      await context.close();
    }
    const best = Math.min(...times);
    console.log(`browser: charts drawn ${times.map((t) => t.toFixed(0)).join(', ')} ms after navigation start (best ${best.toFixed(0)} ms, measured in the page when the last chart resolved; target < 3000 ms: ${best < 3000 ? 'ok' : 'OVER'})`);
  } finally {
    await browser.close();
  }
}
