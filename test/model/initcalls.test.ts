import { describe, expect, it } from 'vitest';
import { recognizeKernelMessage } from '../../src/ingest/kernel-records.js';
import { InitcallBuilder, type InitcallData } from '../../src/model/initcalls.js';
import { initcallUsecsAreShifted, KernelInfoBuilder, kernelVersionOf, probeReturnsOneOnSuccess } from '../../src/model/kernel-info.js';
import { logLine, logLinesOf, runKernelBuilder, runWithKernelInfo } from '../kernel-lines.js';

function build(lines: ReturnType<typeof logLinesOf>): InitcallData {
  return runWithKernelInfo((kernel) => new InitcallBuilder(kernel), lines);
}
const fromText = (...texts: string[]) => build(texts.map((t, i) => logLine(t, i + 1)));

describe('InitcallBuilder on real logs', () => {
  it('capture before-n0x3 (6.1): module initcall, exact usecs', () => {
    const data = build(logLinesOf('fixtures/captures/before-n0x3/dmesg.log'));
    // Before `clocksource: Switched to clocksource tsc-early` (line 665, 2.272648 s) ktime counted jiffies.
    expect(data.diagnostics.map((d) => [d.line, d.message.slice(0, 72)])).toEqual([
      [665, '176 initcall(s) returned before this switch from the jiffies clocksource'],
    ]);
    const early = data.initcalls.filter((i) => i.endNs !== null && i.endNs < 2_272_648_000);
    expect(early).toHaveLength(176);
    expect(early.every((i) => i.durationNs! % 4_000_000 === 0)).toBe(true); // whole ticks at HZ=250
    expect(data.initcalls).toHaveLength(395);
    expect(data.initcalls.find((i) => i.fn === 'nvme_core_init')).toEqual({
      fn: 'nvme_core_init', module: 'nvme_core', asyncCookie: null, callerPid: 159, startNs: 4_033_635_000, endNs: 4_036_220_000,
      durationNs: 2_243_000, usecsAreShifted: false, ret: 0, level: null,
      source: { file: 'fixtures/captures/before-n0x3/dmesg.log', line: 1212 },
    });
  });

  it('lenovo 5.4 (dmesg -x): usecs are ns>>10 before 5.18', () => {
    const data = build(logLinesOf('fixtures/records/lenovo-80mk_5.4.0-rc1.kmsg.txt'));
    expect(data.diagnostics).toEqual([]);
    const acpi = data.initcalls.find((i) => i.fn === 'acpi_init')!;
    // printed `after 149414 usecs` = ns >> 10: 149414 × 1024 ns
    expect(acpi).toMatchObject({ durationNs: 152_999_936, usecsAreShifted: true, startNs: 559_942_000, endNs: 713_669_000, callerPid: 1 });
    expect(data.initcalls.find((i) => i.fn === 'rmi_driver_init')).toMatchObject({ module: 'hid_rmi', callerPid: 294, durationNs: 974_201 * 1024 });
    expect(data.initcalls.find((i) => i.fn === 'ip_auto_config')).toMatchObject({ durationNs: 9_856_526 * 1024, source: { line: 68 } });
  });

  it('5.12 and 5.17 print ns>>10: the call/return timestamps span at least the printed usecs × 1024 ns', () => {
    for (const path of ['fixtures/records/toshiba-portege-r835_5.12.0-rc6-next.dmesg.txt', 'fixtures/records/dell-inspiron-15-5510_5.17.0-rc2.dmesg.txt']) {
      const data = build(logLinesOf(path));
      expect(data.initcalls).toHaveLength(2);
      for (const call of data.initcalls) {
        expect(call.usecsAreShifted).toBe(true);
        expect(call.endNs! - call.startNs!).toBeGreaterThanOrEqual(call.durationNs!);
      }
    }
    const vesafb = build(logLinesOf('fixtures/records/toshiba-portege-r835_5.12.0-rc6-next.dmesg.txt')).initcalls[1]!;
    // `after 53175 usecs`: 53175 × 1024 = 54.451 ms, inside the 54.464 ms between the calling and returned lines
    expect(vesafb).toMatchObject({ fn: 'vesafb_driver_init', durationNs: 54_451_200, startNs: 146_020_000, endNs: 200_484_000 });
  });

  it('x13s 6.13: module initcall with exact usecs', () => {
    const data = build(logLinesOf('fixtures/records/x13s_6.13.1.dmesg.txt'));
    expect(data.diagnostics).toEqual([]);
    expect(data.initcalls.find((i) => i.fn === 'fuse_init')).toMatchObject({
      module: 'fuse', callerPid: 260, startNs: 1_005_008_000, endNs: 1_007_057_000, durationNs: 980_000, usecsAreShifted: false, ret: 0,
    });
  });
});

describe('InitcallBuilder edge cases (synthetic, from the format strings)', () => {
  it('levels (6.19+) apply to the following initcalls; async entries pair by cookie', () => {
    const data = fromText(
      '[    0.000000] Linux version 6.19.0 (x@y) #1 SMP',
      '[    0.896556] entering initcall level: arch',
      '[    0.896556] calling  report_snp_info+0x0/0xd0 @ 1',
      '[    0.896556] initcall report_snp_info+0x0/0xd0 returned 0 after 0 usecs',
      '[    2.000000] calling  4___driver_attach_async_helper+0x0/0xa0 @ 9',
      '[    2.000001] calling  5___driver_attach_async_helper+0x0/0xa0 @ 10',
      '[    2.000300] initcall 5___driver_attach_async_helper+0x0/0xa0 returned after 299 usecs',
      '[    2.000500] initcall 4___driver_attach_async_helper+0x0/0xa0 returned after 500 usecs',
    );
    expect(data.diagnostics).toEqual([]);
    expect(data.initcalls.map((i) => [i.fn, i.level, i.asyncCookie, i.callerPid, i.durationNs, i.ret])).toEqual([
      ['report_snp_info', 'arch', null, 1, 0, 0],
      ['__driver_attach_async_helper', null, 4, 9, 500_000, null],
      ['__driver_attach_async_helper', null, 5, 10, 299_000, null],
    ]);
  });

  it('two open calls of one function are told apart by the printk caller pid', () => {
    const data = fromText(
      '[    0.000000] Linux version 6.1.0 (x@y) #1 SMP',
      '[    4.000000][  T100] calling  foo_init+0x0/0x10 [foo] @ 100',
      '[    4.000001][  T200] calling  foo_init+0x0/0x10 [foo] @ 200',
      '[    4.000100][  T100] initcall foo_init+0x0/0x10 [foo] returned 0 after 100 usecs',
      '[    4.000300][  T200] initcall foo_init+0x0/0x10 [foo] returned -16 after 299 usecs',
    );
    expect(data.initcalls.map((i) => [i.callerPid, i.durationNs, i.ret])).toEqual([
      [100, 100_000, 0],
      [200, 299_000, -16],
    ]);
  });

  it('a calling line that never returns is a diagnostic and an open span', () => {
    const data = fromText('[    0.000000] Linux version 6.1.0 (x@y) #1 SMP', '[    3.000000] calling  hang_init+0x0/0x10 @ 1');
    expect(data.initcalls).toEqual([
      expect.objectContaining({ fn: 'hang_init', startNs: 3_000_000_000, endNs: null, durationNs: null, ret: null }),
    ]);
    expect(data.diagnostics).toEqual([
      { file: 'test.log', line: 2, severity: 'warning', message: 'initcall hang_init was called but never returned before the end of the input (it may have hung)' },
    ]);
  });

  it('a returned line without its calling line keeps start = end − duration and is reported', () => {
    const data = fromText('[    0.000000] Linux version 6.1.0 (x@y) #1 SMP', '[    3.000000] initcall lone_init+0x0/0x10 returned 0 after 1000 usecs');
    expect(data.initcalls[0]).toMatchObject({ startNs: 2_999_000_000, endNs: 3_000_000_000, durationNs: 1_000_000 });
    expect(data.diagnostics).toHaveLength(1);
  });

  it('without a banner, usecs are taken as exact and the doubt is reported', () => {
    const data = fromText('[    1.000000] calling  a_init+0x0/0x10 @ 1', '[    1.000010] initcall a_init+0x0/0x10 returned 0 after 9 usecs');
    expect(data.initcalls[0]!.usecsAreShifted).toBe(false);
    expect(data.diagnostics.map((d) => d.line)).toEqual([null]);
  });
});

describe('kernel version facts', () => {
  it('reads major.minor from a release and decides the version-dependent conventions', () => {
    expect(kernelVersionOf('6.1.0-50-amd64')).toEqual({ major: 6, minor: 1 });
    expect(kernelVersionOf('weird')).toBeNull();
    expect(initcallUsecsAreShifted(kernelVersionOf('5.15.215'))).toBe(true);
    expect(initcallUsecsAreShifted(kernelVersionOf('5.17.0-rc2'))).toBe(true);
    expect(initcallUsecsAreShifted(kernelVersionOf('5.18.0'))).toBe(false);
    expect(initcallUsecsAreShifted(null)).toBeNull();
    expect(probeReturnsOneOnSuccess(kernelVersionOf('5.14.21-150500.55.52-default'))).toBe(true);
    expect(probeReturnsOneOnSuccess(kernelVersionOf('5.15.0'))).toBe(false);
    expect(probeReturnsOneOnSuccess(kernelVersionOf('4.19.0'))).toBe(true);
  });

  it('KernelInfoBuilder: without a banner, the release of a WARN header (real samsung-530u 5.15 line)', () => {
    const builder = new KernelInfoBuilder();
    builder.handle(recognizeKernelMessage(logLine('[Sat Nov 27 21:57:32 2021] CPU: 1 PID: 142 Comm: kworker/1:2 Not tainted 5.15.0-2-amd64 #1  Debian 5.15.5-1'))!);
    builder.finalize();
    expect(builder.data()).toEqual({ release: '5.15.0-2-amd64', banner: null, cmdline: null, machine: null, hostname: null });
    expect(builder.version()).toEqual({ major: 5, minor: 15 });
  });

  it('KernelInfoBuilder: first banner, Kernel command line preferred (capture before-n0x3)', () => {
    const builder = new KernelInfoBuilder();
    builder.reset();
    for (const line of logLinesOf('fixtures/captures/before-n0x3/dmesg.log')) {
      const record = recognizeKernelMessage(line);
      if (record) builder.handle(record);
    }
    builder.finalize();
    const info = builder.data();
    expect(info.release).toBe('6.1.176-lab');
    expect(info.banner).toMatch(/^Linux version 6\.1\.176-lab \(root@vm\) .* #1 SMP PREEMPT_DYNAMIC Sat Nov 21 17:20:33 UTC 2026$/);
    expect(info.cmdline).toMatch(/^console=ttyS0 initcall_debug printk\.time=1 .* driver_async_probe=nvme labkernel=before$/);
  });
});
