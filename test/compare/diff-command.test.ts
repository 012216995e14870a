// `trace-probe diff` end to end through the built command (`npm test` builds first).

import { spawnSync } from 'node:child_process';
import { statSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const CAPTURES = 'fixtures/captures';
const three = (name: string) => ['', '/boot-2', '/boot-3'].map((s) => `${CAPTURES}/${name}${s}`);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('trace-probe diff usage errors: one line, exit 2', () => {
  it.each([
    [['diff', 'fixtures/sim/before.log'], /diff takes BEFORE AFTER \(two boots\) or --before A B C --after D E F, not 1 argument$/],
    [['diff', '--before', 'fixtures/sim/before.log'], /--before and --after each need at least one boot$/],
    [['diff', '--seed', 'x', 'fixtures/sim/before.log', 'fixtures/sim/after-v1.log'], /--seed takes a whole number ≥ 0, not "x"$/],
    [['diff', 'fixtures/sim/before.log', 'no/such/boot'], /no\/such\/boot: no such file or directory/],
  ])('%j', (args, message) => {
    const r = run(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^trace-probe: /);
    expect(r.stderr.trimEnd()).toMatch(message);
  });
});

describe('trace-probe diff on real inputs', () => {
  it('says when a side is a simulation JSON of several runs (only the first is compared)', () => {
    const sim = spawnSync(process.execPath, [CLI, 'simulate', `${CAPTURES}/before-n0x3`, '--policy', 'work-on-cpu,skip-in-worker', '--json'], { encoding: 'utf8' });
    expect(sim.status).toBe(0);
    const path = join(mkdtempSync(join(tmpdir(), 'tp-diff-sim-')), 'sim.json');
    writeFileSync(path, sim.stdout);
    const r = run('diff', '--json', path, `${CAPTURES}/after-n0x3`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).warnings).toEqual(expect.arrayContaining([
      '1 of the before boots is simulated (trace-probe simulate), not measured: the comparison is with the model\'s prediction',
      `${path}: simulation JSON holds 2 runs; using the first (policy work-on-cpu)`,
    ]));
  });

  it('prints the diff JSON of the patch mail lines', () => {
    const r = run('diff', '--json', 'fixtures/sim/before.log', 'fixtures/sim/after-v1.log');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.schema).toBe('trace-probe.diff/1');
    expect(json.devices.map((d: { deltaNs: number }) => d.deltaNs)).toEqual([34765890 - 53372612, 34696433 - 49532941, 33233323 - 47315175]);
    expect(json.before.labels).toEqual(['fixtures/sim/before.log']);
  });

  it('compares three boots per side of the captures as text and writes the HTML page', () => {
    const html = join(mkdtempSync(join(tmpdir(), 'tp-diff-')), 'diff.html');
    const r = run('diff', '--driver', 'nvme', '--html', html, '--before', ...three('before-n0x3'), '--after', ...three('after-n0x3'));
    expect(r.stderr).toBe(`wrote ${html} (HTML page, ${Math.round(statSync(html).size / 1024)} KiB)\n`);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('0000:21:00.0'))).toMatch(/^0000:21:00\.0  nvme +6\.309 ±3\.101 +4\.395 ±0\.855 +-1\.914 +0\.70× +CPU 0 bound +CPU 0,1 unbound +needs more boots \(p 1\.00\)$/);
    expect(r.stdout).toContain('resolved:\n  bound-queue-serialization (node 0 CPU 0): in 3 of 3 before and 0 of 3 after boots');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<section id="diff">');
    expect(page).toContain('before: fixtures/captures/before-n0x3');
  });
});
