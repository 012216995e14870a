import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atLine, collectTrace, corpus, synthetic } from './ftrace-test-support.js';

const report = (path: string) => collectTrace(path, 'trace-cmd');

describe('trace-cmd report: real output (trace-cmd 3.1.6, 128-CPU POWER, funcgraph events)', () => {
  it('reads funcgraph_entry / funcgraph_exit event lines and the cpus= preamble', async () => {
    const path = join(corpus, 'power_128cpu_trace-cmd-report_funcgraph.head300.txt');
    const { events, diagnostics, result } = await report(path);
    expect(diagnostics).toEqual([]);
    expect(result).toMatchObject({ lines: 300, events: 299, unknownEvents: 0 });
    expect(result.header.cpus).toBe(128);
    expect(atLine(events, 2)).toEqual({
      source: { file: path, line: 2 },
      timeNs: 347_271_892_279_000,
      cpu: 45,
      pid: 2693,
      comm: 'modprobe',
      tgid: null,
      type: 'funcgraph_leaf',
      func: 'mutex_unlock',
      depth: 0,
      durationNs: 1690,
    });
    expect(atLine(events, 3)).toMatchObject({ type: 'funcgraph_entry', func: '__f_unlock_pos', depth: 0 });
    expect(atLine(events, 5)).toMatchObject({ type: 'funcgraph_exit', func: null, depth: 0, durationNs: 732 });
  });

  it('is chosen for a function-graph input that is a trace-cmd report', async () => {
    const { result } = await collectTrace(join(corpus, 'power_128cpu_trace-cmd-report_funcgraph.head300.txt'), 'function-graph');
    expect(result).toMatchObject({ events: 299 });
    expect(result.header.cpus).toBe(128);
  });
});

describe('trace-cmd report: layouts from trace-read.c / libtraceevent (synthetic)', () => {
  it('2.9 preamble, sched plugin text, -N kernel text, unhashed pointers, EVENTS DROPPED, print markers', async () => {
    const path = synthetic(
      'plugin.txt',
      `version = 6
cpus=8
CPU 3 is empty
     kworker/0:1-41    [000] .....   548.988334: workqueue_execute_start: work struct 0xffff88810a2b3c40: function work_for_cpu_fn
     kworker/0:1-41    [000] d..2.   548.990001: sched_switch:         kworker/0:1:41 [120] D ==> swapper/0:0 [120]
          <idle>-0     [000] dNh2.   548.991002: sched_wakeup:         kworker/0:1:41 [120] CPU:000
          <idle>-0     [001] dNh2.   548.991003: sched_wakeup_new:     Web Content:1901 [120] success=1 CPU:001
CPU:2 [EVENTS DROPPED]
CPU:1 [12 EVENTS DROPPED]
            bash-4659  [001]   548.992000: print:                tracing_mark_write: lab: insmod nvme
     kworker/0:1-41    [000]   548.992001: sched_switch:         prev_comm=kworker/0:1 prev_pid=41 prev_prio=120 prev_state=I ==> next_comm=swapper/0 next_pid=0 next_prio=120
`,
    );
    const { events, diagnostics, result } = await report(path);
    expect(result.header.cpus).toBe(8);
    expect(result.header.lostEvents).toEqual([
      { cpu: 2, count: null, source: { file: path, line: 8 } },
      { cpu: 1, count: 12, source: { file: path, line: 9 } },
    ]);
    expect(diagnostics.map((d) => d.line)).toEqual([8, 9]);
    expect(events[0]).toMatchObject({ type: 'workqueue_execute_start', work: '0xffff88810a2b3c40', function: 'work_for_cpu_fn', comm: 'kworker/0:1', pid: 41 });
    expect(events[1]).toMatchObject({ type: 'sched_switch', prevComm: 'kworker/0:1', prevPid: 41, prevPrio: 120, prevState: 'D', nextComm: 'swapper/0', nextPid: 0, nextPrio: 120 });
    expect(events[2]).toMatchObject({ type: 'sched_wakeup', targetComm: 'kworker/0:1', targetPid: 41, prio: 120, targetCpu: 0 });
    expect(events[3]).toMatchObject({ type: 'sched_wakeup_new', targetComm: 'Web Content', targetPid: 1901, targetCpu: 1 });
    expect(events[4]).toMatchObject({ type: 'marker', text: 'lab: insmod nvme', comm: 'bash', cpu: 1 });
    expect(events[5]).toMatchObject({ type: 'sched_switch', prevComm: 'kworker/0:1', prevState: 'I', nextPid: 0 }); // -N kernel text after the padded name
  });

  it('pre-3.3 -l layout, -t nanosecond times, wide pids, -R raw fields, --ts-diff', async () => {
    const { events, diagnostics } = await report(
      synthetic(
        'layouts.txt',
        `cpus=2
    bash-4659    0d..2.   548.656443: sched_switch: prev_comm=bash prev_pid=4659 prev_prio=120 prev_state=S ==> next_comm=bash next_pid=4662 next_prio=120
     kworker/0:1-41    [000]   548.988334123: workqueue_execute_end: work struct 0xffff88810a2b3c40: function work_for_cpu_fn
     kworker/1:2-1234567 [001]   549.000001: workqueue_queue_work: work struct=0xffff88810a2b3c40 function=nvme_scan_work [nvme_core] workqueue=nvme-wq req_cpu=8192 cpu=4294967295
     kworker/0:1-41    [000]   549.100000: sched_switch: prev_comm=kworker/0:1 prev_pid=41 prev_prio=120 prev_state=2 next_comm=swapper/0 next_pid=0 next_prio=120
     kworker/0:1-41    [000]   549.100001: workqueue_activate_work: work=0xffff88810a2b3c40
     kworker/0:1-41    [000]   549.200000 (+99999): sched_switch: prev_comm=kworker/0:1 prev_pid=41 prev_prio=120 prev_state=R+ ==> next_comm=sh next_pid=7 next_prio=120
`,
      ),
    );
    expect(diagnostics).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'sched_switch', comm: 'bash', pid: 4659, cpu: 0, timeNs: 548_656_443_000, prevState: 'S', nextPid: 4662 });
    expect(events[1]).toMatchObject({ type: 'workqueue_execute_end', timeNs: 548_988_334_123, function: 'work_for_cpu_fn' });
    expect(events[2]).toMatchObject({ pid: 1234567, cpu: 1, function: 'nvme_scan_work [nvme_core]', workqueue: 'nvme-wq', reqCpu: 8192, poolCpu: null });
    expect(events[3]).toMatchObject({ type: 'sched_switch', prevState: 'D', nextComm: 'swapper/0', nextPid: 0 });
    expect(events[4]).toMatchObject({ type: 'workqueue_activate_work', work: '0xffff88810a2b3c40', function: null });
    expect(events[5]).toMatchObject({ type: 'sched_switch', timeNs: 549_200_000_000, prevState: 'R+' });
  });

  it('several input files: the `<file>: ` prefix is stripped from the comm and reported once', async () => {
    const { events, diagnostics } = await report(
      synthetic(
        'multi.txt',
        `trace-a.dat:      kworker/0:1-41    [000]   548.988334: workqueue_execute_start: work struct 0xffff88810a2b3c40: function work_for_cpu_fn
trace-b.dat:           <idle>-0     [001]   548.988335: sched_wakeup:         kworker/0:1:41 [120] CPU:000
`,
      ),
    );
    expect(events.map((e) => [e.comm, e.pid, e.cpu])).toEqual([
      ['kworker/0:1', 41, 0],
      ['<idle>', 0, 1],
    ]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]?.message).toContain('trace-a.dat');
  });

  it('a comm holding ": " (tmux sets `tmux: server`) is a comm, not an input-file prefix', async () => {
    const path = synthetic('tmux.report', [
      'cpus=2',
      '    tmux: server-812   [001]   100.000100: sched_switch:         tmux: server:812 [120] S ==> swapper/1:0 [120]',
      '',
    ].join('\n'));
    const { events, diagnostics } = await report(path);
    expect(diagnostics).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'sched_switch', comm: 'tmux: server', pid: 812, prevComm: 'tmux: server', prevPid: 812 });
  });

  it('sched plugin text: the state is trimmed of any white space; a blank state is not a sched_switch', async () => {
    const path = synthetic('plugin-ws.report', [
      'cpus=2',
      '            bash-123   [001]   100.000001: sched_switch:         bash:123 [120] S\t ==> swapper/1:0 [120]',
      '            bash-123   [001]   100.000002: sched_switch:         bash:123 [120] \t ==> swapper/1:0 [120]',
      '',
    ].join('\n'));
    const { events, diagnostics } = await report(path);
    expect(events.map((e) => e.type === 'sched_switch' && e.prevState)).toEqual(['S']);
    expect(diagnostics.map((d) => [d.line, d.message])).toEqual([[3, 'sched_switch: fields do not match any known print format of this event']]);
  });

  it('several -i inputs: the `<file>: ` prefix before the right-aligned comm is stripped, with one warning', async () => {
    const path = synthetic('multi.report', [
      'trace-a.dat:      kworker/0:1-41    [000]   100.000200: workqueue_execute_start: work struct 0xffff888100a2b3c0: function work_for_cpu_fn',
      '',
    ].join('\n'));
    const { events, diagnostics } = await report(path);
    expect(events[0]).toMatchObject({ comm: 'kworker/0:1', pid: 41 });
    expect(diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^lines carry a `trace-a\.dat:` input-file prefix/)]);
  });
});

