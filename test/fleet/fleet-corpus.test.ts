// Issue 18's first criterion on every real boot there is: the fleet store built from the bundled captures,
// ../shared/captures and ../shared/corpus holds, for every boot, the numbers `analyze` computes for the same
// input (loadBoot in this process, the function `analyze --json` prints).

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootTotals } from '../../src/fleet/boot-rows.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const SHARED = join(process.cwd(), '..', 'shared');
const roots = ['fixtures/captures', join(SHARED, 'captures'), join(SHARED, 'corpus')].filter(existsSync);

const cli = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });

describe.skipIf(!existsSync(SHARED))(existsSync(SHARED) ? 'fleet store of every real boot' : `fleet store of every real boot (skipped: ${SHARED} is absent)`, () => {
  it('holds for every boot the numbers analyze computes', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'trace-probe-fleet-corpus-')), 'fleet.duckdb');
    const ingest = await cli('fleet', 'ingest', ...roots, '--db', db);
    expect(ingest.stderr).toBe('');
    expect(ingest.status).toBe(0);
    const rows = JSON.parse((await cli('fleet', 'query', '--db', db, '--json', 'SELECT * FROM boots ORDER BY input')).stdout) as Array<Record<string, unknown>>;
    // Every capture boot of ../shared/captures and the bundled ones, and the corpus logs.
    expect(rows.length).toBeGreaterThan(60);
    for (const row of rows) {
      const boot = await loadBoot([String(row.input)]);
      const t = bootTotals(boot);
      expect({
        input: row.input, kernel_release: row.kernel_release, cpus: row.cpus, probes: row.probes, timed_probes: row.timed_probes,
        probe_window_ns: row.probe_window_ns, total_probe_ns: row.total_probe_ns, initcalls: row.initcalls, findings: row.findings,
        serialized: row.serialized, serialization_lost_ns: row.serialization_lost_ns, diagnostics: row.diagnostics,
        machine_model: row.machine_model, machine_board: row.machine_board, bios: row.bios, exposed: row.exposed,
        host: row.host, host_source: row.host_source,
      }).toEqual({
        input: row.input, kernel_release: boot.kernel.release, cpus: boot.topology.cpus.length, probes: boot.probes.length, timed_probes: t.timedProbes,
        probe_window_ns: t.probeWindowNs, total_probe_ns: t.totalProbeNs, initcalls: boot.initcalls.length, findings: boot.findings.length,
        serialized: t.serialized, serialization_lost_ns: t.serializationLostNs, diagnostics: boot.diagnostics.length,
        machine_model: boot.kernel.machine?.model ?? null, machine_board: boot.kernel.machine?.board ?? null, bios: boot.kernel.machine?.bios ?? null,
        exposed: t.exposed,
        // Without --host-from the host is the one systemd set (the log's), else the input path.
        host: boot.kernel.hostname ?? row.input, host_source: boot.kernel.hostname ? 'log' : 'path',
      });
    }
    // Real models from the DMI lines: the corpus servers are there by name.
    const models = new Set(rows.map((r) => r.machine_model));
    for (const model of ['Dell Inc. PowerEdge R640', 'HPE ProLiant DL380 Gen10', 'Supermicro SYS-2028BT-HNR+', 'Intel Corporation BRICKLAND', 'QEMU Standard PC (Q35 + ICH9, 2009)']) {
      expect(models.has(model), model).toBe(true);
    }
    expect(rows.filter((r) => r.host_source === 'log').length).toBeGreaterThan(5);
  }, 900_000);
});
