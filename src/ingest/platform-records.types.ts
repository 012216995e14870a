// Typed records for the machine's shape as the kernel log tells it: how many CPUs and NUMA nodes came
// up, which CPU sits on which node, which nodes exist, and the PCI root bridges with their bus ranges.
// Producer: platform-records.ts (each shape cites the kernel source that prints it). Consumer:
// model/platform.ts.

import type { KernelLogLine } from './kernel-log.js';

interface RecordBase {
  line: KernelLogLine;
}

export type PlatformRecord =
  /** kernel/smp.c smp_init() `smp: Brought up %d node%s, %d CPU%s` (nodes null in the older `Brought up %d CPUs`). */
  | (RecordBase & { type: 'smp-up'; nodes: number | null; cpus: number })
  /**
   * CPUs of one node: x86 announce_cpu() `.... node  #%d, CPUs:  ` + pr_cont `#%d` (arch/x86/kernel/smpboot.c),
   * the 3.x `Booting Node %3d, Processors ` form, powerpc dump_numa_cpu_topology() `numa: Node %d CPUs: a-b c`
   * (arch/powerpc/mm/numa.c), and the hotplug `smpboot: Booting Node %d Processor %d APIC 0x%x`.
   */
  | (RecordBase & { type: 'node-cpus'; node: number; cpus: number[]; complete: boolean })
  /** A pr_cont fragment of the x86 announce line printed on a line of its own (`[ 1.41] #3`): CPUs of the node announced last. */
  | (RecordBase & { type: 'node-cpus-more'; cpus: number[] })
  /** A node the kernel set up: NODE_DATA(%d) allocated, Initmem setup node %d, ACPI: SRAT: Node %u PXM, `  node   N: [mem ...]`. */
  | (RecordBase & { type: 'numa-node'; node: number; memoryless: boolean })
  /** arm64: `Booting Linux on physical CPU 0x%010lx` (CPU 0) / `CPU%u: Booted secondary processor 0x%010lx` — logical CPU ↔ MPIDR. */
  | (RecordBase & { type: 'cpu-mpidr'; cpu: number; mpidr: string })
  /** drivers/acpi/numa/srat.c acpi_numa_gicc_affinity_init() `SRAT: PXM %d -> MPIDR 0x%llx -> Node %d`. */
  | (RecordBase & { type: 'srat-mpidr-node'; mpidr: string; node: number })
  /** drivers/acpi/pci_root.c acpi_pci_root_add() `ACPI: PCI Root Bridge [%s] (domain %04x %pR)`, %pR = `[bus 00-16]`. */
  | (RecordBase & { type: 'pci-root-bridge'; name: string; domain: string; first: number; last: number })
  /** drivers/pci/probe.c pci_register_host_bridge() `pci_bus %s: Unknown NUMA node; performance will be reduced` (nr_node_ids > 1). */
  | (RecordBase & { type: 'pci-bus-no-node'; bus: string });

/** What names the machine and its host (machine-records.ts). */
export type MachineRecord =
  /**
   * drivers/firmware/dmi_scan.c dmi_format_ids() `<vendor> <product>[/<board>], BIOS <version> <date>`, printed as
   * `DMI: %s` at boot ('dmi') and as `Hardware name: %s` in WARN/oops headers ('hardware-name').
   */
  | (RecordBase & { type: 'dmi-ids'; from: 'dmi' | 'hardware-name'; model: string; board: string | null; bios: string | null })
  /** Device tree `Machine model: %s` (arch/arm64/kernel/setup.c, drivers/of/fdt.c). */
  | (RecordBase & { type: 'dt-model'; model: string })
  /** systemd `Set hostname to <%s>.` / `Hostname set to <%s>.` written to the kernel log. */
  | (RecordBase & { type: 'hostname'; hostname: string });
