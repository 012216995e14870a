// Every finding, in a fixed order: the headline (bound-queue serialization), the causes that look
// like it but are not (synchronous probing, deferred probes), then what the input could not show.

import type { Boot, Finding } from '../model/types.js';
import { BOUND_QUEUE_SERIALIZATION, detectBoundQueueSerialization } from './bound-queue-serialization.js';
import { DEFERRED_PROBE, detectDeferredProbes } from './deferred-probe.js';
import { detectInsufficientData, INSUFFICIENT_DATA } from './insufficient-data.js';
import { detectSynchronousProbes, SYNCHRONOUS_PROBE } from './synchronous-probe.js';

export { BOUND_QUEUE_SERIALIZATION } from './bound-queue-serialization.js';
export { SYNCHRONOUS_PROBE } from './synchronous-probe.js';
export { DEFERRED_PROBE } from './deferred-probe.js';
export { INSUFFICIENT_DATA } from './insufficient-data.js';

/** Every kind a finding can have (what `analyze --fail-on` accepts). */
export const FINDING_KINDS: readonly string[] = [BOUND_QUEUE_SERIALIZATION, SYNCHRONOUS_PROBE, DEFERRED_PROBE, INSUFFICIENT_DATA];

export function detectFindings(boot: Boot): Finding[] {
  return [
    ...detectBoundQueueSerialization(boot),
    ...detectSynchronousProbes(boot),
    ...detectDeferredProbes(boot),
    ...detectInsufficientData(boot),
  ];
}
