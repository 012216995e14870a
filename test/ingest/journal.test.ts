import { describe, expect, it } from 'vitest';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

describe('journalctl -o short — real logs', () => {
  it('emits kernel records and skips other identifiers (Dell XPS 15, Debian 12 systemd 252)', async () => {
    const r = await readBack('fixtures/dmesg/excerpts/dell-xps-15-7590_journalctl.lines-1015-1030.txt', 'journal-short');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines).toHaveLength(6);
    expect(r.result.skippedLines).toBe(10);
    expect(r.lines[0]).toMatchObject({ timeNs: 0, clock: 'wall', facility: 0, text: 'input: PS/2 Synaptics TouchPad as /devices/platform/i8042/serio1/input/input3' });
    expect(r.lines.every((l) => !l.text.includes('systemd['))).toBe(true);
  });

  it('reads a POWER9 server journal (Talos II, 5.15)', async () => {
    const r = await readBack('fixtures/dmesg/sniff/raptor-talos-power9_2S-176cpu_4nvme_5.15.10_journal.txt', 'journal-short');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toMatchObject({ timeNs: 0, text: 'PowerNV: IOMMU bypass window disabled.' });
  });
});

describe('journalctl short-precise / short-iso / short-monotonic / short-delta / short-unix (synthetic, formats doc §1.4)', () => {
  it('short-precise: µs wall clock', async () => {
    const path = synthetic('precise.log', 'Nov 21 16:39:57.123456 host1 kernel: nvme nvme0: pci function 0000:01:00.0\nNov 21 16:39:58.000000 host1 kernel: nvme nvme1: x\n');
    const r = await readBack(path, 'journal-short-precise');
    expect(r.lines.map((l) => l.timeNs)).toEqual([0, 876_544_000]);
  });

  it('short-iso and short-iso-precise, with +00:00 and old +0000 zones', async () => {
    const path = synthetic('iso.log', [
      '-- Logs begin at Sat 2026-11-21 16:00:00 UTC, end at Sat 2026-11-21 17:00:00 UTC. --',
      '2026-11-21T16:39:57+00:00 host1 kernel: nvme nvme0: pci function 0000:01:00.0',
      '2026-11-21T17:39:57.500000+0100 host1 kernel: nvme nvme1: pci function 0000:02:00.0',
    ].join('\n'));
    const r = await readBack(path, 'journal-short-iso');
    expect(r.diagnostics).toEqual([]);
    expect(r.result.skippedLines).toBe(1);
    expect(r.lines.map((l) => [l.timeNs, l.clock])).toEqual([[0, 'wall'], [500_000_000, 'wall']]);
  });

  it('short-monotonic and short-delta carry the printk clock; short-unix the wall clock', async () => {
    const path = synthetic('mono.log', [
      '[    5.062620] host1 kernel: nvme nvme0: pci function 0000:21:00.0',
      '[    5.062953 <    0.000333 >] host1 kernel: nvme nvme1: pci function 0000:22:00.0',
      '[    5.100000 <    0.037047*>] host1 systemd[1]: Started something.',
      '1795279197.123456 host1 kernel: nvme nvme2: pci function 0000:23:00.0',
    ].join('\n'));
    const r = await readBack(path, 'journal-short-monotonic');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.map((l) => [l.timeNs, l.clock])).toEqual([[5_062_620_000, 'printk'], [5_062_953_000, 'printk'], [0, 'wall']]);
    expect(r.result.skippedLines).toBe(1);
  });
});

describe('journalctl -o json / -o export (synthetic, formats doc §1.4 field names)', () => {
  it('json: takes _SOURCE_MONOTONIC_TIMESTAMP and PRIORITY, skips non-kernel entries, splits multi-line MESSAGE', async () => {
    const path = synthetic('journal.json', [
      JSON.stringify({ _TRANSPORT: 'kernel', PRIORITY: '6', SYSLOG_FACILITY: '0', MESSAGE: 'nvme nvme0: pci function 0000:21:00.0', _SOURCE_MONOTONIC_TIMESTAMP: '5062620', __MONOTONIC_TIMESTAMP: '9000000' }),
      JSON.stringify({ _TRANSPORT: 'journal', SYSLOG_IDENTIFIER: 'systemd', MESSAGE: 'Started x.', __MONOTONIC_TIMESTAMP: '9100000' }),
      JSON.stringify({ _TRANSPORT: 'kernel', PRIORITY: '4', MESSAGE: [0x61, 0x0a, 0x62], _SOURCE_MONOTONIC_TIMESTAMP: '5100000' }),
      '{not json',
    ].join('\n'));
    const r = await readBack(path, 'journal-json');
    expect(r.lines.map((l) => [l.text, l.timeNs, l.level, l.continuation])).toEqual([
      ['nvme nvme0: pci function 0000:21:00.0', 5_062_620_000, 6, false],
      ['a', 5_100_000_000, 4, false],
      ['b', 5_100_000_000, 4, true],
    ]);
    expect(r.result.skippedLines).toBe(1);
    expect(r.diagnostics).toMatchObject([{ line: 4, severity: 'warning' }]);
  });

  it('json-seq (RFC 7464): the RS byte before each entry is dropped, the rest read as json', async () => {
    const { sniffFile } = await import('../../src/ingest/detect.js');
    const path = synthetic('journal.json-seq', [
      `\u001e${JSON.stringify({ __CURSOR: 's=1;i=1', _TRANSPORT: 'kernel', PRIORITY: '6', MESSAGE: 'nvme nvme0: pci function 0000:21:00.0', _SOURCE_MONOTONIC_TIMESTAMP: '5062620' })}`,
      `\u001e${JSON.stringify({ __CURSOR: 's=1;i=2', _TRANSPORT: 'kernel', PRIORITY: '7', MESSAGE: 'probe of 0000:21:00.0 returned 0 after 3208 usecs', _SOURCE_MONOTONIC_TIMESTAMP: '5065828' })}`,
    ].join('\n'));
    expect(await sniffFile(path)).toBe('journal-json');
    const r = await readBack(path, 'journal-json');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.map((l) => [l.text, l.timeNs])).toEqual([
      ['nvme nvme0: pci function 0000:21:00.0', 5_062_620_000],
      ['probe of 0000:21:00.0 returned 0 after 3208 usecs', 5_065_828_000],
    ]);
  });

  it('json-pretty: `{` … `}` entries over several lines (tab indent, systemd ≥ 240; 8 spaces before), MESSAGE line as source', async () => {
    const { sniffFile } = await import('../../src/ingest/detect.js');
    // The layout of json_variant_dump(JSON_FORMAT_PRETTY): `"FIELD" : value` members, one per line.
    const pretty = (indent: string, o: Record<string, unknown>) =>
      ['{', ...Object.entries(o).map(([k, v], i, all) => `${indent}${JSON.stringify(k)} : ${JSON.stringify(v)}${i < all.length - 1 ? ',' : ''}`), '}'];
    for (const indent of ['\t', '        ']) {
      const path = synthetic(`journal-pretty-${indent.length}.json`, [
        ...pretty(indent, { __CURSOR: 's=1;i=1', __MONOTONIC_TIMESTAMP: '9000000', _TRANSPORT: 'kernel', PRIORITY: '6', MESSAGE: 'nvme nvme0: pci function 0000:21:00.0', _SOURCE_MONOTONIC_TIMESTAMP: '5062620' }),
        ...pretty(indent, { __CURSOR: 's=1;i=2', _TRANSPORT: 'journal', SYSLOG_IDENTIFIER: 'systemd', MESSAGE: 'Started x.' }),
        ...pretty(indent, { __CURSOR: 's=1;i=3', _TRANSPORT: 'kernel', PRIORITY: '7', MESSAGE: 'probe of 0000:21:00.0 returned 0 after 3208 usecs', _SOURCE_MONOTONIC_TIMESTAMP: '5065828' }),
        '{',
        `${indent}"__CURSOR" : "s=1;i=4",`,
        `${indent}"MESSAGE" : "cut here`,
      ].join('\n'));
      expect(await sniffFile(path)).toBe('journal-json');
      const r = await readBack(path, 'journal-json');
      expect(r.lines.map((l) => [l.text, l.timeNs, l.level, l.source.line])).toEqual([
        ['nvme nvme0: pci function 0000:21:00.0', 5_062_620_000, 6, 6],
        ['probe of 0000:21:00.0 returned 0 after 3208 usecs', 5_065_828_000, 7, 19],
      ]);
      expect(r.result.skippedLines).toBe(1);
      expect(r.diagnostics.map((d) => [d.line, d.message])).toEqual([[22, 'json-pretty entry starting here is not closed before the end of the file (file cut?): skipped']]);
    }
  });

  it('json-pretty: a cut entry does not swallow the next one; a binary field printed one byte per line is read', async () => {
    const message = 'probe of 0000:21:00.0 returned 0 after 3208 usecs';
    const path = synthetic('journal-pretty-cut.json', [
      '{',
      '\t"__CURSOR" : "s=1;i=1",',
      '\t"MESSAGE" : "cut in the mid',
      '{',
      '\t"_TRANSPORT" : "kernel",',
      '\t"PRIORITY" : "6",',
      // journalctl prints a MESSAGE that is not valid UTF-8 as an array of byte values, one per line.
      '\t"MESSAGE" : [',
      ...[...Buffer.from(message)].map((byte, i, all) => `\t\t${byte}${i < all.length - 1 ? ',' : ''}`),
      '\t],',
      '\t"_SOURCE_MONOTONIC_TIMESTAMP" : "5065828"',
      '}',
    ].join('\n'));
    const r = await readBack(path, 'journal-json');
    expect(r.lines.map((l) => [l.text, l.timeNs, l.source.line])).toEqual([[message, 5_065_828_000, 7]]);
    expect(r.diagnostics.map((d) => [d.line, d.message])).toEqual([[1, 'json-pretty entry starting here has no closing `}` before the next entry (cut?): skipped']]);
  });

  it('export: one entry per blank-line-separated block; falls back to __MONOTONIC_TIMESTAMP with one warning', async () => {
    const path = synthetic('journal.export', [
      '__CURSOR=s=1;i=1', '__REALTIME_TIMESTAMP=1795279197123456', '__MONOTONIC_TIMESTAMP=5070000', '_TRANSPORT=kernel', 'PRIORITY=6',
      'MESSAGE=nvme nvme0: pci function 0000:21:00.0', '_SOURCE_MONOTONIC_TIMESTAMP=5062620', '',
      '__CURSOR=s=1;i=2', '__MONOTONIC_TIMESTAMP=5080000', '_TRANSPORT=kernel', 'PRIORITY=7', 'MESSAGE=probe of 0000:21:00.0 returned 0 after 8283 usecs', '',
      '__CURSOR=s=1;i=3', '__MONOTONIC_TIMESTAMP=5090000', '_TRANSPORT=stdout', 'MESSAGE=hello', '',
    ].join('\n'));
    const r = await readBack(path, 'journal-export');
    expect(r.lines.map((l) => [l.text, l.timeNs, l.level, l.source.line])).toEqual([
      ['nvme nvme0: pci function 0000:21:00.0', 5_062_620_000, 6, 6],
      ['probe of 0000:21:00.0 returned 0 after 8283 usecs', 5_080_000_000, 7, 13],
    ]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toMatch(/__MONOTONIC_TIMESTAMP/);
    expect(r.result.skippedLines).toBe(1);
  });
});
