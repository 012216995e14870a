// Every finding, in a fixed order: the headline (bound-queue serialization), the causes that look
// like it but are not (synchronous probing, deferred probes), then what the input could not show.

import type { Boot, Finding, FindingKind } from '../model/types.js';
import { BOUND_QUEUE_SERIALIZATION, detectBoundQueueSerialization } from './bound-queue-serialization.js';
import { DEFERRED_PROBE, detectDeferredProbes } from './deferred-probe.js';
import { detectInsufficientData, INSUFFICIENT_DATA } from './insufficient-data.js';
import { BOUND_QUEUE_EXPOSURE, detectProbeExposure } from './probe-exposure.js';
import { detectSynchronousProbes, SYNCHRONOUS_PROBE } from './synchronous-probe.js';

export { BOUND_QUEUE_SERIALIZATION } from './bound-queue-serialization.js';
export { SYNCHRONOUS_PROBE } from './synchronous-probe.js';
export { DEFERRED_PROBE } from './deferred-probe.js';
export { INSUFFICIENT_DATA } from './insufficient-data.js';
export { BOUND_QUEUE_EXPOSURE } from './probe-exposure.js';

/** Every kind a finding can have (what `analyze --fail-on` accepts). */
export const FINDING_KINDS: readonly string[] = [BOUND_QUEUE_SERIALIZATION, SYNCHRONOUS_PROBE, DEFERRED_PROBE, BOUND_QUEUE_EXPOSURE, INSUFFICIENT_DATA];

/** A type guard for one kind: `findings.filter(isFindingOf('synchronous-probe'))` gives that kind's typed `data`. */
export function isFindingOf<K extends FindingKind>(kind: K): (f: Finding) => f is Extract<Finding, { kind: K }> {
  return (f): f is Extract<Finding, { kind: K }> => f.kind === kind;
}

export function detectFindings(input: Boot): Finding[] {
  // Spans whose times cannot be (model/impossible-times.ts) are left out.
  const boot = input.probes.some((p) => p.invalid !== undefined) ? { ...input, probes: input.probes.filter((p) => p.invalid === undefined) } : input;
  const findings = [
    ...detectBoundQueueSerialization(boot),
    ...detectSynchronousProbes(boot),
    ...detectDeferredProbes(boot),
    ...detectProbeExposure(boot),
    ...detectInsufficientData(boot),
  ];
  if (boot.inputs.some((i) => i.format === 'function-graph')) {
    for (const f of findings) if (f.lostNs !== null) f.warnings.push(FUNCTION_GRAPH_OVERHEAD);
  }
  return findings;
}

/**
 * The function_graph tracer hooks the entry and exit of every traced function: a probe that calls many of them
 * runs several times slower while it records (fgraph-bootopt's pcieport probes: 1.1-1.4 s against 0.12-0.19 s
 * in the untraced captures), and the kernel log's times of that boot are inflated alike.
 */
export const FUNCTION_GRAPH_OVERHEAD =
  'the function_graph tracer was recording: probe times of this boot (the kernel log\'s too) include its overhead on every traced call; compare them only with boots traced the same way';
