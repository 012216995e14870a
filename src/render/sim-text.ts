// Text output of `trace-probe simulate`: the machine and kernel profile assumed (and what the trace measured), the workload (what each
// probe needs), then one row per policy: probe window, mean/max probe cost, CPUs and workers that ran the
// probe bodies, findings. No analysis here: everything comes from sim/.

import { findingKindCounts } from '../findings/node-loss.js';
import { formatCpuList } from '../core/cpu-list.js';
import type { describeMachine, describeWorkload, SimRun } from '../sim/sim-runs.js';
import { formatMs, renderTable } from './text-table.js';

const MAX_WORKLOAD_ROWS = 20;

export function renderSimulation(
  workload: ReturnType<typeof describeWorkload>,
  machine: ReturnType<typeof describeMachine>,
  runs: SimRun[],
): string {
  const out: string[] = [];
  const k = machine.kernel;
  out.push(`Machine: ${machine.description}; ${machine.cpus} CPUs, online ${machine.online}${machine.isolated ? `, isolated ${machine.isolated}` : ''}`);
  out.push(`  nodes: ${machine.nodes.map((n) => `node${n.node} ${n.cpus}`).join('; ')}`);
  out.push(`  unbound pools: ${machine.unboundPods}, scope ${machine.unboundScope}`);
  out.push(`Kernel profile ${k.version} (${k.versionSource === 'boot' ? "from the boot's Linux version line" : k.versionSource === 'user' ? 'from --kernel' : 'default: the input names no kernel'}): ` +
    `${k.sched === 'cfs' ? 'CFS' : 'EEVDF'}, HZ=${k.hz}, ${k.cpuModel === 'ps' ? 'processor sharing' : 'round-robin with tick-rounded slices'}, async wq "${k.asyncWq.name}", unbound ${k.unboundModel}, ` +
    `worker creation ${formatUs(k.workerCreateLatencyNs)}${k.workerCreateCpuNs < k.workerCreateLatencyNs ? ` (${formatUs(k.workerCreateCpuNs)} on the manager's CPU, then waiting)` : ' on the manager\'s CPU'}` +
    ` (${CREATE_SOURCE[k.workerCreateSource]}), CPU-intensive detection ${k.cpuIntensiveThresholdNs === null ? 'off' : `${k.cpuIntensiveThresholdNs / 1e6} ms`}`);
  const wc = machine.derived?.workerCreation ?? null;
  if (wc !== null) {
    out.push(`  measured in the trace: worker creation (manager starts → new kworker woken) median ${formatUs(wc.medianNs)}, ` +
      `range ${formatUs(wc.minNs)}–${formatUs(wc.maxNs)}; median parts: manager on CPU ${formatUs(wc.cpuMedianNs)}, waiting for kthreadd and the new thread ${formatUs(wc.waitMedianNs)}; ` +
      `${wc.samples} sample${wc.samples === 1 ? '' : 's'} ` +
      (wc.scope === 'probe window' ? `during the probes (${wc.workers.map((w) => `${w.comm} ${formatUs(w.latencyNs)}`).join(', ')}); ${wc.traceSamples} in the whole trace` : 'in the whole trace (none during the probes)') +
      (k.workerCreateSource === 'trace' ? '' : '; not used: --worker-create-us given'));
  }
  for (const note of machine.derived?.notes ?? []) out.push(`  note: ${note}`);
  out.push('');
  const probes = workload.probes;
  out.push(`Workload: ${probes.length} probes from ${workload.inputs.join(', ') || '(no named inputs)'}` +
    (workload.cpuFraction !== null ? `; on-CPU fraction ${workload.cpuFraction} (assumed, --cpu-fraction) for probes without scheduler data` : '') +
    `; each program split into ${workload.segmentsPerProbe} cpu/sleep pairs`);
  const t0 = Math.min(...probes.map((p) => p.arrivalNs));
  const rows = probes.slice(0, MAX_WORKLOAD_ROWS).map((p) => [
    p.device, p.driver ?? '-', p.node === null ? '-' : String(p.node), formatMs(p.arrivalNs - t0), p.async ? 'async' : 'sync',
    formatMs(p.cpuNs), formatMs(p.sleepNs), formatMs(p.attachNs), p.derivedFrom === 'sched' ? 'sched_switch' : 'cost × fraction',
  ]);
  out.push(renderTable([
    { header: 'device' }, { header: 'driver' }, { header: 'node', align: 'right' }, { header: 'arrival ms', align: 'right' },
    { header: 'attach' }, { header: 'cpu ms', align: 'right' }, { header: 'sleep ms', align: 'right' }, { header: 'attach ms', align: 'right' }, { header: 'from' },
  ], rows));
  if (probes.length > MAX_WORKLOAD_ROWS) out.push(`  … ${probes.length - MAX_WORKLOAD_ROWS} more probes`);
  const reasons = new Map<string, number>();
  for (const p of probes) reasons.set(p.asyncReason, (reasons.get(p.asyncReason) ?? 0) + 1);
  const listed = [...reasons].slice(0, 4).map(([reason, n]) => (n > 1 ? `${reason} (${n} probes)` : reason));
  out.push(`  attach mode: ${listed.join('; ')}${reasons.size > 4 ? `; … ${reasons.size - 4} more` : ''}`);
  for (const note of workload.notes) out.push(`  note: ${note}`);
  out.push('');
  out.push(renderTable([
    { header: 'policy' }, { header: 'window ms', align: 'right' }, { header: 'mean ms', align: 'right' }, { header: 'max ms', align: 'right' },
    { header: 'CPUs' }, { header: 'probe workers' }, { header: 'findings' },
  ], runs.map((r) => [
    r.policy, formatMs(r.windowNs), formatMs(r.meanProbeNs), formatMs(r.maxProbeNs), formatCpuList(r.probeCpus) || '-',
    summarizeWorkers(r), findingKindCounts(r.boot).map((k) => (k.count > 1 ? `${k.kind} ×${k.count}` : k.kind)).join(', ') || '-',
  ])));
  out.push('');
  out.push('Not modeled: device locks, parent ordering, runtime PM, interrupts/softirqs, memory effects on probe speed (workqueue-model.md §8.7).');
  return out.join('\n') + '\n';
}

const CREATE_SOURCE = { trace: "measured in the input's trace", user: '--worker-create-us', default: 'default: no measurement in the input' } as const;

function formatUs(ns: number): string {
  return ns >= 1_000_000 ? `${(ns / 1e6).toFixed(2)} ms` : `${Math.round(ns / 1000)} µs`;
}

function summarizeWorkers(run: SimRun): string {
  const names = [...new Set(run.boot.probes.map((p) => p.worker?.comm ?? '-'))];
  return names.length <= 4 ? names.join(' ') : `${names.slice(0, 3).join(' ')} … (${names.length})`;
}
