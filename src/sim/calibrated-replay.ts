// The replay set-up `simulate` and `report --simulate` share: the observed workload calibrated from the
// boot's own trace (worker pools at probe start, async probes arriving when queued, worker-creation latency;
// sim/trace-calibration.ts) and the
// kernel profile built from it, so both commands replay one boot the same way and print the same numbers.

import type { Boot } from '../model/types.js';
import { kernelProfile, type KernelProfile, type ProfileOverrides } from './kernel-profile.js';
import { readTraceCalibration } from './read-trace-calibration.js';
import { describeCalibration, type DerivedParameters } from './sim-runs.js';
import { arrivalsAtAsyncQueue, poolsAtProbeStart } from './trace-calibration.js';
import type { Workload } from './workload.js';

export interface ReplayOptions {
  hz?: number;
  cpuModel?: 'rr' | 'ps';
  /** The simulated kernel version (default: the boot's). */
  kernel?: string;
  /** A user-given worker-creation latency; when absent the one measured in the trace is used, if any. */
  workerCreateNs?: number;
}

export interface CalibratedReplay {
  workload: Workload;
  profile: KernelProfile;
  /** What was taken from the trace, and why anything was not (for the printed machine and the JSON). */
  derived: DerivedParameters;
}

export async function calibratedReplay(boot: Boot, observed: Workload, options: ReplayOptions = {}): Promise<CalibratedReplay> {
  const { calibration, notes } = await readTraceCalibration(boot, observed);
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
  return {
    workload: poolsAtProbeStart(arrivalsAtAsyncQueue(observed, calibration), calibration),
    profile: kernelProfile(boot.kernel.release, overrides),
    derived: describeCalibration(calibration, notes),
  };
}
