// One machine from several topology inputs (lscpu -p gives CPU→node/core/L3, node-cpulist gives
// node→CPUs, cpus.txt gives online/isolated): union by CPU, first known value of each field wins,
// isolated CPUs are the union.

import type { Cpu } from '../core/units.js';
import type { Topology, TopologyCpu } from '../ingest/topology.types.js';

export function mergeTopologies(parts: Topology[]): Topology {
  const byCpu = new Map<number, TopologyCpu>();
  const isolated = new Set<number>();
  for (const part of parts) {
    for (const c of part.cpus) {
      const have = byCpu.get(c.cpu);
      byCpu.set(
        c.cpu,
        have
          ? {
              cpu: have.cpu,
              node: have.node ?? c.node,
              core: have.core ?? c.core,
              socket: have.socket ?? c.socket,
              llc: have.llc ?? c.llc,
              online: have.online && c.online,
            }
          : { ...c },
      );
    }
    for (const c of part.isolated) isolated.add(c);
  }
  return {
    cpus: [...byCpu.values()].sort((a, b) => a.cpu - b.cpu),
    isolated: [...isolated].sort((a, b) => a - b) as Cpu[],
    source: parts.find((p) => p.source !== null)?.source ?? null,
  };
}
