// The words of a synchronous-probe finding (findings/synchronous-probe.ts computes the numbers).

import { formatCpuList } from '../../core/cpu-list.js';
import type { Cpu, DataLevel, NodeId, Pid } from '../../model/types.js';
import { describeDataLevel } from '../data-level.js';

/** What the estimate assumed, as codes (the analysis) and sentences (here). */
export type SynchronousProbeWarning = 'untimed' | 'no-topology';

export interface SynchronousProbeFacts {
  driver: string;
  probes: number;
  caller: { comm: string | null; pid: Pid };
  serialNs: number;
  spanNs: number | null;
  lostNs: number;
  node: NodeId | null;
  /** The CPUs the parallel estimate spread them over (none: no topology). */
  cpus: number;
  parallelCpus: number;
  /** The bodies were handed to a bound kworker by the caller (pci_call_probe()). */
  boundHop: boolean;
  bodyCpus: Cpu[];
  dataUsed: DataLevel;
  withSched: boolean;
  warnings: SynchronousProbeWarning[];
}

const WARNINGS: Record<SynchronousProbeWarning, string> = {
  untimed: 'no timestamps: the probes are assumed to have run back to back',
  'no-topology': 'no topology: the parallel estimate assumes one CPU per probe',
};

export function synchronousProbeWords(f: SynchronousProbeFacts): { title: string; detail: string; warnings: string[] } {
  const ms = (v: number) => (v / 1e6).toFixed(1);
  const callerName = f.caller.comm === null ? `task T${f.caller.pid}` : `${f.caller.comm}-${f.caller.pid}`;
  const where = f.cpus === 0 ? `${f.parallelCpus} CPUs (one per probe: no topology given)`
    : f.node !== null ? `node ${f.node}'s ${f.parallelCpus} CPUs` : `${f.parallelCpus} CPUs`;
  return {
    title: `${f.driver} probed ${f.probes} devices one after another in ${callerName} (synchronous probing): ${ms(f.serialNs)} ms of probes${f.spanNs !== null && f.spanNs - f.serialNs >= 100_000 ? ` within ${ms(f.spanNs)} ms` : ''}, about ${ms(f.lostNs)} ms more than in parallel on ${where}.`,
    detail: [
      `The driver was probed synchronously: ${callerName} attached one device, waited for its probe to return, then attached the next, so no two of these probes were ever ready at once.`,
      f.boundHop && f.bodyCpus.length > 0
        ? `Each probe body still ran on a bound kworker of CPU ${formatCpuList(f.bodyCpus)} (pci_call_probe() hands it over and the caller waits), but the order is set by the caller, not by the per-CPU pool: this is not bound-queue serialization, and the pci_call_probe() fixes do not change it.`
        : 'This is not bound-queue serialization.',
      `Asynchronous probing (PROBE_PREFER_ASYNCHRONOUS in the driver, or driver_async_probe=${f.driver} / ${f.driver}.async_probe=1) would let them overlap, where the driver supports it.`,
      `Data used: ${describeDataLevel(f.dataUsed, f.withSched)}.`,
    ].join(' '),
    warnings: f.warnings.map((w) => WARNINGS[w]),
  };
}
