// Fleet ingest at scale (`npm run bench fleet`, `--quick`: 200 boots only, `--boots=N,M`: those sizes). Builds fleets of 1,000 and 10,000 boots
// from the real logs: every boot `fleet ingest` finds in fixtures/captures, ../shared/captures and ../shared/corpus
// (when present) is a template, and host-NNNNN/ gets symbolic links to the next template's files in turn (a capture
// directory's files, or one log file), so each host's boot is a real log relabelled by `--host-from '(host-\d+)'`.
// Each fleet is ingested in a child process (so its peak RSS, worker threads included, is its own; printed when the
// ingest ends and again after the report) with one worker per core into a fresh DuckDB file, or with `--stored=N`
// into one that already holds N boots (the templates' rows copied under new boot ids by SQL, to show that memory
// does not grow with the store), then `fleet report` is timed on the store. Fleets go to bench/out/ (git-ignored).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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
  /** The peak RSS of each successive 1,000 boots of the ingest (PeakRss). */
  windowRssKb: number[];
  /** Whether the window peaks are the kernel's (VmHWM) or sampled. */
  exactPeaks: boolean;
  /** Boots in the store before the ingest (--stored). */
  storedBefore: number;
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

/**
 * The process's peak RSS since the last reset: on Linux the kernel's own high-water mark (VmHWM, reset by writing 5
 * to /proc/self/clear_refs), so a spike of a few milliseconds (a DuckDB checkpoint) is counted; elsewhere the
 * largest RSS sampled every 100 ms and at each boot.
 */
class PeakRss {
  readonly exact: boolean;
  private sampled = 0;
  private readonly timer: NodeJS.Timeout | null;

  constructor() {
    this.exact = PeakRss.reset();
    this.timer = this.exact ? null : setInterval(() => this.sample(), 100);
  }

  private static reset(): boolean {
    try {
      writeFileSync('/proc/self/clear_refs', '5');
      return /VmHWM:\s+\d+/.test(readFileSync('/proc/self/status', 'utf8'));
    } catch {
      return false;
    }
  }

  sample(): void {
    if (!this.exact) this.sampled = Math.max(this.sampled, process.memoryUsage.rss() / 1024);
  }

  /** The peak since the last call (KB), and starts the next window. */
  take(): number {
    if (!this.exact) {
      const peak = this.sampled;
      this.sampled = 0;
      return Math.round(peak);
    }
    const peak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
    PeakRss.reset();
    return peak;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

async function child(fleet: string, db: string): Promise<void> {
  limitHeapGrowth();
  const peak = new PeakRss();
  const store = await FleetStore.open({ db });
  const storedBefore = Number((await store.rows('SELECT count(*) FROM boots'))[0]![0]);
  const start = Date.now();
  // Whether memory grows with the fleet, or only its peak (the maximum of more samples) creeps up: the peak of
  // each 1,000 boots in turn (the first window includes opening the store and reading its boot ids).
  const windowRssKb: number[] = [];
  let windowEnd = 0;
  const summary = await ingestFleet(store, [fleet], {
    hostFrom: '(host-\\d+)',
    onProgress: (p) => {
      peak.sample();
      if (p.done % 1000 === 0) {
        windowRssKb.push(peak.take());
        windowEnd = p.done;
      }
    },
  });
  if (windowEnd < summary.found) windowRssKb.push(peak.take());
  peak.stop();
  const ingestMs = Date.now() - start;
  // The windows cover the whole ingest (getrusage's maximum is the kernel's VmHWM too, which the windows reset).
  const ingestRssKb = Math.max(...windowRssKb);
  const reportStart = Date.now();
  await buildFleetReport(store);
  const reportMs = Date.now() - reportStart;
  store.close();
  const result: ChildResult = {
    boots: summary.ingested, failed: summary.failed.length, bytes: summary.bytes, ingestMs, reportMs, ingestRssKb, windowRssKb,
    exactPeaks: peak.exact, storedBefore, maxRssKb: Math.max(ingestRssKb, peak.take()), jobs: summary.jobs,
  };
  process.stdout.write(JSON.stringify(result));
}

/**
 * A store holding at least `count` boots before the measured ingest: the templates ingested once (each under its
 * own path as host), then every table's rows copied under new boot ids (md5 of the id and the round) until there
 * are enough. Set-up, not measured: DuckDB gets its default threads and a larger pool for the copies.
 */
async function prefill(db: string, roots: readonly string[], count: number): Promise<number> {
  const store = await FleetStore.open({ db });
  try {
    await ingestFleet(store, roots);
    await store.rows("SET memory_limit = '4GB'");
    await store.rows('RESET threads');
    const tables = ['boots', 'probes', 'initcalls', 'findings', 'diagnostics'];
    const stored = async () => Number((await store.rows('SELECT count(*) FROM boots'))[0]![0]);
    for (let round = 0; (await stored()) < count; round++) {
      for (const t of tables) await store.rows(`INSERT INTO ${t} SELECT * REPLACE (substr(md5(boot_id || '#${round}'), 1, 32) AS boot_id) FROM ${t}`);
    }
    return await stored();
  } finally {
    store.close();
  }
}

export async function run(args: string[]): Promise<void> {
  // --boots N[,N...] picks the fleet sizes (default 1,000 and 10,000; --quick: 200); --stored=N ingests each into a
  // store that already holds N boots.
  const stored = Number(args.find((a) => a.startsWith('--stored='))?.slice('--stored='.length) ?? 0);
  const boots = args.find((a) => a.startsWith('--boots='))?.slice('--boots='.length);
  const sizes = boots ? boots.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0) : args.includes('--quick') ? [200] : [1000, 10000];
  const roots = [join(root, 'fixtures', 'captures'), resolve(root, '..', 'shared', 'captures'), resolve(root, '..', 'shared', 'corpus')].filter(existsSync);
  const { jobs: templates } = await discoverBoots(roots);
  console.log(`templates: ${templates.length} real boots from ${roots.join(', ')}; ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`);
  console.log('boots  stored before  failed  input MB  ingest s  boots/s   MB/s  ingest peak RSS MB  peak RSS MB  report s');
  for (const size of sizes) {
    const out = join(root, 'bench', 'out', `fleet-${size}`);
    rmSync(out, { recursive: true, force: true });
    const fleet = join(out, 'fleet');
    for (let i = 0; i < size; i++) linkBoot(templates[i % templates.length]!, join(fleet, `host-${String(i).padStart(5, '0')}`, 'boot'));
    if (stored > 0) await prefill(join(out, 'fleet.duckdb'), roots, stored);
    const c = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', fleet, join(out, 'fleet.duckdb')], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (c.status !== 0) throw new Error(`fleet ingest of ${size} boots failed: ${c.stderr}`);
    const r = JSON.parse(c.stdout) as ChildResult;
    const s = r.ingestMs / 1000;
    console.log(
      `${String(r.boots).padStart(5)}  ${String(r.storedBefore).padStart(13)}  ${String(r.failed).padStart(6)}  ${(r.bytes / 1e6).toFixed(0).padStart(8)}  ${s.toFixed(1).padStart(8)}` +
        `  ${(r.boots / s).toFixed(1).padStart(7)}  ${(r.bytes / 1e6 / s).toFixed(1).padStart(5)}  ${(r.ingestRssKb / 1024).toFixed(0).padStart(18)}  ${(r.maxRssKb / 1024).toFixed(0).padStart(11)}  ${(r.reportMs / 1000).toFixed(2).padStart(8)}`,
    );
    console.log(`       ingest peak RSS of each 1,000 boots in turn (MB, ${r.exactPeaks ? "the kernel's VmHWM" : 'sampled every 100 ms'}): ${r.windowRssKb.map((k) => (k / 1024).toFixed(0)).join(' ')}`);
    if (!process.env.KEEP_BENCH) rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!);
