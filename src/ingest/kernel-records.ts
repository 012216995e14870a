// Recognises one kernel log message (presentation prefix already stripped) as a typed record.
// Formats and the kernel sources that print them, as docs/kernel-log-formats.md §3, §4, §5 read them in
// 4.4, 4.19, 5.4, 5.10, 5.15, 6.1, 6.6, 6.12, 6.19, 7.0 and 7.1 (the dd.c async lines re-checked in
// dd.c copies found with the search tool); tested on real 5.4–7.1 logs from ../shared/corpus and
// ../shared/captures (no 4.x log with probe or initcall lines exists there):
// - init/main.c: `calling  %pS @ %i`, `initcall %pS returned %d after %lld usecs`,
//   `entering initcall level: %s` (6.19+); module symbols end in ` [module]`.
// - kernel/async.c (pr_debug): `calling  %lli_%pS @ %i`, `initcall %lli_%pS returned [0 ]after %lld usecs`
//   (5.15+ prints no value), `async_waiting @ %i`, `async_continuing @ %i after %lli usec`.
// - drivers/base/dd.c: `probe of %s returned %d after %lld usecs` (really_probe_debug), failure and
//   rejects lines in both text generations (≤ 6.8 pr_*, 6.9+ dev_*), deferral bookkeeping, and the
//   dynamic-debug driver-core lines (≤ 6.8 without, 6.9+ with the dev_printk prefix).
// - lib/dynamic_debug.c: pr_debug/dev_dbg lines may start with `[pid] ` / `<intr> ` and
//   `module:func:file:line:` pieces followed by one space; accepted before every debug-level shape.
// - init/version.c `Linux version ...`; arch/x86/kernel/setup.c `Command line: `;
//   init/main.c `Kernel command line: `.
// - drivers/nvme/host/pci.c `nvme nvme0: pci function %s` (4.19+); drivers/acpi/pci_root.c
//   `pci_bus %04x:%02x: on NUMA node %d`; drivers/pci/probe.c `pci_bus ...: root bus resource [bus a-b]`.
// - drivers/base/core.c dev_printk `"%s %s: "` (driver or bus/class name, device name).
// - lib/dump_stack.c `CPU: %d [UID: %u ]PID: %d Comm: %.20s %s...` (UID added in 6.12), then print_tainted().
// - Out-of-tree instrumentation from the PCI patch mails (formats §5), one pattern for every variant.
// - The machine's shape (CPUs, nodes, CPU→node, PCI root bridges): platform-records.ts.
// - The machine's model (DMI, device tree) and the host name systemd sets: machine-records.ts.

import type { KernelLogLine } from './kernel-log.js';
import type { KernelRecord } from './kernel-records.types.js';
import { recognizeMachineMessage } from './machine-records.js';
import { recognizePlatformMessage } from './platform-records.js';

/** Optional lib/dynamic_debug.c prefix: `[pid] ` or `<intr> `, then `mod:func:file:line:` pieces and a space. */
const DYNDBG = String.raw`(?:\[\d+\] |<intr> )?(?:(?:[\w./-]+:)+ )??`;
/** dev_printk prefix `<driver|bus|class> <device>: ` (drivers/base/core.c). */
// Device-tree names carry `@` (`c440000.spmi:pmic@0:adc@3100`) and driver names `,` (`qcom,fastrpc-cb`).
const DEV = String.raw`(?<owner>[a-z0-9][\w.,-]*) (?<dev>[\w][\w.:/+@,-]*): `;

const BANNER = /^Linux version (\S+)(?: .*)?$/;
const CMDLINE = /^(?:Kernel command line|Command line): ?(.*)$/;
const LEVEL = /^entering initcall level: (\S+)\s*$/;
const CALLING = /^calling {1,2}(?:(?<cookie>\d+)_)?(?<fn>\S+?)(?: \[(?<mod>[^\]]+)\])? @ (?<pid>\d+)\s*$/;
const RETURNED = /^initcall (?:(?<cookie>\d+)_)?(?<fn>\S+?)(?: \[(?<mod>[^\]]+)\])? returned(?: (?<ret>-?\d+))? after (?<us>\d+) usecs\s*$/;
const ASYNC_CALLING = new RegExp(String.raw`^${DYNDBG}` + CALLING.source.slice(1));
const ASYNC_RETURNED = new RegExp(String.raw`^${DYNDBG}` + RETURNED.source.slice(1));
const PROBE_RETURN = new RegExp(String.raw`^${DYNDBG}probe of (\S+) returned (-?\d+) after (\d+) usecs\s*$`);
const FAILED_OLD = new RegExp(String.raw`^${DYNDBG}([\w.,-]+): probe of (\S+) (failed with error|rejects match) (-?\d+)\s*$`);
const FAILED_NEW = new RegExp(String.raw`^${DYNDBG}${DEV}probe with driver (\S+) (failed with error|rejects match) (-?\d+)\s*$`);
// `Driver %s requests probe deferral` (really_probe) and `Device match requests probe deferral` (__driver_attach).
const DEFER_REQUEST = new RegExp(String.raw`^${DYNDBG}${DEV}(?:Driver (\S+)|Device match) requests probe deferral\s*$`);
const DEFER_LIST = new RegExp(String.raw`^${DYNDBG}${DEV}(Added to|Retrying from|Removed from) deferred list\s*$`);
const DEFER_PENDING = new RegExp(String.raw`^${DYNDBG}${DEV}deferred probe pending(?:: ?(.*))?$`);
// ≤ 6.8 driver-core pr_debug lines (5.x says driver_probe_device, 5.15+ __driver_probe_device).
const DC_MATCHED_OLD = new RegExp(String.raw`^${DYNDBG}bus: '([^']+)': (?:__)?driver_probe_device: matched device (\S+) with driver (\S+)\s*$`);
const DC_PROBING_OLD = new RegExp(String.raw`^${DYNDBG}bus: '([^']+)': really_probe: probing driver (\S+) with device (\S+)\s*$`);
const DC_DRIVER_BOUND_OLD = new RegExp(String.raw`^${DYNDBG}driver: '([^']+)': driver_bound: bound to device '([^']+)'\s*$`);
const DC_BOUND_OLD = new RegExp(String.raw`^${DYNDBG}bus: '([^']+)': really_probe: bound device (\S+) to driver (\S+)\s*$`);
// 6.9+ dev_dbg forms and the async lines (same text in every version that has them).
const DC_MATCHED_NEW = new RegExp(String.raw`^${DYNDBG}${DEV}bus: '([^']+)': (?:__)?driver_probe_device: matched device with driver (\S+)\s*$`);
const DC_PROBING_NEW = new RegExp(String.raw`^${DYNDBG}${DEV}bus: '([^']+)': really_probe: probing driver (\S+) with device\s*$`);
const DC_DRIVER_BOUND_NEW = new RegExp(String.raw`^${DYNDBG}${DEV}driver: '([^']+)': driver_bound: bound to device\s*$`);
const DC_BOUND_NEW = new RegExp(String.raw`^${DYNDBG}${DEV}bus: '([^']+)': really_probe: bound device to driver (\S+)\s*$`);
const DC_ASYNC_PROBING = new RegExp(String.raw`^${DYNDBG}${DEV}probing driver (\S+) asynchronously\s*$`);
const DC_ASYNC_SCHEDULING = new RegExp(String.raw`^${DYNDBG}${DEV}scheduling asynchronous probe\s*$`);
const DC_ASYNC_COMPLETED = new RegExp(String.raw`^${DYNDBG}${DEV}async probe completed\s*$`);
const DC_ASYNC_ATTACH = new RegExp(String.raw`^${DYNDBG}${DEV}driver (\S+) async attach completed: (-?\d+)\s*$`);
const ASYNC_WAITING = new RegExp(String.raw`^${DYNDBG}async_waiting @ (\d+)\s*$`);
const ASYNC_CONTINUING = new RegExp(String.raw`^${DYNDBG}async_continuing @ (\d+) after (\d+) usec\s*$`);
// formats §5, verbatim.
const CUSTOM = /^(?<drv>\S+) (?<dev>\S+): CPU:\s*(?<cpu>\d+), COMM: (?<comm>.+?),?\s+(?:probe )?cost:?\s*(?<ns>\d+) ns\s*$/;
const NVME_PCI_FUNCTION = /^nvme (nvme\d+): pci function (\S+)\s*$/;
const PCI_BUS_NODE = /^pci_bus ([0-9a-fA-F]{4,}:[0-9a-fA-F]{2}): on NUMA node (\d+)\s*$/;
const PCI_ROOT_BUS_RANGE = /^pci_bus ([0-9a-fA-F]{4,}:[0-9a-fA-F]{2}): root bus resource \[bus ([0-9a-fA-F]{2})(?:-([0-9a-fA-F]{2}))?\]\s*$/;
// The comm may contain spaces; `Kdump: loaded ` (when a crash kernel is loaded) and print_tainted()
// follow it (`Not tainted` / `Tainted: ` + one letter or space per taint flag), then the release and
// the first word of the version (`#1`).
const TASK_COMM = /^CPU: (\d+) (?:UID: \d+ )?PID: (\d+) Comm: (.{1,20}?) (?:Kdump: loaded )?(?:Not tainted|Tainted: )/;
const TASK_RELEASE = /^(?:[A-Z ]*? )?(\d+\.\d+\S*) #/;
// Any dev_printk line. The device name must carry a digit, '.' or ':' so that sentences such as
// `pinctrl core: initialized` are not taken for one; the owner starts lower-case (not `ACPI: `).
const DEVICE_MESSAGE = /^(?<owner>[a-z0-9][\w.,-]*) (?<dev>[\w][\w.:/+@,-]*): (?<msg>.*)$/;
const DEVICE_NAME_HINT = /[\d.:]/;

/** The record `line.text` carries, or null when it is none of the shapes above. */
export function recognizeKernelMessage(line: KernelLogLine): KernelRecord | null {
  const text = line.text;
  // Continuation lines belong to the record above them; they never start a message of their own.
  if (text.length === 0 || line.continuation) return null;
  let m: RegExpExecArray | null;

  if (text.includes(' usecs')) {
    if ((m = PROBE_RETURN.exec(text))) return { line, type: 'probe-return', device: m[1]!, ret: Number(m[2]), usecs: Number(m[3]) };
    if ((m = RETURNED.exec(text) ?? ASYNC_RETURNED.exec(text))) {
      const g = m.groups!;
      return {
        line,
        type: 'initcall-return',
        fn: symbolName(g.fn!),
        module: g.mod ?? null,
        asyncCookie: g.cookie === undefined ? null : Number(g.cookie),
        ret: g.ret === undefined ? null : Number(g.ret),
        usecs: Number(g.us),
      };
    }
  }
  if (text.includes('calling ') && (m = CALLING.exec(text) ?? ASYNC_CALLING.exec(text))) {
    const g = m.groups!;
    return {
      line,
      type: 'initcall-start',
      fn: symbolName(g.fn!),
      module: g.mod ?? null,
      asyncCookie: g.cookie === undefined ? null : Number(g.cookie),
      pid: Number(g.pid),
    };
  }
  if ((m = LEVEL.exec(text))) return { line, type: 'initcall-level', level: m[1]! };
  if (text.includes(' cost') && (m = CUSTOM.exec(text))) {
    const g = m.groups!;
    return { line, type: 'custom-probe-cost', driver: g.drv!, device: g.dev!, cpu: Number(g.cpu), comm: g.comm!.trim(), costNs: Number(g.ns) };
  }
  if (text.includes('prob')) {
    const r = recognizeProbeOutcome(line, text);
    if (r) return r;
  }
  if (text.includes('deferred') && (m = DEFER_LIST.exec(text))) {
    const event = m[3] === 'Added to' ? 'added' : m[3] === 'Retrying from' ? 'retrying' : 'removed';
    return { line, type: 'probe-deferral', driver: null, device: m.groups!.dev!, event, reason: null };
  }
  if (text.includes("': ")) {
    const r = recognizeDriverCore(line, text);
    if (r) return r;
  }
  if (text.includes(' async attach completed: ') && (m = DC_ASYNC_ATTACH.exec(text))) {
    return driverCore(line, 'async-attach-completed', null, m[3]!, m.groups!.dev!, Number(m[4]));
  }
  if (text.startsWith('async_') || text.includes('] async_') || text.includes(': async_')) {
    if ((m = ASYNC_WAITING.exec(text))) return { line, type: 'async-waiting', pid: Number(m[1]) };
    if ((m = ASYNC_CONTINUING.exec(text))) return { line, type: 'async-continuing', pid: Number(m[1]), usecs: Number(m[2]) };
  }
  if (text.startsWith('CPU: ') && (m = TASK_COMM.exec(text))) {
    const release = TASK_RELEASE.exec(text.slice(m[0].length).trimStart());
    return { line, type: 'task-comm', cpu: Number(m[1]), pid: Number(m[2]), comm: m[3]!, release: release ? release[1]! : null };
  }
  if (text.startsWith('Linux version ') && (m = BANNER.exec(text))) return { line, type: 'kernel-banner', release: m[1]!, banner: text.trim() };
  if (text.includes('ommand line:') && (m = CMDLINE.exec(text))) return { line, type: 'cmdline', cmdline: m[1]!.trim() };
  if (text.startsWith('clocksource: Switched to clocksource ')) return { line, type: 'clocksource-switch', clocksource: text.slice(37).trim() };
  if (text.startsWith('nvme nvme') && (m = NVME_PCI_FUNCTION.exec(text))) return { line, type: 'nvme-pci-function', controller: m[1]!, device: m[2]!.toLowerCase() };
  if (text.startsWith('pci_bus ')) {
    if ((m = PCI_BUS_NODE.exec(text))) return { line, type: 'pci-bus-node', bus: m[1]!.toLowerCase(), node: Number(m[2]) };
    if ((m = PCI_ROOT_BUS_RANGE.exec(text))) {
      const first = parseInt(m[2]!, 16);
      return { line, type: 'pci-root-bus-range', bus: m[1]!.toLowerCase(), first, last: m[3] === undefined ? first : parseInt(m[3], 16) };
    }
  }
  const platform = recognizePlatformMessage(line);
  if (platform) return platform;
  const machine = recognizeMachineMessage(line);
  if (machine) return machine;
  if ((m = DEVICE_MESSAGE.exec(text))) {
    const g = m.groups!;
    if (DEVICE_NAME_HINT.test(g.dev!) && !g.dev!.endsWith(':')) return { line, type: 'device-message', owner: g.owner!, device: g.dev!, message: g.msg! };
  }
  return null;
}

function recognizeProbeOutcome(line: KernelLogLine, text: string): KernelRecord | null {
  let m: RegExpExecArray | null;
  if ((m = FAILED_OLD.exec(text))) {
    return { line, type: 'probe-failed', driver: m[1]!, device: m[2]!, errno: Number(m[4]), rejectsMatch: m[3] === 'rejects match' };
  }
  if ((m = FAILED_NEW.exec(text))) {
    return { line, type: 'probe-failed', driver: m[3]!, device: m.groups!.dev!, errno: Number(m[5]), rejectsMatch: m[4] === 'rejects match' };
  }
  if ((m = DEFER_REQUEST.exec(text))) return { line, type: 'probe-deferral', driver: m[3] ?? null, device: m.groups!.dev!, event: 'requests', reason: null };
  if ((m = DEFER_PENDING.exec(text))) {
    const reason = m[3]?.trim();
    return { line, type: 'probe-deferral', driver: null, device: m.groups!.dev!, event: 'pending', reason: reason ? reason : null };
  }
  if ((m = DC_ASYNC_PROBING.exec(text))) return driverCore(line, 'async-probing', null, m[3]!, m.groups!.dev!, null);
  if ((m = DC_ASYNC_SCHEDULING.exec(text))) return driverCore(line, 'async-scheduling', null, boundOwner(m.groups!.owner!), m.groups!.dev!, null);
  if ((m = DC_ASYNC_COMPLETED.exec(text))) return driverCore(line, 'async-completed', null, boundOwner(m.groups!.owner!), m.groups!.dev!, null);
  return null;
}

function recognizeDriverCore(line: KernelLogLine, text: string): KernelRecord | null {
  let m: RegExpExecArray | null;
  if ((m = DC_MATCHED_OLD.exec(text))) return driverCore(line, 'matched', m[1]!, m[3]!, m[2]!, null);
  if ((m = DC_PROBING_OLD.exec(text))) return driverCore(line, 'probing', m[1]!, m[2]!, m[3]!, null);
  if ((m = DC_DRIVER_BOUND_OLD.exec(text))) return driverCore(line, 'driver-bound', null, m[1]!, m[2]!, null);
  if ((m = DC_BOUND_OLD.exec(text))) return driverCore(line, 'bound', m[1]!, m[3]!, m[2]!, null);
  if ((m = DC_MATCHED_NEW.exec(text))) return driverCore(line, 'matched', m[3]!, m[4]!, m.groups!.dev!, null);
  if ((m = DC_PROBING_NEW.exec(text))) return driverCore(line, 'probing', m[3]!, m[4]!, m.groups!.dev!, null);
  if ((m = DC_DRIVER_BOUND_NEW.exec(text))) return driverCore(line, 'driver-bound', null, m[3]!, m.groups!.dev!, null);
  if ((m = DC_BOUND_NEW.exec(text))) return driverCore(line, 'bound', m[3]!, m[4]!, m.groups!.dev!, null);
  return null;
}

type DriverCoreEvent = Extract<KernelRecord, { type: 'driver-core' }>['event'];

function driverCore(line: KernelLogLine, event: DriverCoreEvent, bus: string | null, driver: string | null, device: string, ret: number | null): KernelRecord {
  return { line, type: 'driver-core', event, bus, driver, device, ret };
}

/** The dev_printk owner names the driver only once the device is bound; `pci`, `platform`... are buses. */
function boundOwner(owner: string): string | null {
  return UNBOUND_OWNERS.has(owner) ? null : owner;
}

/** Bus names dev_driver_string() falls back to when no driver is bound (include/linux/device.h dev_bus_name). */
export const UNBOUND_OWNERS: ReadonlySet<string> = new Set([
  'pci', 'pci_bus', 'platform', 'acpi', 'pnp', 'i2c', 'spi', 'serio', 'cpu', 'memory', 'node', 'container',
  'virtio', 'amba', 'mdio_bus', 'scsi', 'hid', 'workqueue', 'event_source', 'clockevents', 'clocksource',
  'machinecheck', 'nvmem', 'faux', 'auxiliary', 'serial-base', 'edac', 'soc', 'gpio', 'mmc', 'sdio', 'wmi',
  'vmbus', 'xen', 'thunderbolt', 'typec', 'cxl', 'nd', 'dax', 'mei', 'mhi', 'ishtp', 'hdaudio', 'ac97', 'spmi', 'i3c',
  'w1', 'pcmcia', 'soundwire', 'tee', 'fsl-mc', 'rpmsg', 'media', 'ccw', 'css', 'vio', 'of_platform',
]);

/** `fn+0x0/0x1000` → `fn` (the %pS offset/size suffix says nothing about which initcall ran). */
function symbolName(symbol: string): string {
  const plus = symbol.indexOf('+0x');
  return plus > 0 ? symbol.slice(0, plus) : symbol;
}
