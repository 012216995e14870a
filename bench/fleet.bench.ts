// Fleet ingest at scale (`npm run bench fleet`, `--quick`: 200 boots only, `--boots=N,M`: those sizes). Builds fleets of 1,000 and 10,000 boots
// from the real logs: every boot `fleet ingest` finds in fixtures/captures, ../shared/captures and ../shared/corpus
// (when present) is a template, and host-NNNNN/ gets symbolic links to the next template's files in turn (a capture
// directory's files, or one log file), so each host's boot is a real log relabelled by `--host-from '(host-\d+)'`.
// Each fleet is ingested in a child process (so its peak RSS, worker threads included, is its own; printed when the
// ingest ends and again after the report) with one worker
// per core into a fresh DuckDB file, then `fleet report` is timed on the store. Fleets go to bench/out/ (git-ignored).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverBoots } from '../src/fleet/discover.js';
import { ingestFleet } from '../src/fleet/fleet-ingest.js';
import { buildFleetReport } from '../src/fleet/fleet-report.js';
import { FleetStore } from '../src/fleet/fleet-store.js';
import { limitHeapGrowth } from '../src/core/heap-growth.js';

export const name = 'fleet ingest (DuckDB)';

const here = dirname(fileURLToPath(import.meta.url));
const root = here.endsWith(join('dist', 'bench')) ? join(here, '..', '..') : join(here, '..');

interface ChildResult {
  boots: number;
  failed: number;
  bytes: number;
  ingestMs: number;
  reportMs: number;
  /** Peak RSS when the ingest ended (before the report ran). */
  ingestRssKb: number;
  /** The highest RSS sampled (every 100 ms and at each boot) in each successive 1,000 boots of the ingest. */
  windowRssKb: number[];
  maxRssKb: number;
  jobs: number;
}

/** Links one template boot into `dir`: a capture directory's regular files, or the one log file. */
function linkBoot(template: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (statSync(template).isDirectory()) {
    for (const e of readdirSync(template, { withFileTypes: true })) if (e.isFile()) symlinkSync(join(template, e.name), join(dir, e.name));
  } else {
    symlinkSync(template, join(dir, basename(template)));
  }
}

async function child(fleet: string, db: string): Promise<void> {
  limitHeapGrowth();
  const store = await FleetStore.open({ db });
  const start = Date.now();
  // Whether memory grows with the fleet, or only its peak (the maximum of more samples) creeps up: the peak of
  // each 1,000 boots in turn.
  const windowRssKb: number[] = [];
  let windowMax = 0;
  const sample = () => {
    windowMax = Math.max(windowMax, process.memoryUsage.rss() / 1024);
  };
  const timer = setInterval(sample, 100);
  const summary = await ingestFleet(store, [fleet], {
    hostFrom: '(host-\\d+)',
    onProgress: (p) => {
      sample();
      if (p.done % 1000 === 0 || p.done === p.total) {
        windowRssKb.push(Math.round(windowMax));
        windowMax = 0;
      }
    },
  });
  clearInterval(timer);
  const ingestMs = Date.now() - start;
  const ingestRssKb = process.resourceUsage().maxRSS;
  const reportStart = Date.now();
  await buildFleetReport(store);
  const reportMs = Date.now() - reportStart;
  store.close();
  const result: ChildResult = {
    boots: summary.ingested, failed: summary.failed.length, bytes: summary.bytes, ingestMs, reportMs, ingestRssKb, windowRssKb,
    maxRssKb: process.resourceUsage().maxRSS, jobs: summary.jobs,
  };
  process.stdout.write(JSON.stringify(result));
}

export async function run(args: string[]): Promise<void> {
  // --boots N[,N...] picks the fleet sizes (default 1,000 and 10,000; --quick: 200).
  const boots = args.find((a) => a.startsWith('--boots='))?.slice('--boots='.length);
  const sizes = boots ? boots.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0) : args.includes('--quick') ? [200] : [1000, 10000];
  const roots = [join(root, 'fixtures', 'captures'), resolve(root, '..', 'shared', 'captures'), resolve(root, '..', 'shared', 'corpus')].filter(existsSync);
  const { jobs: templates } = await discoverBoots(roots);
  console.log(`templates: ${templates.length} real boots from ${roots.join(', ')}; ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`);
  console.log('boots   failed  input MB  ingest s  boots/s   MB/s  ingest peak RSS MB  peak RSS MB  report s');
  for (const size of sizes) {
    const out = join(root, 'bench', 'out', `fleet-${size}`);
    rmSync(out, { recursive: true, force: true });
    const fleet = join(out, 'fleet');
    for (let i = 0; i < size; i++) linkBoot(templates[i % templates.length]!, join(fleet, `host-${String(i).padStart(5, '0')}`, 'boot'));
    const c = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', fleet, join(out, 'fleet.duckdb')], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (c.status !== 0) throw new Error(`fleet ingest of ${size} boots failed: ${c.stderr}`);
    const r = JSON.parse(c.stdout) as ChildResult;
    const s = r.ingestMs / 1000;
    console.log(
      `${String(r.boots).padStart(5)}  ${String(r.failed).padStart(7)}  ${(r.bytes / 1e6).toFixed(0).padStart(8)}  ${s.toFixed(1).padStart(8)}` +
        `  ${(r.boots / s).toFixed(1).padStart(7)}  ${(r.bytes / 1e6 / s).toFixed(1).padStart(5)}  ${(r.ingestRssKb / 1024).toFixed(0).padStart(18)}  ${(r.maxRssKb / 1024).toFixed(0).padStart(11)}  ${(r.reportMs / 1000).toFixed(2).padStart(8)}`,
    );
    console.log(`       ingest RSS peak of each 1,000 boots in turn (MB): ${r.windowRssKb.map((k) => (k / 1024).toFixed(0)).join(' ')}`);
    if (!process.env.KEEP_BENCH) rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
