// Workqueues and work items (docs/workqueue-model.md §1, §2 item 7, §3.1): a workqueue owns no threads; it
// picks the pool and counts max_active per key (per CPU for per-CPU wqs; per node, per issuing CPU or a
// per-node share of a system-wide limit for unbound wqs, by kernel generation). Items over the limit wait
// on the inactive list and are activated as earlier ones finish (`workqueue_activate_work`).

import type { KernelProfile } from './kernel-profile.js';
import type { Machine } from './machine.js';
import type { Pool, WorkItem, Workqueue } from './sim-state.js';

export type { WorkItem, Workqueue } from './sim-state.js';

/** A per-CPU wq ("events", "sync_wq"): max_active per CPU, default WQ_DFL_ACTIVE = 256. */
export function percpuWorkqueue(name: string, maxActive = 256): Workqueue {
  return { name, percpu: true, limit: () => maxActive, active: new Map(), inactive: new Map() };
}

/**
 * An unbound wq. `maxActive` as declared (≤ 0: max(512, 4 × possible CPUs), the 6.1 system_unbound_wq).
 * 6.9+: the limit is system-wide, split per node: clamp(ceil(max × nodeCpus / cpus), minActive, max).
 */
export function unboundWorkqueue(name: string, maxActive: number, minActive: number, machine: Machine, profile: KernelProfile): Workqueue {
  const max = maxActive > 0 ? maxActive : Math.max(512, 4 * machine.cpus.length);
  let limit: (key: number) => number = () => max;
  if (profile.unboundMaxActive === 'systemWidePerNode') {
    const online = machine.cpus.filter((c) => c.online).length;
    const perNode = new Map<number, number>();
    for (const node of machine.nodes) {
      const nodeCpus = machine.cpus.filter((c) => c.online && c.node === node).length;
      perNode.set(node, Math.min(max, Math.max(Math.min(minActive, max), Math.ceil((max * nodeCpus) / online))));
    }
    limit = (node) => perNode.get(node) ?? max;
  }
  return { name, percpu: false, limit, active: new Map(), inactive: new Map() };
}

/** The max_active key of an item queued to `pool` from `issuingCpu`. */
export function activeKey(wq: Workqueue, pool: Pool, issuingCpu: number, podNode: number, profile: KernelProfile): number {
  if (wq.percpu) return pool.cpu;
  if (profile.unboundMaxActive === 'perCpuPwq') return issuingCpu;
  return podNode;
}

/** Counts the item active if under the limit (true), else parks it on the inactive list (false). */
export function tryActivate(work: WorkItem): boolean {
  const wq = work.wq;
  const n = wq.active.get(work.key) ?? 0;
  if (n < wq.limit(work.key)) {
    wq.active.set(work.key, n + 1);
    return true;
  }
  const list = wq.inactive.get(work.key) ?? [];
  list.push(work);
  wq.inactive.set(work.key, list);
  return false;
}

/** Retires a finished item; returns the inactive item it activates, if any. */
export function retire(work: WorkItem): WorkItem | null {
  const wq = work.wq;
  const list = wq.inactive.get(work.key);
  if (list && list.length > 0) return list.shift()!; // the slot passes to the next item: count unchanged
  wq.active.set(work.key, (wq.active.get(work.key) ?? 1) - 1);
  return null;
}
