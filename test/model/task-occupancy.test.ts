import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/ingest/trace-events.types.js';
import { TaskOccupancyBuilder, intervalsBetween, isRunnableState, occupancyBetween, type TaskOccupancy } from '../../src/model/task-occupancy.js';
import { WorkItemBuilder } from '../../src/model/work-items.js';
import { PROBE_BODY_FUNCTIONS, PROBE_CARRIER_FUNCTIONS } from '../../src/model/probe-trace-join.js';
import { cpuId, ns, pidOf } from '../../src/core/units.js';
import { runBuilders, traceEvents } from './trace-lines.helper.js';

const BEFORE = 'fixtures/captures/before-n0x3/trace.txt';
const excerpt = (await traceEvents(BEFORE, 'ftrace', 3533, 3587)).events;

function build(events: TraceEvent[]) {
  const b = new TaskOccupancyBuilder();
  runBuilders(events, b);
  return b.data();
}

describe('TaskOccupancyBuilder on real lines (before-n0x3, lines 3533–3587)', () => {
  const occ = build(excerpt);

  it('splits kworker/0:1 running work_for_cpu_fn into on-CPU, sleep (D) and wakeup → switch-in wait', () => {
    // The body's execute_start (4.058109) to execute_end (4.060719): on CPU 0 until the D switch-out at
    // 4.058936, asleep until the wakeup at 4.059283, runnable until switched in at 4.059289, then on CPU.
    expect(occupancyBetween(occ, pidOf(16), ns(4_058_109_000), ns(4_060_719_000))).toEqual({
      onCpuNs: ns(2_257_000),
      runnableWaitNs: ns(6_000),
      sleepNs: ns(347_000),
      cpus: [cpuId(0)],
    });
    expect(intervalsBetween(occ, pidOf(16), ns(4_058_109_000), ns(4_060_719_000)).map((i) => [i.state, i.startNs, i.endNs, i.cause, i.source.line])).toEqual([
      ['running', 4_058_109_000, 4_058_936_000, null, 3540],
      ['sleeping', 4_058_936_000, 4_059_283_000, 'D', 3548],
      ['runnable', 4_059_283_000, 4_059_289_000, 'wakeup', 3559],
      ['running', 4_059_289_000, 4_060_719_000, null, 3560],
    ]);
  });

  it('shows the async worker kworker/u17:0 asleep in flush_work while the body runs', () => {
    expect(occupancyBetween(occ, pidOf(8), ns(4_058_066_000), ns(4_060_884_000))).toEqual({
      onCpuNs: ns(0), runnableWaitNs: ns(0), sleepNs: ns(2_818_000), cpus: [],
    });
    expect(occ.tasks.get(pidOf(8))?.comm).toBe('kworker/u17:0');
  });

  it('counts nothing before a task first appears, and knows the trace window', () => {
    expect(occupancyBetween(occ, pidOf(16), ns(4_000_000_000), ns(4_058_071_000))).toEqual({
      onCpuNs: ns(0), runnableWaitNs: ns(0), sleepNs: ns(0), cpus: [],
    });
    expect([occ.startNs, occ.endNs, occ.hasSchedSwitch]).toEqual([4_057_665_000, 4_061_038_000, true]);
    expect(occ.diagnostics).toEqual([]);
  });
});

describe('TaskOccupancyBuilder on a whole capture', () => {
  it('after-n0x3 (v1): the async worker kworker/u17:0 runs the probe of 0000:21:00.0 itself on CPU 1', async () => {
    const occ = build((await traceEvents('fixtures/captures/after-n0x3/trace.txt')).events);
    // dmesg: [4.312426][T8] probe of 0000:21:00.0 returned 0 after 14593 usecs
    const split = occupancyBetween(occ, pidOf(8), ns(4_312_426_000 - 14_593_000), ns(4_312_426_000));
    expect(split).toEqual({ onCpuNs: ns(14_593_000), runnableWaitNs: ns(0), sleepNs: ns(0), cpus: [cpuId(1)] });
  });
});

describe('TaskOccupancyBuilder edge cases (synthetic)', () => {
  const at = (line: number, t: number, cpu: number) => ({ source: { file: 's', line }, timeNs: ns(t), cpu: cpuId(cpu), pid: pidOf(0), comm: '<idle>', tgid: null });
  const sw = (line: number, t: number, cpu: number, prevPid: number, prevState: string, nextPid: number): TraceEvent => ({
    ...at(line, t, cpu), type: 'sched_switch', prevComm: `t${prevPid}`, prevPid: pidOf(prevPid), prevPrio: 120, prevState,
    nextComm: `t${nextPid}`, nextPid: pidOf(nextPid), nextPrio: 120,
  });

  it('treats R+ (preempted) and R switch-outs as runnable-wait, migrates with the task, and flags impossible switches', () => {
    const occ = build([
      sw(1, 100, 0, 0, 'R', 7),
      sw(2, 200, 0, 7, 'R+', 8),
      { ...at(3, 250, 0), type: 'sched_migrate_task', targetComm: 't7', targetPid: pidOf(7), prio: 120, origCpu: cpuId(0), destCpu: cpuId(1) },
      sw(4, 300, 1, 0, 'R', 7),
      sw(5, 400, 1, 7, 'R', 0),
      sw(6, 450, 2, 7, 'S', 0),
      sw(7, 500, 0, 8, 'I', 0),
    ]);
    expect(occupancyBetween(occ, pidOf(7), ns(100), ns(450))).toEqual({ onCpuNs: ns(200), runnableWaitNs: ns(150), sleepNs: ns(0), cpus: [cpuId(0), cpuId(1)] });
    expect(occ.tasks.get(pidOf(7))!.intervals.map((i) => [i.state, i.cpu])).toEqual([
      ['running', 0], ['runnable', 0], ['runnable', 1], ['running', 1], ['runnable', 1], ['sleeping', 2],
    ]);
    expect(occ.diagnostics).toHaveLength(1);
    expect(occ.diagnostics[0]).toMatchObject({ line: 6, severity: 'warning' });
    expect(occ.diagnostics[0]!.message).toMatch(/^1 sched_switch event\(s\) disagree/);
  });

  it('reads prev_state letters and the raw-mode number', () => {
    expect(['R', 'R+', '0', 'D', 'S', 'I', 'D|K', '2'].map(isRunnableState)).toEqual([true, true, true, false, false, false, false, false]);
  });
});

describe('TaskOccupancyBuilder keeping only tasks of interest (bounded memory)', () => {
  it('before-n0x3: keeps 251 of 4114 intervals, and the body worker and its waiter split the same over the body', async () => {
    const events = (await traceEvents(BEFORE)).events;
    const work = new WorkItemBuilder({
      keepItem: (fn) => PROBE_BODY_FUNCTIONS.has(fn) || PROBE_CARRIER_FUNCTIONS.has(fn),
      queuerMatters: (fn) => PROBE_BODY_FUNCTIONS.has(fn),
    });
    const filtered = new TaskOccupancyBuilder({ taskInterestUntil: (pid) => work.taskInterestUntil(pid) });
    runBuilders(events, work, filtered);
    const all = build(events);
    const count = (occ: TaskOccupancy) => [...occ.tasks.values()].reduce((n, t) => n + t.intervals.length, 0);
    expect(count(all)).toBe(4114);
    expect(count(filtered.data())).toBe(251);
    expect(filtered.data().tasks.size).toBe(all.tasks.size);
    // the body of 0000:21:00.0: work_for_cpu_fn on kworker/0:1 (pid 16), queued by kworker/u17:0 (pid 8)
    const body = work.data().workItems.find((w) => w.function === 'work_for_cpu_fn' && w.endedAt === ns(4_060_719_000))!;
    for (const pid of [pidOf(16), pidOf(8)]) {
      expect(occupancyBetween(filtered.data(), pid, body.startedAt!, body.endedAt!)).toEqual(occupancyBetween(all, pid, body.startedAt!, body.endedAt!));
      expect(filtered.data().tasks.get(pid)?.comm).toBe(all.tasks.get(pid)?.comm);
    }
  });

  it('holds a task only for the last historyNs until it is wanted, then keeps that history and what follows (synthetic)', () => {
    const sw = (line: number, t: number, prevPid: number, nextPid: number): TraceEvent => ({
      source: { file: 's', line }, timeNs: ns(t), cpu: cpuId(0), pid: pidOf(prevPid), comm: `t${prevPid}`, tgid: null,
      type: 'sched_switch', prevComm: `t${prevPid}`, prevPid: pidOf(prevPid), prevPrio: 120, prevState: 'S', nextComm: `t${nextPid}`, nextPid: pidOf(nextPid), nextPrio: 120,
    });
    let wantedFrom = Infinity;
    const b = new TaskOccupancyBuilder({ taskInterestUntil: (pid) => (pid === 7 && wantedFrom !== Infinity ? Infinity : -Infinity), historyNs: 100 });
    b.reset();
    // task 7 runs [0,10), sleeps [10,500), runs [500,510), sleeps [510,560), runs from 560 ...
    const events = [sw(1, 0, 8, 7), sw(2, 10, 7, 8), sw(3, 500, 8, 7), sw(4, 510, 7, 8), sw(5, 560, 8, 7)];
    for (const e of events) b.handle(e);
    wantedFrom = 560; // e.g. task 7 queued a probe body now
    b.handle(sw(6, 600, 7, 8));
    b.finalize();
    expect(b.data().tasks.get(pidOf(7))!.intervals.map((i) => [i.state, i.startNs, i.endNs])).toEqual([
      ['sleeping', 10, 500],
      ['running', 500, 510],
      ['sleeping', 510, 560],
      ['running', 560, 600],
    ]);
    // task 8 was never wanted: nothing kept, but its comm is known
    expect(b.data().tasks.get(pidOf(8))).toEqual({ pid: 8, comm: 't8', intervals: [] });
  });

  it('with interestChanges, asks taskInterestUntil again only after a change, and sees every change (synthetic)', () => {
    const sw = (line: number, t: number, prevPid: number, nextPid: number): TraceEvent => ({
      source: { file: 's', line }, timeNs: ns(t), cpu: cpuId(0), pid: pidOf(prevPid), comm: `t${prevPid}`, tgid: null,
      type: 'sched_switch', prevComm: `t${prevPid}`, prevPid: pidOf(prevPid), prevPrio: 120, prevState: 'S', nextComm: `t${nextPid}`, nextPid: pidOf(nextPid), nextPrio: 120,
    });
    let wanted = false;
    let changes = 0;
    let asked = 0;
    const b = new TaskOccupancyBuilder({
      taskInterestUntil: (pid) => {
        asked++;
        return pid === 7 && wanted ? Infinity : -Infinity;
      },
      interestChanges: () => changes,
      historyNs: 100,
    });
    b.reset();
    // tasks 7 and 8 switch on CPU 0 every 10 ns: 20 intervals closed, one question per task until a change
    for (let k = 0; k < 20; k++) b.handle(k % 2 === 0 ? sw(k, 1000 + 10 * k, 8, 7) : sw(k, 1000 + 10 * k, 7, 8));
    expect(asked).toBe(2);
    wanted = true;
    changes++;
    b.handle(sw(20, 1200, 8, 7));
    b.handle(sw(21, 1210, 7, 8));
    b.finalize();
    expect(asked).toBe(4);
    // task 7's last 100 ns of history and what followed the change are kept; task 8 was never wanted
    expect(b.data().tasks.get(pidOf(7))!.intervals.map((i) => [i.state, i.startNs, i.endNs]).slice(-3)).toEqual([
      ['running', 1180, 1190],
      ['sleeping', 1190, 1200],
      ['running', 1200, 1210],
    ]);
    expect(b.data().tasks.get(pidOf(8))!.intervals).toEqual([]);
  });
});
