// `analyze` end to end through the built command, on bundled real captures.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('trace-probe analyze', () => {
  it('names a task known only by its printk caller id as `pid N` (dmesg alone), and keeps it as callerPid', () => {
    const r = run('analyze', 'fixtures/captures/before-n0x3/dmesg.log');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/\bnull\b|\?-\d/);
    // dmesg.log:1219 `[    4.061093][    T8] probe of 0000:21:00.0 returned 0 after 3208 usecs`: caller T8
    expect(r.stdout).toMatch(/0000:21:00\.0\s+nvme\s+0\s+-\s+pid 8\s+4\.057885\s+3\.208/);
    const json = JSON.parse(run('analyze', '--json', 'fixtures/captures/before-n0x3/dmesg.log').stdout);
    const nvme = json.probes.find((p: { device: string }) => p.device === '0000:21:00.0');
    expect(nvme.callerPid).toBe(8);
    expect(nvme.worker.pid).toBe(8);
  });

  it('prints findings first, then the slowest probes, for the README capture', () => {
    const r = run('analyze', 'fixtures/captures/before-n0x3');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const findings = r.stdout.indexOf('\nFindings\n');
    const slowest = r.stdout.indexOf('\nSlowest probes');
    expect(findings).toBeGreaterThan(0);
    expect(slowest).toBeGreaterThan(findings);
    expect(r.stdout).toMatch(/bound-queue-serialization/);
    // 0000:22:00.0: body on kworker/0:2 (pid 96) of CPU 0, 2.245 ms from `probe of 0000:22:00.0 returned 0 after 2245 usecs`
    expect(r.stdout).toMatch(/0000:22:00\.0\s+nvme\s+0\s+0\s+kworker\/0:2-96 \(bound\)\s+4\.058920\s+2\.245/);
    // dmesg.log:1048 `probe of PNP0103:00 returned 19` (ENODEV): the driver declined it, counted as rejected, not failed.
    expect(r.stdout).toMatch(/\n\?\s+16\s+22\.103\s+6\.945\s+0\s+1\s+0\n/);
    // kworker/0:1 ran the 3 pcieport bodies (514.695 ms), the 3 port services inside them (2.350) and one nvme body
    // (3.208): the nested ones are not counted twice.
    expect(r.stdout).toMatch(/\n\s+0\s+kworker\/0:1-16\s+bound\s+7\s+517\.903\n/);
  });

  it('opens on the bottom line and the episode the headline finding is about, on its own scale', () => {
    const r = run('analyze', 'fixtures/captures/n0x3');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('trace-probe analyze: Linux 6.1.0-50-amd64; 8 CPUs, 2 NUMA nodes; 36 probes; 6 inputs (see Inputs)');
    expect(lines.slice(2, 5)).toEqual(['Bottom line', '-----------', 'node 0: 331.1 ms lost (measured: synchronous-probe 326.4 ms, bound-queue-serialization 4.74 ms)']);
    // The nvme episode is drawn within the first 30 lines (a terminal's first screen), before the findings' text.
    const episode = lines.findIndex((l) => l.startsWith('Episode 1: 3 nvme probes on node 0 were serialized'));
    expect(episode).toBeGreaterThan(0);
    expect(episode).toBeLessThan(15);
    expect(lines.findIndex((l) => l.startsWith('CPU 0 '))).toBeLessThan(20);
    expect(lines.indexOf('Findings')).toBeGreaterThan(episode);
    // 11.4 ms of probes on a 12.5 ms axis: one column is 0.165 ms, not the 8.7 ms of the pcieport stretch.
    expect(lines[episode + 2]).toBe('  6.558751 to 6.571291 s (12.540 ms); one column = 0.165 ms');
    // The first screen fits 100 columns.
    expect(Math.max(...lines.slice(0, lines.indexOf('Findings')).map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it('--fail-on exits 1 when the finding is there and 0 when it is not', () => {
    expect(run('analyze', 'fixtures/captures/n0x3', '--fail-on', 'bound-queue-serialization').status).toBe(1);
    expect(run('analyze', 'fixtures/captures/after-n0x3', '--fail-on', 'bound-queue-serialization').status).toBe(0);
  });

  it('--json prints the versioned Boot and --html writes a self-contained report', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tp-analyze-')), 'n0x3.html');
    const r = run('analyze', 'fixtures/captures/n0x3', '--json', '--html', out);
    expect(r.status).toBe(0);
    const boot = JSON.parse(r.stdout) as { schema: string; probes: Array<{ device: string; worker: { comm: string } | null }> };
    expect(boot.schema).toBe('trace-probe.boot/1');
    const nvme = boot.probes.filter((p) => /^0000:2[123]:00\.0$/.test(p.device));
    expect(nvme.map((p) => p.worker?.comm).every((c) => /^kworker\/0:\d+$/.test(c ?? ''))).toBe(true);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('0000:21:00.0');
  });

  it('refuses an unknown --fail-on kind and an --html directory up front: one line, exit 2, nothing printed', () => {
    const typo = run('analyze', 'fixtures/captures/before-n0x3', '--fail-on', 'bound-queue-serialisation');
    expect(typo.status).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe('trace-probe: --fail-on: unknown finding kind "bound-queue-serialisation" (expected bound-queue-serialization, synchronous-probe, deferred-probe, bound-queue-exposure, insufficient-data)\n');
    const dir = mkdtempSync(join(tmpdir(), 'tp-analyze-dir-'));
    const html = run('analyze', 'fixtures/captures/before-n0x3', '--html', dir);
    expect(html.status).toBe(2);
    expect(html.stdout).toBe('');
    expect(html.stderr).toBe(`trace-probe: --html takes a file to write, and ${dir} is a directory\n`);
  });

  it('gives commander\'s own errors as one line too, and refuses an empty --fail-on (it would disable the gate)', () => {
    for (const args of [['analyze', 'fixtures/captures/before-n0x3', '--fail-on', ''], ['analyze', 'fixtures/captures/before-n0x3', '--fail-on', ','], ['analyze', '--bogus'], ['nosuch']]) {
      const r = run(...args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^trace-probe: [^\n]+ \(see --help\)\n$/);
    }
  });
});

