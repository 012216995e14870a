// Exposure from a plain kernel log: which PCI devices this kernel release would probe through
// pci_call_probe()'s hop to one CPU per node while several of their probes are in flight, i.e. where
// bound-queue serialization can happen, even when the log has no probe timing at all. Works from the
// machine the log describes (model/platform.ts: nodes, CPU → node, root buses, PCI functions and their
// drivers), the release (kernel-release-facts.ts) and the command line (async probing parameters).
//
// A node is exposed when at least two PCI functions on it are bound by drivers this release probes
// asynchronously, one async entry per device (5.1+), and the release hands every probe body to the
// node's lowest (housekeeping) CPU (4.13+; 7.0+ through "sync_wq"). Their bodies then queue on one bound
// per-CPU pool. With probe durations in the log (initcall_debug probe lines), the finding estimates the
// cost: the bodies one after another on that CPU against the same bodies spread over the node's CPUs.
// Groups the input already measured (a probe with a known executing CPU) are left to
// bound-queue-serialization. Devices whose driver's async behaviour is unknown here are listed in one
// info finding with the parameter that would make them async.

import type { KernelVersion } from '../model/kernel-info.js';
import { kernelVersionOf } from '../model/kernel-info.js';
import { formatCpuListShort } from '../core/cpu-list.js';
import type { PciFunction, PlatformFacts } from '../model/platform.js';
import type { Boot, Cpu, NodeId, ProbeSpan, SourceRef, BoundQueueExposureFinding, ExposedNodeData } from '../model/types.js';
import { ns } from '../model/types.js';
import { executingCpu, isCompletedProbe } from './data-level.js';
import { asyncVerdict, perDeviceAsync, pciProbePlacement, probeTimingParams, type AsyncVerdict } from '../model/kernel-release-facts.js';
import { housekeepingCpusOfNode } from './node-cpus.js';
import { parallelSpanNs } from './parallel-span.js';

export const BOUND_QUEUE_EXPOSURE = 'bound-queue-exposure' as const;

/** Trace events that show which worker and CPU ran each probe body (formats §8). */
export const PLACEMENT_TRACE_PARAMS = 'trace_event=workqueue:*,sched:sched_switch,sched:sched_wakeup trace_clock=global';

/** PCIe port services: bridges, probed during the bus scan; not endpoints whose probes matter here. */
const IGNORED_DRIVERS: ReadonlySet<string> = new Set(['pcieport']);

interface NodeGroup {
  node: NodeId;
  functions: PciFunction[];
  verdicts: Map<string, AsyncVerdict>;
}

export function detectProbeExposure(boot: Boot): BoundQueueExposureFinding[] {
  const platform = boot.platform;
  if (!platform || platform.pciFunctions.length === 0) return [];
  const v = kernelVersionOf(boot.kernel.release);
  const placement = pciProbePlacement(v);
  const measured = measuredDevices(boot.probes);

  const asyncByNode = new Map<number, NodeGroup>();
  const unknownByDriver = new Map<string, PciFunction[]>();
  const syncByDriver = new Map<string, { functions: PciFunction[]; why: string }>();
  for (const f of platform.pciFunctions) {
    if (f.driver === null || IGNORED_DRIVERS.has(f.driver) || f.node === null || measured.has(f.device)) continue;
    const verdict = asyncVerdict(f.driver, v, boot.kernel.cmdline);
    if (verdict.async === true) {
      let group = asyncByNode.get(f.node);
      if (!group) asyncByNode.set(f.node, (group = { node: f.node, functions: [], verdicts: new Map() }));
      group.functions.push(f);
      group.verdicts.set(f.driver, verdict);
    } else if (verdict.async === null) {
      const list = unknownByDriver.get(f.driver);
      if (list) list.push(f);
      else unknownByDriver.set(f.driver, [f]);
    } else {
      const known = syncByDriver.get(f.driver);
      if (known) known.functions.push(f);
      else syncByDriver.set(f.driver, { functions: [f], why: verdict.why });
    }
  }

  const findings: BoundQueueExposureFinding[] = [];
  if (placement.hop !== 'off-node-only' && perDeviceAsync(v)) {
    for (const group of [...asyncByNode.values()].sort((a, b) => a.node - b.node)) {
      if (group.functions.length < 2) continue;
      findings.push(exposureFinding(boot, platform, group, v));
    }
  }
  const unknown = unknownGroups(unknownByDriver);
  const sync = unknownGroups(new Map([...syncByDriver].map(([d, g]) => [d, g.functions])));
  if ((unknown.length > 0 || sync.length > 0) && placement.hop !== 'off-node-only') {
    findings.push(notExposedFinding(unknown, sync, new Map([...syncByDriver].map(([d, g]) => [d, g.why])), v, measureParams(v, boot.kernel.release, boot.kernel.banner)));
  }
  return findings;
}

/** Devices the input already placed on a CPU (trace or instrumentation line): the measured findings cover them. */
function measuredDevices(probes: readonly ProbeSpan[]): Set<string> {
  return new Set(probes.filter((p) => executingCpu(p) !== null).map((p) => p.device.toLowerCase()));
}

function exposureFinding(boot: Boot, platform: PlatformFacts, group: NodeGroup, v: KernelVersion | null): BoundQueueExposureFinding {
  const placement = pciProbePlacement(v);
  const node = group.node;
  const cpus = housekeepingCpusOfNode(boot.topology, node);
  const target: Cpu | null = cpus[0] ?? null;
  const inferredCpu = target !== null && platform.nodeCpus.some((n) => n.node === node && n.inferred.includes(target));
  const drivers = [...new Set(group.functions.map((f) => f.driver!))].sort();
  const counts = drivers.map((d) => `${group.functions.filter((f) => f.driver === d).length} ${d}`);
  const devices = group.functions.map((f) => f.device);
  const where = target === null ? `the first ${placement.eligible} CPU of node ${node}` : `CPU ${target}`;
  const warnings: string[] = [];
  if (target === null) warnings.push(`the log does not say which CPUs node ${node} has, so the CPU is named only as the node's lowest ${placement.eligible} CPU`);
  if (inferredCpu) warnings.push(`CPU ${target} is placed on node ${node} by inference: x86 never lists the boot CPU in its "node #N, CPUs:" lines`);
  if (placement.hop === 'unknown') warnings.push(`${placement.mechanism}`);
  if (v === null) warnings.push('the kernel release is unknown (no "Linux version" line): the behaviour of current kernels is assumed');
  if (boot.topology.isolated.length > 0 || /\b(?:isolcpus|nohz_full)=/.test(boot.kernel.cmdline ?? '')) {
    warnings.push('isolcpus=/nohz_full= on the command line: pci_call_probe() chooses among housekeeping CPUs, which this estimate takes from the topology only');
  }

  // Costs, when the log has probe durations for these devices.
  const costs = costsOf(boot.probes, new Set(devices));
  let lostNs: number | null = null;
  let estimate = '';
  const data: ExposedNodeData = {
    node,
    cpu: target,
    cpuInferred: inferredCpu,
    nodeCpus: cpus.length,
    devices,
    drivers,
    async: Object.fromEntries([...group.verdicts].map(([d, verdict]) => [d, verdict.why])),
    mechanism: placement.mechanism,
    release: boot.kernel.release,
    measureWith: measureParams(v, boot.kernel.release, boot.kernel.banner),
    costsNs: null,
  };
  if (costs.length >= 2) {
    const serial = costs.reduce((s, c) => s + c, 0);
    const spread = parallelSpanNs(costs.map((costNs) => ({ readyNs: 0, costNs })), Math.max(1, cpus.length || costs.length));
    lostNs = Math.max(0, serial - spread);
    data.costsNs = costs;
    data.serialNs = serial;
    data.spreadNs = spread;
    estimate = ` Their probes took ${ms(serial)} ms in all (probe lines): one at a time on ${where} that is about ${ms(lostNs)} ms more than spread over ${cpus.length > 0 ? `node ${node}'s ${cpus.length} CPUs` : 'one CPU each'} (an upper bound: a body that sleeps lets the next one run).`;
    if (costs.length < devices.length) warnings.push(`probe durations are known for ${costs.length} of the ${devices.length} devices`);
  }

  const title = costs.length >= 2
    ? `exposed: ${counts.join(' and ')} on node ${node} would run their probe bodies on ${where} one at a time; about ${ms(lostNs!)} ms lost against spreading them.`
    : `exposed: ${counts.join(' and ')} on node ${node} would run their probe bodies on ${where} one at a time; this log cannot show how long.`;
  const asyncWhy = [...group.verdicts].map(([d, verdict]) => `${d}: ${verdict.why}`).join('; ');
  const detail = [
    `On ${boot.kernel.release ? `Linux ${boot.kernel.release}` : 'this kernel'}, ${placement.mechanism} hands each probe body to the lowest ${placement.eligible} CPU of the device's node, ${where}.`,
    `These devices are probed asynchronously (${asyncWhy}), one async worker per device, so their probes are in flight together and the bodies queue on ${where}'s bound per-CPU pool, which runs one while it does not sleep.`,
    `Node ${node}: ${describeNodeEvidence(group.functions, platform)}.`,
    estimate.trim(),
    `To measure it on this kernel, boot with: ${measureParams(v, boot.kernel.release, boot.kernel.banner)}; then give trace-probe the kernel log (dmesg) and /sys/kernel/tracing/trace.`,
  ].filter((s) => s !== '').join(' ');

  return {
    kind: BOUND_QUEUE_EXPOSURE,
    severity: 'warning',
    title,
    detail,
    node,
    cpu: target,
    devices,
    drivers,
    lostNs: lostNs === null ? null : ns(Math.round(lostNs)),
    evidence: evidenceOf(group.functions, platform),
    warnings,
    data,
  };
}

function unknownGroups(byDriver: Map<string, PciFunction[]>): DriverGroup[] {
  const groups: DriverGroup[] = [];
  for (const [driver, functions] of byDriver) {
    const byNode = new Map<number, PciFunction[]>();
    for (const f of functions) byNode.set(f.node!, [...(byNode.get(f.node!) ?? []), f]);
    for (const [node, list] of byNode) if (list.length >= 2) groups.push({ driver, node: node as NodeId, functions: list });
  }
  return groups.sort((a, b) => b.functions.length - a.functions.length || a.node - b.node || (a.driver < b.driver ? -1 : 1));
}

const UNKNOWN_SHOWN = 8;

type DriverGroup = { driver: string; node: NodeId; functions: PciFunction[] };

function notExposedFinding(unknown: DriverGroup[], sync: DriverGroup[], syncWhy: Map<string, string>, v: KernelVersion | null, measure: string): BoundQueueExposureFinding {
  const shown = [...sync, ...unknown].slice(0, UNKNOWN_SHOWN);
  const total = sync.length + unknown.length;
  const describe = (g: DriverGroup) => `${g.functions.length} ${g.driver} on node ${g.node}`;
  const unknownDrivers = [...new Set(unknown.map((g) => g.driver))].sort();
  const asyncParam = v === null || v.major > 5 || (v.major === 5 && v.minor >= 4) ? `driver_async_probe=${unknownDrivers.join(',')}` : '<driver>.async_probe (modules)';
  const parts: string[] = [];
  if (sync.length > 0) {
    const reasons = [...new Set(sync.map((g) => g.driver))].map((d) => `${d}: ${syncWhy.get(d)}`).join('; ');
    parts.push(`Probed synchronously on this release (${reasons}): the caller probes one device after another, so each body still goes to its node's lowest CPU but never queues behind another; a vendor kernel may have backported asynchronous probing.`);
  }
  if (unknown.length > 0) {
    parts.push(`Whether this release probes ${unknownDrivers.join(', ')} asynchronously is not known here (synchronous unless the driver sets PROBE_PREFER_ASYNCHRONOUS); probed asynchronously (${asyncParam}), the bodies of each group would all go to their node's lowest CPU.`);
  }
  parts.push(`To see what they cost, boot with ${measure}.`);
  const syncText = sync.length > 0 ? `probed synchronously: ${sync.slice(0, UNKNOWN_SHOWN).map(describe).join(', ')}` : '';
  const unknownText = unknown.length > 0 ? `exposed only if probed asynchronously: ${unknown.slice(0, Math.max(1, UNKNOWN_SHOWN - sync.length)).map(describe).join(', ')}` : '';
  const more = total > UNKNOWN_SHOWN ? ` (and ${total - UNKNOWN_SHOWN} more groups)` : '';
  return {
    kind: BOUND_QUEUE_EXPOSURE,
    severity: 'info',
    title: `Not exposed as this kernel probes them — ${[syncText, unknownText].filter((t) => t !== '').join('; ')}${more}.`,
    detail: parts.join(' '),
    node: null,
    cpu: null,
    devices: shown.flatMap((g) => g.functions.map((f) => f.device)),
    drivers: [...new Set(shown.map((g) => g.driver))].sort(),
    lostNs: null,
    evidence: shown.flatMap((g) => g.functions.flatMap((f) => f.evidence.slice(0, 1))),
    warnings: [],
    data: {
      exposure: 'not-exposed',
      synchronous: sync.map((g) => ({ driver: g.driver, node: g.node, devices: g.functions.map((f) => f.device), why: syncWhy.get(g.driver) })),
      unknownAsync: unknown.map((g) => ({ driver: g.driver, node: g.node, devices: g.functions.map((f) => f.device) })),
      measureWith: measure,
    },
  };
}

/** The kernel parameters that measure probe placement on this release. */
export function measureParams(v: KernelVersion | null, release: string | null = null, banner: string | null = null): string {
  return `${probeTimingParams(v, release, banner)} ${PLACEMENT_TRACE_PARAMS}`;
}

function costsOf(probes: readonly ProbeSpan[], devices: ReadonlySet<string>): number[] {
  const byDevice = new Map<string, number>();
  for (const p of probes) {
    const d = p.device.toLowerCase();
    if (devices.has(d) && isCompletedProbe(p) && !byDevice.has(d)) byDevice.set(d, p.durationNs);
  }
  return [...byDevice.values()];
}

function describeNodeEvidence(functions: PciFunction[], platform: PlatformFacts): string {
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

function evidenceOf(functions: PciFunction[], platform: PlatformFacts): SourceRef[] {
  const refs: SourceRef[] = [];
  const seen = new Set<string>();
  const add = (r: SourceRef | null | undefined) => {
    if (!r) return;
    const key = `${r.file}:${r.line}`;
    if (!seen.has(key)) {
      seen.add(key);
      refs.push(r);
    }
  };
  add(platform.smpSource);
  add(platform.nodeCpusSource);
  for (const f of functions) for (const r of f.evidence) add(r);
  return refs.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

function ms(v: number): string {
  return (v / 1e6).toFixed(1);
}
