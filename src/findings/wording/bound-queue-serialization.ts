// The words of a bound-queue-serialization finding (findings/bound-queue-serialization.ts finds the groups and
// computes their numbers).

import { formatCpuList } from '../../core/cpu-list.js';
import type { Cpu, DataLevel, NodeId } from '../../model/types.js';
import { describeDataLevel } from '../data-level.js';

/** What the estimate assumed or could not see, as codes (the analysis) and sentences (here). */
export type BoundQueueWarning = 'no-contention-times' | 'no-sched' | 'untimed' | 'parallel-cpus-unknown';

export interface BoundQueueFacts {
  devices: string[];
  drivers: string[];
  node: NodeId | null;
  cpu: Cpu;
  /** The node's housekeeping CPUs (empty: not in the input). */
  nodeCpus: Cpu[];
  idleCpus: Cpu[];
  /** Every device is a PCI function (pci_call_probe() handed the bodies over). */
  allPci: boolean;
  /** The release's hand-off (pci-probe-mechanism.ts pciHandOff). */
  handOff: string;
  readyAtOnce: number;
  /** `comm-pid` of the workers that ran the bodies, and of the tasks that queued them. */
  workers: string[];
  queuedBy: string[];
  timed: boolean;
  lostNs: number;
  factor: number;
  bodyFactor: number;
  probeSpanNs: number | null;
  sumProbeNs: number;
  sumBodyNs: number;
  bodySpanNs: number;
  wallSpanNs: number;
  parallelNs: number;
  parallelCpus: number;
  dataUsed: DataLevel;
  withSched: boolean;
  warnings: BoundQueueWarning[];
}

export function boundQueueWords(f: BoundQueueFacts): { title: string; detail: string; warnings: string[] } {
  const ms = (v: number) => (v / 1e6).toFixed(1);
  const nodeText = f.node === null ? 'an unknown node' : `node ${f.node}`;
  const title = `${f.devices.length} ${f.drivers.length > 0 ? f.drivers.join('/') + ' ' : ''}probes on ${nodeText} were serialized on CPU ${f.cpu}'s bound kworkers`
    + (f.idleCpus.length > 0 ? ` while CPU${f.idleCpus.length > 1 ? 's' : ''} ${formatCpuList(f.idleCpus)} of the node ran no probe` : '')
    + `: about ${ms(f.lostNs)} ms lost${f.timed ? '' : ' (estimated)'}.`;
  const mechanism = f.allPci
    ? `${f.handOff} runs every probe body of a node on one CPU`
      + (f.nodeCpus[0] === f.cpu ? ` (CPU ${f.cpu} is the lowest-numbered housekeeping CPU of ${nodeText}, the one cpumask_any_and() picks)` : '')
      + `; with per-device async probing (ef0ff68351be, 5.1) the attaching async workers run in parallel but each hands its body to that CPU's per-CPU pool and waits in flush_work().`
    : `The probe bodies were queued to CPU ${f.cpu}'s per-CPU workqueue pool.`;
  const detail = [
    mechanism,
    `The pool runs one worker at a time and the others time-share CPU ${f.cpu} (workqueue concurrency management; bound kworkers cannot migrate).`,
    (f.timed
      ? `${f.readyAtOnce} of these probes were ready to run at once`
      : `${f.readyAtOnce} of these probes were in flight at once (a pool only wakes another worker while the earlier ones are busy)`)
      + `; they ran on 1 CPU, by ${f.workers.join(', ')}`
      + (f.queuedBy.length > 0 ? `, queued by ${f.queuedBy.join(', ')}` : '') + '.',
    f.timed
      ? (f.probeSpanNs !== null
        ? `The probes add up to ${ms(f.sumProbeNs)} ms within ${ms(f.probeSpanNs)} ms of wall time from the first probe start to the last end (serialization factor ${f.factor}); their bodies add up to ${ms(f.sumBodyNs)} ms within ${ms(f.bodySpanNs)} ms (${f.bodyFactor}).`
        : `Their bodies add up to ${ms(f.sumBodyNs)} ms within ${ms(f.bodySpanNs)} ms of wall time from the first body start to the last end (serialization factor ${f.factor}); the group took ${ms(f.wallSpanNs)} ms from the first probe start.`)
      : `Their costs add up to ${ms(f.sumBodyNs)} ms; the wall span is not in the input and is taken as the longest cost, ${ms(f.wallSpanNs)} ms (serialization factor ${f.factor}).`,
    `Run in parallel on ${f.parallelCpus} CPU${f.parallelCpus > 1 ? 's' : ''} ${f.nodeCpus.length > 0 ? `of ${nodeText}` : '(one per probe; the node\'s CPUs are not in the input)'} they would have taken about ${ms(f.parallelNs)} ms.`,
    `Data used: ${describeDataLevel(f.dataUsed, f.withSched)}.`,
  ].join(' ');
  return { title, detail, warnings: f.warnings.map((w) => warningText(w, f)) };
}

function warningText(w: BoundQueueWarning, f: BoundQueueFacts): string {
  switch (w) {
    case 'no-contention-times': return 'no queue or scheduler times in the input: contention on the CPU is inferred from overlapping probe spans';
    case 'no-sched': return 'no sched events for the probe bodies: each body is assumed to need its whole duration alone (no runnable time subtracted), so the loss is a lower bound';
    case 'untimed': return 'the input has no timestamps: the probes are taken to have been ready together (their distinct bound workers show they overlapped), the wall span is estimated as the longest cost and each probe\'s cost alone as the fastest observed cost (docs/workqueue-model.md §8.1); the real loss is likely larger, since the fastest probe was itself slowed by sharing the CPU';
    case 'parallel-cpus-unknown': return f.node === null
      ? 'the devices\' NUMA node is unknown (give pci-numa.txt or a log with `pci_bus ... on NUMA node`): the parallel estimate assumes one CPU per probe'
      : `no topology for node ${f.node} (give lscpu -p or node cpulists): the parallel estimate assumes one CPU per probe`;
  }
}
