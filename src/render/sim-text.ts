// Text output of `trace-probe simulate`: the machine and kernel profile assumed (and what the trace measured), the workload (what each
// probe needs), then one row per policy: probe window, mean/max probe cost, CPUs and workers that ran the
// probe bodies, findings. No analysis here: everything comes from sim/.

import { findingKindCounts } from '../findings/node-loss.js';
import { formatCpuList } from '../core/cpu-list.js';
import type { describeMachine, describeWorkload } from '../sim/sim-json.js';
import type { SimRun } from '../sim/sim-runs.js';
import type { SelfCheck } from '../sim/self-check.js';
import { COST_PARTS_NOTE, type CostParts } from '../sim/cost-parts.js';
import { formatMs, renderTable } from './text-table.js';

const MAX_WORKLOAD_ROWS = 20;

export function renderSimulation(
  workload: ReturnType<typeof describeWorkload>,
  machine: ReturnType<typeof describeMachine>,
  runs: SimRun[],
  check: SelfCheck | null = null,
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
  const d = machine.derived;
  if (d?.pools) {
    out.push(`  pools at the first probe's queueing (${formatS(d.pools.atNs)}), from the trace's kworkers: ${d.pools.roles.map((r) => `${roleName(r.role)} ${r.workers.length}`).join(', ') || 'none'}` +
      (d.pools.otherKworkers > 0 ? `; ${d.pools.otherKworkers} other kworkers (highpri, default unbound pool, rescuers) not modeled` : ''));
  }
  if (d?.background) {
    const b = d.background;
    const busy = b.cpus.filter((c) => c.busyNs > 0);
    out.push(`  background load replayed (other threads on the CPUs, ${formatS(b.startNs)}–${formatS(b.endNs)}): ` +
      (busy.length === 0 ? 'none' : busy.map((c) => `CPU ${c.cpu} ${formatUs(c.busyNs)} (${c.top.map((t) => `${t.comm} ${formatUs(t.ns)}`).join(', ')})`).join('; ')));
  }
  if (d?.latencies) {
    const l = d.latencies;
    const w = l.wake;
    const c = l.create;
    out.push(`  sampled latencies (seed ${l.seed}): woken idle kworker → its work starts ` +
      (w === null ? 'none measured (0)' : `${w.samples} samples (${w.scope}), median ${formatUs(w.medianNs)}, range ${formatUs(w.minNs)}–${formatUs(w.maxNs)}, trace lines ${w.lines.slice(0, 8).join(', ')}${w.lines.length > 8 ? ', …' : ''}`) +
      (c === null ? '' : `; worker creation: bound pools ${c.bound.samples} samples (${c.bound.scope}${c.bound.medianNs === null ? '' : `, median ${formatUs(c.bound.medianNs)}`}), unbound pools ${c.unbound.samples} (${c.unbound.scope}${c.unbound.medianNs === null ? '' : `, median ${formatUs(c.unbound.medianNs)}`})`));
  }
  if (d?.latencies && (d.latencies.prefixEndNs !== undefined || (d.latencies.observedCreate ?? []).length > 0)) {
    const l = d.latencies;
    const parts: string[] = [];
    if (l.prefixEndNs !== undefined) {
      const at = d.pools ? ` (${formatUs(l.prefixEndNs - d.pools.atNs)} after the first queueing)` : '';
      parts.push(`by every policy, what preceded the boot's first probe entry${at}: ` +
        ((l.prefix ?? []).length === 0 ? 'no woken-worker start' : (l.prefix ?? []).map((p) => `${p.comm} start ${formatUs(p.latencyNs)} (line ${p.line})`).join(', ')));
    }
    const created = l.observedCreate ?? [];
    if (created.length > 0) {
      parts.push(`by the policy the boot ran, its ${created.length} creation${created.length === 1 ? '' : 's'} during the probes in order: ` +
        created.slice(0, 6).map((c) => `${c.comm} ${formatUs(c.cpuNs + c.waitNs)} (line ${c.line})`).join(', ') + (created.length > 6 ? ', …' : ''));
    }
    out.push(`  replayed as measured on the boot's own machine: ${parts.join('; ')}`);
  }
  for (const note of machine.derived?.notes ?? []) out.push(`  note: ${note}`);
  out.push('');
  if (check !== null) out.push(...renderSelfCheck(check), '');
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
  const replicated = runs.some((r) => r.replicas !== undefined && r.replicas.count > 1);
  out.push(renderTable([
    { header: 'policy' }, { header: 'window ms', align: 'right' }, { header: 'mean ms', align: 'right' }, { header: 'max ms', align: 'right' },
    ...(replicated ? [{ header: 'mean range', align: 'right' as const }] : []),
    { header: 'CPUs' }, { header: 'probe workers' }, { header: 'findings' },
  ], runs.map((r) => [
    r.policy, formatMs(r.windowNs), formatMs(r.meanProbeNs), formatMs(r.maxProbeNs),
    ...(replicated ? [r.replicas ? `${formatMs(r.replicas.meanProbeNs[0])}–${formatMs(r.replicas.meanProbeNs[1])}` : '-'] : []),
    formatCpuList(r.probeCpus) || '-',
    summarizeWorkers(r), findingKindCounts(r.boot).map((k) => (k.count > 1 ? `${k.kind} ×${k.count}` : k.kind)).join(', ') || '-',
  ])));
  if (replicated) out.push(`  each policy: the median (by mean cost) of ${runs.find((r) => r.replicas)!.replicas!.count} replays with latencies sampled from the trace (seeds ${runs.find((r) => r.replicas)!.replicas!.seeds[0]}…); "mean range" is their spread`);
  const conf = runs[0]?.confidence;
  if (conf !== undefined) out.push(`  confidence: ${conf.level === 'checked' ? 'checked against the boot' : conf.level === 'low' ? 'LOW' : 'unchecked'}: ${conf.reason}`);
  for (const r of runs) for (const c of r.caveats ?? []) out.push(`  ${c}`);
  const partRows = [...checkPartRows(check, { replayed: false }), ...runPartRows(runs)];
  if (partRows.length > 1) out.push('', ...renderCostParts(partRows));
  for (const r of runs) {
    for (const f of r.boot.findings.filter((x) => x.kind === 'workqueue-deadlock')) out.push(`  ${r.policy}: DEADLOCK: ${f.title}. ${f.detail}`);
  }
  if (runs.some((r) => r.policy === 'spread')) {
    const usable = machine.cpus;
    if (probes.length > usable) out.push(`  spread: more probes (${probes.length}) than CPUs (${usable}): probes share CPUs, so spread is not a lower bound here`);
  }
  out.push('');
  out.push('Not modeled: device locks, parent ordering, runtime PM, interrupts/softirqs, memory effects on probe speed (docs/workqueue-model.md §8.7).');
  return out.join('\n') + '\n';
}

const CREATE_SOURCE = { trace: "measured in the input's trace", user: '--worker-create-us', default: 'default: no measurement in the input' } as const;

/** One row of "Where the mean probe cost goes": a boot or a run, and its parts (sim/cost-parts.ts). */
export interface CostPartRow {
  name: string;
  parts: CostParts;
}

/** The self-check's rows: the real boot, and with `replayed` its replay under the policy it ran. */
export function checkPartRows(check: SelfCheck | null | undefined, options: { replayed: boolean }): CostPartRow[] {
  const policy = check?.policy ? ` (${check.policy})` : '';
  const observed = check?.parts?.observed;
  const replayed = options.replayed ? check?.parts?.replayed : null;
  return [...(observed ? [{ name: `observed${policy}`, parts: observed }] : []), ...(replayed ? [{ name: `self-check replay${policy}`, parts: replayed }] : [])];
}

/**
 * The simulated runs' rows, named `${prefix}${policy}`; " (N of M probes)" when only some probes have body times
 * (e.g. a deadlocked run): the parts' mean is over those.
 */
export function runPartRows(runs: readonly SimRun[], prefix = ''): CostPartRow[] {
  return runs.flatMap((r) => {
    if (!r.parts) return [];
    const coverage = r.parts.probes < r.boot.probes.length ? ` (${r.parts.probes} of ${r.boot.probes.length} probes)` : '';
    return [{ name: `${prefix}${r.policy}${coverage}`, parts: r.parts }];
  });
}

/** Where the mean probe cost goes, one row per boot or run (sim/cost-parts.ts); the rows' parts sum to their mean. */
export function renderCostParts(rows: readonly CostPartRow[]): string[] {
  const out = ['Where the mean probe cost goes (ms; the parts add up to the mean):'];
  out.push(...renderTable([
    { header: '' }, { header: 'mean', align: 'right' }, { header: 'before the hop', align: 'right' }, { header: "wait for the body's worker", align: 'right' },
    { header: 'body', align: 'right' }, { header: 'of it runnable', align: 'right' }, { header: 'after the body', align: 'right' },
  ], rows.map(({ name, parts: p }) => [name, formatMs(p.meanNs), formatMs(p.beforeBodyNs), formatMs(p.waitNs), formatMs(p.bodyNs), formatMs(p.runnableNs), formatMs(p.afterBodyNs)]))
    .split('\n').map((l) => `  ${l}`));
  out.push(`  ${COST_PARTS_NOTE}`);
  return out;
}

/** The self-check block: observed vs replayed under the policy the boot ran. */
export function renderSelfCheck(c: SelfCheck): string[] {
  const out: string[] = [];
  out.push(`Self-check: this boot replayed under the policy it ran${c.policy ? ` (${c.policy})` : ''}, on its own machine and kernel, against what it measured`);
  for (const e of c.policyEvidence) out.push(`  detected ${e}`);
  if (c.observed && c.replayed && c.errors) {
    const o = c.observed;
    const r = c.replayed;
    const e = c.errors;
    out.push(...renderTable([{ header: '' }, { header: 'observed ms', align: 'right' }, { header: 'replayed ms', align: 'right' }, { header: 'error', align: 'right' }], [
      ['probe window', formatMs(o.windowNs), formatMs(r.windowNs), pct(e.windowNs)],
      ['mean probe cost', formatMs(o.meanProbeNs), formatMs(r.meanProbeNs), pct(e.meanProbeNs)],
      ['max probe cost', formatMs(o.maxProbeNs), formatMs(r.maxProbeNs), pct(e.maxProbeNs)],
    ]).split('\n').map((l) => `  ${l}`));
    out.push(...renderTable([{ header: 'device' }, { header: 'driver' }, { header: 'observed ms', align: 'right' }, { header: 'replayed ms', align: 'right' }, { header: 'error', align: 'right' }],
      c.perDevice.slice(0, MAX_WORKLOAD_ROWS).map((d) => [d.device, d.driver ?? '-', formatMs(d.observedNs), formatMs(d.replayedNs), pct(d.error)])).split('\n').map((l) => `  ${l}`));
    if (c.perDevice.length > MAX_WORKLOAD_ROWS) out.push(`  … ${c.perDevice.length - MAX_WORKLOAD_ROWS} more devices`);
    const po = c.parts?.observed;
    const pr = c.parts?.replayed;
    if (po && pr) {
      const pair = (name: string, o: number, r: number) => `${name} ${formatMs(o)} / ${formatMs(r)}`;
      out.push(`  mean parts, observed / replayed ms: ${[pair('before the hop', po.beforeBodyNs, pr.beforeBodyNs), pair("wait for the body's worker", po.waitNs, pr.waitNs),
        pair('body', po.bodyNs, pr.bodyNs), pair('of it runnable', po.runnableNs, pr.runnableNs), pair('after the body', po.afterBodyNs, pr.afterBodyNs)].join(', ')}`);
    }
  }
  out.push(`  ${c.status === 'checked' ? 'CHECKED' : c.status === 'low-confidence' ? 'LOW CONFIDENCE' : 'UNCHECKED'}: ${c.summary}`);
  for (const w of c.why) out.push(`  why: ${w}`);
  return out;
}

function pct(v: number): string {
  return `${v >= 0 ? '+' : ''}${(v * 100).toFixed(0)} %`;
}

function formatS(ns: number): string {
  return `${(ns / 1e9).toFixed(6)} s`;
}

function roleName(role: string): string {
  const b = /^b(\d+)$/.exec(role);
  if (b) return `CPU ${b[1]} bound`;
  const n = /^n(\d+)\.(\d+)$/.exec(role);
  if (n) return n[2] === '0' ? `node ${n[1]} unbound` : `node ${n[1]} unbound pod ${n[2]}`;
  return role;
}

function formatUs(ns: number): string {
  return ns >= 1_000_000 ? `${(ns / 1e6).toFixed(2)} ms` : `${Math.round(ns / 1000)} µs`;
}

function summarizeWorkers(run: SimRun): string {
  const names = [...new Set(run.boot.probes.map((p) => p.worker?.comm ?? '-'))];
  return names.length <= 4 ? names.join(' ') : `${names.slice(0, 3).join(' ')} … (${names.length})`;
}
