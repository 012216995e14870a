// Which CPUs of a NUMA node a probe could have used: online and not isolated (isolcpus=/nohz_full=),
// i.e. the housekeeping CPUs that pci_call_probe() chooses from (workqueue-model §6.1).

import type { Cpu, NodeId, Topology } from '../model/types.js';

/** Online housekeeping CPUs of `node`, ascending; empty when the topology does not say. */
export function housekeepingCpusOfNode(topology: Topology, node: NodeId): Cpu[] {
  const isolated = new Set<number>(topology.isolated);
  return topology.cpus
    .filter((c) => c.node === node && c.online && !isolated.has(c.cpu))
    .map((c) => c.cpu)
    .sort((a, b) => a - b);
}

/** The node a CPU belongs to, or null when the topology does not say. */
export function nodeOfCpu(topology: Topology, cpu: Cpu): NodeId | null {
  return topology.cpus.find((c) => c.cpu === cpu)?.node ?? null;
}

/** "0-3,6" from [0,1,2,3,6] (the kernel's %*pbl list form). */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
