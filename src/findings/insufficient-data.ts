// When the input cannot show bound-queue serialization: no probe says which CPU or worker ran its
// body. dmesg probe lines (even with printk caller ids, which name the attaching task, not the
// kworker the PCI core hands the body to) give durations only. The finding says what the input
// showed and which trace events / kernel options would show the rest (docs/kernel-log-formats.md §3, §6).

import { kernelVersionOf } from '../model/kernel-info.js';
import { initcallDebugOn, missingProbeLinesAdvice, probeLineVisibility, probeTimingParams } from '../model/kernel-release-facts.js';
import type { Boot, InputFormat, ProbeSpan, InsufficientDataFinding } from '../model/types.js';
import { executingCpu, isCompletedProbe, richestLevel, traceFilesOf } from './data-level.js';
import { overlappingSets } from './interval-groups.js';
import { outermostProbes, probeBody } from './probe-body.js';
import { noProbesWords, TRACE_OPTIONS, unplacedWords } from './wording/insufficient-data.js';

export const INSUFFICIENT_DATA = 'insufficient-data' as const;

const TRACE_INPUTS: ReadonlySet<InputFormat> = new Set<InputFormat>(['ftrace', 'trace-cmd', 'function-graph']);

export function detectInsufficientData(boot: Boot): InsufficientDataFinding[] {
  const probes = boot.probes.filter(isCompletedProbe);
  if (boot.probes.length === 0) {
    if (boot.inputs.length === 0) return [];
    const v = kernelVersionOf(boot.kernel.release);
    const initcallDebug = initcallDebugOn(boot.kernel.cmdline, boot.initcalls.length > 0);
    const kernelLog = boot.inputs.some((i) => !TRACE_INPUTS.has(i.format));
    const advice = missingProbeLinesAdvice(v, boot.kernel.release, initcallDebug, boot.kernel.banner);
    const words = noProbesWords({ kernelLog, advice, probeTimingParams: probeTimingParams(v, boot.kernel.release, boot.kernel.banner) });
    return [finding(words, [], {
      dataUsed: 'none', initcallDebug, probeLines: probeLineVisibility(v, boot.kernel.release, boot.kernel.banner), wouldShow: [advice.add, TRACE_OPTIONS],
    })];
  }
  // One probe with a known CPU (e.g. a pid the log happens to name) cannot show a group either.
  const placed = probes.filter((p) => executingCpu(p) !== null).length;
  if (probes.length < 2 || placed >= 2) return [];

  const level = richestLevel(probes, traceFilesOf(boot));
  const overlapping = overlappingProbes(probes);
  const callers = [...new Set(probes.map((p) => p.callerPid ?? p.worker?.pid ?? null).filter((pid): pid is NonNullable<typeof pid> => pid !== null))];
  const words = unplacedWords({ probes: probes.length, placed, dataUsed: level, overlapping: overlapping.length, callers });
  return [finding(words, overlapping.map((p) => p.device), { dataUsed: level, overlapping: overlapping.length, placed, callers, wouldShow: ['initcall_debug', TRACE_OPTIONS] })];
}

/** Probes whose span overlaps another probe's span, leaving out probes run inside another probe. */
function overlappingProbes(probes: ProbeSpan[]): ProbeSpan[] {
  const timed = outermostProbes(probes).map((p) => ({ p, b: probeBody(p) })).filter((x) => x.b.readyNs !== null && x.b.endNs !== null);
  return overlappingSets(timed, (x) => x.b.readyNs!, (x) => x.b.endNs!).flat().map((x) => x.p);
}

function finding(words: { title: string; detail: string }, devices: string[], data: InsufficientDataFinding['data']): InsufficientDataFinding {
  return {
    kind: INSUFFICIENT_DATA,
    severity: 'info',
    title: words.title,
    detail: words.detail,
    node: null,
    cpu: null,
    devices,
    drivers: [],
    lostNs: null,
    evidence: [],
    warnings: [],
    data,
  };
}
