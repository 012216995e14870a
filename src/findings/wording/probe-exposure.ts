// The words of a bound-queue-exposure finding (findings/probe-exposure.ts decides which nodes are exposed and
// estimates the cost): the exposed node, and the groups that would be exposed only if probed asynchronously.

import { formatCpuListShort } from '../../core/cpu-list.js';
import type { PciFunction, PlatformFacts } from '../../model/platform.js';
import type { Cpu, NodeId } from '../../model/types.js';

/** What the estimate for an exposed node assumed, as codes (the analysis) and sentences (here). */
export type ExposureWarning =
  | { code: 'node-cpus-unknown' }
  | { code: 'cpu-inferred' }
  | { code: 'hop-unknown' }
  | { code: 'release-unknown' }
  | { code: 'isolated-cpus' }
  | { code: 'some-costs-unknown'; known: number };

export interface ExposedNodeFacts {
  node: NodeId;
  /** The CPU the bodies go to (null: the log does not list the node's CPUs). */
  cpu: Cpu | null;
  nodeCpus: number;
  /** `<count> <driver>` per driver. */
  counts: string[];
  devices: number;
  /** Per driver: why this release probes it asynchronously. */
  asyncWhy: Array<[driver: string, why: string]>;
  release: string | null;
  placement: { mechanism: string; eligible: string };
  /** How the log ties the devices to the node (nodeEvidenceText). */
  nodeEvidence: string;
  /** With probe durations: the bodies one after another, spread over the node's CPUs, and the difference. */
  cost: { serialNs: number; lostNs: number } | null;
  measureWith: string;
  warnings: ExposureWarning[];
}

export function exposedNodeWords(f: ExposedNodeFacts): { title: string; detail: string; warnings: string[] } {
  const where = f.cpu === null ? `the first ${f.placement.eligible} CPU of node ${f.node}` : `CPU ${f.cpu}`;
  const estimate = f.cost === null ? '' : ` Their probes took ${ms(f.cost.serialNs)} ms in all (probe lines): one at a time on ${where} that is about ${ms(f.cost.lostNs)} ms more than spread over ${f.nodeCpus > 0 ? `node ${f.node}'s ${f.nodeCpus} CPUs` : 'one CPU each'} (an upper bound: a body that sleeps lets the next one run).`;
  const title = f.cost !== null
    ? `exposed: ${f.counts.join(' and ')} on node ${f.node} would run their probe bodies on ${where} one at a time; about ${ms(f.cost.lostNs)} ms lost against spreading them.`
    : `exposed: ${f.counts.join(' and ')} on node ${f.node} would run their probe bodies on ${where} one at a time; this log cannot show how long.`;
  const detail = [
    `On ${f.release ? `Linux ${f.release}` : 'this kernel'}, ${f.placement.mechanism} hands each probe body to the lowest ${f.placement.eligible} CPU of the device's node, ${where}.`,
    `These devices are probed asynchronously (${f.asyncWhy.map(([d, why]) => `${d}: ${why}`).join('; ')}), one async worker per device, so their probes are in flight together and the bodies queue on ${where}'s bound per-CPU pool, which runs one while it does not sleep.`,
    `Node ${f.node}: ${f.nodeEvidence}.`,
    estimate.trim(),
    `To measure it on this kernel, boot with: ${f.measureWith}; then give trace-probe the kernel log (dmesg) and /sys/kernel/tracing/trace.`,
  ].filter((s) => s !== '').join(' ');
  return { title, detail, warnings: f.warnings.map((w) => exposureWarningText(w, f)) };
}

function exposureWarningText(w: ExposureWarning, f: ExposedNodeFacts): string {
  switch (w.code) {
    case 'node-cpus-unknown': return `the log does not say which CPUs node ${f.node} has, so the CPU is named only as the node's lowest ${f.placement.eligible} CPU`;
    case 'cpu-inferred': return `CPU ${f.cpu} is placed on node ${f.node} by inference: x86 never lists the boot CPU in its "node #N, CPUs:" lines`;
    case 'hop-unknown': return `${f.placement.mechanism}`;
    case 'release-unknown': return 'the kernel release is unknown (no "Linux version" line): the behaviour of current kernels is assumed';
    case 'isolated-cpus': return 'isolcpus=/nohz_full= on the command line: pci_call_probe() chooses among housekeeping CPUs, which this estimate takes from the topology only';
    case 'some-costs-unknown': return `probe durations are known for ${w.known} of the ${f.devices} devices`;
  }
}

/** How the log ties these functions to their node: their root bridges and bus ranges, and the node's CPUs. */
export function nodeEvidenceText(functions: PciFunction[], platform: PlatformFacts): string {
  const roots = [...new Set(functions.map((f) => f.rootBus).filter((r): r is string => r !== null))];
  const parts = roots.map((key) => {
    const r = platform.rootBuses.find((b) => `${b.domain}:${b.first.toString(16).padStart(2, '0')}` === key)!;
    const range = r.first === r.last ? r.first.toString(16).padStart(2, '0') : `${r.first.toString(16).padStart(2, '0')}-${r.last.toString(16).padStart(2, '0')}`;
    const names = functions.filter((f) => f.rootBus === key).map((f) => f.device.slice(5));
    return `${r.bridge ? `root bridge ${r.bridge} ` : 'root bus '}[bus ${range}] holds ${names.join(', ')}`;
  });
  const cpus = platform.nodeCpus.find((n) => n.node === functions[0]!.node);
  const cpuText = cpus ? `; its CPUs ${formatCpuListShort(cpus.cpus)}` : '';
  return `${parts.join('; ')}${cpuText}`;
}

export interface NotExposedGroup {
  driver: string;
  node: NodeId;
  devices: number;
}

export interface NotExposedFacts {
  /** Groups probed synchronously on this release, with why per driver. */
  sync: NotExposedGroup[];
  syncWhy: ReadonlyMap<string, string>;
  /** Groups of drivers whose async behaviour is not known here. */
  unknown: NotExposedGroup[];
  /** The parameter that would make the unknown drivers async on this release. */
  asyncParam: string;
  measureWith: string;
  /** How many groups are named (the rest are counted). */
  shown: number;
}

export function notExposedWords(f: NotExposedFacts): { title: string; detail: string } {
  const total = f.sync.length + f.unknown.length;
  const describe = (g: NotExposedGroup) => `${g.devices} ${g.driver} on node ${g.node}`;
  const unknownDrivers = [...new Set(f.unknown.map((g) => g.driver))].sort();
  const parts: string[] = [];
  if (f.sync.length > 0) {
    const reasons = [...new Set(f.sync.map((g) => g.driver))].map((d) => `${d}: ${f.syncWhy.get(d)}`).join('; ');
    parts.push(`Probed synchronously on this release (${reasons}): the caller probes one device after another, so each body still goes to its node's lowest CPU but never queues behind another; a vendor kernel may have backported asynchronous probing.`);
  }
  if (f.unknown.length > 0) {
    parts.push(`Whether this release probes ${unknownDrivers.join(', ')} asynchronously is not known here (synchronous unless the driver sets PROBE_PREFER_ASYNCHRONOUS); probed asynchronously (${f.asyncParam}), the bodies of each group would all go to their node's lowest CPU.`);
  }
  parts.push(`To see what they cost, boot with ${f.measureWith}.`);
  const syncText = f.sync.length > 0 ? `probed synchronously: ${f.sync.slice(0, f.shown).map(describe).join(', ')}` : '';
  const unknownText = f.unknown.length > 0 ? `exposed only if probed asynchronously: ${f.unknown.slice(0, Math.max(1, f.shown - f.sync.length)).map(describe).join(', ')}` : '';
  const more = total > f.shown ? ` (and ${total - f.shown} more groups)` : '';
  return {
    title: `Not exposed as this kernel probes them — ${[syncText, unknownText].filter((t) => t !== '').join('; ')}${more}.`,
    detail: parts.join(' '),
  };
}

function ms(v: number): string {
  return (v / 1e6).toFixed(1);
}
