// Partial and combined kernel logs say so: a file cut mid-line (last line without newline) and several boots in
// one file (a second `Linux version` line, as in kern.log or `cat` of two dmesg files) give warnings with the line.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { synthetic } from './kernel-log-reader.helper.js';

const LOG = 'fixtures/captures/before-n0x3/dmesg.log';
const BOOT2 = 'fixtures/captures/before-n0x3/boot-2/dmesg.log';

describe('kernel log cut or concatenated (real before-n0x3 logs)', () => {
  it('a log cut inside line 1220 keeps the probes before it and warns at that line', async () => {
    const text = readFileSync(LOG, 'utf8');
    const upTo1219 = text.split('\n').slice(0, 1219).join('\n').length + 1;
    const path = synthetic('cut.log', '');
    writeFileSync(path, text.slice(0, upTo1219 + 30)); // no trailing newline: the cut is the point
    const boot = await loadBoot([path]);
    expect(boot.probes.map((p) => p.device)).toContain('0000:21:00.0');
    expect(boot.diagnostics).toContainEqual(expect.objectContaining({ file: path, line: 1220, severity: 'warning',
      message: expect.stringMatching(/^last line has no newline \(file cut while being written\?\)/) }));
  });

  it('with the trace: the bodies of the probes cut off are named (2 work_for_cpu_fn without a probe line)', async () => {
    const text = readFileSync(LOG, 'utf8');
    const path = synthetic('cut-with-trace.log', '');
    writeFileSync(path, text.slice(0, text.split('\n').slice(0, 1219).join('\n').length + 1 + 30));
    const boot = await loadBoot([path, 'fixtures/captures/before-n0x3/trace.txt', 'fixtures/captures/before-n0x3/topology.csv']);
    expect(boot.diagnostics.filter((d) => /probe bod(y|ies) in the trace/.test(d.message)).map((d) => d.message.slice(0, 60))).toEqual([
      '2 probe bodies in the trace (work_for_cpu_fn, queued by an a',
    ]);
    const full = await loadBoot(['fixtures/captures/before-n0x3']);
    expect(full.diagnostics.filter((d) => /probe bod(y|ies) in the trace/.test(d.message))).toEqual([]);
  });

  it('two boots in one file: a warning at the second `Linux version` line', async () => {
    const first = readFileSync(LOG, 'utf8');
    const path = synthetic('two-boots.log', first + readFileSync(BOOT2, 'utf8'));
    const boot = await loadBoot([path]);
    const secondStart = first.split('\n').length; // line of boot 2's first line (boot 1 ends with a newline)
    expect(boot.diagnostics.filter((d) => /^boot 2 of this log starts here/.test(d.message)).map((d) => d.line)).toEqual([secondStart]);
    expect(readFileSync(path, 'utf8').split('\n')[secondStart - 1]).toMatch(/Linux version 6\.1\.176/);
  });

  it('a console replay (the first records printed again after `bootconsole ... disabled`) is skipped, not a second boot', async () => {
    const lines = readFileSync(LOG, 'utf8').split('\n');
    // As the supermicro 6.3 serial log in the corpus shows it: the replay repeats the first records with their times.
    const replayed = [...lines.slice(0, 200), '[    0.090000][    T0] printk: bootconsole [earlyser0] disabled', ...lines.slice(0, 120), ...lines.slice(200)];
    const path = synthetic('replay.log', replayed.join('\n'));
    const boot = await loadBoot([path]);
    const plain = await loadBoot([LOG]);
    expect(boot.probes.map((p) => [p.device, p.startNs])).toEqual(plain.probes.map((p) => [p.device, p.startNs]));
    expect(boot.initcalls.length).toBe(plain.initcalls.length);
    expect(boot.diagnostics.filter((d) => /^boot \d+ of this log/.test(d.message))).toEqual([]);
    expect(boot.diagnostics.filter((d) => /console replay/.test(d.message)).map((d) => d.line)).toEqual([202]);
  });

  it('one boot: neither warning', async () => {
    const boot = await loadBoot([LOG]);
    expect(boot.diagnostics.filter((d) => /^boot \d+ of this log|^last line has no newline/.test(d.message))).toEqual([]);
  });
});

describe('diagnostics order', () => {
  it('are listed by input, then by line (before-n0x3 boot 2 had 955, 974, 970)', async () => {
    const boot = await loadBoot(['fixtures/captures/before-n0x3/boot-2']);
    const order = boot.inputs.map((i) => i.path);
    const keys = boot.diagnostics.map((d) => [order.indexOf(d.file), d.line ?? -1] as const);
    expect(keys.length).toBeGreaterThan(1);
    for (let i = 1; i < keys.length; i++) {
      const [f0, l0] = keys[i - 1]!;
      const [f1, l1] = keys[i]!;
      expect(f1 > f0 || (f1 === f0 && l1 >= l0)).toBe(true);
    }
  });
});
