// Worker pools (docs/workqueue-model.md §2, §3, §8.2): per-CPU (bound) pools with nr_running concurrency
// management, and unbound pools, one per pod (per node before 6.6, per LLC "cache" or per 8-core
// "cache_shard" from 6.6/7.1). A pool has one FIFO worklist and a LIFO idle list. Worker and pool names
// follow kernel/workqueue.c create_worker()/format_worker_id(): `kworker/<cpu>:<id>` and
// `kworker/u<pool id>:<id>`, where unbound pool ids start after the per-CPU pools (2 or 4 ids per possible
// CPU, docs/kernel-log-formats.md §10) and the first unbound id is the default (all-CPU) pool, so pod k's pool
// is base + 1 + k (fits the captures' u16/u17/u18 on 8 CPUs and the mail's u1025 on 256).

import type { KernelProfile } from './kernel-profile.js';
import type { Machine } from './machine.js';
import { Fifo } from './fifo.js';
import type { Pool } from './sim-state.js';

export type { Pool } from './sim-state.js';

export interface Pods {
  /** Pod index of each CPU (-1 for offline/isolated CPUs). */
  podOf: number[];
  pods: number[][];
  /** Node of each pod. */
  nodeOf: number[];
  scope: string;
}

/** Groups the unbound-capable CPUs into pods for the profile's unbound model and default scope. */
export function buildPods(machine: Machine, profile: KernelProfile): Pods {
  const usable = machine.cpus.filter((c) => c.online && c.housekeeping);
  const keyOf = new Map<number, string>();
  let scope: string;
  if (profile.unboundModel === 'numaHard') {
    scope = 'numa (one pool per node, hard node mask: before 6.6)';
    for (const c of usable) keyOf.set(c.cpu, `n${c.node}`);
  } else if (profile.defaultScope === 'cache') {
    scope = machine.llcKnown ? 'cache (one pod per LLC)' : 'cache (one pod per node: the topology names no LLC)';
    for (const c of usable) keyOf.set(c.cpu, `l${c.llc}`);
  } else {
    scope = 'cache_shard (8 cores per shard of each LLC)';
    const coresByLlc = new Map<number, number[]>();
    for (const c of usable) {
      const list = coresByLlc.get(c.llc) ?? [];
      if (!list.includes(c.core)) list.push(c.core);
      coresByLlc.set(c.llc, list);
    }
    for (const c of usable) {
      const cores = coresByLlc.get(c.llc)!;
      keyOf.set(c.cpu, `l${c.llc}s${Math.floor(cores.indexOf(c.core) / 8)}`);
    }
  }
  const podOf = machine.cpus.map(() => -1);
  const pods: number[][] = [];
  const nodeOf: number[] = [];
  const index = new Map<string, number>();
  for (const c of usable) {
    const key = keyOf.get(c.cpu)!;
    let i = index.get(key);
    if (i === undefined) {
      i = pods.length;
      index.set(key, i);
      pods.push([]);
      nodeOf.push(c.node);
    }
    pods[i]!.push(c.cpu);
    podOf[c.cpu] = i;
  }
  return { podOf, pods, nodeOf, scope };
}

export function unboundPoolIdBase(machine: Machine, profile: KernelProfile): number {
  return profile.poolIdsPerCpu * machine.cpus.length + 1;
}

export function newPool(kind: Pool['kind'], id: number, cpu: number, podCpus: number[], podIndex: number, hardNode: number): Pool {
  return { id, kind, cpu, podCpus, podIndex, hardNode, worklist: new Fifo(), idle: [], nrRunning: 0, managerBusy: false, nextWorkerId: 0, hintCursor: 0 };
}

export function workerComm(pool: Pool, workerId: number): string {
  return pool.kind === 'bound' ? `kworker/${pool.cpu}:${workerId}` : `kworker/u${pool.id}:${workerId}`;
}

/** need_more_worker(): work waiting and (unbound, or no counted worker running). */
export function needMoreWorker(pool: Pool): boolean {
  return pool.worklist.length > 0 && (pool.kind === 'unbound' || pool.nrRunning === 0);
}

/** keep_working(): bound workers continue while nr_running <= 1; unbound while work is waiting. */
export function keepWorking(pool: Pool): boolean {
  return pool.worklist.length > 0 && (pool.kind === 'unbound' || pool.nrRunning <= 1);
}
