// Runs one workload under several policies and summarizes each run (probe window, mean/max probe cost,
// CPUs used), and shapes the versioned `trace-probe.sim/2` JSON contract (docs/simulator.md).

import { detectFindings } from '../findings/index.js';
import type { Boot, InputInfo } from '../model/types.js';
import type { KernelProfile } from './kernel-profile.js';
import type { Machine } from './machine.js';
import type { PolicyName } from './policies.js';
import { type CostParts, costParts } from './cost-parts.js';
import { type CreationCount, simulateCounted } from './simulate.js';
import type { TraceCalibration } from './trace-calibration.js';
import type { BackgroundSummary, LatencySummary, PoolSeeds } from './replay-inputs.js';
import type { Workload } from './workload.js';

export interface SimRun {
  policy: PolicyName;
  boot: Boot;
  /** Earliest probe start to latest probe end. */
  windowNs: number;
  meanProbeNs: number;
  maxProbeNs: number;
  /** CPUs that ran a probe body, ascending. */
  probeCpus: number[];
  /** With sampled latencies: the seeded replays run, and the spread of their figures (the run shown is the median one). */
  replicas?: Replicas;
  /** Set when the self-check of the boot failed or could not be made (sim/self-check.ts). */
  confidence?: { level: 'checked' | 'low' | 'unchecked'; reason: string };
  /** The worker creations the shown replay needed, per pool role (`observed`: how many reused a measured one). */
  creations?: CreationCount[];
  /** True when this run replayed the observed policy with the boot's measured creations, event by event. */
  replayObserved?: boolean;
  /** What the prediction could not take from the trace (sim/what-if-caveats.ts). */
  caveats?: string[];
  /** Where the shown replay's mean probe cost goes (sim/cost-parts.ts). */
  parts?: CostParts | null;
}

export interface RunOptions {
  /** The policy the boot ran, on its own machine and workload: reuse the trace's creations per pool (simulate.ts). */
  replayObserved?: boolean;
  /** The boot's own workload and machine: events before its first probe entry are replayed as measured (simulate.ts). */
  replayPrefix?: boolean;
}

export interface PoliciesOptions {
  /** The policy the boot ran (its run replays the boot's creations), when the runs are on the boot's own machine and workload. */
  observedPolicy?: string | null;
  /** The runs are on the boot's own machine and workload (no what-if): replay the policy-independent prefix. */
  ownBoot?: boolean;
}

export interface Replicas {
  count: number;
  /** The seed of the replay shown. */
  seed: number;
  seeds: number[];
  meanProbeNs: [number, number];
  windowNs: [number, number];
}

/** Seeded replays per policy when latencies are sampled (the shown one is the median by mean probe cost). */
export const REPLICAS = 7;
/** Above this many probes a single replay is run (the spread of a large workload is small, the cost is not). */
const REPLICA_PROBE_LIMIT = 2000;

export function runPolicies(workload: Workload, machine: Machine, policies: PolicyName[], profile: KernelProfile, inputs: InputInfo[], options: PoliciesOptions = {}): SimRun[] {
  const own = options.ownBoot === true;
  return policies.map((policy) => runPolicy(workload, machine, policy, profile, inputs, { replayObserved: own && policy === options.observedPolicy, replayPrefix: own }));
}

/**
 * One policy: a single deterministic replay, or, when the workload samples measured latencies, REPLICAS seeded
 * replays (seeds seed, seed+1, ...) of which the one with the median mean probe cost is shown, with the spread.
 */
export function runPolicy(workload: Workload, machine: Machine, policy: PolicyName, profile: KernelProfile, inputs: InputInfo[], options: RunOptions = {}): SimRun {
  const lat = workload.latencies;
  const replayObserved = options.replayObserved === true && lat?.observedCreate !== undefined;
  const replayPrefix = options.replayPrefix === true && lat?.prefixEndNs !== undefined;
  const sampled = lat !== undefined && (lat.wakeNs.length > 0 || lat.create.length > 0);
  const count = sampled && workload.probes.length <= REPLICA_PROBE_LIMIT ? REPLICAS : 1;
  const runs: Array<{ seed: number; boot: Boot; creations: CreationCount[]; metrics: ReturnType<typeof probeMetrics> }> = [];
  for (let k = 0; k < count; k++) {
    const seed = (lat?.seed ?? 0) + k;
    const w = sampled ? { ...workload, latencies: { ...lat!, seed } } : workload;
    const { boot, creations } = simulateCounted(w, machine, policy, { profile, inputs, replayObserved, replayPrefix });
    runs.push({ seed, boot, creations, metrics: probeMetrics(boot) });
  }
  const order = [...runs].sort((a, b) => a.metrics.meanProbeNs - b.metrics.meanProbeNs || a.seed - b.seed);
  const shown = order[Math.floor((order.length - 1) / 2)]!;
  shown.boot.findings = [...detectFindings(shown.boot), ...shown.boot.findings];
  const run: SimRun = { policy, boot: shown.boot, ...shown.metrics, creations: shown.creations, ...(replayObserved ? { replayObserved } : {}), parts: costParts(shown.boot.probes) };
  if (sampled) {
    const means = runs.map((r) => r.metrics.meanProbeNs);
    const windows = runs.map((r) => r.metrics.windowNs);
    run.replicas = { count, seed: shown.seed, seeds: runs.map((r) => r.seed), meanProbeNs: [Math.min(...means), Math.max(...means)], windowNs: [Math.min(...windows), Math.max(...windows)] };
  }
  return run;
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
  /** The pools seeded from the trace's kworker census (issue 16 item 2), when there was a trace. */
  pools?: PoolSeeds | null;
  /** Other threads' CPU occupancy replayed as background load (item 3). */
  background?: BackgroundSummary | null;
  /** The sampled latency distributions and the PRNG seed (item 4). */
  latencies?: LatencySummary | null;
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
