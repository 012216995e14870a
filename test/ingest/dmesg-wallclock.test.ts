import { describe, expect, it } from 'vitest';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

describe('dmesg -T (ctime) — real logs', () => {
  it('counts ns from the first stamped line, keeps the leading space of partition lines (Gigabyte Z790, 6.1)', async () => {
    const r = await readBack('fixtures/dmesg/excerpts/gigabyte-z790_dmesg-T.lines-1-5-750-780.txt', 'dmesg-ctime');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toMatchObject({ timeNs: 0, clock: 'wall', caller: null, text: expect.stringMatching(/^Linux version 6\.1\.0-18-amd64 /) });
    expect(r.find('nvme nvme0: pci function 0000:02:00.0')).toMatchObject({ timeNs: 3_000_000_000, clock: 'wall', source: { line: 12 } });
    expect(r.find(' nvme0n1: p1 p2').timeNs).toBe(3_000_000_000);
  });

  it('reports the journal lines appended after a -T log (kexec, 7.1) and keeps the kernel lines', async () => {
    const path = 'fixtures/dmesg/excerpts/kexec_dmesg-T_then_journal.lines-1560-1570.txt';
    const r = await readBack(path, 'dmesg-ctime');
    expect(r.lines).toHaveLength(5);
    expect(r.lines[4]).toMatchObject({ text: 'XFS (dm-0): Ending recovery (logdev: internal)', timeNs: 2_000_000_000 });
    expect(r.diagnostics).toHaveLength(6);
    expect(r.diagnostics[0]).toMatchObject({ file: path, line: 6, severity: 'warning' });
  });
});

describe('dmesg iso / reltime / -T -d (synthetic: no real sample; built from formats doc §1.2 format strings)', () => {
  it('reads iso stamps with the comma before µs and the zone', async () => {
    const path = synthetic('iso.log', [
      '2026-11-21T16:39:56,000000+00:00 Linux version 6.18.44 (builder@buildhost)',
      '2026-11-21T16:39:56,289583+00:00 pci_bus 0000:00: root bus resource [mem 0xc0001000-0xeebfffff window]',
      '2026-11-21T17:39:58,000001+01:00 [   T123] nvme nvme0: pci function 0000:01:00.0',
    ].join('\n'));
    const r = await readBack(path, 'dmesg-iso');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.map((l) => l.timeNs)).toEqual([0, 289_583_000, 2_000_001_000]);
    expect(r.lines[2]).toMatchObject({ caller: { kind: 'T', id: 123 }, text: 'nvme nvme0: pci function 0000:01:00.0', clock: 'wall' });
  });

  it('accumulates reltime deltas and never goes back at a new minute line', async () => {
    const path = synthetic('reltime.log', [
      '[Nov21 16:39] Linux version 6.18.44 (builder@buildhost)',
      '[  +0.000006] acpi PNP0A08:00: _OSC: OS supports [ExtendedConfig ASPM ClockPM Segments MSI HPX-Type3]',
      '[ +12.500000] nvme nvme0: pci function 0000:01:00.0',
      '[Nov21 16:40] nvme nvme0: 8/0/0 default/read/poll queues',
      '[  +0.100000] nvme nvme1: pci function 0000:02:00.0',
      '[Nov21 16:43] late line (16:43 is 4 minutes after 16:39: at least 3 minutes after the first record)',
    ].join('\n'));
    const r = await readBack(path, 'dmesg-reltime');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.map((l) => l.timeNs)).toEqual([0, 6_000, 12_500_006_000, 12_500_006_000, 12_600_006_000, 180_000_000_000]);
  });

  it('reads -x -T (facility:level before the ctime stamp, space-padded day)', async () => {
    const path = synthetic('x-ctime.log', 'kern  :notice: [Sun Nov  1 16:39:56 2026] Linux version 6.18.44\nkern  :info  : [Sun Nov  1 16:39:58 2026] BIOS-e820: usable\n');
    const r = await readBack(path, 'dmesg-ctime');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.map((l) => [l.timeNs, l.level, l.facility, l.text])).toEqual([
      [0, 5, 0, 'Linux version 6.18.44'],
      [2_000_000_000, 6, 0, 'BIOS-e820: usable'],
    ]);
  });

  it('reads -T -d stamps ([ctime <delta>])', async () => {
    const path = synthetic('ctime-delta.log', '[Sat Nov 21 16:39:56 2026 <    0.000000>] Linux version 6.18.44\n[Sat Nov 21 16:39:57 2026 <    0.000003>] pci_bus 0000:00: x\n');
    const r = await readBack(path, 'dmesg-ctime');
    expect(r.lines.map((l) => [l.timeNs, l.text])).toEqual([[0, 'Linux version 6.18.44'], [1_000_000_000, 'pci_bus 0000:00: x']]);
  });
});
