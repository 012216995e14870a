import { describe, expect, it } from 'vitest';
import { recognizeKernelMessage } from '../../src/ingest/kernel-records.js';
import { KernelInfoBuilder } from '../../src/model/kernel-info.js';
import { ProbeSpanBuilder, type ProbeSpanData } from '../../src/model/probe-spans.js';
import type { ProbeSpan } from '../../src/model/types.js';
import { logLine, logLinesOf, runWithKernelInfo } from '../kernel-lines.js';

function build(lines: ReturnType<typeof logLinesOf>): ProbeSpanData {
  return runWithKernelInfo((kernel) => new ProbeSpanBuilder(kernel), lines);
}
const fromFile = (path: string) => build(logLinesOf(path));
const fromText = (...texts: string[]) => build(texts.map((t, i) => logLine(t, i + 1)));
function only(data: ProbeSpanData, device: string): ProbeSpan {
  const spans = data.probes.filter((p) => p.device === device);
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('ProbeSpanBuilder on real logs', () => {
  it('capture before-n0x3 (6.1, printk caller): nvme driver from `pci function`, node through the root bus range', () => {
    const data = fromFile('fixtures/captures/before-n0x3/dmesg.log');
    expect(data.probes).toHaveLength(24);
    expect(data.diagnostics).toEqual([]);
    const nvme = only(data, '0000:21:00.0');
    expect(nvme).toMatchObject({
      driver: 'nvme', node: 0, startNs: 4_057_885_000, endNs: 4_061_093_000, durationNs: 3_208_000, ret: 0, status: 'ok',
      deferred: false, cpu: null, origin: 'probe-line', source: { file: 'fixtures/captures/before-n0x3/dmesg.log', line: 1219 },
    });
    expect(nvme.worker).toMatchObject({ comm: null, pid: 8, kind: null });
    expect(nvme.evidence).toEqual(expect.arrayContaining([
      { file: 'fixtures/captures/before-n0x3/dmesg.log', line: 1217 },
      { file: 'fixtures/captures/before-n0x3/dmesg.log', line: 609 },
    ]));
    expect(only(data, '0000:23:00.0')).toMatchObject({ driver: 'nvme', node: 0, durationNs: 6_140_000 });
    expect(only(data, '0000:20:00.0')).toMatchObject({ driver: 'pcieport', node: 0, durationNs: 194_460_000 });
    // A port service device is not a BDF: no node is claimed for it.
    expect(only(data, '0000:20:00.0:pcie001')).toMatchObject({ driver: null, node: null });
    // Bus 00 printed "Unknown NUMA node".
    expect(only(data, '0000:00:02.0')).toMatchObject({ driver: null, node: null, durationNs: 6_945_000 });
    // 5.15+: a positive ENODEV is a rejected match.
    expect(only(data, 'PNP0103:00')).toMatchObject({ ret: 19, status: 'rejected', deferred: false });
  });

  it('capture after-n0x3 (v1 fix): same devices, other costs', () => {
    const data = fromFile('fixtures/captures/after-n0x3/dmesg.log');
    expect(only(data, '0000:21:00.0')).toMatchObject({ driver: 'nvme', node: 0, durationNs: 14_593_000, status: 'ok' });
    expect(only(data, '0000:22:00.0')).toMatchObject({ driver: 'nvme', node: 0, durationNs: 12_870_000 });
    expect(only(data, '0000:23:00.0').worker).toMatchObject({ pid: 57 });
  });

  it('the same boot as dmesg -r (`<7>[ts][Tn]`, excerpt): same spans', () => {
    const data = fromFile('fixtures/records/before-n0x3.dmesg-raw.log');
    expect(data.probes.filter((p) => p.driver === 'nvme').map((p) => [p.device, p.node, p.durationNs, p.ret, p.status, p.worker?.pid])).toEqual([
      ['0000:21:00.0', 0, 3_208_000, 0, 'ok', 8],
      ['0000:22:00.0', 0, 2_245_000, 0, 'ok', 55],
      ['0000:23:00.0', 0, 6_140_000, 0, 'ok', 58],
    ]);
    expect(only(data, '0000:20:01.0')).toMatchObject({ driver: 'pcieport', node: 0, durationNs: 164_629_000, endNs: 2_888_836_000 });
  });

  it('patch-mail before.log: three custom-line spans on CPU 0 bound kworkers', () => {
    const data = fromFile('fixtures/sim/before.log');
    expect(data.probes.map((p) => [p.device, p.driver, p.durationNs, p.cpu, p.worker?.comm])).toEqual([
      ['0000:01:00.0', 'nvme', 53_372_612, 0, 'kworker/0:1'],
      ['0000:02:00.0', 'nvme', 49_532_941, 0, 'kworker/0:2'],
      ['0000:03:00.0', 'nvme', 47_315_175, 0, 'kworker/0:3'],
    ]);
    expect(data.probes[0]).toMatchObject({ startNs: null, endNs: null, ret: null, status: 'ok', origin: 'custom-line', node: null });
    expect(data.probes[0]!.worker).toEqual({
      comm: 'kworker/0:1', pid: null, kind: 'bound', cpu: 0, pool: null, workerId: 1, rescuerOf: null, maybeTruncated: false,
    });
  });

  it('patch-mail after-v1.log / after-v2.log: unbound pool 1025 workers on spread CPUs', () => {
    const v1 = fromFile('fixtures/sim/after-v1.log');
    expect(v1.probes[0]!.worker).toMatchObject({ comm: 'kworker/u1025:5', kind: 'unbound', pool: 1025, workerId: 5, cpu: null });
    expect(v1.probes.map((p) => p.cpu)).toEqual([5, 1, 2]);
    const v2 = fromFile('fixtures/sim/after-v2.log');
    expect(v2.probes.map((p) => [p.device, p.durationNs, p.cpu])).toEqual([
      ['0000:01:00.0', 34_904_955, 2],
      ['0000:02:00.0', 34_774_235, 134],
      ['0000:03:00.0', 34_573_054, 1],
    ]);
  });

  it('lenovo 5.4 (dmesg -x): ret 1 is success; drivers recovered from later dev_printk lines', () => {
    const data = fromFile('fixtures/records/lenovo-80mk_5.4.0-rc1.kmsg.txt');
    expect(data.probes).toHaveLength(107);
    expect(only(data, 'PNP0C09:00')).toMatchObject({ driver: 'ec', durationNs: 3_000_000, ret: 1, status: 'ok' });
    expect(only(data, '0000:00:1c.0')).toMatchObject({ driver: 'pcieport', durationNs: 2_127_000, ret: 1, status: 'ok' });
    // 103 lines return 1 (success); 4 return 0 with no failure line: the swallowed -ENODEV of ≤ 5.14
    // (the 6.1 capture shows the same HPET device PNP0103:00 returning 19).
    expect(data.probes.filter((p) => p.status === 'ok')).toHaveLength(103);
    expect(data.probes.filter((p) => p.status !== 'ok').map((p) => [p.device, p.ret, p.status])).toEqual([
      ['PNP0103:00', 0, 'rejected'],
      ['0018:048D:8396.0002', 0, 'rejected'],
      ['0018:04F3:21EF.0004', 0, 'rejected'],
      ['0018:06CB:77C6.0003', 0, 'rejected'],
    ]);
    expect(data.diagnostics).toHaveLength(1);
    expect(data.diagnostics[0]).toMatchObject({ line: 54, severity: 'warning' });
  });

  it('qemu 6.4 (printk caller): failure lines pair with their probe line', () => {
    const data = fromFile('fixtures/records/qemu-i440fx_6.4.0-rc3.printk-caller.dmesg.txt');
    expect(data.probes).toHaveLength(55);
    expect(data.diagnostics).toEqual([]);
    expect(only(data, 'hgafb.0')).toMatchObject({ driver: 'hgafb', ret: 22, status: 'failed', durationNs: 1_328_000 });
    expect(only(data, 'hgafb.0').evidence).toContainEqual({ file: 'fixtures/records/qemu-i440fx_6.4.0-rc3.printk-caller.dmesg.txt', line: 16 });
    expect(only(data, 'advantechwdt')).toMatchObject({ driver: 'advantechwdt', ret: 16, status: 'failed' });
    expect(only(data, '0000:00:03.0')).toMatchObject({ driver: 'e1000', node: 0, durationNs: 914_193_000, status: 'ok' });
  });

  it('qemu 6.15 and optiplex 6.4 (dmesg -x): every probe line is one span, rejects are positive ENODEV', () => {
    const qemu = fromFile('fixtures/records/qemu-i440fx_6.15.0-rc5.dmesg.txt');
    expect(qemu.probes).toHaveLength(90);
    expect(only(qemu, '0000:00:03.0')).toMatchObject({ durationNs: 12_412_000, ret: 0, status: 'ok' });
    const optiplex = fromFile('fixtures/records/dell-optiplex-9020_6.4.0-rc1.kmsg.txt');
    expect(optiplex.probes).toHaveLength(58);
    expect(optiplex.probes.filter((p) => p.device === '0000:02:00.0').map((p) => [p.durationNs, p.status])).toEqual([
      [41_000, 'rejected'],
      [73_000, 'rejected'],
    ]);
    expect(only(optiplex, 'acpi-cpufreq')).toMatchObject({ driver: 'acpi-cpufreq', ret: 17, status: 'failed', durationNs: 14_967_000 });
    expect(optiplex.diagnostics).toEqual([]);
  });

  it('x13s 6.13 (arm64): -517 is a deferral; the nvme function gets its driver from its own messages', () => {
    const data = fromFile('fixtures/records/x13s_6.13.1.dmesg.txt');
    expect(data.probes).toHaveLength(807);
    const regulator = data.probes.filter((p) => p.device === 'regulator-nvme');
    expect(regulator.length).toBeGreaterThan(5);
    expect(regulator.filter((p) => p.ret === -517).every((p) => p.status === 'deferred' && p.deferred)).toBe(true);
    expect(regulator.filter((p) => p.ret !== -517).map((p) => [p.ret, p.status, p.durationNs, p.source.line])).toEqual([[0, 'ok', 34_737_000, 351]]);
    expect(only(data, '0002:01:00.0')).toMatchObject({ driver: 'nvme', durationNs: 29_221_000, status: 'ok', node: null });
  });

  it('xe9680 6.5 (no initcall_debug): failure lines without a timing line become diagnostics', () => {
    const data = fromFile('fixtures/records/dell-poweredge-xe9680_6.5.0-18.dmesg.txt');
    expect(data.probes).toEqual([]);
    expect(data.diagnostics).toHaveLength(9);
    expect(data.diagnostics[1]).toMatchObject({ line: 68, severity: 'warning' });
    expect(data.diagnostics[1]!.message).toContain('0000:1b:00.0 by amdgpu failed (-22)');
  });
});

describe('ProbeSpanBuilder edge cases (synthetic lines built from the kernel format strings)', () => {
  it('a custom line and the probe line of the same probe merge into one span', () => {
    const data = fromText(
      '[    4.060000][  T201] nvme 0000:01:00.0: CPU: 0, COMM: kworker/0:1, probe cost: 3100000 ns',
      '[    4.061093][    T8] probe of 0000:01:00.0 returned 0 after 3208 usecs',
    );
    expect(data.probes).toHaveLength(1);
    expect(data.probes[0]).toMatchObject({ device: '0000:01:00.0', driver: 'nvme', durationNs: 3_208_000, cpu: 0, origin: 'probe-line' });
    expect(data.probes[0]!.worker).toMatchObject({ comm: 'kworker/0:1', pid: 201, kind: 'bound', cpu: 0 });
    expect(data.probes[0]!.queuedBy).toMatchObject({ pid: 8, comm: null });
    expect(data.probes[0]!.evidence).toContainEqual({ file: 'test.log', line: 1 });
  });

  it('a pid-only worker gets its comm when a WARN header names that pid', () => {
    const data = fromText(
      '[    4.061093][    T8] probe of 0000:01:00.0 returned 0 after 3208 usecs',
      '[    5.000000][    T8] CPU: 3 PID: 8 Comm: kworker/u17:0 Not tainted 6.1.176-lab #1',
    );
    expect(data.probes[0]!.worker).toMatchObject({ comm: 'kworker/u17:0', pid: 8, kind: 'unbound', pool: 17 });
    expect(data.probes[0]!.evidence).toContainEqual({ file: 'test.log', line: 2 });
  });

  it('a custom line outside the probe window stays its own span', () => {
    const data = fromText(
      '[    1.000000] nvme 0000:01:00.0: CPU: 0, COMM: kworker/0:1, probe cost: 3100000 ns',
      '[    4.061093] probe of 0000:01:00.0 returned 0 after 3208 usecs',
    );
    expect(data.probes.map((p) => p.origin)).toEqual(['custom-line', 'probe-line']);
    // A timestamped cost line dates its own span: it is printed when the probe body ends.
    expect(data.probes[0]).toMatchObject({ endNs: 1_000_000_000, startNs: 996_900_000, durationNs: 3_100_000 });
  });

  it('6.9+ failure text pairs with the probe line; rejects become rejected', () => {
    const data = fromText(
      '[    2.000000] nvme 0000:01:00.0: probe with driver nvme failed with error -12',
      '[    2.000100] probe of 0000:01:00.0 returned 12 after 40 usecs',
      '[    2.100000] foo 0000:02:00.0: probe with driver foo rejects match -19',
      '[    2.100100] probe of 0000:02:00.0 returned 19 after 5 usecs',
    );
    expect(data.probes.map((p) => [p.device, p.driver, p.status])).toEqual([
      ['0000:01:00.0', 'nvme', 'failed'],
      ['0000:02:00.0', 'foo', 'rejected'],
    ]);
  });

  it('a driver-requested deferral marks the span deferred even when ret is 0 (≤ 5.14)', () => {
    const data = fromText(
      '[    0.000000] Linux version 5.10.35 (x@y) #1 SMP',
      '[    2.000000] foo 0000:01:00.0: Driver foo requests probe deferral',
      '[    2.000010] foo 0000:01:00.0: Added to deferred list',
      '[    2.000020] probe of 0000:01:00.0 returned 0 after 10 usecs',
      '[    3.000000] pci 0000:01:00.0: Retrying from deferred list',
      '[    3.000100] probe of 0000:01:00.0 returned 1 after 100 usecs',
    );
    expect(data.probes.map((p) => [p.status, p.deferred, p.driver])).toEqual([
      ['deferred', true, 'foo'],
      // Nothing between the two probe lines names the driver of the retry.
      ['ok', false, null],
    ]);
    expect(data.probes[1]!.evidence).toContainEqual({ file: 'test.log', line: 5 });
  });

  it('on a ≤ 5.14 kernel, ret 0 without a failure line is rejected and reported once', () => {
    const data = fromText(
      '[    0.000000] Linux version 5.4.0 (x@y) #1 SMP',
      '[    1.000000] probe of a.0 returned 0 after 10 usecs',
      '[    1.100000] probe of b.0 returned 0 after 10 usecs',
      '[    1.200000] probe of c.0 returned 1 after 10 usecs',
    );
    expect(data.probes.map((p) => p.status)).toEqual(['rejected', 'rejected', 'ok']);
    expect(data.diagnostics).toHaveLength(1);
    expect(data.diagnostics[0]!.message).toContain('2 probe line(s) returned 0');
  });

  it('without a banner, a ret 1 anywhere means the old convention', () => {
    const old = fromText('[    1.000000] probe of a.0 returned 0 after 10 usecs', '[    1.200000] probe of c.0 returned 1 after 10 usecs');
    expect(old.probes.map((p) => p.status)).toEqual(['rejected', 'ok']);
    const recent = fromText('[    1.000000] probe of a.0 returned 0 after 10 usecs');
    expect(recent.probes.map((p) => p.status)).toEqual(['ok']);
  });

  it('deferred probe pending at the timeout is reported with its reason', () => {
    const data = fromText('[   30.000000] platform foo: deferred probe pending: bar: supply vdd not found');
    expect(data.diagnostics.map((d) => d.message)).toEqual(['foo: deferred probe still pending at the deferred-probe timeout: bar: supply vdd not found']);
  });

  it('driver-core lines name the driver; `pci` owners do not', () => {
    const data = fromText(
      '[    2.000000] pci 0000:01:00.0: enabling device (0000 -> 0002)',
      "[    2.000001] bus: 'pci': really_probe: bound device 0000:01:00.0 to driver nvme",
      '[    2.000100] probe of 0000:01:00.0 returned 0 after 90 usecs',
    );
    expect(data.probes[0]).toMatchObject({ driver: 'nvme' });
    expect(data.probes[0]!.evidence).toEqual([{ file: 'test.log', line: 2 }]);
  });

  it('reset clears everything', () => {
    const builder = new ProbeSpanBuilder(new KernelInfoBuilder());
    builder.handle(recognizeKernelMessage(logLine('[    1.000000] probe of a.0 returned 0 after 10 usecs'))!);
    builder.reset();
    builder.finalize();
    expect(builder.data()).toEqual({ probes: [], diagnostics: [] });
  });
});
