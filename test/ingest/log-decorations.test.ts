// Decorations around kernel logs (log-decorations.ts): vendor tags, quoting, wrapped lines — synthetic edge cases
// beside the real reproducers of test/ingest/reproducers.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffFile } from '../../src/ingest/detect.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { synthetic } from './kernel-log-reader.helper.js';

describe('kernel log decorations', () => {
  it('MediaTek `(cpu)[pid:comm]` tags are taken off', async () => {
    const path = synthetic('mtk.log', [
      '<5>[    0.000000] (0)[0:swapper]Linux version 4.14.186 (builder@host) #1 SMP PREEMPT',
      '<6>[    0.000000] (0)[0:swapper]Kernel command line: console=tty0 root=/dev/ram',
      '<6>[    1.000000] (2)[1:swapper/0]calling  foo_init+0x0/0x10 @ 1',
      '<6>[    1.000050] (2)[1:swapper/0]initcall foo_init+0x0/0x10 returned 0 after 48 usecs',
    ].join('\n'));
    const boot = await loadBoot([path]);
    expect(boot.kernel).toMatchObject({ release: '4.14.186', cmdline: 'console=tty0 root=/dev/ram' });
    expect(boot.initcalls.map((i) => [i.fn, i.callerPid])).toEqual([['foo_init', 1]]);
  });

  it('`>> ` quoting of a twice-replied log', async () => {
    const path = synthetic('quoted.txt', [
      '>> [    0.000000] Linux version 6.6.0 (x@y) #1 SMP',
      '>> [    1.000000] calling  foo_init+0x0/0x10 @ 1',
      '>> [    1.000050] initcall foo_init+0x0/0x10 returned 0 after 50 usecs',
      '>> [    1.000060] probe of 0000:01:00.0 returned 0 after 40 usecs',
    ].join('\n'));
    expect(await sniffFile(path)).toBe('dmesg');
    const boot = await loadBoot([path]);
    expect(boot.kernel.release).toBe('6.6.0');
    expect(boot.probes.map((p) => p.device)).toEqual(['0000:01:00.0']);
  });

  it('a message ending in a space is not joined with the next prefixed line, nor with a long unprefixed one', async () => {
    const path = synthetic('trailing-space.log', [
      '[    0.000000] Linux version 6.6.0 (x@y) #1 SMP',
      '[    0.100000] ends with a space ',
      '[    0.200000] next record',
      '[    0.300000] also ends with a space ',
      'x'.repeat(100),
    ].join('\n'));
    const boot = await loadBoot([path]);
    expect(boot.diagnostics.map((d) => [d.line, d.message.slice(0, 30)])).toEqual([[5, 'not a dmesg line, skipped: "xx']]);
  });

  it('printk lines behind a serial logger\'s own timestamps are a console log', async () => {
    const lines = readFileSync('fixtures/captures/n0x3/dmesg.log', 'utf8').split('\n').slice(0, 60);
    const path = synthetic('logger.log', lines.map((l, i) => `[2024-03-01 10:00:${String(i % 60).padStart(2, '0')}.123] ${l}`).join('\n'));
    expect(await sniffFile(path)).toBe('console');
    const boot = await loadBoot([path]);
    expect(boot.kernel.release).toBe('6.1.0-50-amd64');
  });
});
