// What a given kernel release does when it probes a PCI device, as the kernel's history shows it
// (docs/probe-exposure.md has the table and the evidence):
//
// pci_call_probe() (drivers/pci/pci-driver.c):
// - 873392ca514f "PCI: work_on_cpu: use in drivers/pci/pci-driver.c" (2.6.29): the probe body runs through
//   work_on_cpu() on cpumask_any_and(cpumask_of_node(node), cpu_online_mask), the node's lowest online CPU.
// - up to 4.10 (code checked in 4.4): `if (node >= 0 && node != numa_node_id())` — no hop when the probing
//   task already runs on the device's node.
// - from 4.13 (pci_physfn_is_probed() absent in 4.10 and present in 4.13 in DepSurf's per-release symbol
//   lists; code as in 4.19 and 5.4): the shortcut is gone; every device with a valid online node is
//   probed through work_on_cpu() (VFs probed from their PF's probe excepted). 4.11/4.12 are not pinned.
// - 69a18b18699b "PCI: Restrict probe functions to housekeeping CPUs" (5.9): the CPU is the node's lowest
//   housekeeping (HK_FLAG_DOMAIN|HK_FLAG_WQ) CPU; 9d42ea0d6984 (6.1-era) keeps the same choice.
// - 7.0: queue_work_on(cpu, pci_probe_wq "sync_wq") + flush_work() instead of work_on_cpu(); same CPU.
// Driver-core async probing (drivers/base/dd.c, kernel/async.c):
// - ef0ff68351be "driver core: Probe devices asynchronously instead of the driver" (5.1): one async entry
//   per device, so several probes of one driver can be in flight; before, one entry per driver probed its
//   devices one after another.
// - `driver_async_probe=` (1ea61b68d0f8, present in 5.4, absent in 4.19), `*` wildcard in 6.1+;
//   `<module>.async_probe` (modules only) and `module.async_probe=1`.
// - nvme PCI: PROBE_PREFER_ASYNCHRONOUS since eac3ef262941 "nvme-pci: split the initial probe from the rest
//   path" (6.2 merge window; 5a5754a4997c "nvme-pci: flush initial scan_work for async probe" fixed it in
//   6.2-rc); before, nvme_probe() was synchronous and short (controller bring-up ran in nvme_reset_work).
// really_probe_debug() `probe of %s returned %d after %lld usecs` (drivers/base/dd.c):
// - added in 4.19 (absent in 4.18 per DepSurf; printk(KERN_DEBUG) in 4.19 and 5.4);
// - eb7fbc9fb118 "driver core: Add missing '\n' in log messages" (5.8) made it pr_debug(): it needs
//   CONFIG_DYNAMIC_DEBUG and `dyndbg="file drivers/base/dd.c +p"`;
// - e2f06aa88508 "driver core: Don't require dynamic_debug for initcall_debug probe timing" (6.4, Stephen
//   Boyd) restored printk(KERN_DEBUG); its stable backports (5.10.180, 5.15.110, 6.1.27, 6.2.14, 6.3.1) are in
//   kernel-release/probe-timing.ts, which decides the 5.8–6.3 releases here.

import { PROBE_TIMING_DYNDBG, probeTimingNeed } from '../kernel-release/probe-timing.js';
import { parseKernelRelease } from '../kernel-release/release.js';
import type { KernelVersion } from './kernel-info.js';

function atLeast(v: KernelVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

export type PciHop = 'always' | 'off-node-only' | 'unknown';

export interface PciProbePlacement {
  hop: PciHop;
  /** The call, in words, for this release. */
  mechanism: string;
  /** Which CPUs of the node it chooses from. */
  eligible: 'online' | 'housekeeping';
}

export function pciProbePlacement(v: KernelVersion | null): PciProbePlacement {
  if (v === null) {
    return { hop: 'always', mechanism: 'work_on_cpu() in pci_call_probe() (release unknown: assumed 4.13 or later)', eligible: 'housekeeping' };
  }
  const eligible = atLeast(v, 5, 9) ? 'housekeeping' : 'online';
  if (atLeast(v, 7, 0)) return { hop: 'always', mechanism: 'queue_work_on(cpu, pci_probe_wq "sync_wq") + flush_work() in pci_call_probe() (7.0+)', eligible };
  if (atLeast(v, 4, 13)) return { hop: 'always', mechanism: 'work_on_cpu() in pci_call_probe() (873392ca514f; taken even when already on the node since 4.13)', eligible };
  if (atLeast(v, 4, 11)) return { hop: 'unknown', mechanism: 'work_on_cpu() in pci_call_probe() (4.11/4.12: whether the on-node shortcut is still there is not pinned)', eligible };
  return { hop: 'off-node-only', mechanism: 'work_on_cpu() in pci_call_probe(), skipped when the probing task already runs on the node (≤ 4.10)', eligible };
}

/** Several devices of one async driver can be in flight at once (one async entry per device) from 5.1. */
export function perDeviceAsync(v: KernelVersion | null): boolean {
  return v === null || atLeast(v, 5, 1);
}

export interface AsyncVerdict {
  /** true: probed asynchronously; false: synchronously; null: this tool cannot tell for this driver. */
  async: boolean | null;
  /** Why, in words (with the parameter or commit). */
  why: string;
}

/** Whether `driver` is probed asynchronously on this release and command line (driver_allows_async_probing()). */
export function asyncVerdict(driver: string, v: KernelVersion | null, cmdline: string | null): AsyncVerdict {
  const params = commandLineParams(cmdline);
  const listed = params.get('driver_async_probe');
  if (listed !== undefined) {
    const names = listed.split(',').map((n) => n.trim()).filter((n) => n !== '');
    const star = names.includes('*');
    const supported = v === null || atLeast(v, 5, 4);
    if (names.includes(driver) && !star && supported) return { async: true, why: `driver_async_probe=${listed} on the command line` };
    // 6.1+: `*` makes every driver async and the names beside it are the exceptions.
    if (star && (v === null || atLeast(v, 6, 1))) {
      return names.includes(driver)
        ? { async: false, why: `driver_async_probe=${listed}: * with ${driver} excluded` }
        : { async: true, why: `driver_async_probe=${listed} on the command line` };
    }
  }
  const moduleParam = params.get(`${driver}.async_probe`) ?? params.get(`${driver.replace(/-/g, '_')}.async_probe`);
  if (moduleParam !== undefined && moduleParam !== '0' && moduleParam.toLowerCase() !== 'n') {
    return { async: true, why: `${driver}.async_probe on the command line (when ${driver} is a module)` };
  }
  if (driver === 'nvme' && v !== null) {
    return atLeast(v, 6, 2)
      ? { async: true, why: 'nvme sets PROBE_PREFER_ASYNCHRONOUS since 6.2, eac3ef262941' }
      : { async: false, why: 'nvme is probed synchronously before 6.2 (PROBE_PREFER_ASYNCHRONOUS came with eac3ef262941); its controller bring-up runs later in nvme_reset_work' };
  }
  const global = params.get('module.async_probe');
  if (global !== undefined && global !== '0' && global.toLowerCase() !== 'n') {
    return { async: null, why: `module.async_probe=${global}: asynchronous if ${driver} is a module` };
  }
  return { async: null, why: `${driver}'s probe_type in this release is not known here (synchronous unless it sets PROBE_PREFER_ASYNCHRONOUS)` };
}

/** `key=value` parameters of a command line (last one wins, as the kernel's parser does); bare words map to ''. */
export function commandLineParams(cmdline: string | null): Map<string, string> {
  const params = new Map<string, string>();
  if (!cmdline) return params;
  for (const m of cmdline.matchAll(/(?:^|\s)([^\s=]+)(?:=("[^"]*"|\S*))?/g)) {
    params.set(m[1]!, (m[2] ?? '').replace(/^"|"$/g, ''));
  }
  return params;
}

export type { ProbeLineVisibility } from '../kernel-release/probe-timing.js';
import type { ProbeLineVisibility } from '../kernel-release/probe-timing.js';

/**
 * How really_probe_debug() printed `probe of ... returned ... after N usecs` in this release: none before 4.19;
 * in 5.8–6.3 the stable-backport table of kernel-release/probe-timing.ts decides (pr_debug, printk again, or
 * unknown when the release does not say its sublevel). `banner`: the `Linux version` line (Debian/Ubuntu
 * banners carry the real sublevel).
 */
export function probeLineVisibility(v: KernelVersion | null, release: string | null = null, banner: string | null = null): ProbeLineVisibility {
  if (v === null) return 'unknown';
  if (!atLeast(v, 4, 19)) return 'absent';
  if (!atLeast(v, 5, 8) || atLeast(v, 6, 4)) return 'printk';
  const parsed = release === null ? null : parseKernelRelease(release, banner);
  if (parsed === null) return 'pr_debug';
  const need = probeTimingNeed(parsed).needsDynamicDebug;
  return need === null ? 'unknown' : need ? 'pr_debug' : 'printk';
}

export const DD_DYNDBG = PROBE_TIMING_DYNDBG;

/** The kernel parameters that make this release print every probe's duration. */
export function probeTimingParams(v: KernelVersion | null, release: string | null = null, banner: string | null = null): string {
  const visibility = probeLineVisibility(v, release, banner);
  return visibility === 'pr_debug' || visibility === 'unknown' ? `initcall_debug ${DD_DYNDBG}` : 'initcall_debug';
}

/** initcall_debug is on: the command line says so, or the log has initcall lines (which only it prints). */
export function initcallDebugOn(cmdline: string | null, initcallLinesSeen: boolean): boolean {
  if (initcallLinesSeen) return true;
  const value = commandLineParams(cmdline).get('initcall_debug');
  return value !== undefined && value !== '0' && value.toLowerCase() !== 'n' && value.toLowerCase() !== 'off';
}

/**
 * Why a log has no `probe of ... returned` lines, and what to add, for this release. `initcallDebug`: whether
 * initcall_debug was on. One sentence pair, for findings and diagnostics.
 */
export function missingProbeLinesAdvice(v: KernelVersion | null, release: string | null, initcallDebug: boolean, banner: string | null = null): { why: string; add: string } {
  const name = release ? `Linux ${release}` : 'this kernel (release unknown)';
  if (!initcallDebug) {
    return { why: 'initcall_debug is off (not on the command line, and the log has no initcall lines)', add: probeTimingParams(v, release, banner) };
  }
  switch (probeLineVisibility(v, release, banner)) {
    case 'absent':
      return { why: `${name} predates driver-core probe timing (really_probe_debug() came in 4.19): initcall_debug times initcalls only`, add: PLACEMENT_TRACE };
    case 'pr_debug':
      return {
        why: `in ${name} really_probe_debug() prints "probe of ... returned ... after N usecs" with pr_debug() (5.8, eb7fbc9fb118; printk(KERN_DEBUG) again from 6.4, e2f06aa88508, and from 5.10.180, 5.15.110, 6.1.27, 6.2.14 and 6.3.1), so initcall_debug alone does not show it`,
        add: `initcall_debug ${DD_DYNDBG} (needs CONFIG_DYNAMIC_DEBUG)`,
      };
    case 'printk':
      return {
        why: `${name} prints "probe of ... returned ... after N usecs" at KERN_DEBUG whenever initcall_debug is on, so the lines were filtered out of this copy of the log (a console or syslog below debug level, dmesg --level) or it was cut before the drivers probed; a vendor kernel may also differ`,
        add: `read the whole buffer with dmesg (or boot with ignore_loglevel for a console log); ${DD_DYNDBG} also shows the driver-core lines`,
      };
    default:
      return { why: `${release ? `Linux ${release} does not say whether it has the stable backport of e2f06aa88508` : 'the release is unknown'}; the line is printk(KERN_DEBUG) in 4.19–5.7 and 6.4+, pr_debug() in 5.8–6.3 before the 2023 stable backports`, add: `initcall_debug ${DD_DYNDBG}` };
  }
}

const PLACEMENT_TRACE = 'trace_event=workqueue:*,sched:sched_switch,sched:sched_wakeup trace_clock=global';
