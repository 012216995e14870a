// The machine as the kernel log alone tells it: CPU and NUMA node counts, which CPU sits on which
// node, the PCI root buses with their bus ranges and nodes, and every PCI function the log names with
// its driver and node. Used wherever a topology file would be (a topology file still wins, see
// pipeline/load-boot.ts) and by the exposure finding. Records: ingest/platform-records.ts (machine shape) and
// kernel-records.ts (`pci_bus ...: on NUMA node N`, `root bus resource [bus a-b]`, dev_printk lines,
// `nvme nvmeN: pci function BDF`).
//
// How a PCI function gets its node (what dev_to_node() returns for it, which pci_call_probe() reads):
// a root bus's node is printed by drivers/acpi/pci_root.c (`on NUMA node N`) or declared unknown by
// drivers/pci/probe.c (`Unknown NUMA node`, only when there are several nodes); every bus number inside
// the root bridge's `[bus a-b]` range inherits it. No line for a root bus on a one-node machine means
// NUMA_NO_NODE there too (the node line is printed whenever the node is known).

import { UNBOUND_OWNERS } from '../ingest/kernel-records.js';
import type { KernelRecord } from '../ingest/kernel-records.types.js';
import type { Builder } from './builder.js';
import type { SourceRef } from '../core/diagnostics.js';
import type { Cpu, NodeId } from '../core/units.js';
import { cpuId, nodeId } from '../core/units.js';
import type { Topology, TopologyCpu } from '../ingest/topology.types.js';

export interface PlatformNodeCpus {
  node: NodeId;
  cpus: Cpu[];
  /** CPUs placed on this node by inference, not by a line (the x86 boot CPU, which announce_cpu() never lists). */
  inferred: Cpu[];
}

export interface PciRootBus {
  domain: string;
  first: number;
  last: number;
  /** The ACPI name of the host bridge (`PC00`), when the log printed it. */
  bridge: string | null;
  node: NodeId | null;
  /** 'line': `on NUMA node N`; 'unknown': the kernel said it does not know; 'absent': no line (NUMA_NO_NODE). */
  nodeFrom: 'line' | 'unknown' | 'absent';
  source: SourceRef;
  nodeSource: SourceRef | null;
}

export interface PciFunction {
  /** `0000:41:00.0`, lower case. */
  device: string;
  /** `[vvvv:dddd]` and class of the enumeration line (drivers/pci/probe.c), when printed. */
  vendorDevice: string | null;
  classCode: string | null;
  /** The driver that bound it: the first dev_printk owner that is not a bus, or nvme from `pci function`. */
  driver: string | null;
  /** NVMe controller names (`nvme0`) from `nvme nvmeN: pci function BDF`. */
  controllers: string[];
  node: NodeId | null;
  /** The root bus (`0000:3a`) whose range holds this function's bus, when known. */
  rootBus: string | null;
  evidence: SourceRef[];
}

export interface PlatformFacts {
  /** From `smp: Brought up N nodes, M CPUs` (null when absent). */
  cpus: number | null;
  nodes: number | null;
  smpSource: SourceRef | null;
  /** Every node id a line named (memory, CPUs or PCI). */
  nodeIds: NodeId[];
  memorylessNodes: NodeId[];
  /** CPU → node as the log shows it (x86 announce_cpu, powerpc numa:, arm64 MPIDR + SRAT), by node. */
  nodeCpus: PlatformNodeCpus[];
  nodeCpusSource: SourceRef | null;
  rootBuses: PciRootBus[];
  pciFunctions: PciFunction[];
}

const BDF = /^([0-9a-f]{4,}):([0-9a-f]{2}):[0-9a-f]{2}\.[0-7]$/;
const ENUMERATION = /^\[([0-9a-f]{4}:[0-9a-f]{4})\] type [0-9a-f]{2} class (0x[0-9a-f]{6})/;

interface DeviceDraft {
  device: string;
  vendorDevice: string | null;
  classCode: string | null;
  driver: string | null;
  driverSource: SourceRef | null;
  controllers: string[];
  evidence: SourceRef[];
}

export class PlatformBuilder implements Builder<KernelRecord, PlatformFacts> {
  readonly name = 'platform';
  private smp: { cpus: number; nodes: number | null; source: SourceRef } | null = null;
  private nodeIds = new Set<number>();
  private memoryless = new Set<number>();
  private cpuNode = new Map<number, number>();
  private cpuNodeSource: SourceRef | null = null;
  private announcing: number | null = null;
  private announcedX86 = false;
  private mpidrCpu = new Map<string, number>();
  private mpidrNode = new Map<string, number>();
  private bridges: Array<{ name: string; domain: string; first: number; last: number; source: SourceRef }> = [];
  private busRanges = new Map<string, { first: number; last: number; source: SourceRef }>();
  private busNodes = new Map<string, { node: number | null; source: SourceRef }>();
  private devices = new Map<string, DeviceDraft>();
  private result: PlatformFacts = emptyPlatform();

  reset(): void {
    this.smp = null;
    this.nodeIds.clear();
    this.memoryless.clear();
    this.cpuNode.clear();
    this.cpuNodeSource = null;
    this.announcing = null;
    this.announcedX86 = false;
    this.mpidrCpu.clear();
    this.mpidrNode.clear();
    this.bridges = [];
    this.busRanges.clear();
    this.busNodes.clear();
    this.devices.clear();
    this.result = emptyPlatform();
  }

  handle(record: KernelRecord): void {
    switch (record.type) {
      case 'smp-up':
        // The first boot of the log is the one described (a journal may hold several).
        this.smp ??= { cpus: record.cpus, nodes: record.nodes, source: record.line.source };
        this.announcing = null;
        break;
      case 'node-cpus':
        this.nodeIds.add(record.node);
        if (!record.complete) this.announcedX86 = true;
        for (const cpu of record.cpus) if (!this.cpuNode.has(cpu)) this.cpuNode.set(cpu, record.node);
        this.cpuNodeSource ??= record.line.source;
        // Only the bring-up announcement continues on fragment lines; a hotplug line does not.
        this.announcing = this.smp === null && !record.complete ? record.node : null;
        break;
      case 'node-cpus-more':
        if (this.announcing !== null) for (const cpu of record.cpus) if (!this.cpuNode.has(cpu)) this.cpuNode.set(cpu, this.announcing);
        break;
      case 'numa-node':
        this.nodeIds.add(record.node);
        if (record.memoryless) this.memoryless.add(record.node);
        break;
      case 'cpu-mpidr':
        if (!this.mpidrCpu.has(record.mpidr)) this.mpidrCpu.set(record.mpidr, record.cpu);
        break;
      case 'srat-mpidr-node':
        this.nodeIds.add(record.node);
        if (!this.mpidrNode.has(record.mpidr)) this.mpidrNode.set(record.mpidr, record.node);
        this.cpuNodeSource ??= record.line.source;
        break;
      case 'pci-root-bridge':
        if (!this.bridges.some((b) => b.domain === record.domain && b.first === record.first)) {
          this.bridges.push({ name: record.name, domain: record.domain, first: record.first, last: record.last, source: record.line.source });
        }
        break;
      case 'pci-root-bus-range':
        if (!this.busRanges.has(record.bus)) this.busRanges.set(record.bus, { first: record.first, last: record.last, source: record.line.source });
        break;
      case 'pci-bus-node':
        this.nodeIds.add(record.node);
        if (!this.busNodes.has(record.bus)) this.busNodes.set(record.bus, { node: record.node, source: record.line.source });
        break;
      case 'pci-bus-no-node':
        if (!this.busNodes.has(record.bus)) this.busNodes.set(record.bus, { node: null, source: record.line.source });
        break;
      case 'nvme-pci-function': {
        const d = this.draft(record.device);
        if (d) {
          // The first `pci function` line is the boot's probe; later ones are rescans or resets.
          if (d.controllers.length > 0) {
            if (!d.controllers.includes(record.controller)) d.controllers.push(record.controller);
            break;
          }
          d.controllers.push(record.controller);
          if (d.driver === null) {
            d.driver = 'nvme';
            d.driverSource = record.line.source;
          }
          d.evidence.push(record.line.source);
        }
        break;
      }
      case 'device-message': {
        const d = this.draft(record.device.toLowerCase());
        if (!d) break;
        if (record.owner === 'pci') {
          const m = d.vendorDevice === null ? ENUMERATION.exec(record.message) : null;
          if (m) {
            d.vendorDevice = m[1]!;
            d.classCode = m[2]!;
            d.evidence.push(record.line.source);
          }
        } else if (!UNBOUND_OWNERS.has(record.owner) && d.driver === null) {
          d.driver = record.owner;
          d.driverSource = record.line.source;
          d.evidence.push(record.line.source);
        }
        break;
      }
      case 'driver-core':
        if (record.driver !== null && (record.event === 'bound' || record.event === 'driver-bound')) {
          const d = this.draft(record.device.toLowerCase());
          if (d && d.driver === null) {
            d.driver = record.driver;
            d.driverSource = record.line.source;
            d.evidence.push(record.line.source);
          }
        }
        break;
      default:
        break;
    }
  }

  finalize(): void {
    // arm64 with ACPI: logical CPU ↔ MPIDR from the boot lines, MPIDR → node from SRAT.
    for (const [mpidr, cpu] of this.mpidrCpu) {
      const node = this.mpidrNode.get(mpidr);
      if (node !== undefined && !this.cpuNode.has(cpu)) this.cpuNode.set(cpu, node);
    }
    const inferred = new Set<number>();
    const onlyNode = this.smp?.nodes === 1 ? (this.nodeIds.size === 1 ? [...this.nodeIds][0]! : 0) : null;
    if (onlyNode !== null && this.smp) {
      // One node: every CPU is on it (no line needs to say so).
      for (let c = 0; c < this.smp.cpus; c++) if (!this.cpuNode.has(c)) this.cpuNode.set(c, onlyNode);
      this.nodeIds.add(onlyNode);
    } else if (this.announcedX86 && !this.cpuNode.has(0)) {
      // x86 announce_cpu() lists the secondaries only; the boot CPU is on the lowest node (node 0 on every
      // x86 server seen), which the caller is told is an inference.
      const lowest = [...this.nodeIds].sort((a, b) => a - b)[0];
      if (lowest !== undefined) {
        this.cpuNode.set(0, lowest);
        inferred.add(0);
      }
    }
    const byNode = new Map<number, number[]>();
    for (const [cpu, node] of this.cpuNode) {
      const list = byNode.get(node);
      if (list) list.push(cpu);
      else byNode.set(node, [cpu]);
    }
    const nodeCpus: PlatformNodeCpus[] = [...byNode.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([node, cpus]) => ({
        node: nodeId(node),
        cpus: cpus.sort((a, b) => a - b).map(cpuId),
        inferred: cpus.filter((c) => inferred.has(c)).map(cpuId),
      }));

    const rootBuses = this.rootBuses();
    const pciFunctions = [...this.devices.values()]
      .map((d) => this.functionOf(d, rootBuses))
      .sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    for (const r of rootBuses) if (r.node !== null) this.nodeIds.add(r.node);
    this.result = {
      cpus: this.smp?.cpus ?? null,
      nodes: this.smp?.nodes ?? null,
      smpSource: this.smp?.source ?? null,
      nodeIds: [...this.nodeIds].sort((a, b) => a - b).map(nodeId),
      memorylessNodes: [...this.memoryless].sort((a, b) => a - b).map(nodeId),
      nodeCpus,
      nodeCpusSource: nodeCpus.length > 0 ? this.cpuNodeSource ?? this.smp?.source ?? null : null,
      rootBuses,
      pciFunctions,
    };
  }

  data(): PlatformFacts {
    return this.result;
  }

  private draft(device: string): DeviceDraft | null {
    if (!BDF.test(device)) return null;
    let d = this.devices.get(device);
    if (!d) {
      d = { device, vendorDevice: null, classCode: null, driver: null, driverSource: null, controllers: [], evidence: [] };
      this.devices.set(device, d);
    }
    return d;
  }

  /** Root buses from the ACPI bridge lines and the `root bus resource [bus a-b]` lines, with their nodes. */
  private rootBuses(): PciRootBus[] {
    const roots = new Map<string, PciRootBus>();
    const add = (domain: string, first: number, last: number, bridge: string | null, source: SourceRef) => {
      const key = `${domain}:${hex2(first)}`;
      const have = roots.get(key);
      if (have) {
        have.bridge ??= bridge;
        return;
      }
      roots.set(key, { domain, first, last, bridge, node: null, nodeFrom: 'absent', source, nodeSource: null });
    };
    for (const b of this.bridges) add(b.domain, b.first, b.last, b.name, b.source);
    for (const [bus, r] of this.busRanges) add(bus.split(':')[0]!, r.first, r.last, null, r.source);
    // A node line for a bus that no range names (no bridge line): a root bus of its own number.
    for (const [bus, n] of this.busNodes) {
      if (!roots.has(bus)) {
        const [domain, number] = bus.split(':');
        const first = parseInt(number!, 16);
        add(domain!, first, first, null, n.source);
      }
    }
    for (const [key, root] of roots) {
      const n = this.busNodes.get(key);
      if (!n) continue;
      root.node = n.node === null ? null : nodeId(n.node);
      root.nodeFrom = n.node === null ? 'unknown' : 'line';
      root.nodeSource = n.source;
    }
    return [...roots.values()].sort((a, b) => (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : a.first - b.first));
  }

  private functionOf(d: DeviceDraft, roots: PciRootBus[]): PciFunction {
    const m = BDF.exec(d.device)!;
    const bus = parseInt(m[2]!, 16);
    // The narrowest range holding the bus (ranges do not overlap on real machines, but a `[bus ff]` bridge may sit inside none).
    let root: PciRootBus | null = null;
    for (const r of roots) {
      if (r.domain === m[1] && bus >= r.first && bus <= r.last && (root === null || r.last - r.first < root.last - root.first)) root = r;
    }
    const evidence = [...d.evidence];
    if (root?.nodeSource) evidence.push(root.nodeSource);
    return {
      device: d.device,
      vendorDevice: d.vendorDevice,
      classCode: d.classCode,
      driver: d.driver,
      controllers: d.controllers,
      node: root?.node ?? null,
      rootBus: root ? `${root.domain}:${hex2(root.first)}` : null,
      evidence,
    };
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function emptyPlatform(): PlatformFacts {
  return { cpus: null, nodes: null, smpSource: null, nodeIds: [], memorylessNodes: [], nodeCpus: [], nodeCpusSource: null, rootBuses: [], pciFunctions: [] };
}

/**
 * The topology the log shows, for the places a topology file feeds: every CPU the log counts (`Brought
 * up M CPUs`, numbered 0..M-1 as the kernel numbers them at boot) or maps, with its node when a line
 * (or the one-node case) says it. Empty when the log says nothing about CPUs.
 */
export function topologyFromPlatform(platform: PlatformFacts): Topology {
  const nodeOf = new Map<number, NodeId>();
  for (const n of platform.nodeCpus) for (const c of n.cpus) nodeOf.set(c, n.node);
  const cpus = new Set<number>(nodeOf.keys());
  if (platform.cpus !== null) for (let c = 0; c < platform.cpus; c++) cpus.add(c);
  const list: TopologyCpu[] = [...cpus]
    .sort((a, b) => a - b)
    .map((c) => ({ cpu: cpuId(c), node: nodeOf.get(c) ?? null, core: null, socket: null, llc: null, online: true }));
  return { cpus: list, isolated: [], source: list.length > 0 ? platform.nodeCpusSource ?? platform.smpSource : null };
}

/** How many NUMA nodes the boot had: the log's `Brought up N nodes`, else the nodes a topology names. */
export function nodeCount(platform: PlatformFacts | undefined, topology: Topology): number {
  if (platform?.nodes != null) return platform.nodes;
  const fromTopology = new Set(topology.cpus.map((c) => c.node).filter((n) => n !== null));
  return Math.max(fromTopology.size, platform?.nodeIds.length ?? 0);
}
