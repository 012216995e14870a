// How the running kernel hands a PCI probe body to a CPU of the device's node, in words for a
// finding (drivers/pci/pci-driver.c pci_call_probe(); docs/workqueue-model.md §6.1): work_on_cpu() since
// 873392ca514f (2.6.29), always taken (even when already on the node) since the 4.4–4.19 rework;
// queue_work_on(cpu, pci_probe_wq "sync_wq") + flush_work() from 7.0. The target is the lowest-numbered
// housekeeping CPU of the node (cpumask_any_and()). Per-device async probing arrived with
// ef0ff68351be (5.1), which is what lets several probes reach that one CPU at once.

import type { KernelInfo } from '../model/types.js';

const BDF = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i;

export function isPciDevice(device: string): boolean {
  return BDF.test(device);
}

/** major.minor from a release like "6.1.0-50-amd64", or null. */
export function kernelVersion(kernel: KernelInfo): { major: number; minor: number } | null {
  const source = kernel.release ?? kernel.banner ?? '';
  const m = /(?:^|Linux version |\s)(\d+)\.(\d+)/.exec(source);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** The call that hands the probe body to the node's first housekeeping CPU, for this kernel. */
export function pciHandOff(kernel: KernelInfo): string {
  const v = kernelVersion(kernel);
  if (v === null) return 'work_on_cpu() in pci_call_probe() (873392ca514f; queue_work_on() to "sync_wq" + flush_work() from 7.0)';
  if (v.major >= 7) return 'queue_work_on() to pci_probe_wq ("sync_wq") + flush_work() in pci_call_probe() (7.0+)';
  return 'work_on_cpu() in pci_call_probe() (873392ca514f)';
}
