// Which CPUs of a NUMA node a probe could have used: online and not isolated (isolcpus=/nohz_full=),
// i.e. the housekeeping CPUs that pci_call_probe() chooses from (docs/workqueue-model.md §6.1).

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

