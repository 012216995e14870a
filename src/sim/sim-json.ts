// The `simulate --json` document (trace-probe.sim/2, docs/json-schemas.md): the self-check, the workload, the
// machine as the simulator sees it and every policy's run.

import { formatCpuList } from '../core/cpu-list.js';
import type { KernelProfile } from './kernel-profile.js';
import type { Machine } from './machine.js';
import type { SelfCheck } from './self-check.js';
import type { DerivedParameters, SimRun } from './sim-runs.js';
import { buildPods } from './worker-pools.js';
import type { Workload } from './workload.js';

export const SIM_SCHEMA = 'trace-probe.sim/2' as const;

/** What the machine looks like to the simulator, for printing and for the JSON. */
export function describeMachine(machine: Machine, profile: KernelProfile, derived: DerivedParameters | null = null) {
  const pods = buildPods(machine, profile);
  return {
    description: machine.description,
    cpus: machine.cpus.length,
    online: formatCpuList(machine.cpus.filter((c) => c.online).map((c) => c.cpu)),
    isolated: formatCpuList(machine.cpus.filter((c) => !c.housekeeping).map((c) => c.cpu)),
    nodes: machine.nodes.map((n) => ({ node: n, cpus: formatCpuList(machine.cpus.filter((c) => c.node === n && c.online).map((c) => c.cpu)) })),
    unboundScope: pods.scope,
    unboundPods: pods.pods.length,
    kernel: profile,
    derived,
  };
}

export function describeWorkload(workload: Workload) {
  return {
    inputs: workload.inputs,
    probes: workload.probes.map((p) => ({
      device: p.device, driver: p.driver, node: p.node, arrivalNs: p.arrivalNs, arrivalFrom: p.arrivalFrom, async: p.async, asyncReason: p.asyncReason,
      cpuNs: p.cpuNs, sleepNs: p.sleepNs, attachNs: p.attachNs, derivedFrom: p.derivedFrom, segments: p.program.length,
    })),
    cpuFraction: workload.cpuFraction,
    segmentsPerProbe: workload.segmentsPerProbe,
    notes: workload.notes,
  };
}

export function simJson(workload: Workload, machine: Machine, profile: KernelProfile, runs: SimRun[], derived: DerivedParameters | null = null, calibration: SelfCheck | null = null) {
  return {
    schema: SIM_SCHEMA,
    calibration,
    workload: describeWorkload(workload),
    machine: describeMachine(machine, profile, derived),
    runs: runs.map((r) => ({ policy: r.policy, boot: r.boot, windowNs: r.windowNs, meanProbeNs: r.meanProbeNs, maxProbeNs: r.maxProbeNs, probeCpus: r.probeCpus, ...(r.replicas ? { replicas: r.replicas } : {}), ...(r.confidence ? { confidence: r.confidence } : {}),
      ...(r.creations ? { creations: r.creations } : {}), ...(r.replayObserved ? { replayObserved: true } : {}), ...(r.caveats && r.caveats.length > 0 ? { caveats: r.caveats } : {}),
      ...(r.parts ? { parts: r.parts } : {}) })),
  };
}
