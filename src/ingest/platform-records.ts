// Recognises the kernel log lines that tell the machine's shape (record types in
// platform-records.types.ts). Format strings, as the sources print them (checked against the server
// logs of ../shared/corpus/server_nvme_numa, kernels 5.14–6.14, x86 and POWER9):
// - kernel/smp.c smp_init(): pr_info("Brought up %d node%s, %d CPU%s\n") with pr_fmt "smp: " (4.11+);
//   before, `Brought up %ld CPUs` (no node count); x86 3.x–4.x also printed `x86: Booted up %d node%s, %d CPUs`.
// - arch/x86/kernel/smpboot.c announce_cpu(): `.... node %*s#%d, CPUs:  ` then pr_cont("%*s#%d") per
//   CPU. The BSP (CPU 0) is never listed. When another CPU's message interleaves, the kernel starts a
//   new line (`.... node  #1, CPUs:    #3`) or prints the fragment alone (`[    1.417459]  #3`).
//   3.x: `Booting Node %3d, Processors ` + ` #%d` ... ` OK`; hotplug/late: `Booting Node %d Processor %d APIC 0x%x`.
// - arch/powerpc/mm/numa.c dump_numa_cpu_topology(): `numa: Node %d CPUs:` + pr_cont(" %u-%u" | " %u").
// - Nodes: mm (NODE_DATA(%d) allocated [mem ...] — x86/arm64 alloc_node_data; powerpc prints
//   `numa:   NODE_DATA [mem ...]` without the id), mm/mm_init.c `Initmem setup node %d [mem ...]` /
//   `Initmem setup node %d as memoryless`, drivers/acpi/numa/srat.c `ACPI: SRAT: Node %u PXM %u [mem ...]`,
//   mm/mm_init.c free_area_init() `  node %3d: [mem %#018Lx-%#018Lx]`.
// - arm64: arch/arm64/kernel/setup.c `Booting Linux on physical CPU 0x%010lx [0x%08x]`,
//   arch/arm64/kernel/smp.c `CPU%u: Booted secondary processor 0x%010lx [0x%08x]`, and
//   drivers/acpi/numa/srat.c `ACPI: NUMA: SRAT: PXM %d -> MPIDR 0x%llx -> Node %d` (so CPU → node on ACPI arm64).
// - drivers/acpi/pci_root.c acpi_pci_root_add(): `ACPI: PCI Root Bridge [PC00] (domain 0000 [bus 00-16])`
//   (acpi_device_name() is "PCI Root Bridge"; CXL host bridges print "CXL Root Bridge"; %pR prints
//   `[bus ff]` for a one-bus range).
// - drivers/pci/probe.c pci_register_host_bridge(): `pci_bus %s: Unknown NUMA node; performance will be reduced`.
// The `pci_bus %s: on NUMA node %d` line (drivers/acpi/pci_root.c) is recognised in kernel-records.ts.

import type { KernelLogLine } from './kernel-log.js';
import type { PlatformRecord } from './platform-records.types.js';

const SMP_UP = /^(?:smp: |x86: )?(?:Brought|Booted) up (\d+) nodes?, (\d+) CPUs?\s*$/;
const SMP_UP_OLD = /^(?:smp: )?Brought up (\d+) CPUs?\s*$/;
const X86_ANNOUNCE = /^\.\.\.\. node +#(\d+), CPUs:((?:\s+#\d+)*)\s*$/;
const X86_ANNOUNCE_3X = /^(?:smpboot: )?Booting Node +(\d+), Processors((?:\s+#\d+)*)(?:\s+OK)?\s*$/;
const X86_FRAGMENT = /^\s*((?:#\d+\s*)+)$/;
const X86_HOTPLUG = /^(?:smpboot: )?Booting Node (\d+) Processor (\d+) APIC 0x[0-9a-fA-F]+\s*$/;
const POWERPC_NODE = /^(?:numa: )?Node (\d+) CPUs:((?:\s+\d+(?:-\d+)?)*)\s*$/;
const NODE_DATA = /^NODE_DATA\((\d+)\) (?:allocated|on node)/;
const INITMEM = /^Initmem setup node (\d+)(?: \[mem| as memoryless)/;
const SRAT_NODE = /^(?:ACPI: )?SRAT: Node (\d+) PXM \d+ \[mem /;
const EARLY_NODE_RANGE = /^\s+node +(\d+): \[mem /;
const ARM64_BOOT_CPU = /^Booting Linux on physical CPU 0x([0-9a-fA-F]+) /;
const ARM64_SECONDARY = /^CPU(\d+): Booted secondary processor 0x([0-9a-fA-F]+) /;
const SRAT_MPIDR = /^(?:ACPI: NUMA: )?SRAT: PXM \d+ -> MPIDR 0x([0-9a-fA-F]+) -> Node (\d+)/;
const ROOT_BRIDGE = /^ACPI: (?:[A-Za-z]+ )?Root Bridge \[([^\]]+)\] \(domain ([0-9a-fA-F]{4}) \[bus ([0-9a-fA-F]{2})(?:-([0-9a-fA-F]{2}))?\]\)/;
const BUS_NO_NODE = /^pci_bus ([0-9a-fA-F]{4,}:[0-9a-fA-F]{2}): Unknown NUMA node/;

/** The platform record `line.text` carries, or null. Cheap first-character dispatch: this runs on every line. */
export function recognizePlatformMessage(line: KernelLogLine): PlatformRecord | null {
  const text = line.text;
  let m: RegExpExecArray | null;
  switch (text.charCodeAt(0)) {
    case 0x2e /* . */:
      if ((m = X86_ANNOUNCE.exec(text))) return { line, type: 'node-cpus', node: Number(m[1]), cpus: hashCpus(m[2]!), complete: false };
      return null;
    case 0x20 /* space */:
    case 0x23 /* # */:
      if ((m = X86_FRAGMENT.exec(text))) return { line, type: 'node-cpus-more', cpus: hashCpus(m[1]!) };
      if ((m = EARLY_NODE_RANGE.exec(text))) return { line, type: 'numa-node', node: Number(m[1]), memoryless: false };
      return null;
    case 0x73 /* s */:
      if (text.startsWith('smp: ')) {
        if ((m = SMP_UP.exec(text))) return { line, type: 'smp-up', nodes: Number(m[1]), cpus: Number(m[2]) };
        if ((m = SMP_UP_OLD.exec(text))) return { line, type: 'smp-up', nodes: null, cpus: Number(m[1]) };
      } else if (text.startsWith('smpboot: Booting Node')) {
        return bootingNode(line, text);
      }
      return null;
    case 0x78 /* x */:
      if ((m = SMP_UP.exec(text))) return { line, type: 'smp-up', nodes: Number(m[1]), cpus: Number(m[2]) };
      return null;
    case 0x42 /* B */:
      if ((m = SMP_UP_OLD.exec(text))) return { line, type: 'smp-up', nodes: null, cpus: Number(m[1]) };
      if (text.startsWith('Booting Node')) return bootingNode(line, text);
      if ((m = ARM64_BOOT_CPU.exec(text))) return { line, type: 'cpu-mpidr', cpu: 0, mpidr: normalizeMpidr(m[1]!) };
      return null;
    case 0x6e /* n */:
      if (text.startsWith('numa: Node ') && (m = POWERPC_NODE.exec(text))) {
        return { line, type: 'node-cpus', node: Number(m[1]), cpus: rangeCpus(m[2]!), complete: true };
      }
      return null;
    case 0x4e /* N */:
      if ((m = NODE_DATA.exec(text))) return { line, type: 'numa-node', node: Number(m[1]), memoryless: false };
      if ((m = POWERPC_NODE.exec(text))) return { line, type: 'node-cpus', node: Number(m[1]), cpus: rangeCpus(m[2]!), complete: true };
      return null;
    case 0x49 /* I */:
      if ((m = INITMEM.exec(text))) return { line, type: 'numa-node', node: Number(m[1]), memoryless: text.endsWith('as memoryless') };
      return null;
    case 0x43 /* C */:
      if ((m = ARM64_SECONDARY.exec(text))) return { line, type: 'cpu-mpidr', cpu: Number(m[1]), mpidr: normalizeMpidr(m[2]!) };
      return null;
    case 0x41 /* A */:
      if (!text.startsWith('ACPI: ')) return null;
      if ((m = SRAT_NODE.exec(text))) return { line, type: 'numa-node', node: Number(m[1]), memoryless: false };
      if ((m = SRAT_MPIDR.exec(text))) return { line, type: 'srat-mpidr-node', mpidr: normalizeMpidr(m[1]!), node: Number(m[2]) };
      if ((m = ROOT_BRIDGE.exec(text))) {
        const first = parseInt(m[3]!, 16);
        return { line, type: 'pci-root-bridge', name: m[1]!, domain: m[2]!.toLowerCase(), first, last: m[4] === undefined ? first : parseInt(m[4], 16) };
      }
      return null;
    case 0x53 /* S */:
      if ((m = SRAT_NODE.exec(text))) return { line, type: 'numa-node', node: Number(m[1]), memoryless: false };
      if ((m = SRAT_MPIDR.exec(text))) return { line, type: 'srat-mpidr-node', mpidr: normalizeMpidr(m[1]!), node: Number(m[2]) };
      return null;
    case 0x70 /* p */:
      if ((m = BUS_NO_NODE.exec(text))) return { line, type: 'pci-bus-no-node', bus: m[1]!.toLowerCase() };
      return null;
    default:
      return null;
  }
}

function bootingNode(line: KernelLogLine, text: string): PlatformRecord | null {
  let m: RegExpExecArray | null;
  if ((m = X86_HOTPLUG.exec(text))) return { line, type: 'node-cpus', node: Number(m[1]), cpus: [Number(m[2])], complete: false };
  if ((m = X86_ANNOUNCE_3X.exec(text))) return { line, type: 'node-cpus', node: Number(m[1]), cpus: hashCpus(m[2]!), complete: false };
  return null;
}

/** ` #1   #2  #10` → [1, 2, 10]. */
function hashCpus(text: string): number[] {
  const cpus: number[] = [];
  for (const piece of text.split('#')) {
    const t = piece.trim();
    if (t !== '') cpus.push(Number(t));
  }
  return cpus;
}

/** ` 0-63 70` → [0..63, 70] (powerpc prints ranges of consecutive CPUs). */
function rangeCpus(text: string): number[] {
  const cpus: number[] = [];
  for (const piece of text.trim().split(/\s+/)) {
    if (piece === '') continue;
    const dash = piece.indexOf('-');
    if (dash < 0) cpus.push(Number(piece));
    else for (let c = Number(piece.slice(0, dash)), last = Number(piece.slice(dash + 1)); c <= last && cpus.length < 65536; c++) cpus.push(c);
  }
  return cpus;
}

/** MPIDRs are printed with different widths (`0x0000000100` and `0x100`): compare them as numbers. */
function normalizeMpidr(hex: string): string {
  return BigInt(`0x${hex}`).toString(16);
}
