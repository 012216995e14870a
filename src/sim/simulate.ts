// The embedded discrete-event simulator (docs/workqueue-model.md §8): replays a Workload on a Machine under a
// policy and a kernel profile, and returns a Boot in the same model as a real one (origin 'simulated'), so
// findings, reports and diffs work on it. Deterministic: one event queue with FIFO tie-breaks, no clocks;
// latencies measured in the trace (workload.latencies) are sampled with a seeded PRNG, so the same input and
// seed give the same Boot. A run whose work waits forever is reported as a workqueue-deadlock finding.

import type { Boot, Finding, InputInfo, ProbeSpan, Topology, WorkerIdentity } from '../model/types.js';
import { BOOT_SCHEMA, cpuId, nodeId, ns, pidOf } from '../model/types.js';
import { CpuScheduler, type SimCpu } from './cpu-scheduler.js';
import { EventQueue } from './event-queue.js';
import { type KernelProfile, quantumNs } from './kernel-profile.js';
import type { Machine } from './machine.js';
import { type PolicyName, type ProbeEntry, probeEntry } from './policies.js';
import { countersAt, newThread, setState, type SimThread, type Step } from './sim-thread.js';
import { buildPods, keepWorking, needMoreWorker, newPool, type Pods, type Pool, unboundPoolIdBase, workerComm } from './worker-pools.js';
import { activeKey, percpuWorkqueue, retire, tryActivate, unboundWorkqueue, type WorkItem, type Workqueue } from './workqueues.js';
import type { Workload, WorkloadProbe } from './workload.js';

export interface SimulateOptions {
  profile: KernelProfile;
  /** Inputs to name in the simulated Boot (defaults to the workload's). */
  inputs?: InputInfo[];
  /**
   * Replaying the policy the boot ran, on its own machine: each pool's k-th worker creation takes the k-th one the
   * trace measured in that pool during the probes (workload.latencies.observedCreate); sampled beyond them.
   */
  replayObserved?: boolean;
  /**
   * The boot's own workload on its own machine (no what-if): kicks and worker creations before the real boot's first
   * probe entry (workload.latencies.prefixEndNs), where no policy has acted yet, take the trace's figures in order.
   */
  replayPrefix?: boolean;
}

/** Worker creations of one simulated run, per pool role: how many, and how many reused a measured one. */
export interface CreationCount {
  role: string;
  count: number;
  observed: number;
}

type SimEvent =
  | { type: 'cpu'; cpu: number; version: number }
  | { type: 'wake'; thread: SimThread }
  | { type: 'arrive-async'; probe: number }
  | { type: 'start-task'; thread: SimThread };

interface ProbeRecord {
  startNs: number | null;
  endNs: number | null;
  bodyStart: number | null;
  bodyEnd: number | null;
  queuedAt: number | null;
  executor: SimThread | null;
  attach: SimThread | null;
  cpu: number | null;
  countersAtBody: { onCpu: number; runnable: number; sleep: number } | null;
  countersAtEnd: { onCpu: number; runnable: number; sleep: number } | null;
}

interface Deadlock {
  wq: string;
  key: number;
  keyKind: 'cpu' | 'issuing cpu' | 'node';
  limit: number;
  active: number;
  parked: number;
  waitingOnParked: number;
  atNs: number;
}

const FIRST_SIM_PID = 1000;
/** The comm of a synchronous caller the input does not name. */
export const SYNC_CALLER = 'sync-caller';
const BODY_STEPS = new WeakMap<WorkloadProbe, { index: number; steps: Step[] }>();

export function simulate(workload: Workload, machine: Machine, policy: PolicyName, options: SimulateOptions): Boot {
  return simulateCounted(workload, machine, policy, options).boot;
}

/** simulate(), with the worker creations the run needed per pool role. */
export function simulateCounted(workload: Workload, machine: Machine, policy: PolicyName, options: SimulateOptions): { boot: Boot; creations: CreationCount[] } {
  const sim = new Simulation(workload, machine, policy, options.profile, options.replayObserved === true, options.replayPrefix === true);
  sim.run();
  return { boot: sim.toBoot(options.inputs), creations: sim.creationCounts() };
}

class Simulation {
  private readonly events = new EventQueue<SimEvent>();
  private readonly sched: CpuScheduler;
  private readonly pods: Pods;
  private readonly boundPools = new Map<number, Pool>();
  private readonly unboundPools = new Map<number, Pool>();
  private readonly wqs = new Map<string, Workqueue>();
  private readonly records: ProbeRecord[];
  private readonly onlineCpus: number;
  private readonly tickNs: number;
  private readonly poolBase: number;
  private readonly seeds = new Map<string, Array<{ id: number; pid: number | null; lastCpu?: number }>>();
  private nextPid = FIRST_SIM_PID;
  private nextWorkId = 0;
  private now = 0;
  private spreadCursor = new Map<number, number>();
  private spreadOrder = new Map<number, number[]>();
  private firstPodCpuOfNode = new Map<number, number>();
  private spreadUsed = new Set<number>();
  /** Seeded PRNG for the measured latency distributions (null: fixed figures from the profile). */
  private readonly random: (() => number) | null;
  private deadlock: Deadlock | null = null;
  private readonly hasBackground: boolean;
  /** Each pool's role key (`b<cpu>`, `n<node>.<k>`, or `u<id>` without role-keyed seeds) and its creations so far. */
  private readonly poolRole = new Map<Pool, string>();
  private readonly creations = new Map<string, { count: number; observed: number }>();
  /** The start latency a woken idle worker was given at its last kick (sampled), until it dispatches. */
  private readonly kickDelay = new Map<SimThread, number>();
  /**
   * Workers created during the run that have not run yet: create_worker() wakes the new worker itself, and the
   * measured creation ends at that wake-up, so its first wake-up takes no sampled start latency (the trace's
   * samples leave first wake-ups out too, sim/replay-inputs.ts).
   */
  private readonly fresh = new Set<SimThread>();
  /** Per pool role: kicks so far before the prefix's end (replayPrefix). */
  private readonly prefixKicks = new Map<string, number>();

  constructor(
    private readonly workload: Workload,
    private readonly machine: Machine,
    private readonly policy: PolicyName,
    private readonly profile: KernelProfile,
    private readonly replayObserved = false,
    private readonly replayPrefix = false,
  ) {
    this.sched = new CpuScheduler(machine);
    this.pods = buildPods(machine, profile);
    this.onlineCpus = machine.cpus.filter((c) => c.online).length;
    this.tickNs = 1e9 / profile.hz;
    this.poolBase = unboundPoolIdBase(machine, profile);
    this.records = workload.probes.map(() => ({
      startNs: null, endNs: null, bodyStart: null, bodyEnd: null, queuedAt: null, executor: null, attach: null, cpu: null,
      countersAtBody: null, countersAtEnd: null,
    }));
    let maxPid = FIRST_SIM_PID - 1;
    if (workload.seeds !== undefined) {
      for (const w of workload.seeds) {
        const list = this.seeds.get(w.role) ?? [];
        list.push({ id: w.workerId, pid: w.pid, ...(w.lastCpu !== undefined ? { lastCpu: w.lastCpu } : {}) });
        this.seeds.set(w.role, list);
        maxPid = Math.max(maxPid, w.pid);
      }
    } else {
      for (const w of workload.seenWorkers) {
        const key = w.kind === 'bound' ? `b${w.cpu}` : `u${w.pool}`;
        if (w.workerId === null) continue;
        const list = this.seeds.get(key) ?? [];
        list.push({ id: w.workerId, pid: w.pid });
        this.seeds.set(key, list);
        if (w.pid !== null) maxPid = Math.max(maxPid, w.pid);
      }
    }
    this.nextPid = maxPid + 1;
    this.hasBackground = (workload.background ?? []).some((b) => b.busy.length > 0);
    this.random = workload.latencies !== undefined ? mulberry32(workload.latencies.seed) : null;
    const asyncSpec = profile.asyncWq;
    const asyncWq = unboundWorkqueue(asyncSpec.name, asyncSpec.maxActive, asyncSpec.minActive, machine, profile);
    this.wqs.set('async', asyncWq);
    // Before 6.9 async work goes to system_unbound_wq itself; from 6.9 "async" is its own wq (same pools).
    this.wqs.set('events_unbound', asyncSpec.name === 'events_unbound' ? asyncWq : unboundWorkqueue('events_unbound', 512, 8, machine, profile));
    this.wqs.set('events', percpuWorkqueue('events'));
    this.wqs.set('sync_wq', percpuWorkqueue('sync_wq'));
  }

  run(): void {
    this.scheduleArrivals();
    this.loop();
    if (this.records.some((r) => r.endNs === null)) this.deadlock = this.findDeadlock();
  }

  private loop(): void {
    for (let e = this.events.pop(); e; e = this.events.pop()) {
      this.now = e.time;
      const ev = e.payload;
      switch (ev.type) {
        case 'cpu':
          this.onCpuEvent(ev.cpu, ev.version);
          break;
        case 'wake':
          this.wake(ev.thread);
          break;
        case 'arrive-async':
          this.arriveAsync(ev.probe);
          break;
        case 'start-task':
          this.wake(ev.thread);
          break;
      }
    }
  }

  // ---- workload entry -------------------------------------------------------------------------

  private scheduleArrivals(): void {
    this.scheduleBackground();
    const probes = this.workload.probes;
    if (this.policy === 'spread') {
      probes.forEach((p, i) => {
        const cpu = this.spreadCpu(p.node);
        const t = this.newTask(`probe/${cpu}`, cpu);
        t.pinned = cpu;
        t.steps = [{ k: 'mark', probe: i, what: 'start' }, ...this.bodySteps(i)];
        if (p.attachNs > 0) t.steps.push({ k: 'sleep', ns: p.attachNs });
        t.steps.push({ k: 'mark', probe: i, what: 'end' });
        this.records[i]!.attach = t;
        this.events.push(p.arrivalNs, { type: 'start-task', thread: t });
      });
      return;
    }
    const forceSync = this.policy === 'sync';
    const callers = new Map<string, SimThread>();
    const callerSteps = new Map<SimThread, Step[]>();
    probes.forEach((p, i) => {
      if (p.async && !forceSync) {
        this.events.push(p.arrivalNs, { type: 'arrive-async', probe: i });
        return;
      }
      // A sync attach runs in its caller; devices that were async (forced sync) share one caller per driver (insmod or
      // PID 1 in a real boot; which one is not known, so it is named `sync-caller`, as is a caller the log did not name).
      const key = p.async ? `driver ${p.driver ?? '?'}` : p.caller?.pid !== null && p.caller?.pid !== undefined ? `pid${p.caller.pid}` : p.caller?.comm ?? `driver ${p.driver ?? '?'}`;
      let t = callers.get(key);
      if (!t) {
        const caller: WorkerIdentity | null = p.async ? null : p.caller;
        const comm: string = caller !== null && caller.kind === 'task' ? caller.comm ?? SYNC_CALLER : SYNC_CALLER;
        t = this.newTask(comm, 0);
        if (caller !== null && caller.kind === 'task' && caller.pid !== null) t.pid = caller.pid;
        callers.set(key, t);
        callerSteps.set(t, []);
        this.events.push(p.arrivalNs, { type: 'start-task', thread: t });
      }
      const steps = callerSteps.get(t)!;
      steps.push({ k: 'until', at: p.arrivalNs }, { k: 'mark', probe: i, what: 'start' }, ...this.entrySteps(i, false), { k: 'mark', probe: i, what: 'end' });
    });
    for (const [t, steps] of callerSteps) t.steps = steps;
  }

  /** Other threads' measured CPU occupancy: one pinned task per CPU that wants the CPU when the real boot's CPU was busy. */
  private scheduleBackground(): void {
    for (const load of this.workload.background ?? []) {
      if (load.busy.length === 0 || !this.machine.cpus[load.cpu]?.online) continue;
      const t = this.newTask(`background/${load.cpu}`, load.cpu);
      t.pinned = load.cpu;
      t.background = true;
      const steps: Step[] = [];
      for (const b of load.busy) steps.push({ k: 'until', at: b.startNs }, { k: 'cpu', ns: b.ns });
      t.steps = steps;
      this.events.push(load.busy[0]!.startNs, { type: 'start-task', thread: t });
    }
  }

  /** Before the boot's first probe entry (replayPrefix): the k-th kick of a pool takes the k-th wake-up measured there. */
  private prefixLatency(pool: Pool): number | null {
    const lat = this.workload.latencies;
    if (!this.replayPrefix || lat?.prefixEndNs === undefined || this.now >= lat.prefixEndNs) return null;
    const role = this.poolRole.get(pool) ?? '?';
    const k = this.prefixKicks.get(role) ?? 0;
    this.prefixKicks.set(role, k + 1);
    return lat.prefixWake?.[role]?.[k] ?? null;
  }

  /** A sample of a measured distribution (seeded), or null without one. */
  private sample<T>(values: readonly T[] | undefined): T | null {
    if (this.random === null || values === undefined || values.length === 0) return null;
    return values[Math.floor(this.random() * values.length)]!;
  }

  private arriveAsync(i: number): void {
    const p = this.workload.probes[i]!;
    // async_schedule_dev() → queue_work_node(dev node, async wq); the caller (insmod / PID 1) is assumed off the node.
    const body: Step[] = [{ k: 'mark', probe: i, what: 'start' }, ...this.entrySteps(i, true), { k: 'mark', probe: i, what: 'end' }];
    const wq = this.wqs.get('async')!;
    this.queueToNode(wq, p.node, 'async_run_entry_fn', body, null, null);
  }

  /** What the attach context runs for probe i under the policy. */
  private entrySteps(i: number, inWorker: boolean): Step[] {
    const p = this.workload.probes[i]!;
    const entry = probeEntry(this.policy, this.machine, p.node, inWorker);
    const after: Step[] = p.attachNs > 0 ? [{ k: 'sleep', ns: p.attachNs }] : [];
    if (entry.kind === 'inline') return [...this.bodySteps(i), ...after];
    return [{ k: 'hop', probe: i, entry, body: this.bodySteps(i) }, ...after];
  }

  /** The probe body as steps; immutable, so shared by every run over the same workload probe. */
  private bodySteps(i: number): Step[] {
    const p: WorkloadProbe = this.workload.probes[i]!;
    const cached = BODY_STEPS.get(p);
    if (cached && cached.index === i) return cached.steps;
    const steps: Step[] = [{ k: 'mark', probe: i, what: 'body-start' }];
    for (const s of p.program) steps.push(s.kind === 'cpu' ? { k: 'cpu', ns: s.ns } : { k: 'sleep', ns: s.ns });
    steps.push({ k: 'mark', probe: i, what: 'body-end' });
    BODY_STEPS.set(p, { index: i, steps });
    return steps;
  }

  /** spread: the node's CPUs with distinct cores first, then SMT siblings, then the other nodes' CPUs; wraps when all are taken. */
  private spreadCpu(node: number | null): number {
    const key = node ?? -1;
    let order = this.spreadOrder.get(key);
    if (!order) {
      const usable = this.machine.cpus.filter((c) => c.online && c.housekeeping);
      const coresFirst = (list: typeof usable) => {
        const seenCores = new Set<number>();
        const firsts: number[] = [];
        const siblings: number[] = [];
        for (const c of list) {
          if (seenCores.has(c.core)) siblings.push(c.cpu);
          else {
            seenCores.add(c.core);
            firsts.push(c.cpu);
          }
        }
        return [...firsts, ...siblings];
      };
      order = [...coresFirst(usable.filter((c) => c.node === node)), ...coresFirst(usable.filter((c) => c.node !== node))];
      this.spreadOrder.set(key, order);
    }
    let k = this.spreadCursor.get(key) ?? 0;
    for (let tries = 0; tries < order.length; tries++, k++) {
      const c = order[k % order.length]!;
      if (!this.spreadUsed.has(c) || this.spreadUsed.size >= order.length) {
        this.spreadUsed.add(c);
        this.spreadCursor.set(key, k + 1);
        return c;
      }
    }
    this.spreadCursor.set(key, k + 1);
    return order[k % order.length]!;
  }

  // ---- workqueues and pools -------------------------------------------------------------------

  private boundPool(cpu: number): Pool {
    let pool = this.boundPools.get(cpu);
    if (!pool) {
      pool = newPool('bound', cpu, cpu, [cpu], -1, -1);
      this.poolRole.set(pool, `b${cpu}`);
      this.seedPool(pool, `b${cpu}`, cpu);
      this.boundPools.set(cpu, pool);
    }
    return pool;
  }

  private unboundPool(pod: number): Pool {
    let pool = this.unboundPools.get(pod);
    if (!pool) {
      const cpus = this.pods.pods[pod]!;
      const hardNode = this.profile.unboundModel === 'numaHard' ? this.pods.nodeOf[pod]! : -1;
      pool = newPool('unbound', this.poolBase + pod, -1, cpus, pod, hardNode);
      const node = this.pods.nodeOf[pod]!;
      let ordinal = 0;
      for (let k = 0; k < pod; k++) if (this.pods.nodeOf[k] === node) ordinal++;
      const role = this.workload.seeds !== undefined ? `n${node}.${ordinal}` : `u${pool.id}`;
      this.poolRole.set(pool, role);
      this.seedPool(pool, role, cpus[0]!);
      this.unboundPools.set(pod, pool);
    }
    return pool;
  }

  /** workqueue_init()/get_unbound_pool() start a pool with one idle worker; a real boot's workers replace it (§8.2). */
  private seedPool(pool: Pool, key: string, cpu: number): void {
    const seeds = [...(this.seeds.get(key) ?? [])].sort((a, b) => b.id - a.id);
    if (seeds.length === 0) {
      pool.idle.push(this.newWorker(pool, cpu));
      return;
    }
    pool.nextWorkerId = Math.max(...seeds.map((s) => s.id)) + 1;
    for (const s of seeds) {
      // An unbound worker wakes near where it last ran (its wake_cpu), when that CPU is in its pod.
      const home = pool.kind === 'unbound' && s.lastCpu !== undefined && pool.podCpus.includes(s.lastCpu) ? s.lastCpu : cpu;
      const w = this.newWorker(pool, home, s.id, s.pid ?? undefined);
      pool.idle.push(w);
    }
  }

  private newWorker(pool: Pool, cpu: number, id?: number, pid?: number): SimThread {
    const workerId = id ?? pool.nextWorkerId++;
    const t = newThread(pid ?? this.nextPid++, workerComm(pool, workerId), pool.kind, cpu);
    t.pool = pool;
    t.workerId = workerId;
    t.since = this.now;
    if (pool.kind === 'bound') t.pinned = pool.cpu;
    else t.allowedNode = pool.hardNode;
    return t;
  }

  private newTask(comm: string, cpu: number): SimThread {
    const t = newThread(this.nextPid++, comm, 'task', cpu);
    t.state = 'blocked';
    t.since = this.now;
    return t;
  }

  /** queue_work_node(): the current CPU if it is on the node, else the node's first online CPU picks the pod. */
  private queueToNode(wq: Workqueue, node: number | null, fn: string, body: Step[], from: SimThread | null, probe: number | null): WorkItem {
    let cpu = -1;
    if (from && node !== null && this.machine.cpus[from.cpu]?.node === node && this.pods.podOf[from.cpu]! >= 0) cpu = from.cpu;
    if (cpu < 0 && node !== null) {
      let first = this.firstPodCpuOfNode.get(node);
      if (first === undefined) {
        first = this.pods.podOf.findIndex((p, c) => p >= 0 && this.machine.cpus[c]!.node === node);
        this.firstPodCpuOfNode.set(node, first);
      }
      cpu = first;
    }
    if (cpu < 0) cpu = from && this.pods.podOf[from.cpu]! >= 0 ? from.cpu : this.pods.podOf.findIndex((p) => p >= 0);
    const pod = this.pods.podOf[cpu]!;
    return this.queue(wq, this.unboundPool(pod), from?.cpu ?? cpu, this.pods.nodeOf[pod]!, fn, body, probe);
  }

  private queue(wq: Workqueue, pool: Pool, issuingCpu: number, podNode: number, fn: string, body: Step[], probe: number | null): WorkItem {
    const work: WorkItem = { id: this.nextWorkId++, fn, wq, key: activeKey(wq, pool, issuingCpu, podNode, this.profile), pool, body, waiters: [], probe, queuedAt: this.now };
    if (tryActivate(work)) {
      pool.worklist.push(work);
      this.kick(pool);
    }
    return work;
  }

  /** kick_pool(): wake the first idle worker if the pool needs one (it stays on the idle list until it runs). */
  private kick(pool: Pool): void {
    if (!needMoreWorker(pool)) return;
    const w = pool.idle[pool.idle.length - 1];
    if (!w || w.waking) return;
    w.waking = true;
    if (pool.kind === 'unbound' && pool.hardNode < 0 && this.pods.podOf[w.cpu] !== pool.podIndex) {
      w.wakeHint = pool.podCpus[pool.hintCursor++ % pool.podCpus.length]!; // repatriation
    } else {
      w.wakeHint = w.cpu;
    }
    w.steps = [{ k: 'dispatch' }];
    w.pc = 0;
    const latency = this.fresh.delete(w) ? null : this.prefixLatency(pool) ?? this.sample(this.workload.latencies?.wakeNs);
    this.kickDelay.set(w, latency ?? 0);
    if (latency !== null && latency > 0) this.events.push(this.now + latency, { type: 'wake', thread: w });
    else this.wake(w);
  }

  // ---- scheduling -----------------------------------------------------------------------------

  private wake(t: SimThread): void {
    if (t.state === 'running' || t.state === 'runnable' || t.state === 'exited') return;
    if (t.state === 'blocked') t.runSinceWake = 0; // the CPU-intensive clock restarts on every wakeup
    setState(t, 'runnable', this.now);
    const cpu = this.sched.cpu(this.sched.place(t));
    if (cpu.current === null) {
      this.runOn(cpu, t);
      return;
    }
    if (cpu.current.background === true && t.background !== true) {
      // Background load is other threads' measured occupancy: a woken probe thread preempts it, as CFS places a
      // woken sleeper ahead of a running hog (sleeper credit, wakeup preemption) and EEVDF a woken task with lag.
      const bg = cpu.current;
      this.charge(cpu, bg);
      setState(bg, 'runnable', this.now);
      this.sched.setCurrent(cpu, null);
      this.sched.enqueue(cpu, bg);
      this.runOn(cpu, t);
      return;
    }
    this.sched.enqueue(cpu, t);
    if (this.profile.sched === 'cfs') {
      // CFS recomputes the slice from nr_running at each tick: a newcomer shortens the current slice.
      const end = cpu.sliceStart + quantumNs(this.profile, this.onlineCpus, this.sched.runnableOn(cpu));
      if (end < cpu.quantumEnd) {
        cpu.quantumEnd = Math.max(end, Math.ceil(this.now / this.tickNs) * this.tickNs);
        const current = cpu.current;
        if (current.remaining > 0 && current.steps[current.pc]?.k === 'cpu') {
          this.charge(cpu, current);
          this.startSlice(cpu, current);
        }
      }
    }
  }

  private runOn(cpu: SimCpu, t: SimThread): void {
    setState(t, 'running', this.now);
    this.sched.setCurrent(cpu, t);
    t.cpu = cpu.id;
    t.wakeHint = cpu.id;
    cpu.sliceStart = this.now;
    cpu.quantumEnd = this.now + quantumNs(this.profile, this.onlineCpus, this.sched.runnableOn(cpu));
    if (t.kind === 'bound' && t.work && !t.counted && !t.cpuIntensive) {
      // wq_worker_running(): counted again when back on the CPU.
      t.counted = true;
      t.pool!.nrRunning++;
    }
    if (t.waking) {
      t.waking = false;
      const pool = t.pool!;
      if (pool.idle[pool.idle.length - 1] === t) pool.idle.pop();
      else {
        const at = pool.idle.indexOf(t);
        if (at >= 0) pool.idle.splice(at, 1);
      }
    }
    this.advance(cpu, t);
  }

  /** Leaves the CPU and gives it to the next runnable thread. */
  private release(cpu: SimCpu): void {
    this.sched.setCurrent(cpu, null);
    const next = (this.hasBackground ? this.sched.takeForeground(cpu) : null) ?? this.sched.next(cpu);
    if (next) this.runOn(cpu, next);
  }

  private startSlice(cpu: SimCpu, t: SimThread): void {
    if (this.now >= cpu.quantumEnd) {
      if (cpu.runq.length > 0) {
        // Quantum used up with others waiting: round-robin. Preemption does not touch nr_running (§2).
        setState(t, 'runnable', this.now);
        this.sched.setCurrent(cpu, null);
        this.sched.enqueue(cpu, t);
        this.runOn(cpu, (this.hasBackground ? this.sched.takeForeground(cpu) : null) ?? this.sched.next(cpu)!);
        return;
      }
      cpu.sliceStart = this.now;
      cpu.quantumEnd = this.now + quantumNs(this.profile, this.onlineCpus, 1);
    }
    cpu.runStart = this.now;
    let horizon = Math.min(t.remaining, cpu.quantumEnd - this.now);
    const threshold = this.profile.cpuIntensiveThresholdNs;
    if (threshold !== null && t.kind === 'bound' && t.counted && !t.cpuIntensive) {
      const at = Math.ceil((this.now + Math.max(0, threshold - t.runSinceWake)) / this.tickNs) * this.tickNs;
      horizon = Math.min(horizon, Math.max(1, at - this.now));
    }
    cpu.version++;
    this.events.push(this.now + horizon, { type: 'cpu', cpu: cpu.id, version: cpu.version });
  }

  /** Charges the CPU time since the slice started to the running thread. */
  private charge(cpu: SimCpu, t: SimThread): void {
    const elapsed = this.now - cpu.runStart;
    t.remaining -= elapsed;
    t.runSinceWake += elapsed;
    cpu.runStart = this.now;
  }

  private onCpuEvent(cpuIdx: number, version: number): void {
    const cpu = this.sched.cpu(cpuIdx);
    if (cpu.version !== version || !cpu.current) return;
    const t = cpu.current;
    this.charge(cpu, t);
    const threshold = this.profile.cpuIntensiveThresholdNs;
    if (threshold !== null && t.kind === 'bound' && t.counted && !t.cpuIntensive && t.runSinceWake >= threshold) {
      // wq_worker_tick(): a CPU hog stops counting and the pool is kicked (6.5+).
      t.cpuIntensive = true;
      t.counted = false;
      t.pool!.nrRunning--;
      this.kick(t.pool!);
    }
    if (t.remaining <= 0) {
      t.remaining = 0;
      t.pc++;
      this.advance(cpu, t);
      return;
    }
    this.startSlice(cpu, t);
  }

  /** Runs the thread's steps from its pc until it needs CPU time or leaves the CPU. */
  private advance(cpu: SimCpu, t: SimThread): void {
    for (;;) {
      const step = t.steps[t.pc];
      if (step === undefined) {
        if (this.endOfSteps(cpu, t)) continue;
        return;
      }
      switch (step.k) {
        case 'cpu':
          if (t.remaining === 0) t.remaining = step.ns;
          if (t.remaining <= 0) {
            t.remaining = 0;
            t.pc++;
            continue;
          }
          this.startSlice(cpu, t);
          return;
        case 'sleep':
          t.pc++;
          this.block(cpu, t);
          this.events.push(this.now + step.ns, { type: 'wake', thread: t });
          return;
        case 'until':
          t.pc++;
          if (step.at > this.now) {
            this.block(cpu, t);
            this.events.push(step.at, { type: 'wake', thread: t });
            return;
          }
          continue;
        case 'mark':
          this.mark(t, step.probe, step.what);
          t.pc++;
          continue;
        case 'hop': {
          t.pc++;
          const rec = this.records[step.probe]!;
          rec.queuedAt = this.now;
          const work = this.hop(t, step.entry, step.body, step.probe);
          work.waiters.push(t);
          this.block(cpu, t);
          return;
        }
        case 'dispatch': {
          const pool = t.pool!;
          if (!needMoreWorker(pool)) {
            this.enterIdle(cpu, t);
            return;
          }
          if (pool.idle.length === 0 && !pool.managerBusy) {
            pool.managerBusy = true;
            // create_worker(): the manager's own work on its CPU, then it waits (D) for kthreadd and the new thread.
            const lat = this.workload.latencies;
            const role = this.poolRole.get(pool) ?? '?';
            const counted = this.creations.get(role) ?? { count: 0, observed: 0 };
            this.creations.set(role, counted);
            // Replaying the observed policy: the k-th creation of this pool is the k-th the trace measured in it.
            // Before the boot's first probe entry (no policy has acted), every policy replays the creations measured there.
            const kth = lat?.observedCreate?.[role]?.[counted.count];
            const inPrefix = this.replayPrefix && kth !== undefined && lat?.prefixEndNs !== undefined && this.now < lat.prefixEndNs && (kth.requestNs ?? Infinity) < lat.prefixEndNs;
            const measured = this.replayObserved || inPrefix ? kth : undefined;
            counted.count++;
            if (measured !== undefined) counted.observed++;
            const own = pool.kind === 'bound' ? lat?.create : lat?.createUnbound;
            const drawn = measured ?? this.sample(own !== undefined && own.length > 0 ? own : pool.kind === 'bound' ? lat?.createUnbound : lat?.create);
            // A measured manager's on-CPU part runs from its switch-in, so it holds the worker's own start (worker_thread
            // up to manage_workers()), which the sampled woken-worker latency of this kick already paid: not twice.
            const paid = this.kickDelay.get(t) ?? 0;
            const cpu = drawn ? Math.max(0, drawn.cpuNs - paid) : this.profile.workerCreateCpuNs;
            const wait = drawn ? drawn.waitNs : this.profile.workerCreateLatencyNs - cpu;
            const create: Step[] = [];
            if (cpu > 0) create.push({ k: 'cpu', ns: cpu });
            if (wait > 0) create.push({ k: 'sleep', ns: wait });
            t.steps = [...create, { k: 'create-worker' }, { k: 'take-work' }];
          } else {
            t.steps = [{ k: 'take-work' }];
          }
          t.pc = 0;
          continue;
        }
        case 'create-worker': {
          const pool = t.pool!;
          const home = pool.kind === 'bound' ? pool.cpu : pool.podCpus[0]!;
          const w = this.newWorker(pool, home);
          this.fresh.add(w);
          pool.idle.push(w);
          pool.managerBusy = false;
          t.pc++;
          continue;
        }
        case 'take-work': {
          const pool = t.pool!;
          const work = pool.worklist.shift();
          if (!work) {
            this.enterIdle(cpu, t);
            return;
          }
          if (pool.kind === 'bound' && !t.counted) {
            t.counted = true;
            pool.nrRunning++;
          }
          t.work = work;
          t.steps = work.body;
          t.pc = 0;
          t.runSinceWake = 0;
          if (pool.kind === 'unbound') this.kick(pool); // process_one_work() chains wake-ups
          continue;
        }
      }
    }
  }

  /** A worker finished its item (true: continue with the next steps); a task exits (false). */
  private endOfSteps(cpu: SimCpu, t: SimThread): boolean {
    const work = t.work;
    if (!work) {
      setState(t, 'exited', this.now);
      this.release(cpu);
      return false;
    }
    t.work = null;
    t.cpuIntensive = false;
    const activated = retire(work);
    for (const waiter of work.waiters) this.wake(waiter);
    if (activated) {
      activated.pool.worklist.push(activated);
      this.kick(activated.pool);
    }
    const pool = t.pool!;
    if (pool.kind === 'bound' && !t.counted) {
      // Was CPU-intensive: counted again for the keep_working() test.
      t.counted = true;
      pool.nrRunning++;
    }
    if (keepWorking(pool)) {
      t.steps = [{ k: 'take-work' }];
      t.pc = 0;
      return true;
    }
    this.enterIdle(cpu, t);
    return false;
  }

  private enterIdle(cpu: SimCpu, t: SimThread): void {
    const pool = t.pool!;
    if (t.counted) {
      t.counted = false;
      pool.nrRunning--;
    }
    t.steps = [];
    t.pc = 0;
    setState(t, 'idle', this.now);
    pool.idle.push(t);
    this.release(cpu);
  }

  /** The running thread blocks (D/S): a bound worker stops counting and kicks its pool (wq_worker_sleeping). */
  private block(cpu: SimCpu, t: SimThread): void {
    setState(t, 'blocked', this.now);
    if (t.kind === 'bound' && t.counted) {
      t.counted = false;
      t.pool!.nrRunning--;
      this.kick(t.pool!);
    }
    this.release(cpu);
  }

  private hop(from: SimThread, entry: Exclude<ProbeEntry, { kind: 'inline' }>, body: Step[], probe: number): WorkItem {
    if (entry.kind === 'percpu') {
      const wq = this.wqs.get(entry.wq)!;
      const pool = this.boundPool(entry.cpu);
      return this.queue(wq, pool, entry.cpu, this.machine.cpus[entry.cpu]!.node, entry.fn, body, probe);
    }
    return this.queueToNode(this.wqs.get(entry.wq)!, entry.node, entry.fn, body, from, probe);
  }

  private mark(t: SimThread, probe: number, what: 'start' | 'end' | 'body-start' | 'body-end'): void {
    const rec = this.records[probe]!;
    if (what === 'start') {
      rec.startNs = this.now;
      rec.attach = t;
    } else if (what === 'end') {
      rec.endNs = this.now;
    } else if (what === 'body-start') {
      rec.bodyStart = this.now;
      rec.executor = t;
      rec.cpu = t.cpu;
      rec.countersAtBody = countersAt(t, this.now);
    } else {
      rec.bodyEnd = this.now;
      rec.countersAtEnd = countersAt(t, this.now);
    }
  }

  // ---- output ---------------------------------------------------------------------------------

  creationCounts(): CreationCount[] {
    return [...this.creations.entries()].map(([role, c]) => ({ role, ...c })).sort((a, b) => a.role.localeCompare(b.role, 'en', { numeric: true }));
  }

  toBoot(inputs?: InputInfo[]): Boot {
    const probes: ProbeSpan[] = this.workload.probes.map((p, i) => this.span(p, this.records[i]!));
    const topology: Topology = {
      cpus: this.machine.cpus.map((c) => ({ cpu: c.cpu, node: c.node, core: c.core, socket: null, llc: this.machine.llcKnown ? c.llc : null, online: c.online })),
      isolated: this.machine.cpus.filter((c) => !c.housekeeping).map((c) => c.cpu),
      source: null,
    };
    return {
      schema: BOOT_SCHEMA,
      inputs: inputs ?? [],
      kernel: {
        release: this.workload.kernel.release,
        banner: `simulated by trace-probe: policy ${this.policy}, kernel profile ${this.profile.version} (${this.profile.versionSource}), machine ${this.machine.description}`,
        cmdline: this.workload.kernel.cmdline,
      },
      topology,
      probes,
      initcalls: [],
      findings: this.deadlock === null ? [] : [this.deadlockFinding(this.deadlock)],
      diagnostics: this.diagnostics(),
    };
  }

  /**
   * Why probes never finished, when the event queue ran dry: work items parked on a workqueue's inactive list
   * (max_active reached) while every active item of the same wq and key sleeps in flush_work() for one of them.
   */
  private findDeadlock(): Deadlock | null {
    for (const wq of new Set(this.wqs.values())) {
      for (const [key, parked] of wq.inactive) {
        if (parked.length === 0) continue;
        const waitingOnParked = parked.reduce((n, w) => n + w.waiters.length, 0);
        if (waitingOnParked === 0) continue;
        return { wq: wq.name, key, limit: wq.limit(key), active: wq.active.get(key) ?? 0, parked: parked.length, waitingOnParked,
          keyKind: wq.percpu ? 'cpu' : this.profile.unboundMaxActive === 'perCpuPwq' ? 'issuing cpu' : 'node', atNs: this.now };
      }
    }
    return null;
  }

  private deadlockFinding(d: Deadlock): Finding {
    const stuck = this.records.map((r, i) => (r.endNs === null ? this.workload.probes[i]!.device : null)).filter((v): v is string => v !== null);
    return {
      kind: 'workqueue-deadlock',
      severity: 'warning',
      title: `simulated probes wait forever: workqueue "${d.wq}" reached max_active (${d.limit} per ${d.keyKind} ${d.key}) with every active item waiting in flush_work() for items parked behind it`,
      detail: `${d.active} items of "${d.wq}" are active for ${d.keyKind} ${d.key}, the limit; ${d.parked} more wait on its inactive list, and ${d.waitingOnParked} of the active items' threads sleep in flush_work() until one of those parked items runs, which needs an active slot: none is ever freed (kernel/workqueue.c pwq max_active; the attach items and the probe bodies they queue share one workqueue). ${stuck.length} of ${this.records.length} probes never finished (stuck at ${(d.atNs / 1e6).toFixed(3)} ms).`,
      node: d.keyKind === 'node' ? nodeId(d.key) : null,
      cpu: d.keyKind === 'node' ? null : cpuId(d.key),
      devices: stuck.slice(0, 50),
      drivers: [...new Set(this.workload.probes.filter((p) => stuck.includes(p.device)).map((p) => p.driver).filter((v): v is string => v !== null))],
      lostNs: null,
      evidence: [],
      warnings: stuck.length > 50 ? [`${stuck.length - 50} more devices not listed`] : [],
      data: { workqueue: d.wq, maxActive: d.limit, key: d.key, keyKind: d.keyKind, active: d.active, parked: d.parked, waitingOnParked: d.waitingOnParked, stuckProbes: stuck.length },
    };
  }

  private diagnostics(): Boot['diagnostics'] {
    const out: Boot['diagnostics'] = [];
    this.records.forEach((r, i) => {
      if (r.endNs === null) {
        const p = this.workload.probes[i]!;
        out.push({ file: p.source.file, line: p.source.line, severity: 'warning',
          message: this.deadlock !== null
            ? `simulation: probe of ${p.device} never finished: workqueue "${this.deadlock.wq}" deadlock (max_active ${this.deadlock.limit} reached, see the workqueue-deadlock finding)`
            : `simulation: probe of ${p.device} did not finish (internal error)` });
      }
    });
    return out;
  }

  private span(p: WorkloadProbe, r: ProbeRecord): ProbeSpan {
    const start = r.startNs ?? 0;
    const end = r.endNs ?? start;
    const body = r.countersAtBody;
    const bodyEnd = r.countersAtEnd;
    const attach = r.attach && r.attach !== r.executor ? identity(r.attach) : null;
    return {
      device: p.device,
      driver: p.driver,
      node: p.node,
      startNs: ns(start),
      endNs: ns(end),
      durationNs: ns(end - start),
      ret: 0,
      status: r.endNs === null ? 'failed' : 'ok',
      deferred: false,
      cpu: r.cpu === null ? null : cpuId(r.cpu),
      worker: r.executor ? identity(r.executor) : null,
      queuedBy: attach,
      queueDelayNs: r.queuedAt !== null && r.bodyStart !== null ? ns(r.bodyStart - r.queuedAt) : null,
      onCpuNs: body && bodyEnd ? ns(bodyEnd.onCpu - body.onCpu) : null,
      runnableWaitNs: body && bodyEnd ? ns(bodyEnd.runnable - body.runnable) : null,
      sleepNs: body && bodyEnd ? ns(bodyEnd.sleep - body.sleep) : null,
      bodyStartNs: r.bodyStart === null ? null : ns(r.bodyStart),
      bodyEndNs: r.bodyEnd === null ? null : ns(r.bodyEnd),
      origin: 'simulated',
      source: p.source,
      evidence: [],
    };
  }
}

/** mulberry32: a small seeded PRNG (deterministic across runs and platforms). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function identity(t: SimThread): WorkerIdentity {
  const kind = t.kind === 'task' ? 'task' : t.kind;
  return {
    comm: t.comm.slice(0, 15),
    pid: pidOf(t.pid),
    kind,
    cpu: t.kind === 'bound' ? cpuId(t.pool!.cpu) : null,
    pool: t.kind === 'unbound' ? t.pool!.id : null,
    workerId: t.workerId,
    rescuerOf: null,
    maybeTruncated: t.comm.length >= 15,
  };
}
