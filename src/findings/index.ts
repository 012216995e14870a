// Every finding, in a fixed order: the headline (bound-queue serialization), the causes that look
// like it but are not (synchronous probing, deferred probes), then what the input could not show.

import type { Boot, Finding } from '../model/types.js';
import { detectBoundQueueSerialization } from './bound-queue-serialization.js';
import { detectDeferredProbes } from './deferred-probe.js';
import { detectInsufficientData } from './insufficient-data.js';
import { detectSynchronousProbes } from './synchronous-probe.js';

export { BOUND_QUEUE_SERIALIZATION } from './bound-queue-serialization.js';
export { SYNCHRONOUS_PROBE } from './synchronous-probe.js';
export { DEFERRED_PROBE } from './deferred-probe.js';
export { INSUFFICIENT_DATA } from './insufficient-data.js';

export function detectFindings(boot: Boot): Finding[] {
  return [
    ...detectBoundQueueSerialization(boot),
    ...detectSynchronousProbes(boot),
    ...detectDeferredProbes(boot),
    ...detectInsufficientData(boot),
  ];
}
