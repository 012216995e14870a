// One boot at a time (issue 15 item 2): the same boot in several presentations is read once, with a note;
// kernel logs of different boots are refused in one line that points to `diff`.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { fingerprintKernelLog, relate } from '../../src/model/one-boot.js';
import { synthetic } from '../ingest/kernel-log-reader.helper.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const BEFORE = 'fixtures/captures/before-n0x3';
const AFTER = 'fixtures/captures/after-n0x3';
const CONSOLE = 'fixtures/one-boot/before-n0x3/console.log';
const RAW = 'fixtures/one-boot/before-n0x3/dmesg-raw.log';

// Device, start and cost: the same in every presentation. (The driver can differ: the console log goes on
// longer and names a few more drivers in later lines, e.g. `virtio-pci 0000:00:02.0: ...`.)
const probeKey = (p: { device: string; startNs: number | null; durationNs: number }) => `${p.device} ${p.startNs} ${p.durationNs}`;

describe('the same boot given several times is read once', () => {
  it('dmesg.log + console.log + dmesg-raw.log: the probes of one log, and a note naming the three', async () => {
    const once = await loadBoot([`${BEFORE}/dmesg.log`]);
    const thrice = await loadBoot([`${BEFORE}/dmesg.log`, CONSOLE, RAW]);
    expect(thrice.probes.map(probeKey)).toEqual(once.probes.map(probeKey));
    expect(thrice.probes).toHaveLength(24);
    expect(thrice.inputs).toHaveLength(1);
    const note = thrice.diagnostics.find((d) => /are the same boot/.test(d.message));
    expect(note?.message).toMatch(/^fixtures\/captures\/before-n0x3\/dmesg\.log, fixtures\/one-boot\/before-n0x3\/console\.log, fixtures\/one-boot\/before-n0x3\/dmesg-raw\.log are the same boot \(1210 of 1210 timestamped messages in common\): read once, from /);
    // The kept presentation alone gives exactly the same probes.
    const kept = await loadBoot([thrice.inputs[0]!.path]);
    expect(thrice.probes).toEqual(kept.probes);
  });

  it('a capture directory plus its own files: the same Boot as the directory alone, with notes', async () => {
    const dir = await loadBoot([BEFORE]);
    const again = await loadBoot([BEFORE, `${BEFORE}/dmesg.log`, `${BEFORE}/trace.txt`, `${BEFORE}/topology.csv`]);
    expect(again.probes).toEqual(dir.probes);
    expect(again.findings).toEqual(dir.findings);
    expect(again.inputs).toEqual(dir.inputs);
    expect(again.diagnostics.filter((d) => /given twice/.test(d.message)).map((d) => d.file)).toEqual([
      `${BEFORE}/dmesg.log`, `${BEFORE}/trace.txt`, `${BEFORE}/topology.csv`,
    ]);
  });

  it('two pieces of one log (cut at a line) are one boot: both read, the probes of the whole', async () => {
    const lines = readFileSync(`${BEFORE}/dmesg.log`, 'utf8').split('\n');
    const head = synthetic('piece-1.log', '');
    const tail = synthetic('piece-2.log', '');
    writeFileSync(head, lines.slice(0, 600).join('\n') + '\n');
    writeFileSync(tail, lines.slice(600).join('\n'));
    const whole = await loadBoot([`${BEFORE}/dmesg.log`]);
    const pieces = await loadBoot([head, tail]);
    expect(pieces.probes.map(probeKey)).toEqual(whole.probes.map(probeKey));
    expect(pieces.diagnostics.some((d) => /pieces of one boot's log/.test(d.message))).toBe(true);
  });
});

describe('kernel logs of different boots are refused', () => {
  it('analyze before-n0x3 after-n0x3 exits 2 in one line that says to use diff', () => {
    const r = run('analyze', BEFORE, AFTER);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^trace-probe: fixtures\/captures\/before-n0x3 and fixtures\/captures\/after-n0x3: kernel logs of different boots \(different kernels: 6\.1\.176-lab #1 .* and #2 .*\): .*use `trace-probe diff fixtures\/captures\/before-n0x3 fixtures\/captures\/after-n0x3` \(many boots: `trace-probe fleet ingest`\)\n$/);
  });

  it('two boots of the same kernel (before-n0x3 boot 1 and boot 2) on report and simulate too', () => {
    for (const args of [['report', '-o', '/tmp/never-written.html'], ['simulate', '--policy', 'work-on-cpu']]) {
      const r = run(args[0]!, `${BEFORE}/dmesg.log`, `${BEFORE}/boot-2/dmesg.log`, ...args.slice(1));
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/kernel logs of different boots \(0 of \d+ timestamped messages in common\).*trace-probe diff/);
    }
  });

  it('relate(): same, pieces and different from the fingerprints', async () => {
    const one = await fingerprintKernelLog(`${BEFORE}/dmesg.log`, 'dmesg');
    const raw = await fingerprintKernelLog(RAW, 'dmesg-raw');
    const boot2 = await fingerprintKernelLog(`${BEFORE}/boot-2/dmesg.log`, 'dmesg');
    expect(relate(one, raw).relation).toBe('same');
    expect(relate(one, boot2)).toEqual({ relation: 'different', why: `0 of ${Math.min(one.stamped.size, boot2.stamped.size)} timestamped messages in common` });
  });
});
