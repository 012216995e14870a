// `trace-probe simulate INPUTS --policy P[,P...]`: replays the boot's probes under workqueue policies and
// what-ifs (scaled device count, another topology, isolated CPUs, moved devices) and prints the machine,
// the workload and one row per policy, or the `trace-probe.sim/2` JSON.

import type { Command } from 'commander';
import { loadBoot } from '../pipeline/load-boot.js';
import { loadBootForSimulation } from '../pipeline/load-boot-for-simulation.js';
import type { Boot } from '../model/types.js';
import { renderSimulation } from '../render/sim-text.js';
import { calibratedReplay, type ReplayOptions } from '../sim/calibrated-replay.js';
import { confidenceOf, selfCheckOfBoot } from '../sim/self-check.js';
import { samplingCaveats } from '../sim/what-if-caveats.js';
import { type Machine, MachineError, machineFromSpec, machineFromTopology, parseCpuListOption, withIsolatedCpus } from '../sim/machine.js';
import { isPolicyName, POLICY_NAMES, type PolicyName } from '../sim/policies.js';
import { describeMachine, describeWorkload, simJson } from '../sim/sim-json.js';
import { runPolicies } from '../sim/sim-runs.js';
import { DEFAULT_CPU_FRACTION, DEFAULT_SEGMENTS, type Workload, WorkloadError, workloadFromBoot } from '../sim/workload.js';
import { UsageError } from './usage-error.js';
import { PERFETTO_OPTION, writePerfettoTrace } from './perfetto-output.js';
import { refuseDirectory } from './report.js';
import { addDriversOption, focusOn } from './drivers-option.js';
import { collectList } from './list-option.js';

interface SimulateOptions {
  policy: string[];
  json?: boolean;
  cpuFraction: string;
  segments: string;
  devices?: string;
  topology?: string;
  isolcpus?: string;
  nodeOf: string[];
  drivers?: string[];
  driver?: string[];
  kernel?: string;
  hz?: string;
  workerCreateUs?: string;
  cpuModel: string;
  perfetto?: string;
}

export function registerSimulate(program: Command): void {
  const command = program
    .command('simulate')
    .description('replay the probes of a boot under workqueue policies (discrete-event simulation) and compare probe window and cost')
    .argument('<inputs...>', 'files and capture directories of one boot, or a Boot JSON (analyze --json)')
    .option('--policy <names>', `policies, comma-separated: ${POLICY_NAMES.join(', ')}`, collectList, [])
    .option('--json', 'print the trace-probe.sim/2 JSON (workload, machine, one simulated Boot per policy)')
    .option('--cpu-fraction <f>', 'on-CPU fraction of a probe without scheduler data (0 < f ≤ 1)', String(DEFAULT_CPU_FRACTION))
    .option('--segments <k>', 'cpu/sleep pairs each probe program is split into', String(DEFAULT_SEGMENTS))
    .option('--devices <n>', 'what-if: scale the workload to N probes by repeating its probes')
    .option('--topology <file|NxC>', 'what-if: another machine (lscpu -p / cpulist file, or NxC such as 2x64)')
    .option('--isolcpus <list>', 'what-if: isolate these CPUs (out of the housekeeping mask), e.g. 0-3')
    .option('--node-of <device=node>', 'what-if: put DEVICE on NUMA node N ("*=N" for every device without a node); repeatable', collectRepeat, [])
    .option('--kernel <version>', 'kernel profile to simulate (e.g. 6.1, 6.12, 7.0); default: the boot\'s, else 6.12')
    .option('--hz <n>', 'CONFIG_HZ of the simulated kernel', '250')
    .option('--worker-create-us <us>', "time a pool manager takes to create a kworker (default: the median measured in the input's trace during the probes, else 100)")
    .option(...PERFETTO_OPTION)
    .option('--cpu-model <rr|ps>', 'CPU sharing: rr (round-robin, tick-rounded slice) or ps (processor sharing)', 'rr');
  addDriversOption(command, 'simulate')
    .action(async (inputs: string[], options: SimulateOptions) => {
      const policies = parsePolicies(options.policy);
      const cpuFraction = parseNumber('--cpu-fraction', options.cpuFraction, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
      const segments = parseNumber('--segments', options.segments, (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1');
      const devices = options.devices === undefined ? undefined : parseNumber('--devices', options.devices, (v) => Number.isInteger(v) && v >= 1 && v <= 1_000_000, 'a whole number from 1 to 1000000');
      const hz = parseNumber('--hz', options.hz ?? '250', (v) => [100, 250, 300, 1000].includes(v), 'one of 100, 250, 300, 1000');
      const createUs = options.workerCreateUs === undefined ? undefined
        : parseNumber('--worker-create-us', options.workerCreateUs, (v) => v >= 0 && v <= 10_000_000, 'a number of µs from 0 to 10000000');
      if (options.kernel !== undefined && !/^\d+\.\d+/.test(options.kernel)) throw new UsageError(`--kernel takes a version such as 6.1 or 6.12, not "${options.kernel}"`);
      if (options.cpuModel !== 'rr' && options.cpuModel !== 'ps') throw new UsageError(`--cpu-model takes rr or ps, not "${options.cpuModel}"`);
      const nodeOf = parseNodeOf(options.nodeOf);
      const isolated = options.isolcpus === undefined ? null : wrap(() => parseCpuListOption(options.isolcpus!));

      if (options.perfetto) await refuseDirectory('--perfetto', options.perfetto);
      const loaded = await loadBootForSimulation(inputs);
      const collected = loaded.collected;
      const { boot, drivers } = focusOn(loaded.boot, options);
      const machine = await buildMachine(boot, options.topology, isolated);
      const observed = wrap(() => workloadFromBoot(boot, { cpuFraction, segments, devices, nodeOf, drivers }));
      checkNodes(observed, machine);
      const replayOptions: ReplayOptions = {
        hz,
        cpuModel: options.cpuModel,
        collected,
        ...(options.kernel !== undefined ? { kernel: options.kernel } : {}),
        ...(createUs !== undefined ? { workerCreateNs: Math.round(createUs * 1000) } : {}),
      };
      const { workload, profile, derived } = await calibratedReplay(boot, observed, replayOptions);
      // The self-check: the boot replayed under the policy it ran, on its own machine and kernel, against what it measured.
      const check = await selfCheckOfBoot(boot, { cpuFraction, segments, drivers }, replayOptions);
      // On the boot's own machine and workload, every policy replays what happened before the boot's first probe entry
      // as measured, and the policy the boot ran replays its measured worker creations, as the self-check does; what-if
      // runs (another machine, kernel, device count or node) sample them.
      const whatIf = options.topology !== undefined || options.kernel !== undefined || devices !== undefined || nodeOf.size > 0 || isolated !== null;
      const runs = runPolicies(workload, machine, policies, profile, boot.inputs, { observedPolicy: check.policy, ownBoot: !whatIf });
      for (const r of runs) {
        r.confidence = confidenceOf(check);
        r.caveats = samplingCaveats(r, derived.latencies, check.policy);
      }
      // One file: the observed boot, then one process per policy run, all on the boot's clock.
      if (options.perfetto) {
        await writePerfettoTrace(options.perfetto, [{ label: 'observed', boot }, ...runs.map((r) => ({ label: `simulated: ${r.policy}`, boot: r.boot }))]);
      }
      if (options.json) process.stdout.write(JSON.stringify(simJson(workload, machine, profile, runs, derived, check), null, 2) + '\n');
      else process.stdout.write(renderSimulation(describeWorkload(workload), describeMachine(machine, profile, derived), runs, check));
    });
}

function parsePolicies(values: string[]): PolicyName[] {
  if (values.length === 0) throw new UsageError(`--policy is required (one or more of ${POLICY_NAMES.join(', ')})`);
  const out: PolicyName[] = [];
  for (const v of values) {
    if (!isPolicyName(v)) throw new UsageError(`unknown policy "${v}" (expected ${POLICY_NAMES.join(', ')})`);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

function parseNumber(flag: string, text: string, ok: (v: number) => boolean, what: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !ok(v)) throw new UsageError(`${flag} takes ${what}, not "${text}"`);
  return v;
}

function parseNodeOf(values: string[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const v of values) {
    const m = /^(.+)=(\d+)$/.exec(v.trim());
    if (!m) throw new UsageError(`--node-of takes DEVICE=N (e.g. 0000:01:00.0=1 or *=0), not "${v}"`);
    map.set(m[1]!, Number(m[2]));
  }
  return map;
}

async function buildMachine(boot: Boot, topology: string | undefined, isolated: number[] | null): Promise<Machine> {
  let machine: Machine;
  if (topology === undefined) {
    if (boot.topology.cpus.length === 0) throw new UsageError('the input has no CPU topology: give --topology FILE or NxC (e.g. 2x64)');
    machine = wrap(() => machineFromTopology(boot.topology, `the boot's topology (${boot.topology.source?.file ?? 'inputs'})`));
  } else if (/^\d+x\d+$/.test(topology.trim())) {
    machine = wrap(() => machineFromSpec(topology));
  } else {
    const topoBoot = await loadBoot([topology]);
    if (topoBoot.topology.cpus.length === 0) throw new UsageError(`--topology ${topology}: no CPUs in that file`);
    machine = wrap(() => machineFromTopology(topoBoot.topology, `topology of ${topology}`));
  }
  return isolated === null ? machine : wrap(() => withIsolatedCpus(machine, isolated));
}

function checkNodes(workload: Workload, machine: Machine): void {
  for (const p of workload.probes) {
    if (p.node !== null && !machine.nodes.includes(p.node)) {
      throw new UsageError(`device ${p.device} is on node ${p.node}, which has no online CPUs on this machine (nodes ${machine.nodes.join(', ')}); use --node-of or another --topology`);
    }
  }
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof MachineError || err instanceof WorkloadError) throw new UsageError(err.message);
    throw err;
  }
}

function collectRepeat(value: string, previous: string[]): string[] {
  return [...previous, value];
}
