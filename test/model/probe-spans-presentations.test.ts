// The span builders fed by the real presentation parsers (readKernelLog, format sniffed from the file):
// the same exact values whatever prefix the log carried.

import { describe, expect, it } from 'vitest';
import { sniffFile } from '../../src/ingest/detect.js';
import { formatModule, type KernelLogFormat } from '../../src/ingest/formats.js';
import { recognizeKernelMessage } from '../../src/ingest/kernel-records.js';
import type { KernelRecord } from '../../src/ingest/kernel-records.types.js';
import { BuilderPass } from '../../src/model/builder.js';
import { InitcallBuilder } from '../../src/model/initcalls.js';
import { KernelInfoBuilder } from '../../src/model/kernel-info.js';
import { ProbeSpanBuilder } from '../../src/model/probe-spans.js';
import type { Diagnostic } from '../../src/model/types.js';

async function load(path: string) {
  const format = await sniffFile(path);
  const kernel = new KernelInfoBuilder();
  const probes = new ProbeSpanBuilder(kernel);
  const initcalls = new InitcallBuilder(kernel);
  const pass = new BuilderPass<KernelRecord>([probes, initcalls, kernel]);
  pass.reset();
  const readerDiagnostics: Diagnostic[] = [];
  await formatModule(format as KernelLogFormat).read(path, (line) => {
    const record = recognizeKernelMessage(line);
    if (record) pass.handle(record);
  }, (d) => readerDiagnostics.push(d));
  pass.finalize();
  return { format, probes: probes.data(), initcalls: initcalls.data(), kernel: kernel.data(), readerDiagnostics };
}

describe('spans through readKernelLog, one presentation each', () => {
  it('dmesg with printk caller (capture before-n0x3, 6.1)', async () => {
    const boot = await load('fixtures/captures/before-n0x3/dmesg.log');
    expect(boot.format).toBe('dmesg');
    expect(boot.kernel.release).toBe('6.1.176-lab');
    const nvme = boot.probes.probes.find((p) => p.device === '0000:21:00.0')!;
    expect(nvme).toMatchObject({ driver: 'nvme', node: 0, startNs: 4_057_885_000, endNs: 4_061_093_000, durationNs: 3_208_000, ret: 0, status: 'ok' });
    expect(nvme.worker).toMatchObject({ pid: 8, kind: null });
    expect(boot.initcalls.initcalls.find((i) => i.fn === 'nvme_core_init')).toMatchObject({ callerPid: 159, durationNs: 2_243_000, usecsAreShifted: false });
  });

  it('dmesg -r (`<7>[ts][Tn]`, same boot)', async () => {
    const boot = await load('fixtures/records/before-n0x3.dmesg-raw.log');
    expect(boot.format).toBe('dmesg-raw');
    expect(boot.probes.probes.filter((p) => p.driver === 'nvme').map((p) => [p.device, p.durationNs, p.endNs, p.worker?.pid])).toEqual([
      ['0000:21:00.0', 3_208_000, 4_061_093_000, 8],
      ['0000:22:00.0', 2_245_000, 4_061_165_000, 55],
      ['0000:23:00.0', 6_140_000, 4_067_657_000, 58],
    ]);
  });

  it('dmesg -x (`kern  :debug : [ts]`, lenovo 5.4): ret 1 = success, initcall usecs shifted', async () => {
    const boot = await load('fixtures/records/lenovo-80mk_5.4.0-rc1.kmsg.txt');
    expect(boot.format).toBe('dmesg-decode');
    expect(boot.probes.probes).toHaveLength(107);
    expect(boot.probes.probes.find((p) => p.device === 'PNP0C09:00')).toMatchObject({ driver: 'ec', durationNs: 3_000_000, ret: 1, status: 'ok', endNs: 713_309_000 });
    expect(boot.probes.probes.find((p) => p.device === 'PNP0103:00')).toMatchObject({ ret: 0, status: 'rejected' });
    expect(boot.initcalls.initcalls.find((i) => i.fn === 'acpi_init')).toMatchObject({ durationNs: 149_414 * 1024, usecsAreShifted: true });
  });

  it('dmesg -x (dell-optiplex 6.4): failure paired with its probe line', async () => {
    const boot = await load('fixtures/records/dell-optiplex-9020_6.4.0-rc1.kmsg.txt');
    expect(boot.probes.probes).toHaveLength(58);
    expect(boot.probes.diagnostics).toEqual([]);
    expect(boot.probes.probes.find((p) => p.device === 'acpi-cpufreq')).toMatchObject({ driver: 'acpi-cpufreq', ret: 17, status: 'failed', durationNs: 14_967_000 });
  });

  it('printk caller dmesg (qemu 6.4)', async () => {
    const boot = await load('fixtures/records/qemu-i440fx_6.4.0-rc3.printk-caller.dmesg.txt');
    expect(boot.probes.probes.find((p) => p.device === 'hgafb.0')).toMatchObject({ driver: 'hgafb', ret: 22, status: 'failed', durationNs: 1_328_000 });
    expect(boot.probes.probes.find((p) => p.device === '0000:00:03.0')).toMatchObject({ driver: 'e1000', node: 0, durationNs: 914_193_000 });
  });

  it('patch-mail lines (EPYC 9A64 before)', async () => {
    const boot = await load('fixtures/sim/before.log');
    expect(boot.format).toBe('patch-mail');
    expect(boot.probes.probes).toHaveLength(3);
    expect(boot.probes.probes[0]).toMatchObject({ device: '0000:01:00.0', driver: 'nvme', durationNs: 53_372_612, cpu: 0, startNs: null, endNs: null });
    expect(boot.probes.probes[0]!.worker).toMatchObject({ comm: 'kworker/0:1', kind: 'bound', cpu: 0 });
  });

  it('journalctl short (6.1), dmesg -T ctime (7.1), `<N>` prefix (6.12): banner and nvme function lines', async () => {
    const xps = await load('fixtures/records/dell-xps-15-7590_6.1.0-9.journalctl.txt');
    expect(xps.format).toBe('journal-short');
    expect(xps.kernel.release).toBe('6.1.0-9-amd64');
    const kexec = await load('fixtures/records/kexec_7.1.0-rc3.dmesg-T-ctime.txt');
    expect(kexec.format).toBe('dmesg-ctime');
    expect(kexec.kernel.release).toBe('7.1.0-rc3-michal.debug');
    expect(kexec.kernel.cmdline).toMatch(/^elfcorehdr=0x103f000000 BOOT_IMAGE=\/vmlinuz-7\.1\.0-rc3-michal\.debug /);
    const lenovo = await load('fixtures/records/lenovo-20n2_6.12.12.loglevel-prefix.txt');
    expect(lenovo.format).toBe('dmesg-raw');
    expect(lenovo.kernel.release).toBe('6.12.12+');
  });
});
