// The bottom line every output opens with: per NUMA node, the time the findings measured as lost and,
// when the boot has a trace to calibrate a replay from, what the fix would have gained there according to
// the simulator: the probes of each bound-queue-serialization finding replayed as the boot ran them
// (`work-on-cpu`) and with the v1 fix (`skip-in-worker`: the attaching async worker runs the probe body
// itself, docs/workqueue-model.md §6.2), on the same calibrated workload `simulate` uses. The gain is the
// difference of those probes' windows (first start to last end) between the two replays.
//
// `selfCheck` is the hook for the simulator's check of itself against the observed boot (issue 16): when
// a check is passed in, every renderer prints it beside the gain it qualifies.

import { BOUND_QUEUE_SERIALIZATION } from '../findings/bound-queue-serialization.js';
import { lossPerNode, type NodeLoss } from '../findings/node-loss.js';
import { TRACE_FORMATS, type Boot } from '../model/types.js';
import { calibratedReplay } from './calibrated-replay.js';
import type { CollectedTrace } from './read-trace-calibration.js';
import { MachineError, machineFromTopology } from './machine.js';
import type { PolicyName } from './policies.js';
import { runPolicies } from './sim-runs.js';
import { DEFAULT_CPU_FRACTION, DEFAULT_SEGMENTS, WorkloadError, workloadFromBoot } from './workload.js';

export const BASELINE_POLICY: PolicyName = 'work-on-cpu';
export const FIX_POLICY: PolicyName = 'skip-in-worker';

export interface FixGain {
  baselinePolicy: PolicyName;
  fixPolicy: PolicyName;
  /** The devices of the node's bound-queue-serialization findings. */
  devices: string[];
  /** Their probes' window, measured in the boot. */
  measuredNs: number | null;
  /** Their window replayed as the boot ran, and with the fix. */
  baselineNs: number;
  fixNs: number;
  gainNs: number;
}

/** The simulator's own check against the observed boot (filled in by the self-check when it exists). */
export interface SelfCheck {
  /** The policy the boot was detected to have run, replayed. */
  policy: string;
  observedNs: number;
  replayedNs: number;
  /** (replayed − observed) / observed, in percent. */
  errorPercent: number;
  /** What was compared, e.g. "mean nvme probe cost". */
  what: string;
}

export interface NodeBottomLine extends NodeLoss {
  simulated: FixGain | null;
}

export interface BottomLine {
  nodes: NodeBottomLine[];
  /** Why there is no simulated gain, when there is none (no trace, no topology, nothing the fix addresses). */
  simulationNote: string | null;
  selfCheck: SelfCheck | null;
}

export interface BottomLineOptions {
  /** false: the measured loss only (no replay). */
  simulate?: boolean;
  selfCheck?: SelfCheck | null;
  /** What the ingest pass collected for the simulator (loadBootForSimulation): the trace is not read again. */
  collected?: CollectedTrace | null;
}

export async function bottomLine(boot: Boot, options: BottomLineOptions = {}): Promise<BottomLine> {
  const nodes: NodeBottomLine[] = lossPerNode(boot).map((n) => ({ ...n, simulated: null }));
  const selfCheck = options.selfCheck ?? null;
  const serialized = boot.findings.filter((f) => f.kind === BOUND_QUEUE_SERIALIZATION && f.node !== null && f.devices.length > 0);
  if (serialized.length === 0) return { nodes, simulationNote: null, selfCheck };
  if (options.simulate === false) return { nodes, simulationNote: null, selfCheck };
  // A trace among the inputs, or (a Boot JSON) probes that carry what the trace measured.
  const traced = boot.inputs.some((i) => (TRACE_FORMATS as readonly string[]).includes(i.format)) ||
    boot.probes.some((p) => serialized.some((f) => f.devices.includes(p.device)) && p.onCpuNs !== null && p.sleepNs !== null);
  if (!traced) {
    return { nodes, simulationNote: 'no trace among the inputs: the gain of the fix is not simulated (give the trace to replay the boot)', selfCheck };
  }
  if (boot.topology.cpus.length === 0) return { nodes, simulationNote: 'no CPU topology among the inputs: the gain of the fix is not simulated', selfCheck };
  let runs;
  try {
    const machine = machineFromTopology(boot.topology, 'the boot\'s topology');
    const observed = workloadFromBoot(boot, { cpuFraction: DEFAULT_CPU_FRACTION, segments: DEFAULT_SEGMENTS });
    const { workload, profile } = await calibratedReplay(boot, observed, { collected: options.collected ?? null });
    runs = runPolicies(workload, machine, [BASELINE_POLICY, FIX_POLICY], profile, boot.inputs, { observedPolicy: selfCheck?.policy ?? null, ownBoot: true });
  } catch (err) {
    if (err instanceof MachineError || err instanceof WorkloadError) return { nodes, simulationNote: `the gain of the fix is not simulated: ${err.message}`, selfCheck };
    throw err;
  }
  const [baseline, fix] = runs;
  for (const node of nodes) {
    const devices = [...new Set(serialized.filter((f) => f.node === node.node).flatMap((f) => f.devices))];
    if (devices.length === 0) continue;
    const baselineNs = windowOf(baseline!.boot, devices);
    const fixNs = windowOf(fix!.boot, devices);
    if (baselineNs === null || fixNs === null) continue;
    node.simulated = {
      baselinePolicy: BASELINE_POLICY,
      fixPolicy: FIX_POLICY,
      devices,
      measuredNs: windowOf(boot, devices),
      baselineNs,
      fixNs,
      gainNs: baselineNs - fixNs,
    };
  }
  return { nodes, simulationNote: null, selfCheck };
}

/** First start to last end of the timed probes of `devices` (simulated copies `DEV#k` excluded). */
function windowOf(boot: Boot, devices: string[]): number | null {
  const wanted = new Set(devices);
  let start = Infinity;
  let end = -Infinity;
  for (const p of boot.probes) {
    if (!wanted.has(p.device) || p.startNs === null || p.endNs === null) continue;
    start = Math.min(start, p.startNs);
    end = Math.max(end, p.endNs);
  }
  return start <= end ? end - start : null;
}
