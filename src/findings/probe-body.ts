// The part of a probe span that ran the probe body, and what it would cost alone. A dmesg `probe
// of` span covers really_probe() in the attaching task; with pci_call_probe()'s hop that task only
// queues the body to a bound kworker and waits (docs/workqueue-model.md §4, §6.1). The trace join gives the
// queue delay and the executing task's on-CPU / runnable / sleep split, from which:
//   body duration  = onCpu + runnableWait + sleep   (all three known), else duration − queueDelay;
//   isolated cost  = body duration − runnableWait   (time the body needed had it had a CPU to itself).

import type { ProbeSpan } from '../model/types.js';

export type ProbeBodyBasis = 'sched' | 'queue-delay' | 'span';

export interface ProbeBody {
  /** When the probe began (ready to run): the span start, null without timestamps. */
  readyNs: number | null;
  /** The span end (the attaching task returned), null without timestamps. */
  endNs: number | null;
  /** Estimated start and end of the body on its executing worker, null without timestamps. */
  bodyStartNs: number | null;
  bodyEndNs: number | null;
  bodyNs: number;
  isolatedCostNs: number;
  /** What the body duration was derived from. */
  basis: ProbeBodyBasis;
}

export function probeBody(p: ProbeSpan): ProbeBody {
  const schedKnown = p.onCpuNs !== null && p.runnableWaitNs !== null && p.sleepNs !== null;
  const queueDelay = p.queueDelayNs ?? 0;
  const bodyNs = schedKnown
    ? p.onCpuNs! + p.runnableWaitNs! + p.sleepNs!
    : Math.max(0, p.durationNs - queueDelay);
  const basis: ProbeBodyBasis = schedKnown ? 'sched' : p.queueDelayNs !== null ? 'queue-delay' : 'span';
  const isolatedCostNs = Math.max(0, bodyNs - (p.runnableWaitNs ?? 0));
  const readyNs = p.startNs ?? (p.endNs !== null ? p.endNs - p.durationNs : null);
  const bodyStartNs = readyNs === null ? null : readyNs + queueDelay;
  const bodyEndNs = bodyStartNs === null ? null : p.endNs === null ? bodyStartNs + bodyNs : Math.min(p.endNs, bodyStartNs + bodyNs);
  return { readyNs, endNs: p.endNs, bodyStartNs, bodyEndNs, bodyNs, isolatedCostNs, basis };
}

/** The probe's own source line first, then its supporting lines, without repeats. */
export function probeEvidence(probes: readonly ProbeSpan[]): ProbeSpan['evidence'] {
  const seen = new Set<string>();
  const out: ProbeSpan['evidence'] = [];
  for (const p of probes) {
    for (const ref of [p.source, ...p.evidence]) {
      const key = `${ref.file}:${ref.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(ref);
    }
  }
  return out;
}

/**
 * The probes that did not run inside another probe (isNestedIn), in one sort and a sweep over the
 * spans still open (as many as probes overlap at once). Probes without timestamps are kept.
 */
export function outermostProbes(probes: readonly ProbeSpan[]): ProbeSpan[] {
  const timed = probes.map((p) => ({ p, b: probeBody(p) })).filter((x) => x.b.readyNs !== null && x.b.endNs !== null);
  timed.sort((x, y) => x.b.readyNs! - y.b.readyNs! || y.b.endNs! - x.b.endNs!);
  const nested = new Set<ProbeSpan>();
  let open: typeof timed = [];
  for (const x of timed) {
    open = open.filter((o) => o.b.endNs! >= x.b.readyNs!);
    if (open.some((o) => o.b.endNs! >= x.b.endNs! && isNestedIn(x.p, o.p))) nested.add(x.p);
    open.push(x);
  }
  return probes.filter((p) => !nested.has(p));
}

/**
 * True when `inner` ran inside `outer`'s probe: a child device probed from its parent's probe
 * (portdrv's `0000:20:00.0:pcie001` inside pcieport's `0000:20:00.0`), or a span within another's
 * run by the same task without a work item of its own. Such probes never competed with their parent.
 */
export function isNestedIn(inner: ProbeSpan, outer: ProbeSpan): boolean {
  if (inner === outer) return false;
  const a = probeBody(inner);
  const b = probeBody(outer);
  if (a.readyNs === null || a.endNs === null || b.readyNs === null || b.endNs === null) return false;
  if (b.readyNs > a.readyNs || a.endNs > b.endNs) return false;
  return inner.device.startsWith(`${outer.device}:`) || (inner.queueDelayNs === null && sameTask(inner, outer));
}

function sameTask(a: ProbeSpan, b: ProbeSpan): boolean {
  const pa = a.worker?.pid ?? a.callerPid ?? null;
  const pb = b.worker?.pid ?? b.callerPid ?? null;
  if (pa !== null || pb !== null) return pa === pb;
  return a.worker !== null && b.worker !== null && a.worker.comm === b.worker.comm;
}
