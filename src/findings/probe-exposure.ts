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
import type { PciFunction, PlatformFacts } from '../model/platform.js';
import type { Boot, Cpu, NodeId, ProbeSpan, SourceRef, BoundQueueExposureFinding, ExposedNodeData } from '../model/types.js';
import { ns } from '../model/types.js';
import { executingCpu, isCompletedProbe } from './data-level.js';
import { asyncVerdict, perDeviceAsync, pciProbePlacement, probeTimingParams, type AsyncVerdict } from '../model/kernel-release-facts.js';
import { housekeepingCpusOfNode } from './node-cpus.js';
import { parallelSpanNs } from './parallel-span.js';
import { exposedNodeWords, type ExposureWarning, nodeEvidenceText, notExposedWords } from './wording/probe-exposure.js';

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
  const devices = group.functions.map((f) => f.device);
  const warnings: ExposureWarning[] = [];
  if (target === null) warnings.push({ code: 'node-cpus-unknown' });
  if (inferredCpu) warnings.push({ code: 'cpu-inferred' });
  if (placement.hop === 'unknown') warnings.push({ code: 'hop-unknown' });
  if (v === null) warnings.push({ code: 'release-unknown' });
  if (boot.topology.isolated.length > 0 || /\b(?:isolcpus|nohz_full)=/.test(boot.kernel.cmdline ?? '')) warnings.push({ code: 'isolated-cpus' });

  // Costs, when the log has probe durations for these devices.
  const costs = costsOf(boot.probes, new Set(devices));
  let cost: { serialNs: number; lostNs: number } | null = null;
  const measureWith = measureParams(v, boot.kernel.release, boot.kernel.banner);
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
    measureWith,
    costsNs: null,
  };
  if (costs.length >= 2) {
    const serial = costs.reduce((s, c) => s + c, 0);
    const spread = parallelSpanNs(costs.map((costNs) => ({ readyNs: 0, costNs })), Math.max(1, cpus.length || costs.length));
    cost = { serialNs: serial, lostNs: Math.max(0, serial - spread) };
    data.costsNs = costs;
    data.serialNs = serial;
    data.spreadNs = spread;
    if (costs.length < devices.length) warnings.push({ code: 'some-costs-unknown', known: costs.length });
  }
  const words = exposedNodeWords({
    node, cpu: target, nodeCpus: cpus.length, devices: devices.length,
    counts: drivers.map((d) => `${group.functions.filter((f) => f.driver === d).length} ${d}`),
    asyncWhy: [...group.verdicts].map(([d, verdict]) => [d, verdict.why]),
    release: boot.kernel.release, placement, nodeEvidence: nodeEvidenceText(group.functions, platform), cost, measureWith, warnings,
  });

  return {
    kind: BOUND_QUEUE_EXPOSURE,
    severity: 'warning',
    title: words.title,
    detail: words.detail,
    node,
    cpu: target,
    devices,
    drivers,
    lostNs: cost === null ? null : ns(Math.round(cost.lostNs)),
    evidence: evidenceOf(group.functions, platform),
    warnings: words.warnings,
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
  const unknownDrivers = [...new Set(unknown.map((g) => g.driver))].sort();
  const asyncParam = v === null || v.major > 5 || (v.major === 5 && v.minor >= 4) ? `driver_async_probe=${unknownDrivers.join(',')}` : '<driver>.async_probe (modules)';
  const counted = (g: DriverGroup) => ({ driver: g.driver, node: g.node, devices: g.functions.length });
  const words = notExposedWords({ sync: sync.map(counted), syncWhy, unknown: unknown.map(counted), asyncParam, measureWith: measure, shown: UNKNOWN_SHOWN });
  return {
    kind: BOUND_QUEUE_EXPOSURE,
    severity: 'info',
    title: words.title,
    detail: words.detail,
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
