// The machine in words, for the text summary and the HTML report: CPU and node counts (topology files
// first, else the kernel log's own lines), and the PCI functions per node with their drivers as the
// kernel log names them (model/platform.ts). No analysis happens here.

import { formatCpuListShort } from '../core/cpu-list.js';
import { nodeCount } from '../model/platform.js';
import type { Boot } from '../model/types.js';

/** `40 CPUs on 2 NUMA nodes` (null when nothing says how many CPUs there are). */
export function describeMachine(boot: Boot): string | null {
  const cpus = boot.topology.cpus.length > 0 ? boot.topology.cpus.length : boot.platform?.cpus ?? 0;
  if (cpus === 0) return null;
  const nodes = nodeCount(boot.platform, boot.topology);
  const numa = nodes === 0 ? 'no NUMA node information' : `${nodes} NUMA node${nodes === 1 ? '' : 's'}`;
  const iso = boot.topology.isolated.length > 0 ? `, isolated ${boot.topology.isolated.join(',')}` : '';
  return `${cpus} CPUs, ${numa}${iso}`;
}

/** One line per node: its CPUs and the PCI functions on it by driver (`node 1: CPUs 1,3,5; 4 nvme, 2 ixgbe`). */
export function pciByNodeLines(boot: Boot): string[] {
  const platform = boot.platform;
  if (!platform || platform.pciFunctions.length === 0) return [];
  const byNode = new Map<string, Map<string, string[]>>();
  for (const f of platform.pciFunctions) {
    // PCIe port services (bridges) are not the devices whose probes matter here, and a port per slot is noise.
    if (f.driver === null || f.driver === 'pcieport') continue;
    const key = f.node === null ? 'unknown' : String(f.node);
    const drivers = byNode.get(key) ?? new Map<string, string[]>();
    byNode.set(key, drivers);
    drivers.set(f.driver, [...(drivers.get(f.driver) ?? []), f.device]);
  }
  const order = [...byNode.keys()].sort((a, b) => (a === 'unknown' ? 1 : b === 'unknown' ? -1 : Number(a) - Number(b)));
  return order.map((key) => {
    const drivers = [...byNode.get(key)!].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
    const cpus = key === 'unknown' ? null : boot.topology.cpus.filter((c) => c.node === Number(key)).map((c) => c.cpu);
    const head = key === 'unknown' ? 'node unknown (no NUMA node line for their root bus)' : `node ${key}${cpus && cpus.length > 0 ? ` (CPUs ${formatCpuListShort(cpus)})` : ''}`;
    const list = drivers.map(([driver, devices]) => (driver === 'nvme' || devices.length <= 2 ? `${devices.length} ${driver} (${devices.join(', ')})` : `${devices.length} ${driver}`));
    return `${head}: ${list.join(', ')}`;
  });
}
