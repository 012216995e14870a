// Synchronous probing (docs/workqueue-model.md §5.2): one caller task (PID 1 during initcalls, insmod or a
// udev worker) attaches the devices of a driver one after another, so their probes never overlap.
// This is a different cause from bound-queue serialization (the probes were never ready at once)
// and the pci_call_probe() fixes do not change it (§6.3: v2 keeps sync probes serial); asynchronous
// probing does. A finding needs the caller: the task that queued the body (trace join, `queuedBy`)
// or ran it (a `task` worker, e.g. from printk caller ids). Groups: same caller, same driver, at
// least two probes, no two of them overlapping; reported when running them in parallel on the
// node's CPUs would have saved at least SYNC_MIN_LOSS_NS.

import type { Boot, Cpu, Pid, ProbeSpan, SynchronousProbeFinding } from '../model/types.js';
import { ns } from '../model/types.js';
import { executingCpu, isCompletedProbe, richestLevel, traceFilesOf } from './data-level.js';
import { housekeepingCpusOfNode } from './node-cpus.js';
import { parallelSpanNs } from './parallel-span.js';
import { probeBody, probeEvidence } from './probe-body.js';
import { synchronousProbeWords, type SynchronousProbeWarning } from './wording/synchronous-probe.js';

export const SYNCHRONOUS_PROBE = 'synchronous-probe' as const;
/** Smaller savings are not worth a finding (1 ms). */
export const SYNC_MIN_LOSS_NS = 1_000_000;

export interface AttachingTask {
  pid: Pid;
  comm: string | null;
}

/**
 * The task that attached the device, if it is not a workqueue worker: who queued the body (trace
 * join), else the printk caller of the probe line or the task that ran it. A pid whose comm is
 * unknown (caller id only) counts; a known kworker does not (async or deferred-probe work).
 */
export function attachingTask(p: ProbeSpan): AttachingTask | null {
  if (p.queuedBy !== null) {
    return p.queuedBy.kind === 'task' && p.queuedBy.pid !== null ? { pid: p.queuedBy.pid, comm: p.queuedBy.comm } : null;
  }
  const pid = p.callerPid ?? p.worker?.pid ?? null;
  if (pid === null) return null;
  const known = p.worker !== null && p.worker.pid === pid ? p.worker : null;
  if (known !== null && known.kind !== null && known.kind !== 'task') return null;
  return { pid, comm: known?.comm ?? null };
}

export function detectSynchronousProbes(boot: Boot): SynchronousProbeFinding[] {
  const groups = new Map<string, ProbeSpan[]>();
  const nested = nestedProbes(boot.probes);
  for (const p of boot.probes) {
    const caller = attachingTask(p);
    if (!isCompletedProbe(p) || caller === null || p.driver === null || nested.has(p)) continue;
    const key = `${caller.pid}\u0000${p.driver}`;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  const findings: SynchronousProbeFinding[] = [];
  for (const probes of groups.values()) {
    if (probes.length < 2) continue;
    const finding = syncFinding(boot, probes);
    if (finding) findings.push(finding);
  }
  return findings.sort((a, b) => (b.lostNs ?? 0) - (a.lostNs ?? 0));
}

/**
 * Probes that ran inside another probe: of the same task, or of their parent device (e.g. PCIe port services,
 * `pcie_pme` on `0000:00:01.0:pcie001`, probed from pcie_portdrv_probe()): their parent's driver decides when
 * they run, and their time is already inside the parent's.
 */
function nestedProbes(probes: readonly ProbeSpan[]): Set<ProbeSpan> {
  const byTask = new Map<Pid, ProbeSpan[]>();
  for (const p of probes) {
    const task = attachingTask(p)?.pid ?? null;
    if (task === null || p.startNs === null || p.endNs === null) continue;
    const list = byTask.get(task);
    if (list) list.push(p);
    else byTask.set(task, [p]);
  }
  const nested = new Set<ProbeSpan>();
  // A child device (`0000:00:01.0:pcie001`, named after its parent) probed within its parent's probe: its body
  // may run in another task (the kworker that ran the parent's body through work_on_cpu()).
  const timedProbes = probes.filter((p) => p.startNs !== null && p.endNs !== null);
  const byDevice = new Map(timedProbes.map((p) => [p.device, p]));
  for (const p of timedProbes) {
    for (let cut = p.device.lastIndexOf(':'); cut > 0; cut = p.device.lastIndexOf(':', cut - 1)) {
      const parent = byDevice.get(p.device.slice(0, cut));
      if (parent && parent.startNs! <= p.startNs! && p.endNs! <= parent.endNs!) {
        nested.add(p);
        break;
      }
    }
  }
  for (const list of byTask.values()) {
    list.sort((a, b) => a.startNs! - b.startNs! || b.endNs! - a.endNs!);
    let outerEnd = -Infinity;
    for (const p of list) {
      if (p.endNs! <= outerEnd) nested.add(p);
      else outerEnd = p.endNs!;
    }
  }
  return nested;
}

function syncFinding(boot: Boot, unordered: ProbeSpan[]): SynchronousProbeFinding | null {
  const bodies = unordered.map((p) => ({ p, body: probeBody(p) }));
  const timed = bodies.every((b) => b.body.readyNs !== null && b.body.endNs !== null);
  if (timed) bodies.sort((a, b) => a.body.readyNs! - b.body.readyNs!);
  if (timed) {
    for (let i = 1; i < bodies.length; i++) if (bodies[i]!.body.readyNs! < bodies[i - 1]!.body.endNs!) return null;
  }
  const probes = bodies.map((b) => b.p);
  const warnings: SynchronousProbeWarning[] = [];
  // The time spent in the probes one after another: what asynchronous probing could overlap. The caller's
  // own work between them (other drivers' init, i2c, ...) stays; it is shown as the span, never counted.
  const costs = timed ? bodies.map((b) => b.body.endNs! - b.body.readyNs!) : probes.map((p) => p.durationNs);
  const serialNs = costs.reduce((s, c) => s + c, 0);
  const spanNs = timed ? Math.max(...bodies.map((b) => b.body.endNs!)) - bodies[0]!.body.readyNs! : null;
  if (!timed) warnings.push('untimed');

  const nodes = new Set(probes.map((p) => p.node));
  const node = nodes.size === 1 ? probes[0]!.node : null;
  const cpus: Cpu[] = node !== null
    ? housekeepingCpusOfNode(boot.topology, node)
    : boot.topology.cpus.filter((c) => c.online && !boot.topology.isolated.includes(c.cpu)).map((c) => c.cpu);
  const parallelCpus = cpus.length > 0 ? cpus.length : probes.length;
  if (cpus.length === 0) warnings.push('no-topology');
  // In parallel each probe is assumed to take as long as it took here (its runnable waits were other tasks on
  // its CPU, which would still be there): so the loss never exceeds Σ probe time − the longest probe.
  const parallelNs = parallelSpanNs(costs.map((costNs) => ({ readyNs: 0, costNs })), parallelCpus);
  const lostNs = Math.max(0, serialNs - parallelNs);
  if (lostNs < SYNC_MIN_LOSS_NS) return null;

  const caller = attachingTask(probes[0]!)!;
  const driver = probes[0]!.driver!;
  const bodyCpus = [...new Set(probes.map(executingCpu).filter((c): c is Cpu => c !== null))];
  const boundHop = probes.some((p) => p.worker?.kind === 'bound' && p.queuedBy !== null);
  const level = richestLevel(probes, traceFilesOf(boot));
  const words = synchronousProbeWords({
    driver, probes: probes.length, caller, serialNs, spanNs, lostNs, node, cpus: cpus.length, parallelCpus, boundHop, bodyCpus,
    dataUsed: level, withSched: bodies.some((b) => b.body.basis === 'sched'), warnings,
  });

  return {
    kind: SYNCHRONOUS_PROBE,
    severity: 'info',
    title: words.title,
    detail: words.detail,
    node,
    // The caller, not a CPU, is what serialized these; the body CPUs are in data (stable across fixes for diff).
    cpu: null,
    devices: probes.map((p) => p.device),
    drivers: [driver],
    lostNs: ns(Math.round(lostNs)),
    evidence: probeEvidence(probes),
    warnings: words.warnings,
    data: {
      caller: { comm: caller.comm, pid: caller.pid },
      bodyCpus,
      serialProbeNs: Math.round(serialNs),
      serialSpanNs: spanNs === null ? null : Math.round(spanNs),
      parallelSpanNs: Math.round(parallelNs),
      parallelCpus,
      costsNs: costs.map((c) => Math.round(c)),
      dataUsed: level,
    },
  };
}
