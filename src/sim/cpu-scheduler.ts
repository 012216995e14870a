// The CPU model (docs/workqueue-model.md §7, §8.3): each CPU runs one thread at a time and serves its runnable
// threads round-robin with the tick-rounded quantum; pinned threads (bound kworkers) never move. Movable
// threads (unbound kworkers, tasks) are placed at wake-up by the simplified select_idle_sibling() rule of
// §7.3 (first idle CPU of the hint's LLC, hint first; then the rest of its node; then anywhere allowed;
// else queue on the hint), and a CPU going idle steals a queued movable thread from its LLC.

import type { Machine } from './machine.js';
import type { SimThread } from './sim-thread.js';
import { Fifo } from './fifo.js';

export interface SimCpu {
  id: number;
  node: number;
  llc: number;
  usable: boolean;
  current: SimThread | null;
  runq: Fifo<SimThread>;
  /** Movable threads waiting in runq (for stealing). */
  movableQueued: number;
  runStart: number;
  sliceStart: number;
  quantumEnd: number;
  version: number;
}

export class CpuScheduler {
  readonly cpus: SimCpu[];
  private readonly llcCpus = new Map<number, number[]>();
  private readonly nodeCpus = new Map<number, number[]>();
  private readonly allUsable: number[] = [];
  private readonly idleInLlc = new Map<number, number>();
  private readonly idleInNode = new Map<number, number>();
  private readonly movableInLlc = new Map<number, number>();

  constructor(machine: Machine) {
    this.cpus = machine.cpus.map((c) => ({
      id: c.cpu, node: c.node, llc: c.llc, usable: c.online && c.housekeeping, current: null, runq: new Fifo<SimThread>(),
      movableQueued: 0, runStart: 0, sliceStart: 0, quantumEnd: 0, version: 0
    }));
    for (const c of this.cpus) {
      if (!c.usable) continue;
      this.allUsable.push(c.id);
      push(this.llcCpus, c.llc, c.id);
      push(this.nodeCpus, c.node, c.id);
      this.idleInLlc.set(c.llc, (this.idleInLlc.get(c.llc) ?? 0) + 1);
      this.idleInNode.set(c.node, (this.idleInNode.get(c.node) ?? 0) + 1);
    }
  }

  cpu(id: number): SimCpu {
    return this.cpus[id]!;
  }

  /** Sets (or clears) the running thread, keeping the idle counters. */
  setCurrent(cpu: SimCpu, t: SimThread | null): void {
    const wasIdle = cpu.current === null;
    cpu.current = t;
    cpu.version++;
    if (!cpu.usable) return;
    if (wasIdle && t !== null) this.bump(cpu, -1);
    else if (!wasIdle && t === null) this.bump(cpu, 1);
  }

  /** Where a waking thread goes (§7.3). */
  place(t: SimThread): number {
    if (t.pinned >= 0) return t.pinned;
    const allowed = (c: number) => t.allowedNode < 0 || this.cpus[c]!.node === t.allowedNode;
    let hint = t.wakeHint >= 0 && t.wakeHint < this.cpus.length && this.cpus[t.wakeHint]!.usable && allowed(t.wakeHint) ? t.wakeHint : -1;
    if (hint < 0) {
      const list = t.allowedNode >= 0 ? this.nodeCpus.get(t.allowedNode) ?? [] : this.allUsable;
      hint = list[0] ?? this.allUsable[0]!;
    }
    const h = this.cpus[hint]!;
    if (h.current === null) return hint;
    if ((this.idleInLlc.get(h.llc) ?? 0) > 0) {
      for (const c of this.llcCpus.get(h.llc)!) if (this.cpus[c]!.current === null && allowed(c)) return c;
    }
    if ((this.idleInNode.get(h.node) ?? 0) > 0) {
      for (const c of this.nodeCpus.get(h.node)!) if (this.cpus[c]!.current === null && allowed(c)) return c;
    }
    if (t.allowedNode < 0) {
      for (const [node, idle] of this.idleInNode) {
        if (idle === 0 || node === h.node) continue;
        for (const c of this.nodeCpus.get(node)!) if (this.cpus[c]!.current === null) return c;
      }
    }
    return hint;
  }

  /** Queues a runnable thread behind the CPU's current one. */
  enqueue(cpu: SimCpu, t: SimThread): void {
    cpu.runq.push(t);
    if (t.pinned < 0) {
      cpu.movableQueued++;
      this.movableInLlc.set(cpu.llc, (this.movableInLlc.get(cpu.llc) ?? 0) + 1);
    }
  }

  /** The next thread for a CPU that lost its current one: its own queue first, then a steal within the LLC. */
  next(cpu: SimCpu): SimThread | null {
    const own = cpu.runq.shift();
    if (own) {
      if (own.pinned < 0) this.dropMovable(cpu);
      return own;
    }
    if (!cpu.usable || (this.movableInLlc.get(cpu.llc) ?? 0) === 0) return null;
    for (const c of this.llcCpus.get(cpu.llc)!) {
      const other = this.cpus[c]!;
      if (other === cpu || other.movableQueued === 0) continue;
      const stolen = other.runq.take((t) => t.pinned < 0 && (t.allowedNode < 0 || t.allowedNode === cpu.node));
      if (stolen) {
        this.dropMovable(other);
        return stolen;
      }
    }
    return null;
  }

  /** Takes the first thread of the CPU's own queue that is not background load, if any (background yields to it). */
  takeForeground(cpu: SimCpu): SimThread | null {
    if (cpu.runq.length === 0) return null;
    const t = cpu.runq.take((x) => x.background !== true);
    if (!t) return null;
    if (t.pinned < 0) this.dropMovable(cpu);
    return t;
  }

  runnableOn(cpu: SimCpu): number {
    return cpu.runq.length + (cpu.current ? 1 : 0);
  }

  private dropMovable(cpu: SimCpu): void {
    cpu.movableQueued--;
    this.movableInLlc.set(cpu.llc, (this.movableInLlc.get(cpu.llc) ?? 1) - 1);
  }

  private bump(cpu: SimCpu, d: number): void {
    this.idleInLlc.set(cpu.llc, (this.idleInLlc.get(cpu.llc) ?? 0) + d);
    this.idleInNode.set(cpu.node, (this.idleInNode.get(cpu.node) ?? 0) + d);
  }
}

function push(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
