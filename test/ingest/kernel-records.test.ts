import { describe, expect, it } from 'vitest';
import { recognizeKernelMessage } from '../../src/ingest/kernel-records.js';
import type { KernelRecord } from '../../src/ingest/kernel-records.types.js';
import { logLine, logLinesOf } from '../kernel-lines.js';

function rec(text: string): KernelRecord | null {
  return recognizeKernelMessage(logLine(text));
}
/** The record without its `line` (for exact comparisons). */
function fields(text: string): Record<string, unknown> | null {
  const r = rec(text);
  if (!r) return null;
  const { line: _line, ...rest } = r;
  return rest;
}
function recordsOf(path: string): KernelRecord[] {
  return logLinesOf(path).flatMap((l) => recognizeKernelMessage(l) ?? []);
}

describe('recognizeKernelMessage: real lines', () => {
  it('initcall_debug calling/returned, built-in and module, with the printk caller (capture, 6.1)', () => {
    expect(fields('[    4.033635][  T159] calling  nvme_core_init+0x0/0x1000 [nvme_core] @ 159')).toEqual({
      type: 'initcall-start', fn: 'nvme_core_init', module: 'nvme_core', asyncCookie: null, pid: 159,
    });
    expect(fields('[    4.036220][  T159] initcall nvme_core_init+0x0/0x1000 [nvme_core] returned 0 after 2243 usecs')).toEqual({
      type: 'initcall-return', fn: 'nvme_core_init', module: 'nvme_core', asyncCookie: null, ret: 0, usecs: 2243,
    });
    expect(fields('[    2.228384][    T1] calling  nvmem_init+0x0/0x11 @ 1')).toMatchObject({ fn: 'nvmem_init', module: null, pid: 1 });
  });

  it('entering initcall level (6.19+, formats §3.1)', () => {
    expect(fields('[    0.896556] entering initcall level: arch')).toEqual({ type: 'initcall-level', level: 'arch' });
  });

  it('probe of ... returned in both return conventions and with the dmesg -x prefix', () => {
    expect(fields('kern  :debug : [    0.713309] probe of PNP0C09:00 returned 1 after 3000 usecs')).toEqual({
      type: 'probe-return', device: 'PNP0C09:00', ret: 1, usecs: 3000,
    });
    expect(fields('[    3.089099][    T1] probe of PNP0103:00 returned 19 after 1497 usecs')).toEqual({
      type: 'probe-return', device: 'PNP0103:00', ret: 19, usecs: 1497,
    });
    expect(fields('[    0.076126] probe of regulator-nvme returned -517 after 0 usecs')).toMatchObject({ ret: -517, usecs: 0 });
  });

  it('probe failures, old text (real, 6.4 and 5.14)', () => {
    expect(fields('[   18.327773][    T1] hgafb: probe of hgafb.0 failed with error -22')).toEqual({
      type: 'probe-failed', driver: 'hgafb', device: 'hgafb.0', errno: -22, rejectsMatch: false,
    });
    expect(fields('[   18.427033] c6xx: probe of 0000:33:00.0 failed with error -14')).toMatchObject({ driver: 'c6xx', device: '0000:33:00.0', errno: -14 });
  });

  it('the custom instrumentation line, every variant of formats §5', () => {
    expect(fields('nvme 0000:01:00.0: CPU: 0, COMM: kworker/0:1, probe cost: 53372612 ns')).toEqual({
      type: 'custom-probe-cost', driver: 'nvme', device: '0000:01:00.0', cpu: 0, comm: 'kworker/0:1', costNs: 53372612,
    });
    expect(fields('nvme 0000:02:00.0: CPU:   1, COMM: kworker/u1025:6, cost: 34612117 ns')).toMatchObject({ cpu: 1, comm: 'kworker/u1025:6', costNs: 34612117 });
    expect(fields('mlx5_core 0000:41:00.0: CPU: 0, COMM: kworker/0:2 cost: 506256717 ns')).toMatchObject({ driver: 'mlx5_core', comm: 'kworker/0:2', costNs: 506256717 });
    expect(fields('usb 1-2.4: CPU: 163, COMM: (udev-worker), cost 854131 ns')).toMatchObject({ driver: 'usb', device: '1-2.4', cpu: 163, comm: '(udev-worker)', costNs: 854131 });
    expect(fields('intel_rapl_msr intel_rapl_msr.0: CPU: 61, COMM: (udev-worker), cost: 3717567 ns')).toMatchObject({ cpu: 61, costNs: 3717567 });
  });

  it('nvme pci function, pci_bus NUMA node and root bus range (capture, 6.1)', () => {
    expect(fields('[    4.060323][   T16] nvme nvme0: pci function 0000:21:00.0')).toEqual({ type: 'nvme-pci-function', controller: 'nvme0', device: '0000:21:00.0' });
    expect(fields('[    2.217847][    T1] pci_bus 0000:20: on NUMA node 0')).toEqual({ type: 'pci-bus-node', bus: '0000:20', node: 0 });
    expect(fields('[    2.134376][    T1] pci_bus 0000:20: root bus resource [bus 20-23]')).toEqual({ type: 'pci-root-bus-range', bus: '0000:20', first: 0x20, last: 0x23 });
    expect(fields('[    2.055272][    T1] pci_bus 0000:00: Unknown NUMA node; performance will be reduced')).toEqual({ type: 'pci-bus-no-node', bus: '0000:00' });
  });

  it('WARN/oops headers name the comm of a pid (dump_stack_print_info, before and after the 6.12 UID field)', () => {
    // Real (samsung-530u 5.15 dmesg -T; netconsole kmsg record 6.14, message part).
    expect(fields('[Sat Nov 27 21:57:32 2021] CPU: 1 PID: 142 Comm: kworker/1:2 Not tainted 5.15.0-2-amd64 #1  Debian 5.15.5-1')).toEqual({
      type: 'task-comm', cpu: 1, pid: 142, comm: 'kworker/1:2', release: '5.15.0-2-amd64',
    });
    expect(fields('CPU: 11 UID: 0 PID: 2179 Comm: irq/153-rtw89_p Not tainted 6.14.6-300.fc42.x86_64 #1')).toEqual({
      type: 'task-comm', cpu: 11, pid: 2179, comm: 'irq/153-rtw89_p', release: '6.14.6-300.fc42.x86_64',
    });
    // Real (dell-poweredge-r640 6.8 vmcore dmesg; hpe-proliant 6.2 kasan): `Kdump: loaded` before the taint.
    expect(fields('[  515.348181] CPU: 18 PID: 14922 Comm: fio Kdump: loaded Not tainted 6.8.0-rc3+ #1')).toMatchObject({ pid: 14922, comm: 'fio', release: '6.8.0-rc3+' });
    expect(fields('[  254.594555] CPU: 15 PID: 762 Comm: scsi_eh_3 Kdump: loaded Tainted: G    B              6.2.0.kasan+ #1')).toMatchObject({
      comm: 'scsi_eh_3', release: '6.2.0.kasan+',
    });
    // Synthetic: a tainted kernel and a comm with parentheses.
    expect(fields('CPU: 1 PID: 77 Comm: (udev-worker) Tainted: G        W          6.5.0 #1')).toMatchObject({ comm: '(udev-worker)', release: '6.5.0' });
  });

  it('banner and both command-line lines', () => {
    expect(fields('[    0.000000][    T0] Linux version 6.1.176-lab (root@vm) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Sat Nov 21 17:20:33 UTC 2026')).toMatchObject({
      type: 'kernel-banner', release: '6.1.176-lab',
    });
    expect(fields('[    0.000000][    T0] Command line: console=ttyS0 initcall_debug')).toEqual({ type: 'cmdline', cmdline: 'console=ttyS0 initcall_debug' });
    expect(fields('[    0.539351][    T0] Kernel command line: console=ttyS0 initcall_debug')).toEqual({ type: 'cmdline', cmdline: 'console=ttyS0 initcall_debug' });
    expect(rec('[    0.540415][    T0] Unknown kernel command line parameters "labkernel=before", will be passed to user space.')).toBeNull();
  });

  it('dev_printk lines become device messages; ACPI:, sentences and fixup initcalls do not', () => {
    expect(fields('kern  :info  : [   25.950892] skl_uncore 0000:00:00.0: calling pci_pm_suspend+0x0/0x140 @ 698, parent: pci0000:00')).toEqual({
      type: 'device-message', owner: 'skl_uncore', device: '0000:00:00.0', message: 'calling pci_pm_suspend+0x0/0x140 @ 698, parent: pci0000:00',
    });
    expect(fields('[    0.453437] usb 1-2.4: new high-speed USB device number 3 using xhci_hcd')).toMatchObject({ owner: 'usb', device: '1-2.4' });
    expect(rec('[    0.300000] ACPI: Added _OSI(Module Device)')).toBeNull();
    expect(rec('[    0.000000] Zone ranges:')).toBeNull();
    expect(rec('[    0.100000] pinctrl core: initialized pinctrl subsystem')).toBeNull();
    expect(rec('kern  :info  : [    0.653305] pci 0000:00:00.0: calling  quirk_mmio_always_on+0x0/0x10 @ 1')).toMatchObject({ type: 'device-message', owner: 'pci' });
  });

  it('a continuation line never starts a record', () => {
    expect(recognizeKernelMessage({ ...logLine('probe of 0000:01:00.0 returned 0 after 3 usecs'), continuation: true })).toBeNull();
  });

  it('recognises the kernel lines of every presentation the corpus excerpts use', () => {
    const count = (path: string, type: KernelRecord['type']) => recordsOf(path).filter((r) => r.type === type).length;
    // dmesg -T ctime (7.1), journalctl (6.1), `<N>` level prefix (6.12), printk caller (6.9), plain (6.8).
    const kexec = recordsOf('fixtures/records/kexec_7.1.0-rc3.dmesg-T-ctime.txt');
    expect(kexec.find((r) => r.type === 'kernel-banner')).toMatchObject({ release: '7.1.0-rc3-michal.debug' });
    expect(kexec.find((r) => r.type === 'nvme-pci-function')).toMatchObject({ controller: 'nvme0', device: '0000:01:00.0' });
    const xps = recordsOf('fixtures/records/dell-xps-15-7590_6.1.0-9.journalctl.txt');
    expect(xps.find((r) => r.type === 'nvme-pci-function')).toMatchObject({ device: '0000:3d:00.0' });
    expect(xps.find((r) => r.type === 'kernel-banner')).toMatchObject({ release: '6.1.0-9-amd64' });
    const lenovo = recordsOf('fixtures/records/lenovo-20n2_6.12.12.loglevel-prefix.txt');
    expect(lenovo.find((r) => r.type === 'pci-bus-node')).toMatchObject({ bus: '0000:00', node: 0 });
    expect(count('fixtures/records/unknown-2S-224cpu_6.9.0-rc4.printk-caller.dmesg.txt', 'pci-bus-node')).toBe(28);
    expect(count('fixtures/records/dell-poweredge-r640_6.8.0-rc3.dmesg.txt', 'nvme-pci-function')).toBe(5);
    expect(count('fixtures/records/dell-poweredge-xe9680_6.5.0-18.dmesg.txt', 'probe-failed')).toBe(9);
  });
});

describe('recognizeKernelMessage: shapes absent from the real data (built from the kernel format strings)', () => {
  it('async-domain entries: cookie glued to the symbol, 5.15+ returned without a value', () => {
    expect(fields('calling  4___driver_attach_async_helper+0x0/0xa0 @ 9')).toEqual({
      type: 'initcall-start', fn: '__driver_attach_async_helper', module: null, asyncCookie: 4, pid: 9,
    });
    expect(fields('initcall 4___driver_attach_async_helper+0x0/0xa0 returned after 52 usecs')).toEqual({
      type: 'initcall-return', fn: '__driver_attach_async_helper', module: null, asyncCookie: 4, ret: null, usecs: 52,
    });
    expect(fields('initcall 12_async_port_probe+0x0/0x50 returned 0 after 300 usecs')).toMatchObject({ asyncCookie: 12, ret: 0 });
    expect(fields('async_waiting @ 1')).toEqual({ type: 'async-waiting', pid: 1 });
    expect(fields('[417] async_continuing @ 1 after 2375 usec')).toEqual({ type: 'async-continuing', pid: 1, usecs: 2375 });
  });

  it('failure and rejects lines of both generations', () => {
    expect(fields('nvme 0000:01:00.0: probe with driver nvme failed with error -12')).toEqual({
      type: 'probe-failed', driver: 'nvme', device: '0000:01:00.0', errno: -12, rejectsMatch: false,
    });
    expect(fields('nvme: probe of 0000:01:00.0 rejects match -19')).toMatchObject({ rejectsMatch: true, errno: -19 });
    expect(fields('nvme 0000:01:00.0: probe with driver nvme rejects match -19')).toMatchObject({ rejectsMatch: true, driver: 'nvme' });
  });

  it('deferral lines, with the 6.9+ pending reason', () => {
    expect(fields('nvme 0000:01:00.0: Driver nvme requests probe deferral')).toEqual({
      type: 'probe-deferral', driver: 'nvme', device: '0000:01:00.0', event: 'requests', reason: null,
    });
    expect(fields('pci 0000:01:00.0: Device match requests probe deferral')).toMatchObject({ event: 'requests', driver: null, device: '0000:01:00.0' });
    expect(fields('platform foo: Added to deferred list')).toMatchObject({ event: 'added', device: 'foo', driver: null });
    expect(fields('platform foo: Retrying from deferred list')).toMatchObject({ event: 'retrying' });
    expect(fields('platform foo: Removed from deferred list')).toMatchObject({ event: 'removed' });
    expect(fields('platform foo: deferred probe pending')).toMatchObject({ event: 'pending', reason: null });
    expect(fields('platform foo: deferred probe pending: bar: supply vdd not found')).toMatchObject({ event: 'pending', reason: 'bar: supply vdd not found' });
  });

  it('driver-core dynamic-debug lines of both generations, with and without the dyndbg prefixes', () => {
    expect(fields("bus: 'pci': __driver_probe_device: matched device 0000:01:00.0 with driver nvme")).toEqual({
      type: 'driver-core', event: 'matched', bus: 'pci', driver: 'nvme', device: '0000:01:00.0', ret: null,
    });
    expect(fields("bus: 'pci': driver_probe_device: matched device 0000:01:00.0 with driver nvme")).toMatchObject({ event: 'matched' });
    expect(fields("bus: 'pci': really_probe: probing driver nvme with device 0000:01:00.0")).toMatchObject({ event: 'probing', driver: 'nvme', device: '0000:01:00.0' });
    expect(fields("driver: 'nvme': driver_bound: bound to device '0000:01:00.0'")).toMatchObject({ event: 'driver-bound', driver: 'nvme', device: '0000:01:00.0' });
    expect(fields("bus: 'pci': really_probe: bound device 0000:01:00.0 to driver nvme")).toMatchObject({ event: 'bound', bus: 'pci', driver: 'nvme' });
    expect(fields("pci 0000:01:00.0: bus: 'pci': __driver_probe_device: matched device with driver nvme")).toMatchObject({ event: 'matched', driver: 'nvme', device: '0000:01:00.0' });
    expect(fields("pci 0000:01:00.0: bus: 'pci': really_probe: probing driver nvme with device")).toMatchObject({ event: 'probing', driver: 'nvme' });
    expect(fields("nvme 0000:01:00.0: driver: 'nvme': driver_bound: bound to device")).toMatchObject({ event: 'driver-bound', driver: 'nvme' });
    expect(fields("[417] nvme 0000:01:00.0: bus: 'pci': really_probe: bound device to driver nvme")).toMatchObject({ event: 'bound', driver: 'nvme', device: '0000:01:00.0' });
    expect(fields("dd:really_probe:640: bus: 'pci': really_probe: bound device 0000:01:00.0 to driver nvme")).toMatchObject({ event: 'bound', device: '0000:01:00.0' });
    expect(fields("<intr> dd:really_probe:drivers/base/dd.c:640: nvme 0000:01:00.0: bus: 'pci': really_probe: bound device to driver nvme")).toMatchObject({ event: 'bound', driver: 'nvme' });
    expect(fields('nvme 0000:01:00.0: probing driver nvme asynchronously')).toMatchObject({ event: 'async-probing', driver: 'nvme' });
    expect(fields('pci 0000:01:00.0: scheduling asynchronous probe')).toMatchObject({ event: 'async-scheduling', driver: null });
    expect(fields('nvme 0000:01:00.0: async probe completed')).toMatchObject({ event: 'async-completed', driver: 'nvme' });
    expect(fields('nvme 0000:01:00.0: driver nvme async attach completed: 0')).toMatchObject({ event: 'async-attach-completed', driver: 'nvme', ret: 0 });
    expect(fields('[417] probe of 0000:01:00.0 returned 0 after 3208 usecs')).toMatchObject({ type: 'probe-return', device: '0000:01:00.0' });
  });
});
