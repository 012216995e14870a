// The embedded discrete-event simulator (workqueue-model.md §8): replays a Workload on a Machine under a
// policy and a kernel profile, and returns a Boot in the same model as a real one (origin 'simulated'), so
// findings, reports and diffs work on it. Deterministic: one event queue with FIFO tie-breaks, no clocks,
// no randomness at all, so there is nothing to seed: the same input gives the same Boot.

import { BOOT_SCHEMA, type Boot, type InputInfo, type ProbeSpan, type WorkerIdentity } from '../model/types.js';
import type { Topology } from '../ingest/topology.types.js';
import { cpuId, ns, pidOf } from '../core/units.js';
import { CpuScheduler, type SimCpu } from './cpu-scheduler.js';
import { EventQueue } from './event-queue.js';
import { type KernelProfile, quantumNs } from './kernel-profile.js';
import type { Machine } from './machine.js';
import { type PolicyName, type ProbeEntry, probeEntry } from './policies.js';
import type { Pool, SimThread, Step, WorkItem, Workqueue } from './sim-state.js';
import { countersAt, newThread, setState } from './sim-thread.js';
import { buildPods, keepWorking, needMoreWorker, newPool, type Pods, unboundPoolIdBase, workerComm } from './worker-pools.js';
import { activeKey, percpuWorkqueue, retire, tryActivate, unboundWorkqueue } from './workqueues.js';
import type { Workload, WorkloadProbe } from './workload.js';

export interface SimulateOptions {
  profile: KernelProfile;
  /** Inputs to name in the simulated Boot (defaults to the workload's). */
  inputs?: InputInfo[];
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

const FIRST_SIM_PID = 1000;
/** The comm of a synchronous caller the input does not name. */
export const SYNC_CALLER = 'sync-caller';
const BODY_STEPS = new WeakMap<WorkloadProbe, { index: number; steps: Step[] }>();

export function simulate(workload: Workload, machine: Machine, policy: PolicyName, options: SimulateOptions): Boot {
  const sim = new Simulation(workload, machine, policy, options.profile);
  sim.run();
  return sim.toBoot(options.inputs);
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
  private readonly seeds = new Map<string, Array<{ id: number; pid: number | null }>>();
  private nextPid = FIRST_SIM_PID;
  private nextWorkId = 0;
  private now = 0;
  private spreadCursor = new Map<number, number>();
  private spreadOrder = new Map<number, number[]>();
  private firstPodCpuOfNode = new Map<number, number>();
  private spreadUsed = new Set<number>();

  constructor(
    private readonly workload: Workload,
    private readonly machine: Machine,
    private readonly policy: PolicyName,
    private readonly profile: KernelProfile,
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
    for (const w of workload.seenWorkers) {
      const key = w.kind === 'bound' ? `b${w.cpu}` : `u${w.pool}`;
      if (w.workerId === null) continue;
      const list = this.seeds.get(key) ?? [];
      list.push({ id: w.workerId, pid: w.pid });
      this.seeds.set(key, list);
      if (w.pid !== null) maxPid = Math.max(maxPid, w.pid);
    }
    this.nextPid = maxPid + 1;
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
      this.seedPool(pool, `u${pool.id}`, cpus[0]!);
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
      const w = this.newWorker(pool, cpu, s.id, s.pid ?? undefined);
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
    this.wake(w);
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
    const next = this.sched.next(cpu);
    if (next) this.runOn(cpu, next);
  }

  private startSlice(cpu: SimCpu, t: SimThread): void {
    if (this.now >= cpu.quantumEnd) {
      if (cpu.runq.length > 0) {
        // Quantum used up with others waiting: round-robin. Preemption does not touch nr_running (§2).
        setState(t, 'runnable', this.now);
        this.sched.setCurrent(cpu, null);
        this.sched.enqueue(cpu, t);
        this.runOn(cpu, this.sched.next(cpu)!);
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
            const { workerCreateCpuNs: cpu, workerCreateLatencyNs: total } = this.profile;
            const create: Step[] = [];
            if (cpu > 0) create.push({ k: 'cpu', ns: cpu });
            if (total > cpu) create.push({ k: 'sleep', ns: total - cpu });
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
      findings: [],
      diagnostics: this.diagnostics(),
    };
  }

  private diagnostics(): Boot['diagnostics'] {
    const out: Boot['diagnostics'] = [];
    this.records.forEach((r, i) => {
      if (r.endNs === null) {
        out.push({ file: this.workload.probes[i]!.source.file, line: this.workload.probes[i]!.source.line, severity: 'error',
          message: `simulation: probe of ${this.workload.probes[i]!.device} did not finish (internal error)` });
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
