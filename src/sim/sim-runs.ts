// Runs one workload under several policies and summarizes each run (probe window, mean/max probe cost,
// CPUs used), and shapes the versioned `trace-probe.sim/1` JSON contract (README "Simulator").

import { detectFindings } from '../findings/index.js';
import type { Boot, InputInfo } from '../model/types.js';
import type { KernelProfile } from './kernel-profile.js';
import { formatCpuList } from '../core/cpu-list.js';
import type { Machine } from './machine.js';
import type { PolicyName } from './policies.js';
import { buildPods } from './worker-pools.js';
import { simulate } from './simulate.js';
import type { TraceCalibration } from './trace-calibration.js';
import type { Workload } from './workload.js';

export const SIM_SCHEMA = 'trace-probe.sim/1' as const;

export interface SimRun {
  policy: PolicyName;
  boot: Boot;
  /** Earliest probe start to latest probe end. */
  windowNs: number;
  meanProbeNs: number;
  maxProbeNs: number;
  /** CPUs that ran a probe body, ascending. */
  probeCpus: number[];
}

export function runPolicies(workload: Workload, machine: Machine, policies: PolicyName[], profile: KernelProfile, inputs: InputInfo[]): SimRun[] {
  return policies.map((policy) => {
    const boot = simulate(workload, machine, policy, { profile, inputs });
    boot.findings = detectFindings(boot);
    return { policy, boot, ...probeMetrics(boot) };
  });
}

/** Window, mean and max cost, and body CPUs of a Boot's probes (real or simulated). */
export function probeMetrics(boot: Boot): Omit<SimRun, 'policy' | 'boot'> {
  const probes = boot.probes;
  const starts = probes.map((p) => p.startNs).filter((v): v is NonNullable<typeof v> => v !== null);
  const ends = probes.map((p) => p.endNs).filter((v): v is NonNullable<typeof v> => v !== null);
  const windowNs = starts.length > 0 && ends.length > 0 ? Math.max(...ends) - Math.min(...starts) : 0;
  const costs = probes.map((p) => p.durationNs as number);
  const meanProbeNs = costs.length > 0 ? Math.round(costs.reduce((a, b) => a + b, 0) / costs.length) : 0;
  const maxProbeNs = costs.length > 0 ? Math.max(...costs) : 0;
  const probeCpus = [...new Set(probes.map((p) => p.cpu).filter((c): c is NonNullable<typeof c> => c !== null).map(Number))].sort((a, b) => a - b);
  return { windowNs, meanProbeNs, maxProbeNs, probeCpus };
}

type WorkerCreation = NonNullable<TraceCalibration['workerCreation']>;

/** What the input's trace says about the machine (sim/trace-calibration.ts), for printing and for the JSON. */
export interface DerivedParameters {
  /** The calibration's figures; `samples` is their count, `workers` lists them (probe-window samples only). */
  workerCreation: (Omit<WorkerCreation, 'samples'> & {
    samples: number;
    /** Each sample: the new kworker, its sched_wakeup_new line, manager start (or request) → started. */
    workers: Array<{ comm: string; pid: number; latencyNs: number; line: number }>;
  }) | null;
  notes: string[];
}

export function describeCalibration(calibration: TraceCalibration, notes: string[]): DerivedParameters {
  const wc = calibration.workerCreation;
  return {
    workerCreation: wc === null ? null : {
      ...wc,
      samples: wc.samples.length,
      workers: wc.scope === 'probe window' ? wc.samples.map((s) => ({ comm: s.comm, pid: s.pid, latencyNs: s.latencyNs, line: s.source.line })) : [],
    },
    notes,
  };
}

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

export function simJson(workload: Workload, machine: Machine, profile: KernelProfile, runs: SimRun[], derived: DerivedParameters | null = null) {
  return {
    schema: SIM_SCHEMA,
    workload: describeWorkload(workload),
    machine: describeMachine(machine, profile, derived),
    runs: runs.map((r) => ({ policy: r.policy, boot: r.boot, windowNs: r.windowNs, meanProbeNs: r.meanProbeNs, maxProbeNs: r.maxProbeNs, probeCpus: r.probeCpus })),
  };
}
