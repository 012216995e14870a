// The simulated machine: CPUs grouped into NUMA nodes and last-level-cache groups, with online and
// housekeeping masks (docs/workqueue-model.md §8.1). Built from a real boot's Topology or from an `NxC`
// what-if ("2x64": 2 nodes of 64 CPUs, numbered node by node, one LLC per node).

import { formatCpuList, tryParseCpuList } from '../core/cpu-list.js';
import type { Cpu, NodeId, Topology } from '../model/types.js';

export interface MachineCpu {
  cpu: Cpu;
  node: NodeId;
  /** Last-level-cache group id; the node when the topology names no LLC. */
  llc: number;
  /** Physical core id (SMT siblings share it); the CPU itself when unknown. */
  core: number;
  online: boolean;
  /** False for CPUs in isolcpus=/nohz_full= (excluded from the PCI and unbound-workqueue masks). */
  housekeeping: boolean;
}

export interface Machine {
  /** Indexed by CPU number: cpus[i].cpu === i. */
  cpus: MachineCpu[];
  /** Node ids that have at least one CPU, ascending. */
  nodes: NodeId[];
  /** Where it came from: "topology of <file>", "2x64". */
  description: string;
  /** True when the LLC groups came from the topology (else one group per node). */
  llcKnown: boolean;
}

export class MachineError extends Error {}

/** A machine from a real topology. CPUs without a node go to node 0 (stated in `description`). */
export function machineFromTopology(topology: Topology, description: string): Machine {
  if (topology.cpus.length === 0) throw new MachineError(`${description}: the topology lists no CPUs`);
  const maxCpu = Math.max(...topology.cpus.map((c) => c.cpu));
  const byId = new Map(topology.cpus.map((c) => [c.cpu as number, c]));
  const isolated = new Set<number>(topology.isolated);
  const cpus: MachineCpu[] = [];
  let llcKnown = true;
  for (let i = 0; i <= maxCpu; i++) {
    const c = byId.get(i);
    const node = (c?.node ?? 0) as NodeId;
    if (c?.llc === null || c?.llc === undefined) llcKnown = false;
    cpus.push({
      cpu: i as Cpu,
      node,
      llc: c?.llc ?? -1,
      core: c?.core ?? i,
      online: c !== undefined && c.online,
      housekeeping: !isolated.has(i),
    });
  }
  if (!llcKnown) for (const c of cpus) c.llc = c.node;
  return finish(cpus, description, llcKnown);
}

/** A machine from "NxC" (N nodes × C CPUs each). */
export function machineFromSpec(spec: string): Machine {
  const m = /^(\d+)x(\d+)$/.exec(spec.trim());
  if (!m) throw new MachineError(`topology "${spec}" is neither a file nor NxC (e.g. 2x64)`);
  const nodes = Number(m[1]);
  const perNode = Number(m[2]);
  if (nodes < 1 || perNode < 1) throw new MachineError(`topology "${spec}" has no CPUs`);
  if (nodes * perNode > 65536) throw new MachineError(`topology "${spec}" has more than 65536 CPUs`);
  const cpus: MachineCpu[] = [];
  for (let n = 0; n < nodes; n++) {
    for (let i = 0; i < perNode; i++) {
      const id = n * perNode + i;
      cpus.push({ cpu: id as Cpu, node: n as NodeId, llc: n, core: id, online: true, housekeeping: true });
    }
  }
  return finish(cpus, `${nodes} nodes × ${perNode} CPUs (${spec}, one LLC group per node)`, false);
}

/** The same machine with these CPUs isolated (isolcpus=LIST): out of the housekeeping mask. */
export function withIsolatedCpus(machine: Machine, isolated: number[]): Machine {
  const set = new Set(isolated);
  for (const c of set) {
    if (c < 0 || c >= machine.cpus.length) throw new MachineError(`isolcpus: CPU ${c} is not on this machine (CPUs 0-${machine.cpus.length - 1})`);
  }
  const cpus = machine.cpus.map((c) => ({ ...c, housekeeping: !set.has(c.cpu) }));
  if (!cpus.some((c) => c.online && c.housekeeping)) throw new MachineError('isolcpus leaves no housekeeping CPU');
  return { ...machine, cpus, description: `${machine.description}, isolcpus=${formatCpuList([...set])}` };
}

/** Parses a kernel CPU list ("0-3,8,10-11") given on the command line; a bad list is a MachineError. */
export function parseCpuListOption(text: string): number[] {
  const cpus = tryParseCpuList(text);
  if (cpus === null || cpus.length === 0) throw new MachineError(`"${text}" is not a CPU list (e.g. 0-3,8)`);
  return cpus;
}

function finish(cpus: MachineCpu[], description: string, llcKnown: boolean): Machine {
  const nodes = [...new Set(cpus.filter((c) => c.online).map((c) => c.node))].sort((a, b) => a - b);
  if (nodes.length === 0) throw new MachineError(`${description}: no online CPUs`);
  return { cpus, nodes, description, llcKnown };
}
