// The CPU topology a topology input (lscpu, sysfs cpulists) is read into (topology.ts), and that several
// inputs are merged into (model/topology-merge.ts).

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
