// Bound-queue serialization (docs/workqueue-model.md §2, §4, §6.1, §8.5): two or more probe bodies executed
// by bound (per-CPU) kworkers of the same CPU while they were ready to run at the same time. With
// async probing the attaching async workers run in parallel, but pci_call_probe() hands each body
// to the node's first housekeeping CPU, whose per-CPU pool runs one worker at a time (concurrency
// management) and time-shares that CPU between the rest, while the node's other CPUs stay free.
//
// Groups are the connected sets of probes whose ready intervals ([span start, span end]) overlap,
// so probes queued one after another by one caller (synchronous probing) never form a group. A
// lone probe on a CPU is no finding. Deferred and rejected probes are left to other findings.
// Without timestamps (the patch-mail line) two or more distinct bound workers of one CPU are the
// evidence of overlap (a pool wakes another worker only while work is pending and the running one
// blocks), and the loss is estimated from costs, with a warning.

import type { Boot, Cpu, NodeId, ProbeSpan, WorkerIdentity, BoundQueueSerializationFinding } from '../model/types.js';
import { ns } from '../model/types.js';
import { executingCpu, isCompletedProbe, richestLevel, traceFilesOf } from './data-level.js';
import { housekeepingCpusOfNode, nodeOfCpu } from './node-cpus.js';
import { parallelSpanNs } from './parallel-span.js';
import { isPciDevice, pciHandOff } from './pci-probe-mechanism.js';
import { overlappingSets } from './interval-groups.js';
import { outermostProbes, probeBody, probeEvidence, type ProbeBody } from './probe-body.js';
import { boundQueueWords, type BoundQueueWarning } from './wording/bound-queue-serialization.js';

export const BOUND_QUEUE_SERIALIZATION = 'bound-queue-serialization' as const;

interface Member {
  probe: ProbeSpan;
  body: ProbeBody;
}

export function detectBoundQueueSerialization(boot: Boot): BoundQueueSerializationFinding[] {
  const byCpu = new Map<string, Member[]>();
  for (const probe of boot.probes) {
    const cpu = executingCpu(probe);
    const kind = probe.worker?.kind;
    if (!isCompletedProbe(probe) || cpu === null || (kind !== 'bound' && kind !== 'highpri')) continue;
    const key = `${cpu}/${kind}`;
    const list = byCpu.get(key) ?? [];
    list.push({ probe, body: probeBody(probe) });
    byCpu.set(key, list);
  }
  const findings: BoundQueueSerializationFinding[] = [];
  for (const members of byCpu.values()) {
    if (members.length < 2) continue;
    const outerProbes = new Set(outermostProbes(members.map((m) => m.probe)));
    const outer = members.filter((m) => outerProbes.has(m.probe));
    const timed = outer.filter((m) => m.body.readyNs !== null && m.body.endNs !== null);
    const untimed = outer.filter((m) => m.body.readyNs === null || m.body.endNs === null);
    for (const group of overlappingSets(timed, (m) => m.body.readyNs!, (m) => m.body.endNs!)) {
      const finding = timedFinding(boot, group);
      if (finding) findings.push(finding);
    }
    if (untimed.length >= 2 && distinctWorkers(untimed.map((m) => m.probe)).length >= 2) {
      findings.push(untimedFinding(boot, untimed));
    }
  }
  return findings.sort((a, b) => (b.lostNs ?? 0) - (a.lostNs ?? 0) || (a.cpu ?? 0) - (b.cpu ?? 0));
}

/** The largest number of intervals open at one instant (an end at t closes before a start at t). */
function maxConcurrent(intervals: Array<[number, number]>): number {
  const points: Array<[number, number]> = [];
  for (const [s, e] of intervals) points.push([s, 1], [e, -1]);
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let best = 0;
  for (const [, d] of points) best = Math.max(best, (open += d));
  return best;
}

interface GroupContext {
  cpu: Cpu;
  node: NodeId | null;
  nodeCpus: Cpu[];
  probes: ProbeSpan[];
}

function groupContext(boot: Boot, members: Member[]): GroupContext {
  const probes = members.map((m) => m.probe);
  const cpu = executingCpu(probes[0]!)!;
  const node = probes.find((p) => p.node !== null)?.node ?? nodeOfCpu(boot.topology, cpu);
  const nodeCpus = node === null ? [] : housekeepingCpusOfNode(boot.topology, node);
  return { cpu, node, nodeCpus, probes };
}

function timedFinding(boot: Boot, members: Member[]): BoundQueueSerializationFinding | null {
  const ctx = groupContext(boot, members);
  const warnings: BoundQueueWarning[] = [];
  const readyAtOnce = maxConcurrent(members.map((m) => [m.body.readyNs!, m.body.endNs!]));
  if (readyAtOnce < 2) return null;

  // §8.5: serialization shows as contention (a body waited in the pool or for the CPU).
  const contentionKnown = members.some((m) => m.probe.queueDelayNs !== null || m.probe.runnableWaitNs !== null);
  const contentionNs = members.reduce((s, m) => s + (m.probe.queueDelayNs ?? 0) + (m.probe.runnableWaitNs ?? 0), 0);
  if (contentionKnown && contentionNs <= 0) return null;
  if (!contentionKnown) warnings.push('no-contention-times');

  const firstReady = Math.min(...members.map((m) => m.body.readyNs!));
  const lastEnd = Math.max(...members.map((m) => m.body.endNs!));
  const wallSpanNs = lastEnd - firstReady;
  const sumBodyNs = members.reduce((s, m) => s + m.body.bodyNs, 0);
  const bodyStart = Math.min(...members.map((m) => m.body.bodyStartNs!));
  const bodyEnd = Math.max(...members.map((m) => m.body.bodyEndNs!));
  const bodySpanNs = Math.max(1, bodyEnd - bodyStart);
  const bodyFactor = round3(sumBodyNs / bodySpanNs);
  // The serialization factor: sum of probe durations / wall span of the group (first probe
  // start to last probe end, as the probe lines show them). Falls back to the bodies when a probe has
  // no start/end.
  const probeStarts = members.map((m) => m.probe.startNs);
  const probeEnds = members.map((m) => m.probe.endNs);
  const probeTimed = probeStarts.every((t) => t !== null) && probeEnds.every((t) => t !== null);
  const probeSpanNs = probeTimed ? Math.max(1, Math.max(...(probeEnds as number[])) - Math.min(...(probeStarts as number[]))) : null;
  const sumProbeNs = members.reduce((s, m) => s + m.probe.durationNs, 0);
  const factor = probeSpanNs !== null ? round3(sumProbeNs / probeSpanNs) : bodyFactor;

  const parallelCpus = parallelCpuCount(ctx, members.length, warnings);
  const parallelNs = parallelSpanNs(members.map((m) => ({ readyNs: m.body.readyNs!, costNs: m.body.isolatedCostNs })), parallelCpus);
  const lostNs = Math.max(0, wallSpanNs - parallelNs);
  const bases = new Set(members.map((m) => m.body.basis));
  if (!bases.has('sched')) warnings.push('no-sched');

  const idleCpus = cpusWithoutProbes(boot, ctx, firstReady, lastEnd);
  return buildFinding(boot, ctx, {
    readyAtOnce,
    factor,
    bodyFactor,
    probeSpanNs,
    sumProbeNs,
    lostNs,
    wallSpanNs,
    bodySpanNs,
    parallelNs,
    parallelCpus,
    sumBodyNs,
    idleCpus,
    warnings,
    timed: true,
    bodyBasis: [...bases].sort(),
    contentionNs: contentionKnown ? contentionNs : null,
  });
}

function untimedFinding(boot: Boot, members: Member[]): BoundQueueSerializationFinding {
  const ctx = groupContext(boot, members);
  const warnings: BoundQueueWarning[] = ['untimed'];
  const costs = members.map((m) => m.body.bodyNs);
  const wallSpanNs = Math.max(...costs);
  const fastest = Math.min(...costs);
  const sumBodyNs = costs.reduce((s, c) => s + c, 0);
  const parallelCpus = parallelCpuCount(ctx, members.length, warnings);
  const parallelNs = parallelSpanNs(members.map(() => ({ readyNs: 0, costNs: fastest })), parallelCpus);
  const idleCpus = ctx.nodeCpus.filter((c) => c !== ctx.cpu && !boot.probes.some((p) => executingCpu(p) === c));
  return buildFinding(boot, ctx, {
    readyAtOnce: distinctWorkers(ctx.probes).length,
    factor: round3(sumBodyNs / Math.max(1, wallSpanNs)),
    bodyFactor: round3(sumBodyNs / Math.max(1, wallSpanNs)),
    probeSpanNs: null,
    sumProbeNs: sumBodyNs,
    lostNs: Math.max(0, wallSpanNs - parallelNs),
    wallSpanNs,
    bodySpanNs: wallSpanNs,
    parallelNs,
    parallelCpus,
    sumBodyNs,
    idleCpus,
    warnings,
    timed: false,
    bodyBasis: ['span'],
    contentionNs: null,
  });
}

/** How many CPUs the group could have spread over: the node's housekeeping CPUs (at least 1). */
function parallelCpuCount(ctx: GroupContext, groupSize: number, warnings: BoundQueueWarning[]): number {
  if (ctx.nodeCpus.length > 0) return ctx.nodeCpus.length;
  warnings.push('parallel-cpus-unknown');
  return groupSize;
}

/** Housekeeping CPUs of the node, other than the group's, that ran no probe body during [from, to]. */
function cpusWithoutProbes(boot: Boot, ctx: GroupContext, from: number, to: number): Cpu[] {
  const busy = new Set<number>([ctx.cpu]);
  for (const p of boot.probes) {
    const cpu = executingCpu(p);
    if (cpu === null) continue;
    const body = probeBody(p);
    if (body.bodyStartNs === null || body.bodyEndNs === null) continue;
    if (body.bodyStartNs < to && body.bodyEndNs > from) busy.add(cpu);
  }
  return ctx.nodeCpus.filter((c) => !busy.has(c));
}

function distinctWorkers(probes: ProbeSpan[]): WorkerIdentity[] {
  const seen = new Map<string, WorkerIdentity>();
  for (const p of probes) if (p.worker) seen.set(p.worker.pid !== null ? `pid:${p.worker.pid}` : `comm:${p.worker.comm ?? ''}`, p.worker);
  return [...seen.values()];
}

export function workerName(w: WorkerIdentity): string {
  const comm = w.comm ?? 'task';
  return w.pid !== null ? `${comm}-${w.pid}` : comm;
}

interface Numbers {
  readyAtOnce: number;
  /** Sum of probe durations / wall span of the group (first probe start to last probe end). */
  factor: number;
  /** Sum of body durations / first body start to last body end. */
  bodyFactor: number;
  /** First probe start to last probe end; null when a probe has no timestamps. */
  probeSpanNs: number | null;
  sumProbeNs: number;
  lostNs: number;
  wallSpanNs: number;
  /** First body start to last body end (the factor's denominator). */
  bodySpanNs: number;
  parallelNs: number;
  parallelCpus: number;
  sumBodyNs: number;
  idleCpus: Cpu[];
  warnings: BoundQueueWarning[];
  timed: boolean;
  bodyBasis: string[];
  contentionNs: number | null;
}

function buildFinding(boot: Boot, ctx: GroupContext, n: Numbers): BoundQueueSerializationFinding {
  const devices = ctx.probes.map((p) => p.device);
  const drivers = [...new Set(ctx.probes.map((p) => p.driver))].filter((d): d is string => d !== null);
  const workers = distinctWorkers(ctx.probes);
  const queuedBy = distinctQueuers(ctx.probes);
  const level = richestLevel(ctx.probes, traceFilesOf(boot));
  const words = boundQueueWords({
    devices, drivers, node: ctx.node, cpu: ctx.cpu, nodeCpus: ctx.nodeCpus, idleCpus: n.idleCpus, allPci: devices.every(isPciDevice),
    handOff: pciHandOff(boot.kernel), readyAtOnce: n.readyAtOnce, workers: workers.map(workerName), queuedBy, timed: n.timed, lostNs: n.lostNs,
    factor: n.factor, bodyFactor: n.bodyFactor, probeSpanNs: n.probeSpanNs, sumProbeNs: n.sumProbeNs, sumBodyNs: n.sumBodyNs, bodySpanNs: n.bodySpanNs,
    wallSpanNs: n.wallSpanNs, parallelNs: n.parallelNs, parallelCpus: n.parallelCpus, dataUsed: level, withSched: n.bodyBasis.includes('sched'), warnings: n.warnings,
  });

  return {
    kind: BOUND_QUEUE_SERIALIZATION,
    severity: 'warning',
    title: words.title,
    detail: words.detail,
    node: ctx.node,
    cpu: ctx.cpu,
    devices,
    drivers,
    lostNs: ns(Math.round(n.lostNs)),
    evidence: probeEvidence(ctx.probes),
    warnings: words.warnings,
    factor: n.factor,
    data: {
      factor: n.factor,
      bodyFactor: n.bodyFactor,
      probeSpanNs: n.probeSpanNs === null ? null : Math.round(n.probeSpanNs),
      sumProbeNs: Math.round(n.sumProbeNs),
      overlap: { ready: n.readyAtOnce, ran: 1 },
      idleCpus: n.idleCpus,
      workers: workers.map((w) => ({ comm: w.comm, pid: w.pid })),
      queuedBy,
      dataUsed: level,
      timed: n.timed,
      wallSpanNs: Math.round(n.wallSpanNs),
      bodySpanNs: Math.round(n.bodySpanNs),
      parallelSpanNs: Math.round(n.parallelNs),
      parallelCpus: n.parallelCpus,
      sumBodyNs: Math.round(n.sumBodyNs),
      bodyBasis: n.bodyBasis,
      contentionNs: n.contentionNs === null ? null : Math.round(n.contentionNs),
      nodeCpus: ctx.nodeCpus,
    },
  };
}

function distinctQueuers(probes: ProbeSpan[]): string[] {
  return [...new Set(probes.map((p) => p.queuedBy).filter((q): q is WorkerIdentity => q !== null).map(workerName))];
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
