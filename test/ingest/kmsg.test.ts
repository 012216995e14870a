import { describe, expect, it } from 'vitest';
import { unescapeKmsgText } from '../../src/ingest/kmsg.js';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

const NETCONSOLE = 'fixtures/dmesg/excerpts/netconsole_rtw89_crash_kmsg_raw_records.lines-1-80-560-592.txt';

describe('/dev/kmsg records — real netconsole capture (rtw89 crash)', () => {
  it('reads prio, µs time and text, and skips the dictionary lines', async () => {
    const r = await readBack(NETCONSOLE, 'kmsg');
    expect(r.lines[0]).toMatchObject({
      level: 6, facility: 0, timeNs: 662_928_960_804_000, clock: 'printk', caller: null, continuation: false,
      text: 'rtw89_8852bte 0000:03:00.0: FW status = 0x55001100', source: { line: 1 },
    });
    expect(r.find('rtw89_8852bte 0000:03:00.0: [ERR]fw PC')).toMatchObject({ level: 3 });
    expect(r.lines.some((l) => l.text.startsWith(' SUBSYSTEM=') || l.text.startsWith(' DEVICE='))).toBe(false);
    expect(r.result.skippedLines).toBeGreaterThan(50);
  });

  it('splits an escaped newline (\\x0a) into a continuation line with the same time', async () => {
    const r = await readBack(NETCONSOLE, 'kmsg');
    const head = r.find('rtw89_8852bte 0000:03:00.0: --->');
    const i = r.lines.indexOf(head);
    expect(head.text).toBe('rtw89_8852bte 0000:03:00.0: --->');
    expect(r.lines[i + 1]).toMatchObject({ text: 'err=0x1000', continuation: true, timeNs: head.timeNs, source: head.source });
  });

  it("marks LOG_CONT ('c') records as continuations and reports the sequence gap between the two excerpts", async () => {
    const r = await readBack(NETCONSOLE, 'kmsg');
    expect(r.find(' snd_timer iTCO_vendor_support')).toMatchObject({ continuation: true, level: 4 });
    expect(r.find('Modules linked in: isofs')).toMatchObject({ continuation: false });
    const gaps = r.diagnostics.filter((d) => d.message.startsWith('kmsg sequence jumps'));
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ line: 81, severity: 'warning' });
  });
});

describe('/dev/kmsg edge cases (synthetic, formats doc §1.3)', () => {
  it('takes the caller field and unescapes UTF-8 byte runs and backslashes', async () => {
    const path = synthetic('kmsg.txt', [
      '6,1234,5678901,-,caller=T123;nvme nvme0: pci function 0000:01:00.0',
      ' SUBSYSTEM=pci',
      ' DEVICE=+pci:0000:01:00.0',
      '4,1235,5678950,-,caller=C3;caf\\xc3\\xa9 \\x5c path',
      'garbage',
    ].join('\n'));
    const r = await readBack(path, 'kmsg');
    expect(r.lines.map((l) => [l.text, l.caller, l.timeNs])).toEqual([
      ['nvme nvme0: pci function 0000:01:00.0', { kind: 'T', id: 123 }, 5_678_901_000],
      ['café \\ path', { kind: 'C', id: 3 }, 5_678_950_000],
    ]);
    expect(r.diagnostics).toMatchObject([{ line: 5, severity: 'warning' }]);
    expect(unescapeKmsgText('plain')).toBe('plain');
  });
});
