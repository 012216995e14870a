// What the replay takes from the boot's own trace besides the probes (issue 16 items 2–4), all on the Boot's
// clock (sim/read-trace-calibration.ts):
// - the pools as they were when probing began: every kworker alive at the first probe's queueing (seen before
//   it, or never seen being forked), keyed by role — the normal bound pool of CPU N (`b<N>`), the k-th unbound
//   pool of node P (`n<P>.<k>`, from the pool id: kernel/workqueue.c numbers unbound pools after the per-CPU
//   ones, sim/worker-pools.ts) — so `--topology` and `--kernel` what-ifs keep them;
// - the load the probes shared: every other thread's measured CPU occupancy on each CPU from the first probe's
//   queueing to the last probe's end (other work items: nvme_reset_work, async_run_entry_fn of later stages,
//   wq_barrier_func, the insmod caller...), replayed as busy time on the same CPU under every policy; the
//   probes' own threads are left out (the simulator runs them), and so are kthreadd and new kworkers before
//   they start (worker creation is sampled separately);
// - measured latency distributions: woken-worker start latency and worker creation, sampled with a seeded PRNG.

import type { Boot, ProbeSpan } from '../model/types.js';
import type { KernelProfile } from './kernel-profile.js';
import type { Machine } from './machine.js';
import { kworkerRole, type SimTraceData, type WakeLatencySample } from './sim-trace-collector.js';
import type { TraceCalibration } from './trace-calibration.js';
import { buildPods, unboundPoolIdBase } from './worker-pools.js';
import type { BackgroundLoad, SampledLatencies, Workload, WorkerSeed } from './workload.js';

/** The PRNG seed of every replay (printed; the same input gives the same samples). */
export const LATENCY_SEED = 16;
const KTHREADD_PID = 2;
/** Fewer wake-latency samples than this in the probe window: the whole trace's are used. */
const MIN_WINDOW_SAMPLES = 3;

export interface PoolSeeds {
  /** The first probe's queueing (Boot clock). */
  atNs: number;
  seeds: WorkerSeed[];
  /** Per role: its workers by name, for printing. */
  roles: Array<{ role: string; workers: string[] }>;
  /** kworkers of pools the model has no role for (highpri, the default unbound pool, ...), counted. */
  otherKworkers: number;
}

export interface BackgroundSummary {
  startNs: number;
  endNs: number;
  /** Per CPU that had any: busy time and its three largest contributors. */
  cpus: Array<{ cpu: number; busyNs: number; top: Array<{ comm: string; pid: number; ns: number }> }>;
}

export interface CreationSummary {
  scope: 'probe window' | 'whole trace';
  samples: number;
  medianNs: number | null;
  /** Range of the samples (manager on CPU + waiting), null without samples. */
  minNs?: number | null;
  maxNs?: number | null;
}

function creationSummary(scope: CreationSummary['scope'], samples: Array<{ cpuNs: number; waitNs: number }>): CreationSummary {
  const total = samples.map((c) => c.cpuNs + c.waitNs);
  return { scope, samples: samples.length, medianNs: medianOf(total), minNs: total.length > 0 ? Math.min(...total) : null, maxNs: total.length > 0 ? Math.max(...total) : null };
}

function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface LatencySummary {
  seed: number;
  wake: { scope: 'probe window' | 'whole trace'; samples: number; medianNs: number; minNs: number; maxNs: number; lines: number[] } | null;
  create: { bound: CreationSummary; unbound: CreationSummary } | null;
  /** The probe window's creations per pool role, in request order, that a replay of the observed policy reuses one by one. */
  observedCreate?: Array<{ role: string; comm: string; pid: number; cpuNs: number; waitNs: number; line: number }>;
  /** The boot's first probe entry, and the wake-ups before it that every policy replays as measured. */
  prefixEndNs?: number;
  prefix?: Array<{ role: string; comm: string; latencyNs: number; line: number }>;
}

/** The span of each workload probe (by source). */
function spansOf(boot: Boot, workload: Workload): Map<string, ProbeSpan> {
  const bySource = new Map(boot.probes.map((p) => [`${p.source.file}:${p.source.line}`, p]));
  const out = new Map<string, ProbeSpan>();
  for (const p of workload.probes) {
    const key = `${p.source.file}:${p.source.line}`;
    const span = bySource.get(key);
    if (span) out.set(key, span);
  }
  return out;
}

/**
 * The real boot's first probe entry: the earliest hop queued by an attach context (body start − its queue delay),
 * or body start in the attach context itself; null without body times.
 */
export function firstProbeEntry(boot: Boot, workload: Workload): number | null {
  let first: number | null = null;
  for (const span of spansOf(boot, workload).values()) {
    const body = span.bodyStartNs ?? null;
    if (body === null) continue;
    const entry = span.queueDelayNs !== null && span.queuedBy !== null ? (body as number) - (span.queueDelayNs as number) : (body as number);
    if (first === null || entry < first) first = entry;
  }
  return first;
}

/** The first probe's queueing: the earliest arrival (async probes arrive when their async item was queued). */
export function firstQueueing(workload: Workload): number {
  return Math.min(...workload.probes.map((p) => p.arrivalNs));
}

/**
 * The role key of a kworker's pool on the boot's machine: `b<cpu>` (normal bound pool of a CPU), `n<node>.<k>` (the
 * k-th unbound pool of a node, from the pool id); null for pools the model has no role for (highpri, the default
 * unbound pool, rescuers) or without the boot's machine.
 */
export function roleKeyOf(comm: string, bootMachine: Machine | null, bootProfile: KernelProfile): string | null {
  const role = kworkerRole(comm);
  if (role?.kind === 'bound') return `b${role.cpu}`;
  if (role?.kind !== 'unbound' || bootMachine === null) return null;
  const pods = buildPods(bootMachine, bootProfile);
  const pod = role.pool - unboundPoolIdBase(bootMachine, bootProfile);
  if (pod < 0 || pod >= pods.pods.length) return null;
  const node = pods.nodeOf[pod]!;
  let ordinal = 0;
  for (let i = 0; i < pod; i++) if (pods.nodeOf[i] === node) ordinal++;
  return `n${node}.${ordinal}`;
}

export function poolsAtStart(trace: SimTraceData, workload: Workload, bootMachine: Machine | null, bootProfile: KernelProfile): PoolSeeds {
  const atNs = firstQueueing(workload);
  const seeds: WorkerSeed[] = [];
  let otherKworkers = 0;
  const byRole = new Map<string, string[]>();
  for (const k of [...trace.kworkers].sort((a, b) => a.pid - b.pid)) {
    const alive = k.forkedNs === null || k.forkedNs <= atNs; // never seen forked: it predates the trace
    if (!alive) continue;
    const role = kworkerRole(k.comm);
    const key = roleKeyOf(k.comm, bootMachine, bootProfile);
    if (key === null || role === null) {
      otherKworkers++;
      continue;
    }
    let lastCpu: number | undefined;
    for (const [t, cpu] of k.ranOn) if (t <= atNs) lastCpu = cpu;
    seeds.push({ role: key, workerId: role.id, pid: k.pid, comm: k.comm, ...(lastCpu !== undefined ? { lastCpu } : {}) });
    const list = byRole.get(key) ?? [];
    list.push(k.comm);
    byRole.set(key, list);
  }
  const roles = [...byRole.entries()].map(([role, workers]) => ({ role, workers })).sort((a, b) => a.role.localeCompare(b.role, 'en', { numeric: true }));
  return { atNs, seeds, roles, otherKworkers };
}

export function backgroundLoad(trace: SimTraceData, boot: Boot, workload: Workload): { loads: BackgroundLoad[]; summary: BackgroundSummary } | null {
  if (!trace.schedSwitch) return null;
  const spans = spansOf(boot, workload);
  const startNs = firstQueueing(workload);
  let endNs = -Infinity;
  for (const s of spans.values()) if (s.endNs !== null) endNs = Math.max(endNs, s.endNs);
  if (!(endNs > startNs)) return null;
  // The probes' own threads, while they are on a probe: the simulator runs them.
  const own = new Map<number, Array<[number, number]>>();
  const addOwn = (pid: number | null | undefined, from: number, to: number) => {
    if (pid === null || pid === undefined) return;
    const list = own.get(pid) ?? [];
    list.push([from, to]);
    own.set(pid, list);
  };
  for (const p of workload.probes) {
    const span = spans.get(`${p.source.file}:${p.source.line}`);
    if (!span || span.endNs === null) continue;
    addOwn(span.queuedBy?.pid, p.arrivalNs, span.endNs);
    addOwn(span.worker?.pid, p.arrivalNs, span.endNs);
    if (p.caller?.pid !== undefined) addOwn(p.caller.pid, p.arrivalNs, span.endNs);
  }
  // New kworkers before they start, and kthreadd: the creation samples hold that time.
  const created = new Map<number, number>();
  for (const k of trace.kworkers) if (k.forkedNs !== null) created.set(k.pid, k.forkedNs);
  const startedAt = new Map<number, number>();
  for (const s of trace.creation) startedAt.set(s.pid, s.startedNs);
  const perCpu = new Map<number, Array<[number, number]>>();
  const contrib = new Map<number, Map<string, { comm: string; pid: number; ns: number }>>();
  for (const b of trace.busy) {
    if (b.pid === 0 || b.pid === KTHREADD_PID) continue;
    let from = Math.max(b.startNs, startNs);
    let to = Math.min(b.endNs, endNs);
    if (to <= from) continue;
    const started = startedAt.get(b.pid) ?? (created.has(b.pid) ? Infinity : null);
    if (started !== null) {
      if (to <= started) continue;
      from = Math.max(from, started);
    }
    const pieces = subtract([from, to], own.get(b.pid) ?? []);
    for (const [s, e] of pieces) {
      const list = perCpu.get(b.cpu) ?? [];
      list.push([s, e]);
      perCpu.set(b.cpu, list);
      const m = contrib.get(b.cpu) ?? new Map();
      const key = `${b.comm}-${b.pid}`;
      const c = m.get(key) ?? { comm: b.comm, pid: b.pid, ns: 0 };
      c.ns += e - s;
      m.set(key, c);
      contrib.set(b.cpu, m);
    }
  }
  const loads: BackgroundLoad[] = [];
  const cpus: BackgroundSummary['cpus'] = [];
  for (const cpu of [...perCpu.keys()].sort((a, b) => a - b)) {
    const merged = merge(perCpu.get(cpu)!);
    const busy = merged.map(([s, e]) => ({ startNs: s, ns: e - s }));
    const busyNs = busy.reduce((n, b) => n + b.ns, 0);
    loads.push({ cpu, busy });
    const top = [...contrib.get(cpu)!.values()].sort((a, b) => b.ns - a.ns || a.pid - b.pid).slice(0, 3);
    cpus.push({ cpu, busyNs, top });
  }
  return { loads, summary: { startNs, endNs, cpus } };
}

function subtract(range: [number, number], holes: Array<[number, number]>): Array<[number, number]> {
  let pieces: Array<[number, number]> = [range];
  for (const [hs, he] of holes) {
    const next: Array<[number, number]> = [];
    for (const [s, e] of pieces) {
      if (he <= s || hs >= e) next.push([s, e]);
      else {
        if (hs > s) next.push([s, hs]);
        if (he < e) next.push([he, e]);
      }
    }
    pieces = next;
  }
  return pieces;
}

function merge(list: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...list].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

export function sampledLatencies(trace: SimTraceData, _calibration: TraceCalibration, window: { startNs: number; endNs: number } | null, useCreation: boolean,
  bootMachine: Machine | null = null, bootProfile: KernelProfile | null = null, prefixEndNs: number | null = null): { latencies: SampledLatencies; summary: LatencySummary } {
  // Not a plain wake-up: a worker that managed its pool in between (a worker of its pool was forked then: the
  // creation samples hold that time), or a new worker's first wake-up by its manager.
  const poolOf = (comm: string) => {
    const r = kworkerRole(comm);
    return r === null ? null : r.kind === 'bound' ? `b${r.cpu}` : `u${r.pool}`;
  };
  const plain = trace.wakeLatency.filter((s) => {
    const pool = poolOf(s.comm);
    return !trace.creation.some((c) => (c.pid === s.pid && c.startedNs >= s.wokenNs && c.startedNs <= s.startedNs)
      || (c.forkNs >= s.wokenNs && c.forkNs <= s.startedNs && (c.managerPid === s.pid || (pool !== null && poolOf(c.comm) === pool))));
  });
  const inWindow = window === null ? [] : plain.filter((s) => s.wokenNs >= window.startNs && s.wokenNs <= window.endNs);
  const wake: WakeLatencySample[] = inWindow.length >= MIN_WINDOW_SAMPLES ? inWindow : plain;
  // Worker creation per pool kind (a bound manager works on the probes' CPU; an unbound one where it runs), the
  // probe window's samples of that kind when there are any, else the whole trace's.
  const creationOf = (kind: 'bound' | 'unbound') => {
    const all = trace.creation.filter((c) => kworkerRole(c.comm)?.kind === kind);
    const inW = window === null ? [] : all.filter((c) => c.requestNs >= window.startNs && c.requestNs <= window.endNs);
    const used = inW.length > 0 ? inW : all;
    return { scope: (inW.length > 0 ? 'probe window' : 'whole trace') as 'probe window' | 'whole trace', samples: used.map((c) => ({ cpuNs: c.managerCpuNs ?? 0, waitNs: c.waitNs })) };
  };
  const bound = useCreation ? creationOf('bound') : null;
  const unbound = useCreation ? creationOf('unbound') : null;
  // The creations of the probe window per pool role, in request order: the replay of the observed policy
  // reuses them event by event (the k-th creation of a pool gets the k-th measured there).
  const observed: NonNullable<LatencySummary['observedCreate']> = [];
  const observedCreate: Record<string, Array<{ cpuNs: number; waitNs: number; requestNs: number }>> = {};
  if (useCreation && window !== null) {
    const inW = trace.creation.filter((c) => c.requestNs >= window.startNs && c.requestNs <= window.endNs).sort((a, b) => a.requestNs - b.requestNs);
    for (const c of inW) {
      const role = bootProfile === null ? null : roleKeyOf(c.comm, bootMachine, bootProfile);
      if (role === null) continue;
      (observedCreate[role] ??= []).push({ cpuNs: c.managerCpuNs ?? 0, waitNs: c.waitNs, requestNs: c.requestNs });
      observed.push({ role, comm: c.comm, pid: c.pid, cpuNs: c.managerCpuNs ?? 0, waitNs: c.waitNs, line: c.source.line });
    }
  }
  // Before the boot's first probe entry no policy has acted: the wake-ups of that prefix, per pool, in order.
  const prefixWake: Record<string, number[]> = {};
  const prefix: NonNullable<LatencySummary['prefix']> = [];
  if (prefixEndNs !== null && window !== null && bootProfile !== null) {
    for (const s of [...plain].sort((a, b) => a.wokenNs - b.wokenNs)) {
      if (s.wokenNs < window.startNs || s.wokenNs >= prefixEndNs) continue;
      const role = roleKeyOf(s.comm, bootMachine, bootProfile);
      if (role === null) continue;
      (prefixWake[role] ??= []).push(s.latencyNs);
      prefix.push({ role, comm: s.comm, latencyNs: s.latencyNs, line: s.line });
    }
  }
  const sorted = wake.map((s) => s.latencyNs).sort((a, b) => a - b);
  return {
    latencies: {
      wakeNs: wake.map((s) => s.latencyNs), create: bound?.samples ?? [], createUnbound: unbound?.samples ?? [], seed: LATENCY_SEED,
      ...(observed.length > 0 ? { observedCreate } : {}),
      ...(prefixEndNs !== null ? { prefixEndNs, prefixWake } : {}),
    },
    summary: {
      seed: LATENCY_SEED,
      wake: wake.length === 0 ? null : {
        scope: wake === inWindow ? 'probe window' : 'whole trace', samples: wake.length,
        medianNs: sorted[Math.floor(sorted.length / 2)]!, minNs: sorted[0]!, maxNs: sorted[sorted.length - 1]!,
        lines: wake.slice(0, 20).map((s) => s.line),
      },
      create: bound === null || unbound === null ? null : {
        bound: creationSummary(bound.scope, bound.samples),
        unbound: creationSummary(unbound.scope, unbound.samples),
      },
      observedCreate: observed,
      ...(prefixEndNs !== null ? { prefixEndNs, prefix } : {}),
    },
  };
}
