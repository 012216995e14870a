// Where the probe cost goes (issue 16: "where a criterion cannot be met, the self-check must show why"): the mean
// probe cost of a boot, real or simulated, split into the attach context's work before it hands the body over, the
// wait for the body's worker, the body (and how much of it was runnable but not running) and the time after the
// body (the attach context woken and finishing really_probe()). The parts sum to the mean cost.
//
// A policy moves the wait for the body's worker and the CPU contention of the body (its runnable part); the
// body's own CPU and sleep and the attach context's own work are the boot's measurements, replayed unchanged
// under every policy. Printed for the observed boot, its self-check replay and every prediction, so a reader sees
// which part a prediction is made of and which part another boot of the same machine brings on its own.

import type { ProbeSpan } from '../model/types.js';

export interface CostParts {
  /** Probes with body times (the means are over them). */
  probes: number;
  /** Mean probe cost over those probes (= the sum of the four parts). */
  meanNs: number;
  /** Probe start → body queued on another thread (the attach context's own work before the hop; the part before the body when it runs inline). */
  beforeBodyNs: number;
  /** Body queued → body started (0 when the body runs in the attach context). */
  waitNs: number;
  /** Body start → body end (wall). */
  bodyNs: number;
  /** Of the body, runnable but not running (CPU contention). */
  runnableNs: number;
  /** Body end → probe end. */
  afterBodyNs: number;
}

/** The mean parts over the spans that have body times; null when none has. */
export function costParts(spans: readonly ProbeSpan[]): CostParts | null {
  let n = 0;
  const sum = { cost: 0, before: 0, wait: 0, body: 0, runnable: 0, after: 0 };
  for (const s of spans) {
    const start = s.startNs;
    const end = s.endNs;
    const bodyStart = s.bodyStartNs ?? null;
    const bodyEnd = s.bodyEndNs ?? null;
    if (start === null || end === null || bodyStart === null || bodyEnd === null) continue;
    const wait = s.queuedBy !== null && s.queueDelayNs !== null ? Math.min(s.queueDelayNs, Math.max(0, bodyStart - start)) : 0;
    n++;
    sum.cost += end - start;
    sum.before += Math.max(0, bodyStart - wait - start);
    sum.wait += wait;
    sum.body += bodyEnd - bodyStart;
    sum.runnable += s.runnableWaitNs ?? 0;
    sum.after += Math.max(0, end - bodyEnd);
  }
  if (n === 0) return null;
  const mean = (v: number) => Math.round(v / n);
  return { probes: n, meanNs: mean(sum.cost), beforeBodyNs: mean(sum.before), waitNs: mean(sum.wait), bodyNs: mean(sum.body), runnableNs: mean(sum.runnable), afterBodyNs: mean(sum.after) };
}

/** The sentence that says which parts a policy changes and which a prediction carries from the boot. */
export const COST_PARTS_NOTE = "A policy changes the wait for the body's worker and the body's runnable (CPU contention) part; the body's own CPU and sleep and " +
  "the attach context's own work before and after it are this boot's measurements, replayed unchanged under every policy. Another boot of the same " +
  'machine brings its own figures there, and one trace cannot show how much they vary from boot to boot.';
