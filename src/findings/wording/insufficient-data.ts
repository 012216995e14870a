// The words of an insufficient-data finding (findings/insufficient-data.ts decides what the input lacks).

import type { DataLevel, Pid } from '../../model/types.js';
import { describeDataLevel } from '../data-level.js';

/** The kernel parameters that make the trace show where each probe body ran. */
export const TRACE_OPTIONS = 'trace_event=workqueue:*,sched:sched_switch,sched:sched_wakeup trace_clock=global';

/** No probe span at all. */
export interface NoProbesFacts {
  /** A kernel log is among the inputs (else only traces). */
  kernelLog: boolean;
  /** Why the log has no probe lines, and what to add (model/kernel-release-facts.ts missingProbeLinesAdvice). */
  advice: { why: string; add: string };
  /** The parameters that print probe timing on this release. */
  probeTimingParams: string;
}

export function noProbesWords(f: NoProbesFacts): { title: string; detail: string } {
  return {
    title: 'The input has no probe spans, so it cannot show how probes were placed or serialized.',
    detail: f.kernelLog
      ? `No "probe of ... returned ... after N usecs" line: ${f.advice.why}. Add: ${f.advice.add}; and for where each probe body ran, ${TRACE_OPTIONS}, giving the kernel log together with /sys/kernel/tracing/trace.`
      : `Boot with ${f.probeTimingParams} (for the \`probe of ... returned ... after N usecs\` lines) and ${TRACE_OPTIONS}, and give the kernel log together with /sys/kernel/tracing/trace.`,
  };
}

/** Probe spans, but fewer than two say which CPU ran the body. */
export interface UnplacedFacts {
  probes: number;
  placed: number;
  dataUsed: DataLevel;
  overlapping: number;
  callers: Pid[];
}

export function unplacedWords(f: UnplacedFacts): { title: string; detail: string } {
  const seen = [
    `The input gives ${describeDataLevel(f.dataUsed, false)} for ${f.probes} probes`,
    f.overlapping > 0 ? `; ${f.overlapping} of them overlapped in time (asynchronous probing)` : '',
    f.dataUsed === 'caller-id' && f.callers.length > 0 ? `; printk caller ids show the attaching tasks (${f.callers.map((c) => `T${c}`).join(', ')}), not the kworker that ran each PCI probe body` : '',
    '.',
  ].join('');
  return {
    title: f.placed === 0
      ? 'The input cannot show bound-queue serialization: no probe says which CPU or kworker ran its body.'
      : `The input cannot show bound-queue serialization: only 1 of ${f.probes} probes says which CPU or kworker ran its body.`,
    detail: `${seen} To see it, boot with ${TRACE_OPTIONS} (plus initcall_debug for the probe lines) and give the trace with the kernel log; CONFIG_PRINTK_CALLER=y helps join them, and a probe-cost line printing CPU and COMM (as in the PCI patch mails) shows the CPU without a trace.`,
  };
}
