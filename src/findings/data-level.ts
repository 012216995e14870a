// How much a probe span knows about where its body ran, richest first. Findings say which level
// they worked from (`data.dataUsed`), because the same boot read from poorer inputs shows less:
//   ftrace      the trace join gave the executing worker, its CPU, who queued it and when (work items,
//               and with sched events the on-CPU / runnable / sleep split);
//   simulation  a simulated boot (the simulator knows everything);
//   custom-line the patch-mail instrumentation line (`CPU: 0, COMM: kworker/0:1, probe cost: N ns`);
//   caller-id   CONFIG_PRINTK_CALLER `[T123]`: the task that printed `probe of` (the attaching task, not
//               the worker the PCI core handed the body to);
//   dmesg       probe lines only.

import type { Boot, DataLevel, ProbeSpan } from '../model/types.js';
import { isTraceFormat } from '../ingest/formats.js';

export type { DataLevel } from '../model/types.js';

const RANK: Record<DataLevel, number> = { ftrace: 4, simulation: 4, 'custom-line': 3, 'caller-id': 2, dmesg: 1 };

/** The paths of the boot's trace inputs (a span with evidence from one of them was joined with the trace). */
export function traceFilesOf(boot: Boot): ReadonlySet<string> {
  return new Set(boot.inputs.filter((i) => isTraceFormat(i.format)).map((i) => i.path));
}

export function probeDataLevel(p: ProbeSpan, traceFiles: ReadonlySet<string> = new Set()): DataLevel {
  if (p.origin === 'simulated') return 'simulation';
  if (p.origin === 'ftrace' || p.origin === 'function-graph') return 'ftrace';
  if (p.queueDelayNs !== null || p.onCpuNs !== null || p.runnableWaitNs !== null) return 'ftrace';
  if (executingCpu(p) !== null && p.evidence.some((ref) => traceFiles.has(ref.file))) return 'ftrace';
  // Only the custom line gives a span its CPU without a trace (a caller id's comm, e.g. from an oops header, does not).
  if (p.origin === 'custom-line' || (p.cpu !== null && p.worker !== null && p.worker.comm !== null)) return 'custom-line';
  if ((p.callerPid ?? null) !== null || (p.worker?.pid ?? null) !== null) return 'caller-id';
  return 'dmesg';
}

/** Order of the levels: a finding made at one level can only be seen again at that level or a richer one. */
export function dataLevelRank(level: DataLevel): number {
  return RANK[level];
}

export function isDataLevel(value: unknown): value is DataLevel {
  return typeof value === 'string' && value in RANK;
}

/** The richest level among the probes (dmesg for none). */
export function richestLevel(probes: readonly ProbeSpan[], traceFiles: ReadonlySet<string> = new Set()): DataLevel {
  let best: DataLevel = 'dmesg';
  for (const p of probes) {
    const level = probeDataLevel(p, traceFiles);
    if (RANK[level] > RANK[best]) best = level;
  }
  return best;
}

/** The CPU that ran the probe body: the span's CPU, else the pool CPU of its bound worker. */
export function executingCpu(p: ProbeSpan): ProbeSpan['cpu'] {
  return p.cpu ?? p.worker?.cpu ?? null;
}

/** A probe that counts for timing findings: not deferred, not a driver rejecting the device. */
export function isCompletedProbe(p: ProbeSpan): boolean {
  return !p.deferred && p.status !== 'deferred' && p.status !== 'rejected';
}

const DESCRIPTIONS: Record<DataLevel, string> = {
  ftrace: 'ftrace workqueue events joined with the probe lines (executing worker, its CPU, queue times)',
  simulation: 'a simulated boot',
  'custom-line': 'the probe instrumentation line (CPU, COMM and cost per probe)',
  'caller-id': 'probe lines with printk caller ids (the attaching task only)',
  dmesg: 'probe lines only',
};

export function describeDataLevel(level: DataLevel, withSched: boolean): string {
  return level === 'ftrace' && withSched ? `${DESCRIPTIONS.ftrace} and sched events (on-CPU, runnable and sleep time)` : DESCRIPTIONS[level];
}
