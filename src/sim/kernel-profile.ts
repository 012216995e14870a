// Which kernel the simulation behaves like (docs/workqueue-model.md §8.1 "Kernel profile"): the workqueue,
// async and scheduler facts that changed between versions, chosen from the boot's `Linux version` line
// or a user override. Sources: kernel/workqueue.c, kernel/async.c, kernel/sched/fair.c as summarized in
// docs/workqueue-model.md §2, §3, §5, §7 (trees 4.4 – 7.1.5).

export interface KernelProfile {
  /** "6.1", "6.12", ... */
  version: string;
  /** Where the version came from: the boot's banner, the user, or the default. */
  versionSource: 'boot' | 'user' | 'default';
  /** ≤ 6.19 work_on_cpu() on system_wq/"events"; 7.0+ queue_work_on() on the per-CPU "sync_wq". Same timing. */
  pciDispatch: 'workOnCpu' | 'percpuSyncWq';
  /** < 6.9: system_unbound_wq ("events_unbound"); ≥ 6.9: the dedicated "async" wq (min_active 256). */
  asyncWq: { name: string; maxActive: number; minActive: number };
  /** < 6.6: one unbound pool per node, hard node mask; ≥ 6.6: pods (affinity scopes), soft affinity. */
  unboundModel: 'numaHard' | 'podSoft';
  /** 6.6–7.0: `cache` (LLC); 7.1+: `cache_shard` (8 cores per shard). Only for podSoft. */
  defaultScope: 'cache' | 'cache_shard';
  /** Where an unbound wq's max_active is counted (§3.1). */
  unboundMaxActive: 'perNodePwq' | 'perCpuPwq' | 'systemWidePerNode';
  /** 6.5+: a bound work item running ≥ this long without sleeping stops counting (checked at ticks); null before. */
  cpuIntensiveThresholdNs: number | null;
  sched: 'cfs' | 'eevdf';
  /** EEVDF base slice before the ×factor scaling (0.75 ms up to 6.14, 0.70 ms from 6.15). */
  baseSliceNs: number;
  hz: number;
  /**
   * 'rr': each CPU serves its runnable threads round-robin with the tick-rounded slice (§7.1); 'ps': processor
   * sharing (equal shares), approximated by round-robin with a 50 µs quantum.
   */
  cpuModel: 'rr' | 'ps';
  /** Time from a pool's manager starting to create a worker to the new worker being woken (create_worker()). */
  workerCreateLatencyNs: number;
  /** The first part of it, spent by the manager on its CPU; the rest it waits off-CPU (kthreadd, the new thread). */
  workerCreateCpuNs: number;
  /** 'trace': measured in the input's trace (sim/trace-calibration.ts); 'user': --worker-create-us; 'default'. */
  workerCreateSource: 'trace' | 'user' | 'default';
  /** Pool ids per possible CPU before the first unbound pool: 2 (≤ 6.8) or 4 (6.9+, BH pools). */
  poolIdsPerCpu: number;
}

export const DEFAULT_KERNEL = '6.12';
export const DEFAULT_HZ = 250;
export const DEFAULT_WORKER_CREATE_NS = 100_000;
export const PS_QUANTUM_NS = 50_000;

export interface ProfileOverrides {
  version?: string;
  hz?: number;
  cpuModel?: 'rr' | 'ps';
  workerCreateLatencyNs?: number;
  /** The on-CPU part of workerCreateLatencyNs (default: all of it, the manager busy on its CPU). */
  workerCreateCpuNs?: number;
  /** Where workerCreateLatencyNs came from (default 'user' when it is given). */
  workerCreateSource?: 'trace' | 'user';
}

/** Parses "6.1.176-lab" / "6.12" into [major, minor], or null. */
export function parseKernelVersion(release: string | null): [number, number] | null {
  if (!release) return null;
  const m = /^(\d+)\.(\d+)/.exec(release.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function kernelProfile(release: string | null, overrides: ProfileOverrides = {}): KernelProfile {
  let source: KernelProfile['versionSource'] = 'boot';
  let v = parseKernelVersion(overrides.version ?? null);
  if (v) source = 'user';
  else {
    v = parseKernelVersion(release);
    if (!v) {
      v = parseKernelVersion(DEFAULT_KERNEL)!;
      source = 'default';
    }
  }
  const at = (major: number, minor: number) => v![0] > major || (v![0] === major && v![1] >= minor);
  const possibleCpusDependent = at(6, 6) ? 512 : -1; // -1: max(512, 4 × possible CPUs), resolved by the machine
  const asyncWq = at(6, 9)
    ? { name: 'async', maxActive: 256, minActive: 256 }
    : { name: 'events_unbound', maxActive: possibleCpusDependent, minActive: 8 };
  return {
    version: `${v[0]}.${v[1]}`,
    versionSource: source,
    pciDispatch: at(7, 0) ? 'percpuSyncWq' : 'workOnCpu',
    asyncWq,
    unboundModel: at(6, 6) ? 'podSoft' : 'numaHard',
    defaultScope: at(7, 1) ? 'cache_shard' : 'cache',
    unboundMaxActive: at(6, 9) ? 'systemWidePerNode' : at(6, 6) ? 'perCpuPwq' : 'perNodePwq',
    cpuIntensiveThresholdNs: at(6, 5) ? 10_000_000 : null,
    sched: at(6, 6) ? 'eevdf' : 'cfs',
    baseSliceNs: at(6, 15) ? 700_000 : 750_000,
    hz: overrides.hz ?? DEFAULT_HZ,
    cpuModel: overrides.cpuModel ?? 'rr',
    workerCreateLatencyNs: overrides.workerCreateLatencyNs ?? DEFAULT_WORKER_CREATE_NS,
    workerCreateCpuNs: Math.min(overrides.workerCreateCpuNs ?? Infinity, overrides.workerCreateLatencyNs ?? DEFAULT_WORKER_CREATE_NS),
    workerCreateSource: overrides.workerCreateLatencyNs === undefined ? 'default' : overrides.workerCreateSource ?? 'user',
    poolIdsPerCpu: at(6, 9) ? 4 : 2,
  };
}

/** `sysctl_*` scaling: 1 + ilog2(min(online CPUs, 8)) (kernel/sched/fair.c, SCHED_TUNABLESCALING_LOG). */
export function schedFactor(onlineCpus: number): number {
  return 1 + Math.floor(Math.log2(Math.max(1, Math.min(onlineCpus, 8))));
}

/**
 * The round-robin quantum for `runnable` threads sharing one CPU (§7.1): the slice rounded up to whole
 * ticks, because slice expiry is noticed at the scheduler tick. CFS: period/n with period = max(latency,
 * n × min_granularity); EEVDF: the base slice.
 */
export function quantumNs(profile: KernelProfile, onlineCpus: number, runnable: number): number {
  if (profile.cpuModel === 'ps') return PS_QUANTUM_NS;
  const factor = schedFactor(onlineCpus);
  const tick = 1e9 / profile.hz;
  let slice: number;
  if (profile.sched === 'cfs') {
    const latency = 6_000_000 * factor;
    const minGran = 750_000 * factor;
    const n = Math.max(1, runnable);
    slice = Math.max(latency / n, minGran);
  } else {
    slice = profile.baseSliceNs * factor;
  }
  return Math.ceil(slice / tick) * tick;
}
