// `trace-probe report INPUTS -o FILE [--simulate P,...]`: one self-contained HTML report of a boot
// (findings, probe timeline, per-node concurrency, slowest probes, initcalls, inputs and diagnostics)
// that opens from disk with no network; with --simulate, the measured boot and the boot replayed under
// each policy side by side (src/sim, default workload options, calibrated from the boot's trace as
// `simulate` does). `writeHtmlReport` is also what `analyze --html FILE` calls.

import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { sniffFile } from '../ingest/detect.js';
import { InputError } from '../ingest/input-error.js';
import { loadBoot } from '../pipeline/load-boot.js';
import type { Boot } from '../model/types.js';
import type { HtmlReportInput } from '../render/html/report.js';
import { bottomLine } from '../sim/bottom-line.js';
import { calibratedReplay } from '../sim/calibrated-replay.js';
import { loadBootForSimulation } from '../pipeline/load-boot-for-simulation.js';
import type { CollectedTrace } from '../sim/read-trace-calibration.js';
import { bottomLineCheck, type SelfCheck, selfCheckOfBoot } from '../sim/self-check.js';
import { type CostPartRow, runPartRows } from '../render/sim-text.js';
import { samplingCaveats } from '../sim/what-if-caveats.js';
import { MachineError, machineFromTopology } from '../sim/machine.js';
import { isPolicyName, POLICY_NAMES, type PolicyName } from '../sim/policies.js';
import { runPolicies } from '../sim/sim-runs.js';
import { DEFAULT_CPU_FRACTION, DEFAULT_SEGMENTS, WorkloadError, workloadFromBoot } from '../sim/workload.js';
import { collectList } from './list-option.js';
import { addDriversOption, checkDrivers, focusOn, requestedDrivers } from './drivers-option.js';
import { focusBoot } from '../model/driver-focus.js';
import { writeOutputFile } from './output-file.js';
import { UsageError } from './usage-error.js';

interface ReportOptions {
  output?: string;
  title?: string;
  simulate: string[];
  drivers?: string[];
  driver?: string[];
}

const GENERATED_BY = 'trace-probe 0.1.0';

/** Renders the report and writes it to `file` (creating its folder); returns the bytes written. */
export async function writeHtmlReport(file: string, input: HtmlReportInput): Promise<number> {
  // Loaded only when HTML is asked for: Vega and its dependencies take about half a second to load.
  const { renderHtmlReport } = await import('../render/html/report.js');
  const html = await renderHtmlReport({ generatedBy: GENERATED_BY, ...input });
  await writeOutputFile(file, html, 'the report');
  return Buffer.byteLength(html);
}

/** Refuses an output path that is a directory before any work is done (one line, exit 2). */
export async function refuseDirectory(flag: string, path: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) throw new UsageError(`${flag} takes a file to write, and ${path} is a directory`);
}

/** A title from the inputs: capture folder or file names. */
export function titleOf(inputs: string[], drivers: readonly string[] = []): string {
  return `trace-probe report: ${inputs.map((i) => basename(resolve(i))).join(', ')}${drivers.length > 0 ? ` (drivers ${drivers.join(', ')})` : ''}`;
}

export function registerReport(program: Command): void {
  const command = program
    .command('report')
    .description('write a self-contained HTML report (charts inlined, no network needed) of one boot')
    .argument('<inputs...>', 'files and capture directories of one boot (dmesg, trace, topology, ...), or a Boot JSON')
    .option('-o, --output <file>', 'the HTML file to write (e.g. reports/NAME.html)')
    .option('--title <text>', 'the report title (default: the input names)')
    .option('--simulate <policies>', `also replay the boot under these policies, side by side: ${POLICY_NAMES.join(', ')}`, collectList, []);
  addDriversOption(command, 'report')
    .action(async (inputs: string[], options: ReportOptions) => {
      if (!options.output) throw new UsageError('report needs -o FILE (the HTML file to write)');
      await refuseDirectory('-o', options.output);
      const policies = parsePolicies(options.simulate);
      const label = inputs.map((i) => basename(resolve(i))).join(' + ');
      const allRuns = await simulationRuns(inputs);
      if (allRuns && policies.length > 0) throw new UsageError('--simulate replays a measured boot; this input is already a simulation (its runs are shown side by side)');
      let runs = allRuns;
      let drivers: string[] = [];
      if (allRuns) {
        drivers = checkDrivers(requestedDrivers(options), allRuns.map((r) => r.boot));
        runs = allRuns.map((r) => ({ ...r, boot: focusBoot(r.boot, drivers) }));
      }
      // With --simulate the calibration collector reads the trace in the same pass (pipeline/load-boot-for-simulation.ts).
      const loaded = runs ? null : policies.length > 0 ? await loadBootForSimulation(inputs) : { boot: await loadBoot(inputs), collected: null };
      let boot: Boot | null = null;
      if (loaded !== null) ({ boot, drivers } = focusOn(loaded.boot, options));
      const sim = boot !== null && policies.length > 0 ? await simulated(boot, policies, loaded?.collected ?? null) : { boots: [], check: null, caveats: [], parts: [] };
      const boots: HtmlReportInput['boots'] = runs ?? [
        { label: policies.length > 0 ? `measured: ${label}` : label, boot: boot!, bottomLine: await bottomLine(boot!, { collected: loaded?.collected ?? null, selfCheck: bottomLineCheck(sim.check) }) },
        ...sim.boots,
      ];
      for (const b of boots) b.bottomLine ??= await bottomLine(b.boot, { simulate: false });
      const bytes = await writeHtmlReport(options.output, { title: options.title ?? titleOf(inputs, drivers), boots, selfCheck: sim.check, simulationCaveats: sim.caveats, simulationParts: sim.parts });
      process.stderr.write(`wrote ${options.output} (${(bytes / 1024).toFixed(0)} KiB, ${boots[0]!.boot.probes.length} probes, ${boots.length} boot(s))\n`);
    });
}

/** Every run of a `simulate --json` file (trace-probe.sim/1), side by side; null for any other input. */
async function simulationRuns(inputs: string[]): Promise<Array<{ label: string; boot: Boot }> | null> {
  const path = inputs[0];
  if (inputs.length !== 1 || path === undefined) return null;
  const info = await stat(path).catch(() => null);
  if (!info?.isFile() || (await sniffFile(path)) !== 'sim-json') return null;
  let parsed: { runs?: Array<{ policy?: string; boot?: Boot }> };
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new InputError(path, null, `not valid JSON (${(err as Error).message})`);
  }
  const runs = (parsed.runs ?? []).filter((r) => r.boot);
  if (runs.length === 0) throw new InputError(path, null, 'simulation JSON has no runs');
  return runs.map((r) => ({ label: `simulated: ${r.policy ?? '?'}`, boot: r.boot! }));
}

/** The boot replayed under each policy (the simulator's default workload options), and its self-check. */
async function simulated(boot: Boot, policies: PolicyName[], collected: CollectedTrace | null): Promise<{ boots: Array<{ label: string; boot: Boot }>; check: SelfCheck | null; caveats: string[]; parts: CostPartRow[] }> {
  if (policies.length === 0) return { boots: [], check: null, caveats: [], parts: [] };
  if (boot.topology.cpus.length === 0) throw new UsageError('--simulate needs the CPU topology (topology.csv, lscpu or node-cpulist.txt among the inputs)');
  try {
    const machine = machineFromTopology(boot.topology, `the boot's topology (${boot.topology.source?.file ?? 'inputs'})`);
    const observed = workloadFromBoot(boot, { cpuFraction: DEFAULT_CPU_FRACTION, segments: DEFAULT_SEGMENTS });
    // Calibrated from the boot's trace as `simulate` does, so the report shows the same replay.
    const { workload, profile, derived } = await calibratedReplay(boot, observed, { collected });
    const check = await selfCheckOfBoot(boot, { cpuFraction: DEFAULT_CPU_FRACTION, segments: DEFAULT_SEGMENTS }, { collected });
    const runs = runPolicies(workload, machine, policies, profile, boot.inputs, { observedPolicy: check.policy, ownBoot: true });
    const low = check.status === 'checked' ? '' : check.status === 'low-confidence' ? ' (low confidence)' : ' (unchecked)';
    const caveats = runs.flatMap((r) => samplingCaveats(r, derived.latencies, check.policy));
    return { boots: runs.map((r) => ({ label: `simulated: ${r.policy}${low}`, boot: r.boot })), check, caveats, parts: runPartRows(runs, 'simulated: ') };
  } catch (err) {
    if (err instanceof MachineError || err instanceof WorkloadError) throw new UsageError(err.message);
    throw err;
  }
}

function parsePolicies(values: string[]): PolicyName[] {
  const out: PolicyName[] = [];
  for (const v of values) {
    if (!isPolicyName(v)) throw new UsageError(`unknown policy "${v}" for --simulate (expected ${POLICY_NAMES.join(', ')})`);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

