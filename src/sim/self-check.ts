// The simulator's self-check (issue 16 item 1): every simulation first replays the boot under the policy the
// real boot ran, detected from where its probe bodies ran — a bound kworker reached by a hop from the attach
// context (work_for_cpu_fn: `work-on-cpu`; 7.0+ sync_wq: `sync-wq`), the async worker itself (`skip-in-worker`),
// another unbound worker reached by a hop (`queue-node`) — on the boot's own machine and kernel, and compares
// it with what the boot measured: probe window, mean and max probe cost, each device. A miss over THRESHOLD
// makes every prediction from that boot low-confidence, with the reason; a boot without the data for a replay
// (a kernel log without a trace: no scheduler data, no attach context) is unchecked.

import type { Boot, ProbeSpan } from '../model/types.js';
import type { SelfCheck as BottomLineSelfCheck } from './bottom-line.js';
import type { KernelProfile } from './kernel-profile.js';
import type { Machine } from './machine.js';
import type { PolicyName } from './policies.js';
import { type CostParts, costParts } from './cost-parts.js';
import type { SimTraceData } from './sim-trace-collector.js';
import { probeMetrics, runPolicy, type SimRun } from './sim-runs.js';
import { bootMachineOf, calibratedReplay, type ReplayOptions } from './calibrated-replay.js';
import { type Workload, WorkloadError, workloadFromBoot, type WorkloadOptions } from './workload.js';

/** Relative error above which the replay is not trusted (issue 16: "say > 25 %"). */
export const THRESHOLD = 0.25;

export interface Metrics {
  windowNs: number;
  meanProbeNs: number;
  maxProbeNs: number;
}

export interface ProbeParts {
  costNs: number;
  /** start of the probe → its body queued (the attach context's own work before the hop; 0 inline). */
  hopWaitNs: number | null;
  /** body queued → body started. */
  queueDelayNs: number | null;
  /** body start → end (wall). */
  bodyNs: number | null;
  /** of which runnable but not running. */
  runnableNs: number | null;
  /** body end → probe end (the attach context waking up and finishing really_probe). */
  afterBodyNs: number | null;
}

export interface DeviceCheck {
  device: string;
  driver: string | null;
  observedNs: number;
  replayedNs: number;
  error: number;
  observed: ProbeParts;
  replayed: ProbeParts;
  /** The kernel log / trace lines of the observed probe. */
  evidence: string[];
}

export interface SelfCheck {
  /** 'checked': within THRESHOLD; 'low-confidence': a replay missed by more; 'unchecked': no replay possible. */
  status: 'checked' | 'low-confidence' | 'unchecked';
  policy: PolicyName | null;
  /** Where the probe bodies ran, counted: why this policy. */
  policyEvidence: string[];
  threshold: number;
  observed: Metrics | null;
  replayed: Metrics | null;
  /** (replayed − observed) / observed. */
  errors: { windowNs: number; meanProbeNs: number; maxProbeNs: number } | null;
  perDevice: DeviceCheck[];
  /** One sentence: the verdict and why. */
  summary: string;
  /** For a miss: what differs, device by device, with the trace's figures. */
  why: string[];
  /** The replay's seeds and spread, when latencies are sampled. */
  replicas: SimRun['replicas'] | null;
  /** Where the mean probe cost goes, observed and replayed (sim/cost-parts.ts); null when no replay was made. */
  parts: { observed: CostParts | null; replayed: CostParts | null } | null;
}

/** The policy the real boot ran, from where its probe bodies ran (null: nothing to tell from). */
export function detectObservedPolicy(spans: readonly ProbeSpan[], profile: KernelProfile): { policy: PolicyName | null; evidence: string[] } {
  const votes = new Map<PolicyName, { n: number; what: Set<string> }>();
  const vote = (p: PolicyName, what: string) => {
    const v = votes.get(p) ?? { n: 0, what: new Set<string>() };
    v.n++;
    v.what.add(what);
    votes.set(p, v);
  };
  let unknown = 0;
  for (const s of spans) {
    const w = s.worker;
    const q = s.queuedBy;
    if (w === null) {
      unknown++;
      continue;
    }
    const fam = (x: typeof w) => (x.kind === 'bound' ? `kworker/${x.cpu}:*` : x.kind === 'unbound' ? `kworker/u${x.pool}:*` : x.comm ?? 'a task');
    if ((w.kind === 'bound' || w.kind === 'highpri') && q !== null) {
      const fn = profile.pciDispatch === 'percpuSyncWq' ? 'sync_wq' : 'work_for_cpu_fn';
      vote(profile.pciDispatch === 'percpuSyncWq' ? 'sync-wq' : 'work-on-cpu', `body on bound ${fam(w)} (${fn} hop) queued by ${q.kind === 'unbound' ? 'the async worker' : 'the task'} ${q.comm ?? '?'}`);
    } else if (w.kind === 'unbound' && q !== null) {
      vote('queue-node', `body on unbound ${w.comm ?? '?'} queued by ${q.comm ?? '?'} (a hop to an unbound workqueue)`);
    } else if (w.kind === 'unbound' && q === null) {
      vote('skip-in-worker', `body in the async worker ${fam(w)} itself (no hop)`);
    } else if (w.kind === 'task' && q === null && s.node !== null) {
      vote('sync', `body in the task ${w.comm ?? '?'} itself, device on node ${s.node} (no hop)`);
    } else unknown++;
  }
  const ranked = [...votes.entries()].sort((a, b) => b[1].n - a[1].n);
  const evidence = ranked.map(([p, v]) => `${p}: ${v.n} of ${spans.length} probe(s): ${[...v.what].slice(0, 3).join('; ')}`);
  if (unknown > 0) evidence.push(`${unknown} probe(s) without a known executing thread`);
  return { policy: ranked[0]?.[0] ?? null, evidence };
}

export interface SelfCheckInput {
  boot: Boot;
  /** The boot's own probes as replayed: calibrated, unscaled, on their own nodes. */
  workload: Workload;
  machine: Machine | null;
  /** The boot's own kernel profile (no --kernel what-if). */
  profile: KernelProfile;
  /** The trace's collected figures on the Boot's clock, for the evidence of a miss (what a body's worker ran while the body waited). */
  trace?: SimTraceData | null;
}

export function selfCheck(input: SelfCheckInput): SelfCheck {
  const { boot, workload, machine, profile } = input;
  const bySource = new Map(boot.probes.map((p) => [`${p.source.file}:${p.source.line}`, p]));
  const spans = workload.probes.map((p) => bySource.get(`${p.source.file}:${p.source.line}`)).filter((s): s is ProbeSpan => s !== undefined);
  const { policy, evidence } = detectObservedPolicy(spans, profile);
  const base: SelfCheck = { status: 'unchecked', policy, policyEvidence: evidence, threshold: THRESHOLD, observed: null, replayed: null, errors: null, perDevice: [], summary: '', why: [], replicas: null, parts: null };
  const unchecked = (why: string): SelfCheck => ({ ...base, summary: `${why}; predictions from this boot have no error bar` });
  if (workload.probes.every((p) => p.derivedFrom === 'cpu-fraction')) return unchecked('the input has no scheduler trace (probe programs split by an assumed on-CPU fraction, attach contexts unknown), so the real policy cannot be replayed like for like');
  if (policy === null) return unchecked('no probe shows which thread ran its body, so the policy the boot ran is unknown');
  if (machine === null) return unchecked('the input has no CPU topology of its own');
  if (spans.some((s) => s.startNs === null || s.endNs === null)) return unchecked('some probes have no times');
  const observed = metricsOf(spans);
  // The policy the boot ran, on its own machine: each pool's worker creations are the ones the trace measured there.
  const run = runPolicy(workload, machine, policy, profile, boot.inputs, { replayObserved: true, replayPrefix: true });
  const replayed: Metrics = { windowNs: run.windowNs, meanProbeNs: run.meanProbeNs, maxProbeNs: run.maxProbeNs };
  const rel = (r: number, o: number) => (o === 0 ? 0 : (r - o) / o);
  const errors = { windowNs: rel(replayed.windowNs, observed.windowNs), meanProbeNs: rel(replayed.meanProbeNs, observed.meanProbeNs), maxProbeNs: rel(replayed.maxProbeNs, observed.maxProbeNs) };
  const perDevice: DeviceCheck[] = workload.probes.map((p, i) => {
    const o = spans[i]!;
    const r = run.boot.probes[i]!;
    return {
      device: p.device, driver: p.driver, observedNs: o.durationNs, replayedNs: r.durationNs, error: rel(r.durationNs, o.durationNs),
      observed: partsOf(o, p.arrivalNs), replayed: partsOf(r, p.arrivalNs),
      evidence: [o.source, ...o.evidence.filter((e) => e.file !== o.source.file)].slice(0, 3).map((s) => `${s.file}:${s.line}`),
    };
  });
  const worst = Math.max(Math.abs(errors.meanProbeNs), Math.abs(errors.windowNs));
  const status = worst > THRESHOLD ? 'low-confidence' : 'checked';
  const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(0)} %`;
  const summary = status === 'checked'
    ? `replaying ${policy} (the policy this boot ran) gives the mean probe cost ${pct(errors.meanProbeNs)} and the probe window ${pct(errors.windowNs)} off the real boot, within ${THRESHOLD * 100} %`
    : `replaying ${policy} (the policy this boot ran) misses the real boot's mean probe cost by ${pct(errors.meanProbeNs)} and its probe window by ${pct(errors.windowNs)} (over ${THRESHOLD * 100} %): predictions from this boot carry at least that error`;
  const why = status === 'checked' ? [] : explain(perDevice, run, spans, input.trace ?? null);
  return { ...base, status, observed, replayed, errors, perDevice, summary, why, replicas: run.replicas ?? null, parts: { observed: costParts(spans), replayed: run.parts ?? null } };
}

function metricsOf(spans: readonly ProbeSpan[]): Metrics {
  const m = probeMetrics({ probes: spans } as Boot);
  return { windowNs: m.windowNs, meanProbeNs: m.meanProbeNs, maxProbeNs: m.maxProbeNs };
}

function partsOf(s: ProbeSpan, arrivalNs: number): ProbeParts {
  const start = s.startNs as number | null;
  const bodyStart = s.bodyStartNs ?? null;
  const bodyEnd = s.bodyEndNs ?? null;
  const queued = bodyStart !== null && s.queueDelayNs !== null ? bodyStart - s.queueDelayNs : null;
  void arrivalNs;
  return {
    costNs: s.durationNs,
    hopWaitNs: start !== null && queued !== null ? Math.max(0, queued - start) : null,
    queueDelayNs: s.queueDelayNs,
    bodyNs: bodyStart !== null && bodyEnd !== null ? bodyEnd - bodyStart : null,
    runnableNs: s.runnableWaitNs,
    afterBodyNs: bodyEnd !== null && s.endNs !== null ? Math.max(0, s.endNs - bodyEnd) : null,
  };
}

/** What differs for the devices that miss most: each part of the probe, observed (with its lines) against replayed. */
function explain(devices: DeviceCheck[], run: SimRun, spans: readonly ProbeSpan[], trace: SimTraceData | null): string[] {
  const ms = (v: number | null) => (v === null ? '?' : `${(v / 1e6).toFixed(2)}`);
  const out: string[] = [];
  const sorted = [...devices].sort((a, b) => Math.abs(b.error) - Math.abs(a.error));
  for (const d of sorted.filter((x) => Math.abs(x.error) > THRESHOLD).slice(0, 5)) {
    const parts = (p: ProbeParts) => `wait for the body's worker ${ms(p.queueDelayNs)} ms, body ${ms(p.bodyNs)} ms (runnable ${ms(p.runnableNs)}), after the body ${ms(p.afterBodyNs)} ms`;
    const span = spans[devices.indexOf(d)];
    const ran = span && trace ? whileWaiting(span, trace) : '';
    out.push(`${d.device}: observed ${ms(d.observedNs)} ms (${d.evidence.join(', ')}): ${parts(d.observed)}; replayed ${ms(d.replayedNs)} ms: ${parts(d.replayed)}${ran}`);
  }
  if (run.replicas && run.replicas.count > 1) {
    out.push(`the ${run.replicas.count} seeded replays (latencies sampled from the trace) give mean costs from ${ms(run.replicas.meanProbeNs[0])} to ${ms(run.replicas.meanProbeNs[1])} ms: the real boot is one draw of that spread`);
  }
  return out;
}

/**
 * What the body's worker ran in the trace between the body's queueing and its start (the three longest items, with
 * their trace lines): the observed wait for the body's worker, item by item. Empty when the body did not wait for
 * another thread or the worker ran nothing in between.
 */
function whileWaiting(span: ProbeSpan, trace: SimTraceData): string {
  const pid = span.worker?.pid;
  const bodyStart = span.bodyStartNs ?? null;
  if (pid == null || bodyStart === null || span.queuedBy === null || span.queueDelayNs === null) return '';
  const queued = bodyStart - span.queueDelayNs;
  const items = trace.executions.filter((x) => x.pid === Number(pid) && x.endNs > queued && x.startNs < bodyStart);
  if (items.length === 0) return '';
  const within = (x: { startNs: number; endNs: number }) => Math.min(x.endNs, bodyStart) - Math.max(x.startNs, queued);
  const total = items.reduce((a, x) => a + within(x), 0);
  const top = [...items].sort((a, b) => within(b) - within(a) || a.startNs - b.startNs).slice(0, 3);
  const ms = (v: number) => `${(v / 1e6).toFixed(2)} ms`;
  return `; while it waited, its worker ${span.worker?.comm ?? pid} ran ${items.length} other item${items.length === 1 ? '' : 's'} for ${ms(total)} ` +
    `(${top.map((x) => `${x.function} ${ms(within(x))}, trace line ${x.line}`).join('; ')}${items.length > 3 ? '; …' : ''})`;
}

/** The confidence every prediction of a simulation carries, from its boot's self-check. */
export function confidenceOf(check: SelfCheck): NonNullable<SimRun['confidence']> {
  if (check.status === 'checked') return { level: 'checked', reason: check.summary };
  if (check.status === 'low-confidence') return { level: 'low', reason: check.summary };
  return { level: 'unchecked', reason: check.summary };
}

/**
 * The self-check of a boot, set up like the simulation itself (calibrated from the same collected trace) but
 * on the boot's own machine, kernel and probes: no --kernel, --topology, --devices or --node-of what-if.
 */
export async function selfCheckOfBoot(boot: Boot, workloadOptions: WorkloadOptions, replayOptions: ReplayOptions): Promise<SelfCheck> {
  let observed: Workload;
  try {
    observed = workloadFromBoot(boot, { cpuFraction: workloadOptions.cpuFraction, segments: workloadOptions.segments, ...(workloadOptions.drivers ? { drivers: workloadOptions.drivers } : {}) });
  } catch (err) {
    if (!(err instanceof WorkloadError)) throw err;
    return { status: 'unchecked', policy: null, policyEvidence: [], threshold: THRESHOLD, observed: null, replayed: null, errors: null, perDevice: [], summary: `${err.message}; predictions from this boot have no error bar`, why: [], replicas: null, parts: null };
  }
  const { kernel: _whatIf, ...own } = replayOptions;
  void _whatIf;
  const { workload, profile, trace } = await calibratedReplay(boot, observed, own);
  return selfCheck({ boot, workload, machine: bootMachineOf(boot), profile, trace });
}

/** The self-check as the bottom line prints it (sim/bottom-line.ts): the mean probe cost, replayed against observed. */
export function bottomLineCheck(check: SelfCheck | null): BottomLineSelfCheck | null {
  if (check === null || check.policy === null || check.observed === null || check.replayed === null || check.errors === null) return null;
  return { policy: check.policy, observedNs: check.observed.meanProbeNs, replayedNs: check.replayed.meanProbeNs, errorPercent: check.errors.meanProbeNs * 100, what: 'mean probe cost' };
}
