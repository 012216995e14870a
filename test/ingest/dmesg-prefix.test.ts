import { describe, expect, it } from 'vitest';
import { parsePrintkPrefix } from '../../src/ingest/dmesg-prefix.js';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

const SNIFF = 'fixtures/dmesg/sniff';

describe('dmesg (plain [ts]) — real captures', () => {
  it('reads every line of the n0x3 capture with its printk time and no caller', async () => {
    const r = await readBack('fixtures/captures/n0x3/dmesg.log', 'dmesg');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines).toHaveLength(1907);
    const probe = r.find('probe of 0000:21:00.0 returned 0');
    expect(probe).toMatchObject({ timeNs: 6_567_604_000, clock: 'printk', caller: null, level: null, continuation: false });
    expect(probe.text).toBe('probe of 0000:21:00.0 returned 0 after 8283 usecs');
    expect(probe.source).toEqual({ file: 'fixtures/captures/n0x3/dmesg.log', line: 1894 });
  });

  it('takes kernel-glued caller ids [ts][    T8] (CONFIG_PRINTK_CALLER, before-n0x3)', async () => {
    const r = await readBack('fixtures/captures/before-n0x3/dmesg.log', 'dmesg');
    expect(r.diagnostics).toEqual([]);
    expect(r.find('probe of 0000:21:00.0')).toMatchObject({ timeNs: 4_061_093_000, caller: { kind: 'T', id: 8 }, source: { line: 1219 } });
    expect(r.find('probe of 0000:22:00.0').caller).toEqual({ kind: 'T', id: 55 });
    expect(r.lines[0]).toMatchObject({ caller: { kind: 'T', id: 0 }, text: expect.stringMatching(/^Linux version 6\.1\.176-lab /) });
  });

  it('takes util-linux >= 2.40 spaced caller ids [ts] [      T0] (supermicro x10drt, 6.14)', async () => {
    const r = await readBack(`${SNIFF}/supermicro-x10drt-b+_2S-32cpu_5nvme_6.14.0.dmesg.txt`, 'dmesg');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toMatchObject({ timeNs: 0, caller: { kind: 'T', id: 0 } });
    expect(r.lines[0]!.text).toMatch(/^Linux version 6\.14\.0-061400-generic /);
    // The message's own leading spaces are kept.
    expect(r.lines[3]!.text).toBe('  Intel GenuineIntel');
  });

  it('reads task ids wider than the default bracket (Pixel 6, 6.16)', async () => {
    const r = await readBack(`${SNIFF}/pixel6_android_v6.16-rc4_suspend_printk_caller.dmesg.txt`, 'dmesg');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toMatchObject({ timeNs: 519_142_279_000, caller: { kind: 'T', id: 7917 } });
  });

  it('attaches indented continuation lines to the previous record (POWER9 register dump, 6.14)', async () => {
    const r = await readBack('fixtures/dmesg/excerpts/power9_dmesg_continuation.lines-850-862.txt', 'dmesg');
    expect(r.diagnostics).toEqual([]);
    const cfar = r.find('CFAR: c000000000018110');
    const gpr00 = r.find('GPR00: c000000000019fd0');
    expect(gpr00).toMatchObject({ continuation: true, timeNs: cfar.timeNs, clock: 'printk', source: { line: 5 } });
    expect(r.lines.filter((l) => l.continuation)).toHaveLength(8);
  });

  it('skips a whitespace-only line (an empty continuation) without a record or a diagnostic (EMC, SLES 5.14)', async () => {
    const r = await readBack('fixtures/dmesg/excerpts/emc_whitespace-only-line.lines-9205-9212.txt', 'dmesg');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines).toHaveLength(7);
    expect(r.result.skippedLines).toBe(1);
    expect(r.lines[6]).toMatchObject({ timeNs: 1_090_248_512_000, source: { line: 8 }, continuation: false });
  });

  it('handles CRLF line ends (supermicro AS-4125GS, RHEL 9.6 5.14 as committed upstream)', async () => {
    const r = await readBack(`${SNIFF}/supermicro_AS-4125GS-TNRT_2S_epyc_rocky9.6_5.14.0-570.dmesg.txt`, 'dmesg');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.every((l) => !l.text.includes('\r'))).toBe(true);
    expect(r.find('BIOS-provided physical RAM map:').text).toBe('BIOS-provided physical RAM map:');
  });

  it('reports an unprefixed, unindented line as a warning with file and line, and goes on (pm-graph header)', async () => {
    const path = `${SNIFF}/pm-graph_skynet_3.15_suspend_pm_initcall_debug.dmesg.txt`;
    const r = await readBack(path, 'dmesg');
    expect(r.diagnostics).toEqual([
      { file: path, line: 1, severity: 'warning', message: 'not a dmesg line, skipped: "# suspend-061314-132459 skynet mem 3.15.0-latest"' },
    ]);
    expect(r.lines[0]).toMatchObject({ timeNs: 550_702_791_000, text: 'PM: Syncing filesystems ... done.', source: { line: 2 } });
  });
});

describe('dmesg -r (<lvl> prefix)', () => {
  it('splits the syslog value into facility and level (n0x3 dmesg -r; the /init marker is user.warning)', async () => {
    const r = await readBack('fixtures/dmesg/captures-n0x3/dmesg-raw.log', 'dmesg-raw');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toMatchObject({ level: 5, facility: 0, timeNs: 0 });
    expect(r.find('probe of 0000:22:00.0')).toMatchObject({ level: 7, facility: 0, timeNs: 6_570_721_000 });
    expect(r.find('lab: insmod nvme')).toMatchObject({ level: 4, facility: 1, timeNs: 6_483_005_000 });
  });

  it('reads <lvl>[ts][caller] (Acer, 5.14 with CONFIG_PRINTK_CALLER)', async () => {
    const r = await readBack(`${SNIFF}/acer-aspire-es1-421_5.14.0-rc3_loglevel_prefix_plus_printk_caller.txt`, 'dmesg-raw');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toMatchObject({ level: 5, facility: 0, caller: { kind: 'T', id: 0 } });
    expect(r.lines[3]).toMatchObject({ level: 6, text: '  Intel GenuineIntel' });
  });

  it('reads interrupt-context callers [C<cpu>], level 0 and a tab-led message (Acer, 5.14)', async () => {
    const r = await readBack('fixtures/dmesg/excerpts/acer-aspire-es1-421_raw_caller_C.lines-160-170-378-385.txt', 'dmesg-raw');
    expect(r.diagnostics).toEqual([]);
    expect(r.find('spurious 8259A interrupt')).toMatchObject({ level: 7, caller: { kind: 'C', id: 0 }, timeNs: 378_747_000 });
    expect(r.find('__common_interrupt: 2.55')).toMatchObject({ level: 0, caller: { kind: 'C', id: 2 }, timeNs: 354_833_000 });
    expect(r.lines[0]!.text).toBe('\tRude variant of Tasks RCU enabled.');
    expect(r.find(' #2')).toMatchObject({ caller: { kind: 'T', id: 1 }, continuation: false });
  });

  it('reads <lvl> without a time (printk.time=0; synthetic, formats doc §1.1)', async () => {
    const r = await readBack(synthetic('raw-notime.log', '<5>Linux version 6.18.44\n<14>lab: insmod nvme\n'), 'dmesg-raw');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.map((l) => [l.text, l.level, l.facility, l.timeNs, l.clock])).toEqual([
      ['Linux version 6.18.44', 5, 0, null, 'none'],
      ['lab: insmod nvme', 6, 1, null, 'none'],
    ]);
  });

  it('warns about the ramoops part header and reads the rest (Lenovo 21LV, 6.11)', async () => {
    const r = await readBack(`${SNIFF}/lenovo-21lv_6.11.0_ramoops_loglevel_prefix.txt`, 'dmesg-raw');
    expect(r.diagnostics.map((d) => d.line)).toEqual([1]);
    expect(r.lines[0]).toMatchObject({ level: 5, text: expect.stringMatching(/^Linux version 6\.11\.0-devel\+/) });
  });
});

describe('dmesg -x (facility:level)', () => {
  it('decodes the padded names and skips blank lines (Dell OptiPlex 9020, 6.4 LKP kmsg)', async () => {
    const r = await readBack('fixtures/dmesg/excerpts/dell-optiplex-9020_dmesg-x.lines-1990-2000.txt', 'dmesg-decode');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines).toHaveLength(10);
    expect(r.result.skippedLines).toBe(1);
    expect(r.lines[0]).toMatchObject({ facility: 0, level: 7, timeNs: 42_961_572_000, text: 'initcall print_ipi_mode+0x0/0x40 returned 0 after 4955 usecs' });
    expect(r.find('... APIC ID:')).toMatchObject({ level: 6 });
  });

  it('reads the first lines of a -x log with notice and info levels (Lenovo 80MK, 5.4)', async () => {
    const r = await readBack(`${SNIFF}/lenovo-80mk_5.4.0-rc1_initcall_debug_probe_lines.kmsg.txt`, 'dmesg-decode');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toMatchObject({ level: 5, facility: 0, timeNs: 0 });
    expect(r.lines[1]).toMatchObject({ level: 6, text: expect.stringMatching(/^Command line: /) });
  });
});

describe('dmesg --time-format=delta / -d, notime (synthetic: no real sample; built from formats doc §1.2)', () => {
  it('reads -x -d (facility:level before the delta stamp)', async () => {
    const r = await readBack(synthetic('x-delta.log', 'kern  :info  : [    0.289583 <    0.000003>] pci_bus 0000:00: root bus\n'), 'dmesg-delta');
    expect(r.lines.map((l) => [l.timeNs, l.level, l.facility, l.text])).toEqual([[289_583_000, 6, 0, 'pci_bus 0000:00: root bus']]);
  });

  it('accumulates [<delta>] stamps and takes the absolute time of -d lines', async () => {
    const path = synthetic('delta.log', [
      '[<    0.000000>] Linux version 6.18.44 (builder@buildhost)',
      '[<    0.000003>] pci_bus 0000:00: root bus resource [mem 0xc0001000-0xeebfffff window]',
      '[<    1.250000>] nvme nvme0: pci function 0000:01:00.0',
      '[    0.289583 <    0.000003>] pci_bus 0000:00: root bus resource [mem 0xc0001000-0xeebfffff window]',
      '[    5.062953 <    0.000333>] [   T123] nvme nvme1: pci function 0000:02:00.0',
    ].join('\n'));
    const r = await readBack(path, 'dmesg-delta');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.map((l) => l.timeNs)).toEqual([0, 3_000, 1_250_003_000, 289_583_000, 5_062_953_000]);
    expect(r.lines[4]).toMatchObject({ caller: { kind: 'T', id: 123 }, text: 'nvme nvme1: pci function 0000:02:00.0' });
  });

  it('takes every line of a -t log as a message without time', async () => {
    const path = synthetic('notime.log', 'Linux version 6.18.44 (builder@buildhost)\nBIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n');
    const r = await readBack(path, 'dmesg-notime');
    expect(r.lines.map((l) => [l.text, l.timeNs, l.clock])).toEqual([
      ['Linux version 6.18.44 (builder@buildhost)', null, 'none'],
      ['BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable', null, 'none'],
    ]);
  });
});

describe('parsePrintkPrefix', () => {
  it('accepts wide pids, seconds past 99999 and a lone <lvl>', () => {
    expect(parsePrintkPrefix('[12345.678901][T123456] example: pid wider')).toMatchObject({ timeNs: 12_345_678_901_000, caller: { kind: 'T', id: 123456 } });
    expect(parsePrintkPrefix('[123456.000001] late')).toMatchObject({ timeNs: 123_456_000_001_000, textStart: 16 });
    expect(parsePrintkPrefix('<6>nvme nvme0: pci function')).toMatchObject({ level: 6, facility: 0, timeNs: null, textStart: 3 });
    expect(parsePrintkPrefix('nvme nvme0: pci function')).toBeNull();
    expect(parsePrintkPrefix('[    0.004321][    C0] NMI watchdog: Enabled.')).toMatchObject({ caller: { kind: 'C', id: 0 } });
  });
});
