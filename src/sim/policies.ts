// What the probe entry does under each policy (docs/workqueue-model.md §6 and §8.4). The names are part of the
// CLI. Each maps one attach context (async worker or synchronous caller) to: run the probe body inline,
// hop to a per-CPU workqueue of the node's first housekeeping CPU and wait (work_on_cpu / sync_wq), or
// hop to an unbound workqueue with queue_work_node() and wait.

import type { Machine } from './machine.js';

export const POLICY_NAMES = ['work-on-cpu', 'sync-wq', 'skip-in-worker', 'queue-node', 'core-affinity', 'sync', 'spread'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

export type ProbeEntry =
  | { kind: 'inline' }
  | { kind: 'percpu'; cpu: number; wq: 'events' | 'sync_wq'; fn: string }
  | { kind: 'node'; node: number; wq: 'events_unbound'; fn: string };

/** The node's first online housekeeping CPU (cpumask_any_and in pci_call_probe), or null. */
export function pciProbeCpu(machine: Machine, node: number | null): number | null {
  if (node === null) return null;
  for (const c of machine.cpus) if (c.node === node && c.online && c.housekeeping) return c.cpu;
  return null;
}

/** The probe entry for one device under `policy`, from an attach context that is (or is not) a workqueue worker. */
export function probeEntry(policy: PolicyName, machine: Machine, node: number | null, inWorker: boolean): ProbeEntry {
  const hopCpu = pciProbeCpu(machine, node);
  const workOnCpu: ProbeEntry = hopCpu === null ? { kind: 'inline' } : { kind: 'percpu', cpu: hopCpu, wq: 'events', fn: 'work_for_cpu_fn' };
  const queueNode: ProbeEntry = hopCpu === null ? { kind: 'inline' } : { kind: 'node', node: node!, wq: 'events_unbound', fn: 'local_pci_probe_callback' };
  switch (policy) {
    case 'work-on-cpu':
    case 'sync':
      return workOnCpu;
    case 'sync-wq':
      return hopCpu === null ? workOnCpu : { kind: 'percpu', cpu: hopCpu, wq: 'sync_wq', fn: 'local_pci_probe_callback' };
    case 'skip-in-worker':
      return inWorker ? { kind: 'inline' } : workOnCpu;
    case 'queue-node':
      return queueNode;
    case 'core-affinity':
      return inWorker ? { kind: 'inline' } : hopCpu === null ? { kind: 'inline' } : { ...queueNode, fn: 'numa_work_func' } as ProbeEntry;
    case 'spread':
      return { kind: 'inline' };
  }
}
