// A boot loaded for the simulator: the simulator's trace collector (sim/sim-trace-collector.ts) is one more
// builder of the ingest pass, so the trace is read once per `simulate` and `report --simulate`.

import type { Boot, ProbeSpan } from '../model/types.js';
import type { CollectedTrace } from '../sim/read-trace-calibration.js';
import { SimTraceCollector } from '../sim/sim-trace-collector.js';
import { loadBoot } from './load-boot.js';

/** How far around the kernel log's probe window the busy intervals are kept (the trace clock's offset is not known yet). */
const BUSY_MARGIN_NS = 2_000_000_000;

/** Loads a boot and, in the same pass over its trace, what the simulator's calibration needs. */
export async function loadBootForSimulation(paths: string[]): Promise<{ boot: Boot; collected: CollectedTrace | null }> {
  let collector: SimTraceCollector | null = null;
  const boot = await loadBoot(paths, {
    traceBuilders: (logProbes) => {
      collector = new SimTraceCollector({ busyRange: busyRange(logProbes) });
      return [collector];
    },
  });
  const c = collector as SimTraceCollector | null;
  return { boot, collected: c === null ? null : { data: c.data() } };
}

function busyRange(probes: readonly ProbeSpan[]): { startNs: number; endNs: number } | null {
  let start = Infinity;
  let end = -Infinity;
  for (const p of probes) {
    if (p.startNs !== null) start = Math.min(start, p.startNs);
    if (p.endNs !== null) end = Math.max(end, p.endNs);
  }
  return start <= end ? { startNs: start - BUSY_MARGIN_NS, endNs: end + BUSY_MARGIN_NS } : null;
}

