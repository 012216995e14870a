// `--drivers LIST` on analyze, report, simulate and diff: one flag, one validation, one focus (drivers-option.ts).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { focusBoot } from '../../src/model/driver-focus.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const BEFORE = 'fixtures/captures/before-n0x3';
const AFTER = 'fixtures/captures/after-n0x3';
const tmp = () => mkdtempSync(join(tmpdir(), 'tp-drivers-'));

const COMMANDS: Record<string, (drivers: string) => string[]> = {
  analyze: (d) => ['analyze', BEFORE, '--drivers', d],
  report: (d) => ['report', BEFORE, '--drivers', d, '-o', join(tmp(), 'r.html')],
  simulate: (d) => ['simulate', BEFORE, '--drivers', d, '--policy', 'work-on-cpu'],
  diff: (d) => ['diff', BEFORE, AFTER, '--drivers', d],
};

describe('--drivers on every command', () => {
  for (const [name, args] of Object.entries(COMMANDS)) {
    it(`${name}: --drivers nvme works, --drivers nvm exits 2 listing the input's drivers`, () => {
      const ok = run(...args('nvme'));
      expect(ok.stderr).not.toMatch(/internal error/);
      expect(ok.status).toBe(0);
      const typo = run(...args('nvm'));
      expect(typo.status).toBe(2);
      expect(typo.stdout).toBe('');
      // One line, the same on all four commands; before-n0x3's dmesg names these four drivers.
      expect(typo.stderr).toBe('trace-probe: --drivers: no probe of driver "nvm" in the input (its drivers: nvme, pcieport, system, virtio_blk)\n');
    });
  }

  it('analyze --json keeps only the focused probes, findings and initcalls, and the text says what it shows', () => {
    const json = JSON.parse(run('analyze', BEFORE, '--drivers', 'NVMe', '--json').stdout) as {
      probes: Array<{ driver: string }>; findings: Array<{ drivers: string[]; devices: string[] }>; initcalls: Array<{ fn: string; module: string | null }>;
    };
    expect(json.probes.map((p) => p.driver)).toEqual(['nvme', 'nvme', 'nvme']);
    expect(json.findings.length).toBeGreaterThan(0);
    for (const f of json.findings) expect(f.drivers.includes('nvme') || f.devices.some((d) => /^0000:2[123]:00\.0$/.test(d)) || (f.drivers.length === 0 && f.devices.length === 0)).toBe(true);
    expect(json.initcalls.map((i) => `${i.fn} [${i.module}]`)).toEqual(expect.arrayContaining(['nvme_init [nvme]']));
    expect(json.initcalls.every((i) => i.module === 'nvme' || i.module === 'nvme_core' || /^nvme_/.test(i.fn))).toBe(true);
    const text = run('analyze', BEFORE, '--drivers', 'nvme').stdout;
    expect(text.split('\n')[0]).toMatch(/^Focus: --drivers nvme: 3 of \d+ probes, \d+ of \d+ findings$/);
  });

  it("diff --html: the side-by-side lanes honour the focus (no pcieport probe drawn), and --driver stays an alias", () => {
    const dir = tmp();
    const focused = run('diff', BEFORE, AFTER, '--drivers', 'nvme', '--html', join(dir, 'f.html'));
    expect(focused.status).toBe(0);
    const whole = run('diff', BEFORE, AFTER, '--html', join(dir, 'w.html'));
    expect(whole.status).toBe(0);
    expect(readFileSync(join(dir, 'w.html'), 'utf8')).toContain('pcieport');
    const html = readFileSync(join(dir, 'f.html'), 'utf8');
    expect(html).toContain('0000:21:00.0');
    expect(html).not.toContain('pcieport');
    const alias = run('diff', BEFORE, AFTER, '--driver', 'nvme', '--json');
    expect(JSON.parse(alias.stdout).drivers).toEqual(['nvme']);
  });

  it('report --drivers says the focus in the page title and draws only those probes', () => {
    const out = join(tmp(), 'focus.html');
    expect(run('report', 'fixtures/captures/n0x3', '--drivers', 'nvme', '-o', out).status).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/<title>trace-probe report: n0x3 \(drivers nvme\)<\/title>/);
    expect(html).not.toContain('pcieport');
  });

  it('focusBoot keeps every probe without a focus, and whole-boot findings with one', async () => {
    const boot = await loadBoot([BEFORE]);
    expect(focusBoot(boot, [])).toBe(boot);
    const pcie = focusBoot(boot, ['pcieport']);
    expect(pcie.probes.length).toBeGreaterThan(0);
    expect(pcie.probes.every((p) => p.driver === 'pcieport')).toBe(true);
    expect(pcie.topology).toBe(boot.topology);
  });
});
