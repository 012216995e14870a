// The machine's CPUs as a topology input (lscpu, a cpulist, sysfs) tells them: what the topology readers
// produce and the model merges with what the kernel log says (model/topology-merge.ts).

import type { SourceRef } from '../core/diagnostics.js';
import type { Cpu, NodeId } from '../core/units.js';

export interface TopologyCpu {
  cpu: Cpu;
  node: NodeId | null;
  core: number | null;
  socket: number | null;
  /** Id of the last-level cache instance (lscpu L3 column), null when unknown. */
  llc: number | null;
  online: boolean;
}

export interface Topology {
  cpus: TopologyCpu[];
  /** CPUs excluded from housekeeping (isolcpus=/nohz_full=), when known. */
  isolated: Cpu[];
  source: SourceRef | null;
}
