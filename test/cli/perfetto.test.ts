// `--perfetto FILE` of analyze, simulate and diff, end to end through the built command (`npm test` builds
// first): the file is written, Perfetto's importer rules accept it, one process per boot or policy run.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importLikePerfetto } from '../render/perfetto-importer-mirror.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
/** The built CLI, awaited (a long synchronous spawn blocks vitest's worker RPC on a loaded machine). */
const run = (...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ status: code, stdout, stderr });
    });
  });
const tmp = () => mkdtempSync(join(tmpdir(), 'trace-probe-perfetto-'));

function imported(file: string) {
  const text = readFileSync(file, 'utf8');
  const result = importLikePerfetto(text);
  expect(result.stats).toEqual({});
  return { result, json: JSON.parse(text) as { traceEvents: Array<Record<string, unknown>>; otherData: { processes: Array<{ label: string; flows: number }> } } };
}

describe('--perfetto', () => {
  it('analyze writes one process with CPU, task and findings tracks, and prints its usual summary', async () => {
    const out = join(tmp(), 'sub', 'n0x3.json');
    const r = await run('analyze', 'fixtures/captures/n0x3', '--perfetto', out);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(Perfetto trace, \\d+ KiB\\)\n$`));
    expect(r.stdout).toMatch(/Findings/);
    const { result, json } = imported(out);
    expect([...result.processNames.values()]).toEqual(['n0x3']);
    const names = [...result.threadNames.values()];
    expect(names).toEqual(expect.arrayContaining(['findings', 'CPU 0', 'kworker/0:1', 'kworker/0:2', 'kworker/u17:0', 'init']));
    expect(json.otherData.processes[0]!.flows).toBeGreaterThan(0);
    expect(result.flows).toHaveLength(json.otherData.processes[0]!.flows);
  });

  it('simulate writes the observed boot, then one process per policy run', async () => {
    const out = join(tmp(), 'sim.json');
    const r = await run('simulate', 'fixtures/captures/before-n0x3', '--policy', 'work-on-cpu,spread', '--perfetto', out);
    expect(r.status).toBe(0);
    const { result } = imported(out);
    expect([...result.processNames.values()]).toEqual(['observed', 'simulated: work-on-cpu', 'simulated: spread']);
  });

  it('diff writes one process per boot, before then after', async () => {
    const out = join(tmp(), 'diff.json');
    const r = await run('diff', '--before', 'fixtures/captures/before-n0x3', 'fixtures/captures/before-n0x3/boot-2', '--after', 'fixtures/captures/after-n0x3', '--perfetto', out);
    expect(r.status).toBe(0);
    const { result } = imported(out);
    expect([...result.processNames.values()]).toEqual([
      'before 1: fixtures/captures/before-n0x3',
      'before 2: fixtures/captures/before-n0x3/boot-2',
      'after 1: fixtures/captures/after-n0x3',
    ]);
  });

  it.skipIf(process.platform !== 'linux')('a file that cannot be written is one line and exit 2 (under /proc: it used to hang in mkdir)', async () => {
    const r = await run('analyze', 'fixtures/captures/n0x3', '--perfetto', '/proc/no-such-dir/n0x3.json');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('trace-probe: /proc/no-such-dir/n0x3.json: cannot write the Perfetto trace: ENOENT');
  });

  it('refuses a directory as the file to write, before reading the inputs (one line, exit 2)', async () => {
    const dir = tmp();
    const r = await run('analyze', 'fixtures/captures/n0x3', '--perfetto', dir);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`trace-probe: --perfetto takes a file to write, and ${dir} is a directory`);
  });
});
