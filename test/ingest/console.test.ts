import { describe, expect, it } from 'vitest';
import { cleanConsoleLine } from '../../src/ingest/console.js';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

describe('serial console — real captures', () => {
  it('keeps kernel lines, skips the /init output without diagnostics, strips CR (n0x3 console.log excerpt)', async () => {
    const r = await readBack('fixtures/dmesg/captures-n0x3/console.log', 'console');
    expect(r.diagnostics).toEqual([]);
    expect(r.result.skippedLines).toBe(6);
    expect(r.lines).toHaveLength(110 - 6);
    expect(r.find('probe of 0000:22:00.0')).toMatchObject({ timeNs: 6_570_721_000, clock: 'printk', text: 'probe of 0000:22:00.0 returned 0 after 10853 usecs' });
    expect(r.lines.every((l) => !l.text.includes('\r'))).toBe(true);
    expect(r.lines.some((l) => l.text === 'lab: insmod nvme' && l.timeNs === 6_483_005_000)).toBe(true);
  });

  it('skips the decompressor lines of an LKP serial log and reads the caller ids (HP Z238, 6.1)', async () => {
    const r = await readBack('fixtures/dmesg/sniff/hp-z238-microtower_6.1.0-rc7_initcall_debug_printk_caller.dmesg.txt', 'console');
    expect(r.diagnostics).toEqual([]);
    expect(r.result.skippedLines).toBe(2);
    expect(r.lines[0]).toMatchObject({ source: { line: 3 }, caller: { kind: 'T', id: 0 }, text: expect.stringMatching(/^Linux version 6\.1\.0-rc7/) });
  });
});

describe('serial console edge cases (synthetic)', () => {
  it('removes ANSI colour sequences and finds a kernel line glued after userspace output', async () => {
    const path = synthetic('console.log', [
      '\x1b[0;32m[  OK  ]\x1b[0m Started udev Kernel Device Manager.',
      '\x1b[1m[    6.564410] nvme nvme0: pci function 0000:21:00.0\x1b[0m',
      'Starting network...[    6.567604] probe of 0000:21:00.0 returned 0 after 8283 usecs',
      '<6>[    6.570262] nvme nvme1: pci function 0000:22:00.0',
    ].join('\r\n'));
    const r = await readBack(path, 'console');
    expect(r.diagnostics).toEqual([]);
    expect(r.result.skippedLines).toBe(1);
    expect(r.lines.map((l) => [l.timeNs, l.level, l.text])).toEqual([
      [6_564_410_000, null, 'nvme nvme0: pci function 0000:21:00.0'],
      [6_567_604_000, null, 'probe of 0000:21:00.0 returned 0 after 8283 usecs'],
      [6_570_262_000, 6, 'nvme nvme1: pci function 0000:22:00.0'],
    ]);
    expect(cleanConsoleLine('progress 10%\rprogress 100%')).toBe('progress 100%');
  });
});
