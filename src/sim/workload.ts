// The simulator's workload, derived from a real (or simulated) Boot (docs/workqueue-model.md §8.1 items 3–4):
// per probe its device, driver, node, arrival time, async flag and probe program, an ordered list of
// CPU demands and off-CPU waits. With scheduler data (the trace's sched_switch joined into the span:
// onCpuNs/sleepNs) the program uses the measured totals and drops the contention (runnableWaitNs) and
// the hop overhead; from dmesg alone it splits the probe cost with a stated on-CPU fraction.

import type { Boot, KernelInfo, NodeId, ProbeSpan, SourceRef, WorkerIdentity } from '../model/types.js';

export type Segment = { kind: 'cpu'; ns: number } | { kind: 'sleep'; ns: number };

export interface WorkloadProbe {
  device: string;
  driver: string | null;
  node: NodeId | null;
  /**
   * When the attach of this device starts: the probe's observed start (0 when the input has no times), or, for an
   * async probe replayed with its trace, when its async_run_entry_fn was queued (arrivalFrom).
   */
  arrivalNs: number;
  /** 'start': the observed probe start (for an async probe it holds the observed wait for an async worker); 'async-queue': the trace's queue_work of its async item (sim/trace-calibration.ts). */
  arrivalFrom: 'start' | 'async-queue';
  async: boolean;
  /** Why `async` has its value, in words. */
  asyncReason: string;
  cpuNs: number;
  sleepNs: number;
  program: Segment[];
  /**
   * Time the attach context spent around the probe body in the real boot that is neither the body nor its
   * queueing (really_probe() bookkeeping, the waiter's return): cost − queue delay − body wall time, from
   * traces only. Modeled as an off-CPU wait of the attach context after the body.
   */
  attachNs: number;
  /** 'sched': from the trace's on-CPU and sleep times; 'cpu-fraction': cost × the stated fraction. */
  derivedFrom: 'sched' | 'cpu-fraction';
  /** The task that ran the attach in the real boot (async worker or sync caller), when known. */
  caller: WorkerIdentity | null;
  source: SourceRef;
}

export interface Workload {
  probes: WorkloadProbe[];
  /** The on-CPU fraction used for probes without scheduler data (null when every probe had it). */
  cpuFraction: number | null;
  /** Number of cpu/sleep pairs each program is split into. */
  segmentsPerProbe: number;
  kernel: KernelInfo;
  /** kworkers the real boot showed, to seed the pools (§8.2) and continue their numbering. */
  seenWorkers: WorkerIdentity[];
  /**
   * The pools as they were when probing began (from the trace's kworker census, sim/read-trace-calibration.ts),
   * keyed by role so other topologies and kernels keep them; when present they replace seenWorkers.
   */
  seeds?: WorkerSeed[];
  /** Other threads' measured CPU occupancy during the probe window, replayed on the same CPUs under every policy. */
  background?: BackgroundLoad[];
  /** Measured latencies the simulation samples from (seeded), instead of single figures. */
  latencies?: SampledLatencies;
  /** The paths of the inputs the Boot came from. */
  inputs: string[];
  notes: string[];
}

/** A kworker alive when probing began. role: `b<cpu>` (normal bound pool of a CPU) or `n<node>.<k>` (the k-th unbound pool of a node). */
export interface WorkerSeed {
  role: string;
  workerId: number;
  pid: number;
  comm: string;
  /** The CPU it last ran on before probing began (its wake-up hint), when the trace shows it. */
  lastCpu?: number;
}

export interface BackgroundLoad {
  cpu: number;
  /** Busy intervals (absolute ns, ascending, disjoint). */
  busy: Array<{ startNs: number; ns: number }>;
}

export interface SampledLatencies {
  /** Idle kworker woken onto an idle CPU → start of its work item. */
  wakeNs: number[];
  /** Worker creation in a bound pool: the manager on its CPU, then waiting (none: the unbound samples are used). */
  create: Array<{ cpuNs: number; waitNs: number }>;
  /** Worker creation in an unbound pool (none: the bound samples are used). */
  createUnbound?: Array<{ cpuNs: number; waitNs: number }>;
  /** PRNG seed (mulberry32), printed with the results. */
  seed: number;
  /**
   * The worker creations the real boot had during the probes, per pool role (`b<cpu>`, `n<node>.<k>`), in the
   * order of their requests. A replay of the policy the boot ran (SimulateOptions.replayObserved) gives its k-th
   * creation in a pool the k-th one the trace measured there, and samples only beyond them; what-if policies
   * sample.
   */
  observedCreate?: Record<string, Array<{ cpuNs: number; waitNs: number; requestNs?: number }>>;
  /**
   * The real boot's first probe entry (the first hop queued, or the first body started in its attach context): until
   * then no policy has acted, so what happened is the same under every policy. Kicks and creations before it take the
   * trace's own figures, in order, under every policy (SimulateOptions.replayPrefix).
   */
  prefixEndNs?: number;
  /** Per pool role, the start latencies of the woken idle workers before prefixEndNs, in wake-up order. */
  prefixWake?: Record<string, number[]>;
}

export interface WorkloadOptions {
  /** On-CPU fraction for probes without scheduler data (0 < f ≤ 1). */
  cpuFraction: number;
  /** cpu/sleep pairs per program (≥ 1). */
  segments: number;
  /** Keep only probes of these drivers (empty: all). */
  drivers?: string[];
  /** Scale the workload to this many probes by repeating its probes in order. */
  devices?: number;
  /** Device → node overrides ("*" applies to every device without a node). */
  nodeOf?: Map<string, number>;
}

export const DEFAULT_CPU_FRACTION = 0.5;
export const DEFAULT_SEGMENTS = 8;

export class WorkloadError extends Error {}

export function workloadFromBoot(boot: Boot, options: WorkloadOptions): Workload {
  const notes: string[] = [];
  const f = options.cpuFraction;
  if (!(f > 0 && f <= 1)) throw new WorkloadError(`--cpu-fraction must be in (0, 1], not ${f}`);
  if (!Number.isInteger(options.segments) || options.segments < 1) throw new WorkloadError(`segments must be a whole number ≥ 1, not ${options.segments}`);
  const drivers = options.drivers ?? [];
  const asyncDrivers = asyncProbeDrivers(boot.kernel.cmdline);
  let spans = boot.probes.filter((p) => p.durationNs > 0 && (p.status === 'ok' || p.status === 'failed'));
  if (drivers.length > 0) spans = spans.filter((p) => p.driver !== null && drivers.includes(p.driver));
  if (spans.length === 0) throw new WorkloadError(drivers.length > 0 ? `no probe of driver ${drivers.join(', ')} in the input` : 'the input has no probe with a cost to simulate');
  spans = [...spans].sort((a, b) => (a.startNs ?? 0) - (b.startNs ?? 0) || a.source.line - b.source.line);

  let usedFraction = false;
  const probes = spans.map((span) => {
    const node = nodeFor(span, options.nodeOf);
    const { async, reason } = asyncOf(span, asyncDrivers);
    let cpuNs: number;
    let sleepNs: number;
    let derivedFrom: WorkloadProbe['derivedFrom'];
    let attachNs = 0;
    if (span.onCpuNs !== null && span.sleepNs !== null && span.onCpuNs > 0) {
      cpuNs = span.onCpuNs;
      sleepNs = span.sleepNs;
      derivedFrom = 'sched';
      const bodyWall = span.onCpuNs + (span.runnableWaitNs ?? 0) + span.sleepNs;
      attachNs = Math.max(0, span.durationNs - (span.queueDelayNs ?? 0) - bodyWall);
    } else {
      cpuNs = Math.round(span.durationNs * f);
      sleepNs = span.durationNs - cpuNs;
      derivedFrom = 'cpu-fraction';
      usedFraction = true;
    }
    const probe: WorkloadProbe = {
      device: span.device,
      driver: span.driver,
      node,
      arrivalNs: span.startNs ?? 0,
      arrivalFrom: 'start',
      async,
      asyncReason: reason,
      cpuNs,
      sleepNs,
      program: splitProgram(cpuNs, sleepNs, options.segments),
      attachNs,
      derivedFrom,
      caller: async ? (span.queuedBy ?? (span.worker?.kind === 'unbound' ? span.worker : null)) : (span.queuedBy ?? span.worker),
      source: span.source,
    };
    return probe;
  });
  if (spans.every((s) => s.startNs === null)) notes.push('the input has no timestamps: every probe is assumed to arrive at time 0, in input order');
  const scaled = options.devices === undefined ? probes : scaleProbes(probes, options.devices, notes);
  const seen = new Map<string, WorkerIdentity>();
  for (const span of spans) {
    for (const w of [span.worker, span.queuedBy]) {
      if (w && (w.kind === 'bound' || w.kind === 'unbound') && !w.maybeTruncated) seen.set(`${w.comm}|${w.pid ?? ''}`, w);
    }
  }
  if (scaled.some((p) => p.node === null)) notes.push('probes without a NUMA node run in their attach context under every policy (pci_call_probe skips the hop; use --node-of DEVICE=N)');
  return {
    probes: scaled,
    cpuFraction: usedFraction ? f : null,
    segmentsPerProbe: options.segments,
    kernel: boot.kernel,
    seenWorkers: [...seen.values()],
    inputs: boot.inputs.map((i) => i.path),
    notes,
  };
}

/** `driver_async_probe=` list from the command line ("*" allowed), dd.c (5.x+). */
export function asyncProbeDrivers(cmdline: string | null): string[] {
  if (!cmdline) return [];
  const m = /(?:^|\s)driver_async_probe=(\S+)/.exec(cmdline);
  return m ? m[1]!.split(',').filter((s) => s.length > 0) : [];
}

function asyncOf(span: ProbeSpan, asyncDrivers: string[]): { async: boolean; reason: string } {
  // Who queued the body decides before where it ran: with a hop to unbound workers (the v2 backport's
  // queue_work_node) a synchronous attach by init runs its body on an unbound worker too.
  if (span.queuedBy?.kind === 'unbound') return { async: true, reason: `attached by the unbound worker ${span.queuedBy.comm}` };
  if (span.queuedBy?.kind === 'task') return { async: false, reason: `attached by the task ${span.queuedBy.comm}` };
  if (span.worker?.kind === 'unbound') return { async: true, reason: `probed by the unbound worker ${span.worker.comm}` };
  if (span.worker?.kind === 'task') return { async: false, reason: `probed by the task ${span.worker.comm}` };
  if (span.driver !== null && asyncDrivers.includes(span.driver)) return { async: true, reason: `driver_async_probe=${asyncDrivers.join(',')}` };
  if (asyncDrivers.includes('*') && !(span.driver !== null && asyncDrivers.includes(`!${span.driver}`))) return { async: true, reason: 'driver_async_probe=*' };
  return { async: false, reason: 'assumed synchronous (no evidence of async probing)' };
}

function nodeFor(span: ProbeSpan, nodeOf: Map<string, number> | undefined): NodeId | null {
  const explicit = nodeOf?.get(span.device);
  if (explicit !== undefined) return explicit as NodeId;
  if (span.node !== null) return span.node;
  const any = nodeOf?.get('*');
  return any === undefined ? null : (any as NodeId);
}

/** k pairs of cpu(cpu/k), sleep(sleep/k); the integer remainders go to the last pair. */
export function splitProgram(cpuNs: number, sleepNs: number, k: number): Segment[] {
  const out: Segment[] = [];
  const c = Math.floor(cpuNs / k);
  const s = Math.floor(sleepNs / k);
  for (let i = 0; i < k; i++) {
    const last = i === k - 1;
    const cpu = last ? cpuNs - c * (k - 1) : c;
    const sleep = last ? sleepNs - s * (k - 1) : s;
    if (cpu > 0) out.push({ kind: 'cpu', ns: cpu });
    if (sleep > 0) out.push({ kind: 'sleep', ns: sleep });
  }
  return out;
}

function scaleProbes(probes: WorkloadProbe[], n: number, notes: string[]): WorkloadProbe[] {
  if (!Number.isInteger(n) || n < 1) throw new WorkloadError(`--devices must be a whole number ≥ 1, not ${n}`);
  const out: WorkloadProbe[] = [];
  for (let i = 0; i < n; i++) {
    const base = probes[i % probes.length]!;
    const copy = Math.floor(i / probes.length);
    out.push(copy === 0 ? base : { ...base, device: `${base.device}#${copy + 1}` });
  }
  notes.push(`scaled to ${n} probes by repeating the ${probes.length} observed ones (copies are named DEVICE#k and arrive with their original)`);
  return out;
}
