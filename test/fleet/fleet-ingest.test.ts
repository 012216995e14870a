// `fleet ingest` / `report` / `query` end to end through the built command, on a fleet generated from the bundled
// real captures: hosts host-a1..a3 run the unpatched 6.1.176 boots (before-n0x3, three boots each: all serialize
// their NVMe probes on CPU 0), hosts host-b1..b3 the v1-fixed boots (after-n0x3), relabelled as release
// 6.1.177-lab (the banner's release rewritten, nothing else) so the fleet holds two releases, one before and one
// after the fix; hosts host-c1 and host-c2 were upgraded: their old/ boots are the unpatched ones, their new/ boots
// the fixed release. Plus one broken Boot JSON, which must be listed and not stop the run.

import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
interface Run {
  status: number;
  stdout: string;
  stderr: string;
}
/** The built CLI in a child process, awaited (a synchronous spawn would block this worker's test runner RPC). */
const run = (...args: string[]) =>
  new Promise<Run>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
const CAPTURES = join(process.cwd(), 'fixtures', 'captures');
const CAPTURE_FILES = ['dmesg.log', 'trace.txt', 'topology.csv', 'node-cpulist.txt', 'cpus.txt', 'pci-numa.txt'];

let dir: string;
let db: string;
let parquet: string;
let firstIngest: Run;

/** Copies a capture's files (and its boot-N/ boots) with the banner's release replaced. */
function relabelRelease(from: string, to: string, release: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of CAPTURE_FILES) {
    const text = readFileSync(join(from, name), 'utf8');
    writeFileSync(join(to, name), name === 'dmesg.log' ? text.replace(/Linux version 6\.1\.176-lab /, `Linux version ${release} `) : text);
  }
  for (const sub of readdirSync(from).filter((n) => /^boot-\d+$/.test(n))) relabelRelease(join(from, sub), join(to, sub), release);
}

async function query(sql: string, store = ['--db', db]): Promise<Array<Record<string, unknown>>> {
  const r = await run('fleet', 'query', ...store, '--json', sql);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trace-probe-fleet-'));
  const fleet = join(dir, 'fleet');
  mkdirSync(join(fleet, 'rack1'), { recursive: true });
  for (const h of [1, 2, 3]) symlinkSync(join(CAPTURES, 'before-n0x3'), join(fleet, 'rack1', `host-a${h}`));
  const fixed = join(dir, 'fixed-release');
  relabelRelease(join(CAPTURES, 'after-n0x3'), fixed, '6.1.177-lab');
  mkdirSync(join(fleet, 'rack2'), { recursive: true });
  for (const h of [1, 2, 3]) symlinkSync(fixed, join(fleet, 'rack2', `host-b${h}`));
  for (const h of [1, 2]) {
    mkdirSync(join(fleet, 'rack3', `host-c${h}`), { recursive: true });
    symlinkSync(join(CAPTURES, 'before-n0x3'), join(fleet, 'rack3', `host-c${h}`, 'old'));
    symlinkSync(fixed, join(fleet, 'rack3', `host-c${h}`, 'new'));
  }
  writeFileSync(join(fleet, 'broken.json'), '{"schema": "trace-probe.boot/1", "probes": []}\n');
  db = join(dir, 'store', 'fleet.duckdb');
  parquet = join(dir, 'parquet');
  firstIngest = await run('fleet', 'ingest', fleet, '--db', db, '--parquet', parquet, '--jobs', '2', '--host-from', '(host-[abc]\\d)');
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trace-probe fleet', () => {
  it('ingests every boot, lists the broken input and goes on', async () => {
    expect(firstIngest.stderr).toBe('');
    expect(firstIngest.status).toBe(0);
    expect(firstIngest.stdout).toMatch(/^ingested 30 boots, 0 already stored, 1 failed, of 31 found/);
    expect(firstIngest.stdout).toMatch(/failed: .*broken\.json: .*broken\.json.*inputs is missing|failed: .*broken\.json: .+/);
    const failures = await query('SELECT input, error FROM failures');
    expect(failures).toHaveLength(1);
    expect(String(failures[0]!.input)).toMatch(/broken\.json$/);
  });

  it('finds exactly the hosts and the release that serialize', async () => {
    const serialized = await query("SELECT DISTINCT host, kernel_release FROM boots WHERE serialized ORDER BY host");
    expect(serialized).toEqual(['host-a1', 'host-a2', 'host-a3', 'host-c1', 'host-c2'].map((host) => ({ host, kernel_release: '6.1.176-lab' })));
    const hosts = await query('SELECT host_source, count(DISTINCT host) AS hosts, count(*) AS boots FROM boots GROUP BY 1');
    expect(hosts).toEqual([{ host_source: 'pattern', hosts: 8, boots: 30 }]);

    const r = await run('fleet', 'report', '--db', db, '--json');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.schema).toBe('trace-probe.fleet-report/1');
    expect(report.releaseOrder).toEqual(['6.1.176-lab', '6.1.177-lab']);
    const share = Object.fromEntries(report.exposure.map((e: { release: string; sharePercent: number }) => [e.release, e.sharePercent]));
    expect(share).toEqual({ '6.1.176-lab': 100, '6.1.177-lab': 0 });
    // The machine model is the DMI line's (QEMU prints no board): the breakdown is by real model, not "unknown".
    expect(report.exposure.map((e: { release: string; model: string }) => [e.release, e.model])).toEqual([
      ['6.1.176-lab', 'QEMU Standard PC (Q35 + ICH9, 2009)'], ['6.1.177-lab', 'QEMU Standard PC (Q35 + ICH9, 2009)']]);
    expect(report.overview.models).toBe(1);
    expect(report.overview).toMatchObject({ boots: 30, hosts: 8, serializedBoots: 15, serializedHosts: 5, failedInputs: 1 });
    // The report names exactly the hosts that serialize and where: the a hosts on the unpatched release only, the
    // upgraded c hosts on the unpatched release and clear on the fixed one; no b host. Equal time lost (the same
    // three boots each): by host name.
    expect(report.serializingHosts.map((h: Record<string, unknown>) => [h.host, h.serializedReleases, h.clearReleases, h.serializedBoots, h.boots])).toEqual([
      ['host-a1', ['6.1.176-lab'], [], 3, 3], ['host-a2', ['6.1.176-lab'], [], 3, 3], ['host-a3', ['6.1.176-lab'], [], 3, 3],
      ['host-c1', ['6.1.176-lab'], ['6.1.177-lab'], 3, 6], ['host-c2', ['6.1.176-lab'], ['6.1.177-lab'], 3, 6]]);
    const lostPerHost = report.serializingHosts.map((h: { totalLostNs: number }) => h.totalLostNs);
    expect(new Set(lostPerHost).size).toBe(1);
    expect(lostPerHost[0]).toBeGreaterThan(0);
    const text = await run('fleet', 'report', '--db', db, '--top', '4');
    expect(text.stdout).toMatch(/Hosts that serialize[^]*host-a1 +6\.1\.176-lab +- +3\/3[^]*host-c1 +6\.1\.176-lab +6\.1\.177-lab +3\/6[^]*… 1 more hosts/);
    expect(text.stdout).not.toMatch(/host-b\d/);
    // The fix made the NVMe probes of a boot cheaper: the release-to-release change must say so.
    const nvme = report.releaseChanges.find((c: { driver: string }) => c.driver === 'nvme');
    expect(nvme).toMatchObject({ from: '6.1.176-lab', to: '6.1.177-lab', bootsBefore: 15, bootsAfter: 15 });
    expect(nvme.changePercent).toBeLessThan(0);
    expect(nvme.medianAfterNs).toBeLessThan(nvme.medianBeforeNs);
    // Three real boots per side, each repeated on five hosts: their NVMe totals overlap (before 11.6 / 29.9 / 19.9 ms,
    // after 39.2 / 9.6 / 7.2 ms: medians 19.9 -> 9.6), so the U test honestly finds no significant change (the
    // repeats are not independent evidence either); the test is the diff's own.
    expect(nvme.significance.test).toBe('mann-whitney-u');
    expect(nvme.significance.pValue).toBeGreaterThan(0.05);
  });

  it('holds the same per-boot numbers as analyze --json of the same inputs', async () => {
    for (const sub of ['', 'boot-2', 'boot-3']) {
      const path = join(CAPTURES, 'before-n0x3', sub);
      const boot = JSON.parse((await run('analyze', '--json', path)).stdout);
      const label = join(dir, 'fleet', 'rack1', 'host-a2', sub).replace(/\/$/, '');
      const [row] = await query(`SELECT * FROM boots WHERE list_contains(input_paths, '${label}/dmesg.log')`);
      expect(row, label).toBeDefined();
      const timed = boot.probes.filter((p: { startNs: number | null }) => p.startNs !== null);
      expect(row).toMatchObject({
        kernel_release: boot.kernel.release,
        cmdline: boot.kernel.cmdline,
        cpus: boot.topology.cpus.length,
        probes: boot.probes.length,
        timed_probes: timed.length,
        probe_window_ns: Math.max(...timed.map((p: { endNs: number }) => p.endNs)) - Math.min(...timed.map((p: { startNs: number }) => p.startNs)),
        total_probe_ns: boot.probes.reduce((s: number, p: { durationNs: number }) => s + p.durationNs, 0),
        findings: boot.findings.length,
        diagnostics: boot.diagnostics.length,
        serialized: true,
        machine_model: boot.kernel.machine.model,
        machine_board: boot.kernel.machine.board,
        bios: boot.kernel.machine.bios,
        exposed: boot.findings.some((f: { kind: string; severity: string }) => f.kind === 'bound-queue-exposure' && f.severity === 'warning'),
      });
      expect(row!.machine_model).toBe('QEMU Standard PC (Q35 + ICH9, 2009)');
      expect(row!.bios).toBe('1.16.2-debian-1.16.2-1 04/01/2014');
      const probes = await query(`SELECT device, driver, cpu, worker_comm, start_ns, duration_ns, queue_delay_ns FROM probes WHERE boot_id = '${row!.boot_id}' ORDER BY seq`);
      expect(probes).toEqual(boot.probes.map((p: Record<string, any>) => ({
        device: p.device, driver: p.driver, cpu: p.cpu, worker_comm: p.worker?.comm ?? null, start_ns: p.startNs, duration_ns: p.durationNs, queue_delay_ns: p.queueDelayNs,
      })));
      const findings = await query(`SELECT kind, lost_ns FROM findings WHERE boot_id = '${row!.boot_id}' ORDER BY seq`);
      expect(findings).toEqual(boot.findings.map((f: { kind: string; lostNs: number | null }) => ({ kind: f.kind, lost_ns: f.lostNs })));
    }
  });

  it('adds nothing when the same inputs are ingested again', async () => {
    const again = await run('fleet', 'ingest', join(dir, 'fleet'), '--db', db, '--host-from', '(host-[abc]\\d)');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^ingested 0 boots, 30 already stored, 0 failed \(1 that failed before skipped\), of 31 found/);
    expect(await query('SELECT count(*) AS n FROM boots')).toEqual([{ n: 30 }]);
    expect(await query('SELECT count(*) AS n FROM failures')).toEqual([{ n: 1 }]);
  });

  it('writes a Parquet dataset that DuckDB and hyparquet both read', async () => {
    // Hive partitions by kernel release.
    expect(readdirSync(join(parquet, 'boots')).sort()).toEqual(['release=6.1.176-lab', 'release=6.1.177-lab']);
    // DuckDB's read_parquet (through a store made of the dataset alone).
    expect(await query('SELECT count(*) AS n, count(*) FILTER (WHERE serialized) AS s FROM boots', ['--parquet', parquet])).toEqual([{ n: 30, s: 15 }]);
    // hyparquet, an independent pure-JS reader.
    const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
    const rows: Array<Record<string, unknown>> = [];
    for (const part of readdirSync(join(parquet, 'boots'))) {
      for (const file of readdirSync(join(parquet, 'boots', part))) {
        rows.push(...(await parquetReadObjects({ file: await asyncBufferFromFile(join(parquet, 'boots', part, file)) })));
      }
    }
    expect(rows).toHaveLength(30);
    const fromDb = await query('SELECT boot_id, probes, total_probe_ns FROM boots ORDER BY boot_id');
    const fromHyparquet = rows
      .map((r) => ({ boot_id: r.boot_id, probes: Number(r.probes), total_probe_ns: Number(r.total_probe_ns) }))
      .sort((a, b) => String(a.boot_id).localeCompare(String(b.boot_id)));
    expect(fromHyparquet).toEqual(fromDb);
  });

  it('reads datasets written apart and copied under one directory as one fleet, each boot once', async () => {
    // Scaling out (docs/fleet.md): rack1 ingested on its own, its dataset copied next to the whole fleet's. Its boots
    // are the same boots (same bytes, same host), so they are the same rows; file names are unique, nothing is
    // overwritten.
    const apart = join(dir, 'parquet-rack1');
    const r = await run('fleet', 'ingest', join(dir, 'fleet', 'rack1'), '--parquet', apart, '--host-from', '(host-[abc]\\d)');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ingested 9 boots, 0 already stored/);
    const merged = join(dir, 'parquet-merged');
    cpSync(parquet, merged, { recursive: true });
    cpSync(apart, merged, { recursive: true });
    const files = (d: string) => readdirSync(join(d, 'boots', 'release=6.1.176-lab'));
    expect(files(merged).sort()).toEqual([...files(parquet), ...files(apart)].sort());
    expect(files(merged).length).toBe(2);
    const count = 'SELECT (SELECT count(*) FROM boots) AS boots, (SELECT count(DISTINCT boot_id) FROM boots) AS ids, (SELECT count(*) FROM probes) AS probes, (SELECT count(*) FROM findings) AS findings';
    expect(await query(count, ['--parquet', merged])).toEqual(await query(count));
    expect(await query(count, ['--parquet', merged])).toMatchObject([{ boots: 30, ids: 30 }]);
  });

  it('refuses a store of the older schema trace-probe.fleet/1 and says to ingest again', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const old = join(dir, 'old.duckdb');
    const instance = await DuckDBInstance.create(old);
    const c = await instance.connect();
    await c.run("CREATE TABLE fleet_meta (key VARCHAR PRIMARY KEY, value VARCHAR); INSERT INTO fleet_meta VALUES ('schema', 'trace-probe.fleet/1')");
    c.closeSync();
    instance.closeSync();
    const r = await run('fleet', 'report', '--db', old);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/old\.duckdb: a fleet store of schema trace-probe\.fleet\/1 \(.*no machine_board, bios or exposed columns.*\); this trace-probe reads trace-probe\.fleet\/2: ingest the inputs again into a new store\n$/);
  });

  it('refuses what it cannot do in one line, exit 2', async () => {
    const noStore = await run('fleet', 'report');
    expect(noStore.status).toBe(2);
    expect(noStore.stderr).toMatch(/^trace-probe: give --db FILE\.duckdb, --parquet DIR, or both\n$/);
    const missing = await run('fleet', 'report', '--db', join(dir, 'nope.duckdb'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.duckdb: no such fleet database/);
    const badSql = await run('fleet', 'query', '--db', db, 'SELEC nonsense');
    expect(badSql.status).toBe(2);
    expect(badSql.stderr.split('\n')).toHaveLength(2);
    const badRegex = await run('fleet', 'ingest', dir, '--db', db, '--host-from', '(');
    expect(badRegex.status).toBe(2);
  });
});
