// The replay set-up `simulate` and `report --simulate` share: the observed workload calibrated from the
// boot's own trace (sim/read-trace-calibration.ts, sim/replay-inputs.ts): async probes arriving when queued,
// the pools as they were at the first probe's queueing, the other threads' CPU occupancy as background load,
// and measured latency distributions (woken-worker start, worker creation) sampled with a fixed seed; and the
// kernel profile built from it, so both commands replay one boot the same way and print the same numbers.

import type { Boot } from '../model/types.js';
import { kernelProfile, type KernelProfile, type ProfileOverrides } from './kernel-profile.js';
import { machineFromTopology, type Machine } from './machine.js';
import { type CollectedTrace, probeWindow, readTraceCalibration } from './read-trace-calibration.js';
import { backgroundLoad, type BackgroundSummary, firstProbeEntry, type LatencySummary, poolsAtStart, type PoolSeeds, sampledLatencies } from './replay-inputs.js';
import { describeCalibration, type DerivedParameters } from './sim-runs.js';
import { arrivalsAtAsyncQueue, poolsAtProbeStart } from './trace-calibration.js';
import type { Workload } from './workload.js';
import type { SimTraceData } from './sim-trace-collector.js';

export interface ReplayOptions {
  hz?: number;
  cpuModel?: 'rr' | 'ps';
  /** The simulated kernel version (default: the boot's). */
  kernel?: string;
  /** A user-given worker-creation latency; when absent the one measured in the trace is used, if any. */
  workerCreateNs?: number;
  /** What the ingest pass collected for the simulator (loadBootForSimulation); absent: the trace files are read again. */
  collected?: CollectedTrace | null;
}

export interface CalibratedReplay {
  workload: Workload;
  profile: KernelProfile;
  /** What was taken from the trace, and why anything was not (for the printed machine and the JSON). */
  derived: DerivedParameters;
  /** The trace's collected figures on the Boot's clock (null without a usable trace): the self-check's evidence. */
  trace: SimTraceData | null;
}

export interface ReplayExtras {
  pools: PoolSeeds | null;
  background: BackgroundSummary | null;
  latencies: LatencySummary | null;
}

export async function calibratedReplay(boot: Boot, observed: Workload, options: ReplayOptions = {}): Promise<CalibratedReplay> {
  const { calibration, notes, trace } = await readTraceCalibration(boot, observed, options.collected ?? null);
  const overrides: ProfileOverrides = {};
  if (options.hz !== undefined) overrides.hz = options.hz;
  if (options.cpuModel !== undefined) overrides.cpuModel = options.cpuModel;
  if (options.kernel !== undefined) overrides.version = options.kernel;
  if (options.workerCreateNs !== undefined) overrides.workerCreateLatencyNs = options.workerCreateNs;
  else if (calibration.workerCreation !== null) {
    overrides.workerCreateCpuNs = calibration.workerCreation.cpuMedianNs;
    overrides.workerCreateLatencyNs = calibration.workerCreation.cpuMedianNs + calibration.workerCreation.waitMedianNs;
    overrides.workerCreateSource = 'trace';
  }
  let workload = arrivalsAtAsyncQueue(observed, calibration);
  const extras: ReplayExtras = { pools: null, background: null, latencies: null };
  if (trace !== null) {
    const bootProfile = kernelProfile(boot.kernel.release);
    const bootMachine = bootMachineOf(boot);
    const pools = poolsAtStart(trace, workload, bootMachine, bootProfile);
    const background = backgroundLoad(trace, boot, workload);
    // The latencies of the probe window, from the first probe's queueing (async items included) to the last end.
    const observedWindow = probeWindow(boot, workload);
    const window = observedWindow === null ? null : { startNs: Math.min(observedWindow.startNs, pools.atNs), endNs: observedWindow.endNs };
    const { latencies, summary } = sampledLatencies(trace, calibration, window, options.workerCreateNs === undefined, bootMachine, bootProfile,
      firstProbeEntry(boot, workload));
    extras.pools = pools;
    extras.background = background?.summary ?? null;
    extras.latencies = summary;
    workload = { ...workload, seeds: pools.seeds, latencies };
    if (background !== null) workload.background = background.loads;
    else notes.push('the trace has no sched_switch events: no background load replayed');
  } else {
    workload = poolsAtProbeStart(workload, calibration);
  }
  return {
    workload,
    profile: kernelProfile(boot.kernel.release, overrides),
    derived: { ...describeCalibration(calibration, notes), ...extras },
    trace,
  };
}

/** The boot's own machine (for the pool roles and the self-check), or null without a topology. */
export function bootMachineOf(boot: Boot): Machine | null {
  if (boot.topology.cpus.length === 0) return null;
  try {
    return machineFromTopology(boot.topology, `the boot's topology (${boot.topology.source?.file ?? 'inputs'})`);
  } catch {
    return null;
  }
}
