import { describe, expect, it } from 'vitest';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

describe('patch-mail lines', () => {
  it('reads the EPYC 9A64 lines of the PCI probe patch mail as untimed messages', async () => {
    const r = await readBack('fixtures/dmesg/epyc9a64-patch-mail-before.log', 'patch-mail');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.map((l) => l.text)).toEqual([
      'nvme 0000:01:00.0: CPU: 0, COMM: kworker/0:1, probe cost: 53372612 ns',
      'nvme 0000:02:00.0: CPU: 0, COMM: kworker/0:2, probe cost: 49532941 ns',
      'nvme 0000:03:00.0: CPU: 0, COMM: kworker/0:3, probe cost: 47315175 ns',
    ]);
    expect(r.lines.every((l) => l.timeNs === null && l.clock === 'none' && l.level === null)).toBe(true);
  });

  it('drops mail quoting and indentation, skips blank lines (synthetic)', async () => {
    const path = synthetic('quoted.txt', '> nvme 0000:01:00.0: CPU: 5, COMM: kworker/u1025:5, probe cost: 34765890 ns\n\n    > > usb 1-2.4: CPU: 163, COMM: (udev-worker), cost 854131 ns\n');
    const r = await readBack(path, 'patch-mail');
    expect(r.lines.map((l) => [l.text, l.source.line])).toEqual([
      ['nvme 0000:01:00.0: CPU: 5, COMM: kworker/u1025:5, probe cost: 34765890 ns', 1],
      ['usb 1-2.4: CPU: 163, COMM: (udev-worker), cost 854131 ns', 3],
    ]);
    expect(r.result.skippedLines).toBe(1);
  });
});
