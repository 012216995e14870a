// Issue 18's first criterion on every real boot there is: the fleet store built from the bundled captures,
// ../shared/captures and ../shared/corpus holds, for every boot, the numbers of the Boot JSON `analyze --json`
// prints for the same input (renderBootJson of loadBoot, the very output of the command, parsed back), computed
// here from that JSON independently of src/fleet/boot-rows.ts; and its probes, initcalls, findings and
// diagnostics rows are the JSON's, one for one.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverBoots } from '../../src/fleet/discover.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { renderBootJson } from '../../src/render/boot-json.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const SHARED = join(process.cwd(), '..', 'shared');
const roots = ['fixtures/captures', join(SHARED, 'captures'), join(SHARED, 'corpus')].filter(existsSync);

const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });

/** The parsed Boot JSON, read as loosely as a consumer of `analyze --json` would. */
type Json = any;

describe.skipIf(!existsSync(SHARED))(existsSync(SHARED) ? 'fleet store of every real boot' : `fleet store of every real boot (skipped: ${SHARED} is absent)`, () => {
  it('holds for every boot the numbers of its analyze --json', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'trace-probe-fleet-corpus-'));
    const db = join(tmp, 'fleet.duckdb');
    try {
      const ingest = await cli('fleet', 'ingest', ...roots, '--db', db);
      expect(ingest.stderr).toBe('');
      expect(ingest.status).toBe(0);
      const q = async (sql: string) => {
        const r = await cli('fleet', 'query', '--db', db, '--json', sql);
        expect(r.stderr).toBe('');
        return JSON.parse(r.stdout) as Array<Record<string, Json>>;
      };
      // Every boot discovery finds is stored: none failed (every real input is one analyze reads).
      const { jobs } = await discoverBoots(roots);
      expect(await q('SELECT input, error FROM failures')).toEqual([]);
      const rows = await q('SELECT * FROM boots ORDER BY input');
      expect(rows.map((r) => r.input).sort()).toEqual([...jobs].sort());
      expect(rows.length).toBeGreaterThan(90);
      const children = new Map((await q(`SELECT b.boot_id,
          (SELECT list(duration_ns ORDER BY seq) FROM probes p WHERE p.boot_id = b.boot_id) AS probe_ns,
          (SELECT list(coalesce(driver, '') ORDER BY seq) FROM probes p WHERE p.boot_id = b.boot_id) AS probe_drivers,
          (SELECT list(coalesce(duration_ns, -1) ORDER BY seq) FROM initcalls i WHERE i.boot_id = b.boot_id) AS initcall_ns,
          (SELECT list(kind ORDER BY seq) FROM findings f WHERE f.boot_id = b.boot_id) AS finding_kinds,
          (SELECT list(coalesce(lost_ns, -1) ORDER BY seq) FROM findings f WHERE f.boot_id = b.boot_id) AS finding_lost,
          (SELECT count(*) FROM diagnostics d WHERE d.boot_id = b.boot_id) AS diagnostic_rows
        FROM boots b`)).map((r) => [String(r.boot_id), r]));

      let withProbes = 0;
      for (const row of rows) {
        const boot: Json = JSON.parse(renderBootJson(await loadBoot([String(row.input)])));
        const probes: Json[] = boot.probes;
        const timed = probes.filter((p) => p.startNs !== null && p.endNs !== null);
        const serialization = boot.findings.filter((f: Json) => f.kind === 'bound-queue-serialization');
        const costs = serialization.map((f: Json) => f.lostNs).filter((n: Json) => n !== null);
        if (probes.length > 0) withProbes++;
        expect({
          input: row.input, kernel_release: row.kernel_release, kernel_banner: row.kernel_banner, cmdline: row.cmdline, cpus: row.cpus, nodes: row.nodes,
          input_paths: row.input_paths, input_formats: row.input_formats,
          probes: row.probes, timed_probes: row.timed_probes, probe_window_ns: row.probe_window_ns, total_probe_ns: row.total_probe_ns,
          initcalls: row.initcalls, total_initcall_ns: row.total_initcall_ns, findings: row.findings, serialized: row.serialized,
          serialization_lost_ns: row.serialization_lost_ns, exposed: row.exposed, diagnostics: row.diagnostics,
          machine_model: row.machine_model, machine_board: row.machine_board, bios: row.bios, host: row.host, host_source: row.host_source,
        }).toEqual({
          input: row.input, kernel_release: boot.kernel.release, kernel_banner: boot.kernel.banner, cmdline: boot.kernel.cmdline,
          cpus: boot.topology.cpus.length, nodes: new Set(boot.topology.cpus.map((c: Json) => c.node).filter((n: Json) => n !== null)).size,
          input_paths: boot.inputs.map((i: Json) => i.path), input_formats: boot.inputs.map((i: Json) => i.format),
          probes: probes.length, timed_probes: timed.length,
          probe_window_ns: timed.length === 0 ? null : Math.max(...timed.map((p) => p.endNs)) - Math.min(...timed.map((p) => p.startNs)),
          total_probe_ns: probes.reduce((s, p) => s + p.durationNs, 0),
          initcalls: boot.initcalls.length, total_initcall_ns: boot.initcalls.reduce((s: number, i: Json) => s + (i.durationNs ?? 0), 0),
          findings: boot.findings.length, serialized: serialization.length > 0,
          serialization_lost_ns: costs.length === 0 ? null : costs.reduce((a: number, b: number) => a + b, 0),
          exposed: boot.findings.some((f: Json) => f.kind === 'bound-queue-exposure' && f.severity === 'warning'),
          diagnostics: boot.diagnostics.length,
          machine_model: boot.kernel.machine?.model ?? null, machine_board: boot.kernel.machine?.board ?? null, bios: boot.kernel.machine?.bios ?? null,
          // Without --host-from the host is the one systemd set (the log's), else the input path.
          host: boot.kernel.hostname ?? row.input, host_source: boot.kernel.hostname ? 'log' : 'path',
        });
        const c = children.get(String(row.boot_id))!;
        expect({ input: row.input, probe_ns: c.probe_ns ?? [], probe_drivers: c.probe_drivers ?? [], initcall_ns: c.initcall_ns ?? [],
          finding_kinds: c.finding_kinds ?? [], finding_lost: c.finding_lost ?? [], diagnostic_rows: c.diagnostic_rows }).toEqual({
          input: row.input, probe_ns: probes.map((p) => p.durationNs), probe_drivers: probes.map((p) => p.driver ?? ''),
          initcall_ns: boot.initcalls.map((i: Json) => i.durationNs ?? -1), finding_kinds: boot.findings.map((f: Json) => f.kind),
          finding_lost: boot.findings.map((f: Json) => f.lostNs ?? -1), diagnostic_rows: boot.diagnostics.length,
        });
      }
      expect(withProbes).toBeGreaterThan(40);
      // Real models from the DMI lines: the corpus servers are there by name.
      const models = new Set(rows.map((r) => r.machine_model));
      for (const model of ['Dell Inc. PowerEdge R640', 'HPE ProLiant DL380 Gen10', 'Supermicro SYS-2028BT-HNR+', 'Intel Corporation BRICKLAND', 'QEMU Standard PC (Q35 + ICH9, 2009)']) {
        expect(models.has(model), model).toBe(true);
      }
      expect(rows.filter((r) => r.host_source === 'log').length).toBeGreaterThan(5);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 900_000);
});
