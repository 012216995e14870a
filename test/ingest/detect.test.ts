import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, sniffFile } from '../../src/ingest/detect.js';
import type { InputFormat } from '../../src/ingest/formats.js';
import { synthetic } from './kernel-log-reader.helper.js';

// The first 30 lines of every real log in corpus/dmesg_formats, initcall_debug and server_nvme_numa
// (fixtures/dmesg/sniff/; each gives the same answer as the whole file, checked when copied).
const CORPUS: Record<string, InputFormat> = {
  'acer-aspire-es1-421_5.14.0-rc3_loglevel_prefix_plus_printk_caller.txt': 'dmesg-raw',
  'dell-xps-15-7590_6.1.0-9-amd64_journalctl.txt': 'journal-short',
  'gigabyte-z790_6.1.0-18-amd64_dmesg-T_ctime.txt': 'dmesg-ctime',
  'kern.log_iso8601_hdd-errors.txt': 'syslog',
  'kexec_7.1.0-rc3_dmesg-T_ctime.txt': 'dmesg-ctime',
  'lenovo-20n2_6.12.12_loglevel_prefix.txt': 'dmesg-raw',
  'lenovo-21lv_6.11.0_ramoops_loglevel_prefix.txt': 'dmesg-raw',
  'lenovo-82xt_6.15.3-arch_journalctl.txt': 'journal-short',
  'netconsole_rtw89_crash_kmsg_raw_records.txt': 'kmsg',
  'pixel6_android_v6.16-rc4_suspend_printk_caller.dmesg.txt': 'dmesg',
  'samsung-530u_5.15.0-2-amd64_dmesg-T.txt': 'dmesg-ctime',
  'supermicro-p4dc6_6.7.0-rc8_iso8601_syslog.txt': 'syslog',
  'supermicro-ssg-5048r_6.2.15_dmesg-T_ctime.txt': 'dmesg-ctime',
  'ubuntu14_kern.log_syslog_prefixed.txt': 'syslog',
  'boot-next-20220428_acpibug_initcall_debug.dmesg.txt': 'dmesg',
  'dell-inspiron-15-5510_5.17.0-rc2_initcall_debug_nvme.dmesg.txt': 'dmesg',
  'dell-optiplex-9020_6.4.0-rc1_initcall_debug_probe_lines.kmsg.txt': 'dmesg-decode',
  'gigabyte-z97x-ud5h_6.2.0-rc6_initcall_debug_printk_caller.dmesg.txt': 'dmesg',
  'hp-z238-microtower_6.1.0-rc7_initcall_debug_printk_caller.dmesg.txt': 'console',
  'inspur-nf5180m6_6.2.0-rc7_initcall_debug_async.kmsg.txt': 'dmesg-decode',
  'intel-s2600wft_2S-96cpu_6.3.0-rc1_initcall_debug_printk_caller.dmesg.txt': 'console',
  'lenovo-80mk_5.4.0-rc1_initcall_debug_probe_lines.kmsg.txt': 'dmesg-decode',
  'pm-graph_skynet_3.15_suspend_pm_initcall_debug.dmesg.txt': 'dmesg',
  'qemu-i440fx_6.15.0-rc5_initcall_debug_probe_lines.dmesg.txt': 'dmesg',
  'qemu-i440fx_6.4.0-rc3_initcall_debug_probe_printk_caller.dmesg.txt': 'console',
  'supermicro-sys-5018d-fn4t_xeon-d_6.3.0-rc1_initcall_debug_printk_caller.dmesg.txt': 'console',
  'toshiba-portege-r835_5.12.0-rc6-next_initcall_debug.dmesg.txt': 'dmesg',
  'toshiba-portege-z830_5.9.0-rc1_initcall_debug.kmsg.txt': 'dmesg-decode',
  'x13s_arm64_fedora-6.13.1_initcall_debug.dmesg.txt': 'dmesg',
  'dell-poweredge-r640_2S-40cpu_5nvme_6.8.0-rc3_vmcore.dmesg.txt': 'dmesg',
  'dell-poweredge-r6515_epyc_2numa-128cpu_6.12.0-rc2-next.dmesg.txt': 'dmesg',
  'dell-poweredge-t630_2S-12cpu_5.15.86.dmesg.txt': 'dmesg',
  'dell-poweredge-xe9680_2S-256cpu_9nvme_6.5.0-18-generic.dmesg.txt': 'dmesg',
  'emc_2S-64cpu_13nvme_sles15sp5_5.14.21_async.dmesg.txt': 'dmesg',
  'hpe-cray-xd675_8numa-192cpu_3nvme_6.5.0-18-generic.dmesg.txt': 'dmesg',
  'hpe-proliant-dl380-gen10_2S-32cpu_6.2.0-kasan_vmcore.dmesg.txt': 'dmesg',
  'inspur-nf5180m6_2S-64cpu_6.8.0-rc1_printk_caller.dmesg.txt': 'console',
  'intel-brickland_4S-192cpu_6.2.0-rc1.dmesg.txt': 'dmesg',
  'intel-m50cyp2sb1u_icelake-sp_2S-128cpu_6.4.0-rc4_printk_caller.dmesg.txt': 'console',
  'power9_2numa-128cpu_nvme_6.14.8-gentoo.dmesg.txt': 'dmesg',
  'raptor-talos-power9_2S-176cpu_4nvme_5.15.10_journal.txt': 'journal-short',
  'supermicro-x10drt-b+_2S-32cpu_5nvme_6.14.0.dmesg.txt': 'dmesg',
  'supermicro_AS-4125GS-TNRT_2S_epyc_rocky9.6_5.14.0-570.dmesg.txt': 'dmesg',
  'unknown-2S-224cpu_6.9.0-rc4_printk_caller.dmesg.txt': 'console',
};

describe('sniffFile — real corpus logs', () => {
  for (const [name, format] of Object.entries(CORPUS)) {
    it(`${name} → ${format}`, async () => {
      expect(await sniffFile(`fixtures/dmesg/sniff/${name}`)).toBe(format);
    });
  }
});

describe('sniffFile — capture files', () => {
  const cases: Array<[string, InputFormat | null]> = [
    ['fixtures/captures/n0x3/dmesg.log', 'dmesg'],
    ['fixtures/captures/before-n0x3/dmesg.log', 'dmesg'],
    ['fixtures/dmesg/captures-n0x3/dmesg-raw.log', 'dmesg-raw'],
    ['fixtures/dmesg/captures-n0x3/console.log', 'console'],
    ['fixtures/captures/n0x3/trace.txt', 'ftrace'],
    ['fixtures/captures/fgraph/trace.txt', 'function-graph'],
    ['fixtures/captures/n0x3/topology.csv', 'lscpu'],
    ['fixtures/captures/n0x3/node-cpulist.txt', 'cpulist'],
    ['fixtures/captures/n0x3/pci-numa.txt', 'pci-numa'],
    ['fixtures/captures/n0x3/cpus.txt', 'cpulist'],
    ['fixtures/dmesg/epyc9a64-patch-mail-before.log', 'patch-mail'],
  ];
  for (const [path, format] of cases) {
    it(`${path} → ${format}`, async () => {
      expect(await sniffFile(path)).toBe(format);
    });
  }

  it('does not take a README quoting a few log lines for a log (the capture NOTES.md)', async () => {
    expect(await sniffFile('fixtures/captures/n0x3/NOTES.md')).toBeNull();
    expect(await sniffFile('fixtures/captures/n0x3/uname.txt')).toBeNull();
  });

  it('tells a serial console from dmesg by the file name when the head has no userspace line', () => {
    const head = ['[    0.000000] Linux version 6.1.0-50-amd64', '[    0.000000] Command line: console=ttyS0', '[    0.000000] BIOS-provided physical RAM map:'];
    expect(detectFormat('x/console.log', head)).toBe('console');
    expect(detectFormat('x/dmesg.log', head)).toBe('dmesg');
  });
});

// Lines built from the formats doc (§1.2, §1.4, §6, §7) where the corpus has no real sample, and real
// lines quoted from corpus files where it has (trace-cmd report, human lscpu).
describe('detectFormat — every other format name', () => {
  const cases: Array<[string, string[], InputFormat | null]> = [
    ['iso', ['2026-11-21T16:39:56,000000+00:00 Linux version 6.18.44', '2026-11-21T16:39:56,000006+00:00 BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable', '2026-11-21T16:39:56,289583+00:00 pci_bus 0000:00: root bus'], 'dmesg-iso'],
    ['reltime', ['[Nov21 16:39] Linux version 6.18.44', '[  +0.000006] acpi PNP0A08:00: _OSC: OS supports', '[  +0.289583] pci_bus 0000:00: root bus'], 'dmesg-reltime'],
    ['delta', ['[<    0.000000>] Linux version 6.18.44', '[<    0.000003>] pci_bus 0000:00: root bus', '[<    0.000010>] x'], 'dmesg-delta'],
    ['-d', ['[    0.000000 <    0.000000>] Linux version 6.18.44', '[    0.289583 <    0.000003>] pci_bus 0000:00: root bus', '[    0.289600 <    0.000017>] x'], 'dmesg-delta'],
    ['-r of a printk.time=0 kernel', ['<5>Linux version 6.18.44 (builder@buildhost)', '<6>Command line: console=ttyS0', '<6>BIOS-provided physical RAM map:'], 'dmesg-raw'],
    ['-x -T', ['kern  :notice: [Sun Nov  1 16:39:56 2026] Linux version 6.18.44', 'kern  :info  : [Sun Nov  1 16:39:56 2026] Command line: x', 'kern  :info  : [Sun Nov  1 16:39:57 2026] y'], 'dmesg-ctime'],
    ['-x -e', ['kern  :notice: [Nov 1 16:39] Linux version 6.18.44', 'kern  :info  : [  +0.000006] Command line: x', 'kern  :info  : [  +0.100000] y'], 'dmesg-reltime'],
    ['-t', ['Linux version 6.18.44 (builder@buildhost) (gcc (GCC) 15.3.0)', 'Command line: console=ttyS0', 'BIOS-provided physical RAM map:'], 'dmesg-notime'],
    ['-J', ['{', '   "dmesg": [', '      {', '         "pri": 5,'], 'dmesg-json'],
    ['short-precise', ['Nov 21 16:39:57.123456 host1 kernel: nvme nvme0: pci function 0000:01:00.0', 'Nov 21 16:39:57.123500 host1 kernel: a', 'Nov 21 16:39:57.123600 host1 kernel: b'], 'journal-short-precise'],
    ['short-unix', ['1795279197.123456 host1 kernel: a', '1795279197.123500 host1 kernel: b', '1795279197.123600 host1 kernel: c'], 'journal-short-precise'],
    ['short-iso', ['-- Boot 0123456789abcdef0123456789abcdef --', '2026-11-21T16:39:57+00:00 host1 kernel: a', '2026-11-21T16:39:57+00:00 host1 kernel: b', '2026-11-21T16:39:58+00:00 host1 systemd[1]: c'], 'journal-short-iso'],
    ['short-monotonic', ['[    5.062620] host1 kernel: nvme nvme0: pci function 0000:21:00.0', '[    5.062700] host1 kernel: b', '[    5.062800] host1 systemd[1]: c'], 'journal-short-monotonic'],
    ['short-delta', ['[    5.062620 <    0.000000 >] host1 kernel: a', '[    5.062953 <    0.000333 >] host1 kernel: b', '[    5.063000 <    0.000047*>] host1 kernel: c'], 'journal-short-monotonic'],
    ['json', ['{"__CURSOR":"s=1","_TRANSPORT":"kernel","MESSAGE":"nvme nvme0: pci function 0000:21:00.0","_SOURCE_MONOTONIC_TIMESTAMP":"5062620"}'], 'journal-json'],
    ['export', ['__CURSOR=s=1;i=1', '__REALTIME_TIMESTAMP=1795279197123456', '__MONOTONIC_TIMESTAMP=5070000', '_TRANSPORT=kernel'], 'journal-export'],
    ['trace-cmd', ['cpus=128', '        modprobe-2693  [045] 347271.892279: funcgraph_entry:        1.690 us   |  mutex_unlock();'], 'trace-cmd'],
    ['trace-cmd .dat header', ['version = 6', 'CPU 0 is empty', 'cpus=8'], 'trace-cmd'],
    ['ftrace without header', ['     kworker/18:1-453     [018] .....  6520.912866: workqueue_execute_start: work struct 00000000de5443e3: function hub_event [usbcore]', '     kworker/18:1-453     [018] d..2.  6520.912873: workqueue_activate_work: work struct 0000000077eccca1'], 'ftrace'],
    ['funcgraph without header', [' 0)               |  do_nanosleep() {', ' 0)               |    hrtimer_start_range_ns() {', ' 0)   0.198 us    |          _raw_spin_lock_irqsave();'], 'function-graph'],
    ['human lscpu', ['Architecture:            x86_64', '  CPU op-mode(s):        32-bit, 64-bit', 'CPU(s):                  12', 'NUMA node(s):            2', 'NUMA node0 CPU(s):       0,2,4,6,8,10'], 'lscpu'],
    ['headerless CSV topology', ['0,0', '1,0', '2,1', '3,1'], 'lscpu'],
    ['one-line cpulist', ['0-3,8-11'], 'cpulist'],
    ['boot JSON', ['{', '  "schema": "trace-probe.boot/1",', '  "inputs": []'], 'boot-json'],
    ['sim JSON', ['{"schema":"trace-probe.sim/1","runs":[]}'], 'sim-json'],
    ['other JSON', ['{"hello": "world"}'], null],
    ['prose', ['Dear all,', 'please find attached the logs.', 'Thanks'], null],
    ['empty', ['', '   '], null],
  ];
  for (const [label, lines, format] of cases) {
    it(`${label} → ${format}`, () => {
      expect(detectFormat('input.txt', lines)).toBe(format);
    });
  }
});

describe('sniffFile edge cases', () => {
  it('sniffs a compact Boot JSON longer than the sniff window', async () => {
    const path = synthetic('big-boot.json', JSON.stringify({ schema: 'trace-probe.boot/1', pad: 'x'.repeat(400 * 1024) }));
    expect(await sniffFile(path)).toBe('boot-json');
  });

  it('ignores a BOM and CRLF', async () => {
    const path = synthetic('bom.log', '\ufeff[    0.000000] Linux version 6.1.0\r\n[    0.000001] Command line: x\r\n[    0.000002] y\r\n');
    expect(await sniffFile(path)).toBe('dmesg');
  });

  it('throws InputError for a binary file', async () => {
    const path = synthetic('bin.dat', '');
    writeFileSync(path, Buffer.from([0x54, 0x52, 0x41, 0x43, 0x45, 0x00, 0x01]));
    await expect(sniffFile(path)).rejects.toMatchObject({ name: 'InputError' });
  });
});
