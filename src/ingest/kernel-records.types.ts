// Typed records recognised in kernel log message text (after the presentation prefix is gone).
// Producers: kernel-records.ts (one recogniser per line shape, each citing its kernel source).
// Consumers: model/ builders.

import type { KernelLogLine } from './kernel-log.js';
import type { MachineRecord, PlatformRecord } from './platform-records.types.js';

interface RecordBase {
  line: KernelLogLine;
}

export type KernelRecord =
  /** `Linux version 6.1.0-50-amd64 (...) #1 SMP ...` (init/version.c linux_banner) */
  | (RecordBase & { type: 'kernel-banner'; release: string; banner: string })
  /** `Command line: ...` / `Kernel command line: ...` */
  | (RecordBase & { type: 'cmdline'; cmdline: string })
  /** kernel/time/clocksource.c `clocksource: Switched to clocksource %s` (timekeeping_notify()) */
  | (RecordBase & { type: 'clocksource-switch'; clocksource: string })
  /** init/main.c `entering initcall level: %s` (6.19+) */
  | (RecordBase & { type: 'initcall-level'; level: string })
  /** init/main.c `calling  %pS @ %i`; kernel/async.c `calling  %lli_%pS @ %i` (asyncCookie set) */
  | (RecordBase & { type: 'initcall-start'; fn: string; module: string | null; asyncCookie: number | null; pid: number })
  /** init/main.c `initcall %pS returned %d after %lld usecs`; async.c variants (ret null in 5.15+ async form) */
  | (RecordBase & { type: 'initcall-return'; fn: string; module: string | null; asyncCookie: number | null; ret: number | null; usecs: number })
  /** drivers/base/dd.c really_probe_debug `probe of %s returned %d after %lld usecs` */
  | (RecordBase & { type: 'probe-return'; device: string; ret: number; usecs: number })
  /** dd.c failure lines, both text generations (≤ 6.8 `drv: probe of dev failed with error -N`, 6.9+ `drv dev: probe with driver drv failed with error -N`) */
  | (RecordBase & { type: 'probe-failed'; driver: string; device: string; errno: number; rejectsMatch: boolean })
  /** dd.c deferral bookkeeping: requests / added / retrying / removed / pending (with 6.9+ reason) */
  | (RecordBase & { type: 'probe-deferral'; driver: string | null; device: string; event: 'requests' | 'added' | 'retrying' | 'removed' | 'pending'; reason: string | null })
  /** dd.c dynamic-debug lines: matched / probing / bound / done / async-* */
  | (RecordBase & {
      type: 'driver-core';
      event: 'matched' | 'probing' | 'driver-bound' | 'bound' | 'async-probing' | 'async-scheduling' | 'async-completed' | 'async-attach-completed';
      bus: string | null;
      driver: string | null;
      device: string;
      ret: number | null;
    })
  /** kernel/async.c `async_waiting @ %i` / `async_continuing @ %i after %lli usec` */
  | (RecordBase & { type: 'async-waiting'; pid: number })
  | (RecordBase & { type: 'async-continuing'; pid: number; usecs: number })
  /** Out-of-tree instrumentation from the patch mails: `nvme 0000:01:00.0: CPU: 0, COMM: kworker/0:1, probe cost: 53372612 ns` */
  | (RecordBase & { type: 'custom-probe-cost'; driver: string; device: string; cpu: number; comm: string; costNs: number })
  /** drivers/nvme/host/pci.c `nvme nvme0: pci function 0000:21:00.0` */
  | (RecordBase & { type: 'nvme-pci-function'; controller: string; device: string })
  /** drivers/acpi/pci_root.c `pci_bus 0000:40: on NUMA node 1` */
  | (RecordBase & { type: 'pci-bus-node'; bus: string; node: number })
  /** drivers/pci/probe.c (via pci_bus_insert_busn_res) `pci_bus 0000:20: root bus resource [bus 20-23]`: bus numbers under a root bus. */
  | (RecordBase & { type: 'pci-root-bus-range'; bus: string; first: number; last: number })
  /** lib/dump_stack.c dump_stack_print_info() `CPU: 0 [UID: 0 ]PID: 8 Comm: kworker/0:1 Not tainted ...` (WARN/oops headers): names a pid's comm. */
  | (RecordBase & { type: 'task-comm'; cpu: number; pid: number; comm: string; release: string | null })
  /** Machine shape lines (platform-records.ts): CPUs and nodes brought up, CPU→node maps, nodes, PCI root bridges. */
  | PlatformRecord
  /** Machine model (DMI, device tree) and host name lines (machine-records.ts). */
  | MachineRecord
  /** Any dev_printk-prefixed line `<driver-or-bus> <device>: ...` (drivers/base/core.c), for driver recovery. */
  | (RecordBase & { type: 'device-message'; owner: string; device: string; message: string });
