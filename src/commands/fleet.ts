// `trace-probe fleet ingest|report|query`: many boots from many machines in an embedded DuckDB store and/or a
// Parquet dataset (docs/fleet.md). Argument handling only: discovery and analysis are in src/fleet/, the
// wording in src/render/.

import type { Command } from 'commander';
import { InputError } from '../ingest/input-error.js';
import { ingestFleet, type IngestProgress } from '../fleet/fleet-ingest.js';
import { buildFleetReport } from '../fleet/fleet-report.js';
import type { FleetStore } from '../fleet/fleet-store.js';
import { renderFleetReport, renderIngestSummary } from '../fleet/fleet-text.js';
import { renderTable } from '../render/text-table.js';
import { writeOutputFile } from './output-file.js';
import { refuseDirectory } from './report.js';
import { UsageError } from './usage-error.js';

interface StoreOptions {
  db?: string;
  parquet?: string;
}

export function registerFleet(program: Command): void {
  const fleet = program
    .command('fleet')
    .description('many boots from many machines: ingest them into DuckDB/Parquet, report on the fleet, query it with SQL');

  fleet
    .command('ingest')
    .description('analyze every boot under INPUTS (capture directories, kernel logs, traces, Boot JSON; directories searched recursively) into the store')
    .argument('<inputs...>', 'files and directories')
    .option('--db <file>', 'the DuckDB database to write (created when missing), e.g. fleet.duckdb')
    .option('--parquet <dir>', 'also (or only) write the dataset as Parquet, hive-partitioned by kernel release')
    .option('--jobs <n>', 'worker threads (default: one per core)')
    .option('--host-from <regex>', 'take the host name from each input path: the first capture group of REGEX, else its whole match (default: the path)')
    .action(async (inputs: string[], options: StoreOptions & { jobs?: string; hostFrom?: string }) => {
      const jobs = options.jobs === undefined ? undefined : Number(options.jobs);
      if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`--jobs takes a whole number ≥ 1, not "${options.jobs}"`);
      if (options.hostFrom !== undefined) checkRegex(options.hostFrom);
      const store = await openStore(options, false);
      try {
        const progress = process.stderr.isTTY ? progressLine() : undefined;
        const summary = await ingestFleet(store, inputs, { ...(jobs ? { jobs } : {}), hostFrom: options.hostFrom ?? null, ...(progress ? { onProgress: progress } : {}) });
        if (progress) process.stderr.write('\n');
        const written = [options.db ? `the fleet database ${options.db}` : null, (await store.exportParquet()) ? `the Parquet dataset ${options.parquet}` : null];
        process.stdout.write(renderIngestSummary(summary, written.filter((w): w is string => w !== null)));
        if (summary.found === 0) throw new InputError(inputs.join(', '), null, 'no boot found (expected capture directories, kernel logs, traces or Boot JSON files)');
      } finally {
        store.close();
      }
    });

  fleet
    .command('report')
    .description('which releases and machine models serialize their probes, time lost per boot, slowest drivers, release-to-release changes')
    .option('--db <file>', 'the DuckDB database to read')
    .option('--parquet <dir>', 'the Parquet dataset to read (when there is no database)')
    .option('--json', 'print the report as JSON (schema trace-probe.fleet-report/1)')
    .option('--html <file>', 'also write a self-contained HTML page of the report')
    .option('--top <n>', 'how many drivers and serializing hosts to list (--json lists every host)', '15')
    .action(async (options: StoreOptions & { json?: boolean; html?: string; top: string }) => {
      const top = Number(options.top);
      if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top takes a whole number ≥ 1, not "${options.top}"`);
      if (options.html) await refuseDirectory('--html', options.html);
      const store = await openStore(options, true);
      try {
        const report = await buildFleetReport(store, { topDrivers: top });
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderFleetReport(report, { topHosts: top }));
        if (options.html) {
          // Loaded only when HTML is asked for (Vega takes about a quarter of a second to load).
          const { renderFleetHtml } = await import('../fleet/fleet-html.js');
          const html = await renderFleetHtml(report, { title: `trace-probe fleet report: ${options.db ?? options.parquet}`, topHosts: Math.max(top, 50) });
          await writeOutputFile(options.html, html, 'the fleet report');
          process.stderr.write(`trace-probe: wrote ${options.html} (${(Buffer.byteLength(html) / 1e6).toFixed(1)} MB)\n`);
        }
      } finally {
        store.close();
      }
    });

  fleet
    .command('query')
    .description('run one SQL statement on the store (tables: boots, probes, initcalls, findings, diagnostics, failures)')
    .argument('<sql>', 'the SQL, e.g. "SELECT kernel_release, count(*) FROM boots GROUP BY 1"')
    .option('--db <file>', 'the DuckDB database to read')
    .option('--parquet <dir>', 'the Parquet dataset to read (when there is no database)')
    .option('--json', 'print the rows as a JSON array of objects')
    .action(async (sql: string, options: StoreOptions & { json?: boolean }) => {
      const store = await openStore(options, true);
      try {
        let result;
        try {
          result = await store.query(sql);
        } catch (err) {
          throw new UsageError(`query failed: ${String((err as Error).message).split('\n')[0]}`);
        }
        if (options.json) {
          const objects = result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c, r[i]])));
          process.stdout.write(`${JSON.stringify(objects, (_k, v) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n`);
        } else {
          const cell = (v: unknown) => (v === null || v === undefined ? '' : Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)) : String(v));
          process.stdout.write(`${renderTable(result.columns.map((c) => ({ header: c })), result.rows.map((r) => r.map(cell)))}\n(${result.rows.length} rows)\n`);
        }
      } finally {
        store.close();
      }
    });
}

async function openStore(options: StoreOptions, readOnly: boolean): Promise<FleetStore> {
  if (!options.db && !options.parquet) throw new UsageError('give --db FILE.duckdb, --parquet DIR, or both');
  // DuckDB is loaded only by the fleet commands: every other command starts without it.
  const { FleetStore } = await import('../fleet/fleet-store.js');
  return FleetStore.open({ ...(options.db ? { db: options.db } : {}), ...(options.parquet ? { parquet: options.parquet } : {}), readOnly });
}

function checkRegex(pattern: string): void {
  try {
    new RegExp(pattern);
  } catch (err) {
    throw new UsageError(`--host-from: not a regular expression: ${(err as Error).message}`);
  }
}

/** One line on a terminal, redrawn: boots done, boots/s, MB/s and the time left. */
function progressLine(): (p: IngestProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 200 && p.done !== p.total) return;
    last = now;
    const s = Math.max(p.elapsedMs / 1000, 1e-3);
    const rate = p.done / s;
    const speed = `${rate.toFixed(1)} boots/s  ${(p.bytes / 1e6 / s).toFixed(1)} MB/s`;
    // While the inputs are still walked there is no total to draw a bar or an ETA against.
    if (p.total === null) {
      process.stderr.write(`\r${p.done}/${p.found} boots (still finding inputs)  ${speed}   `);
      return;
    }
    const eta = rate > 0 ? (p.total - p.done) / rate : 0;
    const width = 24;
    const filled = Math.round((width * p.done) / Math.max(p.total, 1));
    process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${p.done}/${p.total} boots  ${speed}  ETA ${formatEta(eta)}                  `);
  };
}

function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
