// Device → NUMA node map as sysfs reports it (`/sys/bus/pci/devices/<bdf>/numa_node`, -1 = no node;
// drivers/pci/pci-sysfs.c numa_node_show "%d"). Accepted line shapes:
//   0000:21:00.0 numa_node=0 vendor=0x1b36 ...          (the captures' pci-numa.txt)
//   /sys/bus/pci/devices/0000:21:00.0/numa_node:0        (grep -H . /sys/bus/pci/devices/*/numa_node)
//   0000:21:00.0 0                                        (a plain two-column listing)

import type { Diagnostic } from '../core/diagnostics.js';
import type { NodeId } from '../core/units.js';
import { nodeId } from '../core/units.js';
import type { DiagnosticSink } from './kernel-log.js';
import { readLines } from './lines.js';

const BDF = '([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7])';
const KEYED = new RegExp(`^${BDF}\\s+numa_node=(-?\\d+)(?:\\s|$)`);
const SYSFS = new RegExp(`^/sys/bus/pci/devices/${BDF}/numa_node:(-?\\d+)\\s*$`);
const PLAIN = new RegExp(`^${BDF}\\s+(-?\\d+)\\s*$`);

export interface PciNumaEntry {
  device: string;
  /** null when sysfs says -1 (no node). */
  node: NodeId | null;
  line: number;
}

export function parsePciNumaLine(text: string): { device: string; node: number } | null {
  const m = KEYED.exec(text) ?? SYSFS.exec(text) ?? PLAIN.exec(text);
  if (!m) return null;
  return { device: m[1]!.toLowerCase(), node: Number(m[2]) };
}

export async function readPciNuma(path: string, onDiagnostic: DiagnosticSink): Promise<PciNumaEntry[]> {
  const entries: PciNumaEntry[] = [];
  await readLines(path, (text, line) => {
    if (text.trim() === '' || text.startsWith('#')) return;
    const parsed = parsePciNumaLine(text);
    if (!parsed) {
      const diagnostic: Diagnostic = { file: path, line, message: 'not a "<bdf> numa_node=<n>" line', severity: 'warning' };
      onDiagnostic(diagnostic);
      return;
    }
    entries.push({ device: parsed.device, node: parsed.node < 0 ? null : nodeId(parsed.node), line });
  });
  return entries;
}
