import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atLine, captures, collectTrace, corpus, ofType, synthetic } from './ftrace-test-support.js';

const graph = (path: string) => collectTrace(path, 'function-graph');

describe('function_graph: real 6.1.176 captures (abstime, cpu, proc, events as comments)', () => {
  it('fgraph: the local_pci_probe span of kworker-18 on CPU 0, its work item, markers and switches', async () => {
    const path = join(captures, 'fgraph', 'trace.txt');
    const { events, diagnostics, result } = await graph(path);
    expect(diagnostics).toEqual([]);
    expect(result).toMatchObject({ lines: 6233, events: 3181, unknownEvents: 0 });
    expect(result.header.tracer).toBe('function_graph');
    expect(atLine(events, 1674)).toEqual({
      source: { file: path, line: 1674 },
      timeNs: 9_045_217_000,
      cpu: 0,
      pid: 18,
      comm: 'kworker',
      tgid: null,
      type: 'funcgraph_entry',
      func: 'local_pci_probe',
      depth: 1,
    });
    expect(atLine(events, 2031)).toMatchObject({ type: 'funcgraph_exit', func: 'nvme_probe [nvme]', depth: 2, durationNs: 4_188_597 });
    expect(atLine(events, 2032)).toMatchObject({ type: 'funcgraph_exit', func: 'local_pci_probe', depth: 1, durationNs: 4_214_165, timeNs: 9_061_031_000, pid: 18 });
    // tracepoints inside /* */ comments become ordinary events
    expect(atLine(events, 1672)).toMatchObject({ type: 'workqueue_execute_start', pid: 18, cpu: 0, work: '0000000059400068', function: 'work_for_cpu_fn', timeNs: 9_045_195_000 });
    expect(ofType(events, 'workqueue_execute_start').filter((e) => e.function === 'work_for_cpu_fn').map((e) => e.cpu)).toEqual([0, 0, 0]);
    expect(atLine(events, 39)).toMatchObject({ type: 'marker', text: 'lab: begin module load mode=async', comm: 'init', pid: 1, cpu: 4 });
    expect(atLine(events, 9)).toMatchObject({ type: 'funcgraph_switch', cpu: 7, timeNs: null, fromComm: '<idle>', fromPid: 0, toComm: 'uname', toPid: 204 });
    expect(ofType(events, 'funcgraph_switch')).toHaveLength(1016);
  });

  it('fgraph-bootopt: a 24.9 ms local_pci_probe (`*` mark), entries and exits balance', async () => {
    const { events, diagnostics } = await graph(join(captures, 'fgraph-bootopt', 'trace.txt'));
    expect(diagnostics).toEqual([]);
    expect(atLine(events, 5286)).toMatchObject({ type: 'funcgraph_entry', func: 'local_pci_probe', depth: 1, pid: 18, timeNs: 7_947_359_000 });
    expect(atLine(events, 16794)).toMatchObject({ type: 'funcgraph_exit', func: 'local_pci_probe', depth: 1, durationNs: 24_896_390 });
    expect(ofType(events, 'funcgraph_entry')).toHaveLength(99);
    expect(ofType(events, 'funcgraph_exit')).toHaveLength(99);
  });
});

describe('function_graph: real traces from other kernels (corpus)', () => {
  it('5.x abstime + proc with funcgraph-tail `} /* func */` and `+` marks', async () => {
    const { events, diagnostics } = await graph(join(corpus, 'ghes_init_funcgraph_abstime_proc.head200.txt'));
    expect(diagnostics).toEqual([]);
    expect(atLine(events, 5)).toMatchObject({ type: 'funcgraph_entry', func: 'ghes_init', depth: 0, comm: 'swapper', pid: 1, cpu: 1, timeNs: 2_045_051_000 });
    expect(atLine(events, 24)).toMatchObject({ type: 'funcgraph_exit', func: 'kmemleak_alloc', depth: 5, durationNs: 15_456 });
  });

  it('6.x funcgraph-args / -retval: names without args, `ret=` cut from exit comments, pid from the `=>` block', async () => {
    const { events, diagnostics } = await graph(join(corpus, 'funcgraph_args_retval_x86_pick_next_task.ftrace.txt'));
    expect(diagnostics).toEqual([]);
    expect(atLine(events, 5)).toMatchObject({ type: 'funcgraph_entry', func: 'pick_next_task', depth: 5, cpu: 3, pid: -5 /* CPU 3's placeholder, unknownTaskOn(3) */, comm: '', timeNs: null });
    expect(atLine(events, 7)).toMatchObject({ type: 'funcgraph_leaf', func: 'pick_task_fair', depth: 7, durationNs: 81 });
    expect(atLine(events, 11)).toMatchObject({ type: 'funcgraph_exit', func: '__rcu_read_lock', depth: 8, durationNs: 228 });
    expect(atLine(events, 15)).toMatchObject({ type: 'funcgraph_entry', func: 'rcu_rdp_cpu_online.isra.0', depth: 11 });
    expect(atLine(events, 17)).toMatchObject({ type: 'funcgraph_exit', func: 'rcu_rdp_cpu_online.isra.0', depth: 11, durationNs: 225 });
    expect(atLine(events, 107)).toMatchObject({ type: 'funcgraph_switch', fromComm: 'bash', fromPid: 431, toComm: '<idle>', toPid: 0 });
    expect(events.find((e) => e.source.line > 107 && e.cpu === 3)).toMatchObject({ pid: 0, comm: '<idle>' });
  });

  it('6.3 with tracepoint and syscall comments (counted) and a switch block', async () => {
    const { events, diagnostics, result } = await graph(join(corpus, 'nfs_umount_6.3.0-rc5_funcgraph_with_events_and_ctx_switch_markers.ftrace.txt'));
    expect(diagnostics).toEqual([]);
    expect(result.unknownEvents).toBe(9);
    expect(ofType(events, 'marker')).toEqual([]);
    expect(atLine(events, 8)).toMatchObject({ type: 'funcgraph_switch', cpu: 2, fromComm: 'ls', fromPid: 1252, toComm: 'umount', toPid: 1253 });
    expect(atLine(events, 14)).toMatchObject({ type: 'funcgraph_entry', func: '__x64_sys_umount', depth: 0, cpu: 3 });
  });

  it('perf-tools funcgraph example: cpu + duration only; prose lines are diagnostics', async () => {
    const { events, diagnostics } = await graph(join(corpus, 'brendangregg_funcgraph_example.head140.txt'));
    expect(atLine(events, 9)).toMatchObject({ type: 'funcgraph_entry', func: 'do_nanosleep', depth: 0, cpu: 0 });
    expect(atLine(events, 13)).toMatchObject({ type: 'funcgraph_leaf', func: '_raw_spin_lock_irqsave', depth: 4, durationNs: 198 });
    expect(diagnostics.map((d) => d.line).slice(0, 3)).toEqual([1, 4, 5]);
  });
});

describe('function_graph: layouts from the format strings (synthetic)', () => {
  it('interrupt markers, every duration mark, leaves and `}` without tail', async () => {
    const { events, diagnostics } = await graph(
      synthetic(
        'irq.txt',
        `# tracer: function_graph
#
# CPU  DURATION                  FUNCTION CALLS
# |     |   |                     |   |   |   |
 1)               |  pci_device_probe() {
 1)   ==========> |
 1)               |    __sysvec_apic_timer_interrupt() {
 1) ! 150.000 us  |    }
 1)   <========== |
 1) # 2000.000 us |    nvme_probe();
 1) $ 1500000 us  |  }
`,
      ),
    );
    expect(diagnostics).toEqual([]);
    expect(events.map((e) => [e.type, 'depth' in e ? e.depth : null, 'durationNs' in e ? e.durationNs : null])).toEqual([
      ['funcgraph_entry', 0, null],
      ['funcgraph_entry', 1, null],
      ['funcgraph_exit', 1, 150_000],
      ['funcgraph_leaf', 1, 2_000_000],
      ['funcgraph_exit', 0, 1_500_000_000],
    ]);
  });

  it('context-switch blocks: the pid is the last `-digits` of each side, comms may hold dashes, spaces around', async () => {
    // verif_pid(): ` %3d) %s-%d => %s-%d` with the comms cut to 7 and centred (print_graph_proc).
    const { events, diagnostics } = await graph(
      synthetic(
        'switch.txt',
        `# tracer: function_graph
#
 ------------------------------------------
 1)  my-tas-123   =>  kworke-7   
 ------------------------------------------
 2)    <idle>-0    =>   a-b-c-45  
 3)    -9    =>   x-10  
`,
      ),
    );
    expect(diagnostics).toEqual([]);
    expect(ofType(events, 'funcgraph_switch').map((e) => [e.cpu, e.fromComm, e.fromPid, e.toComm, e.toPid])).toEqual([
      [1, 'my-tas', 123, 'kworke', 7],
      [2, '<idle>', 0, 'a-b-c', 45],
      [3, '', 9, 'x', 10],
    ]);
  });
});
