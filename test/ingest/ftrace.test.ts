import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/input-error.js';
import { readTrace } from '../../src/ingest/trace-reader.js';
import { atLine, captures, collectTrace as collect, corpus, ofType, synthetic } from './ftrace-test-support.js';

const collectTrace = (path: string, format: 'ftrace' | 'function-graph' = 'ftrace') => collect(path, format);

describe('ftrace: real 6.1.176 boot captures', () => {
  it('n0x3: header, every event, the work_for_cpu_fn executions and a D-state switch', async () => {
    const path = join(captures, 'n0x3', 'trace.txt');
    const { events, diagnostics, result } = await collectTrace(path);
    expect(diagnostics).toEqual([]);
    expect(result.header).toMatchObject({ tracer: 'nop', cpus: 8, entriesInBuffer: 6679, entriesWritten: 6679, clockUnit: 'ns', lostEvents: [], bufferStarted: [] });
    expect(result).toMatchObject({ lines: 6691, events: 6679, unknownEvents: 0 });
    const starts = ofType(events, 'workqueue_execute_start').filter((e) => e.function === 'work_for_cpu_fn');
    expect(starts).toHaveLength(6);
    expect(new Set(starts.map((e) => e.cpu))).toEqual(new Set([0]));
    expect(atLine(events, 2321)).toEqual({
      source: { file: path, line: 2321 },
      timeNs: 3_274_721_000,
      cpu: 2,
      pid: 1,
      comm: 'init',
      tgid: null,
      type: 'workqueue_queue_work',
      work: '0000000020a51e6c',
      function: 'work_for_cpu_fn',
      workqueue: 'events',
      reqCpu: 0,
      poolCpu: 0,
    });
    expect(atLine(events, 1322)).toMatchObject({
      type: 'sched_switch',
      comm: 'kworker/7:1',
      pid: 80,
      cpu: 7,
      timeNs: 2_561_007_000,
      prevComm: 'kthreadd',
      prevPid: 80,
      prevPrio: 120,
      prevState: 'D',
      nextComm: 'kworker/7:0',
      nextPid: 54,
      nextPrio: 120,
    });
    expect(ofType(events, 'marker').map((m) => m.text)).toEqual([
      'lab: begin module load mode=async',
      'lab: insmod nvme',
      'lab: insmod nvme returned',
      'lab: namespaces up: 3/3 after 0 polls',
      'lab: capture end',
    ]);
    expect(atLine(events, 10)?.type).toBeUndefined(); // header lines produce nothing
    expect(atLine(events, 18)).toMatchObject({ type: 'sched_switch', prevComm: 'swapper/0', prevPid: 1, prevState: 'R+', nextComm: 'kthreadd', nextPid: 2 });
  });

  it.each([
    ['sync', 6425, 6, 2305, 3_033_571_000],
    ['before-n0x3', 4743, 6, 1630, 2_529_704_000],
    ['after-n0x3', 4758, 3, 1738, 2_374_940_000],
    ['n0x3-tsc-unstable', 6636, 6, 2160, 3_845_460_000],
  ])('%s: %i events, %i work_for_cpu_fn executions, the first queue_work on line %i', async (name, count, workForCpu, line, timeNs) => {
    const { events, diagnostics, result } = await collectTrace(join(captures, name, 'trace.txt'));
    expect(diagnostics).toEqual([]);
    expect(result.events).toBe(count);
    expect(result.header.entriesWritten).toBe(count);
    expect(ofType(events, 'workqueue_execute_start').filter((e) => e.function === 'work_for_cpu_fn')).toHaveLength(workForCpu);
    expect(atLine(events, line)).toMatchObject({ type: 'workqueue_queue_work', function: 'work_for_cpu_fn', workqueue: 'events', reqCpu: 0, poolCpu: 0, timeNs });
  });

  it('flat: no work_for_cpu_fn at all (no NUMA node on the devices)', async () => {
    const { events, result } = await collectTrace(join(captures, 'flat', 'trace.txt'));
    expect(result.events).toBe(6700);
    expect(ofType(events, 'workqueue_execute_start').some((e) => e.function === 'work_for_cpu_fn')).toBe(false);
    expect(atLine(events, 1206)).toMatchObject({ type: 'sched_switch', prevState: 'D', nextComm: 'kworker/4:0', nextPid: 37 });
  });

  it('after-v2-n0x3: the probe body runs as local_pci_probe_callback on unbound pools (cpu=-1 → null)', async () => {
    const { events } = await collectTrace(join(captures, 'after-v2-n0x3', 'trace.txt'));
    const queued = ofType(events, 'workqueue_queue_work').filter((e) => e.function === 'local_pci_probe_callback');
    expect(queued.map((e) => [e.workqueue, e.reqCpu, e.poolCpu])).toContainEqual(['events_unbound', 2, null]);
    const starts = ofType(events, 'workqueue_execute_start').filter((e) => e.function === 'local_pci_probe_callback');
    expect(starts).toHaveLength(6);
    expect(starts[0]).toMatchObject({ comm: 'kworker/u17:0', pid: 8, cpu: 1, work: '000000001d138645', timeNs: 2_737_647_000 });
  });
});

describe('ftrace: real traces from other kernels (corpus)', () => {
  it('asrockrack 6.x mail excerpt: indented lines, `[usbcore]` module suffixes, activate_work without function', async () => {
    const { events, diagnostics, result } = await collectTrace(join(corpus, 'asrockrack_spc621d8hm3_usb_hub_event_pm_runtime_work_wq_loop.ftrace.txt'));
    expect(diagnostics).toEqual([]);
    expect(result.events).toBe(28);
    expect(events[0]).toMatchObject({ type: 'workqueue_execute_start', comm: 'kworker/18:1', pid: 453, cpu: 18, timeNs: 6_520_912_866_000, work: '00000000de5443e3', function: 'hub_event [usbcore]' });
    expect(events[5]).toMatchObject({ type: 'workqueue_queue_work', function: 'hub_event [usbcore]', workqueue: 'usb_hub_wq', reqCpu: 256, poolCpu: 18 });
    expect(events[2]).toMatchObject({ type: 'workqueue_activate_work', work: '0000000077eccca1', function: null });
  });

  it('xfs dbench 5.5 excerpt: workqueue=%p, cpu=4294967295, execute_end without function, 4 flags', async () => {
    const { events, diagnostics } = await collectTrace(join(corpus, 'xfs_dbench_unbound_vs_bound_kworker_wq_sched_wakeup.ftrace.txt'));
    expect(diagnostics).toEqual([]);
    expect(events[0]).toMatchObject({ type: 'workqueue_queue_work', comm: 'dbench', pid: 25633, function: 'xlog_cil_push_work [xfs]', workqueue: '00000000d90239c9', reqCpu: 512, poolCpu: null });
    expect(atLine(events, 5)).toMatchObject({ type: 'workqueue_execute_end', comm: 'kworker/u161:6', pid: 718, work: '000000001cccdc2d', function: null });
    expect(atLine(events, 25)).toMatchObject({ type: 'sched_migrate_task', comm: 'kworker/4:1H', pid: 991, targetComm: 'dbench', targetPid: 25633, prio: 120, origCpu: 4, destCpu: 5 });
  });

  it('rpi 4.x function tracer with stack traces: comm with dashes, 32-bit pointers, function lines counted not parsed', async () => {
    const { events, diagnostics, result } = await collectTrace(join(corpus, 'rpi_bcm2835_brcmfmac_irq_to_kworker_wq_sched_stacktrace.ftrace.txt'));
    expect(diagnostics).toEqual([]);
    expect(result.header.tracer).toBe('function');
    expect(events[0]).toMatchObject({ type: 'workqueue_queue_work', comm: 'irq/86-mmc1', pid: 65, cpu: 2, work: 'b972ca68', function: 'brcmf_sdio_dataworker [brcmfmac]', workqueue: 'b7afd200', reqCpu: 4, poolCpu: null });
    expect(result.unknownEvents).toBe(4);
    expect(ofType(events, 'sched_switch')[0]).toMatchObject({ prevComm: 'irq/86-mmc1', prevPid: 65, prevPrio: 49, prevState: 'S', nextComm: 'swapper/2' });
  });

  it('Android systrace: TGID column `(  959)` and `(-----)`, <pid> comms, tracing_mark_write markers', async () => {
    const { events, diagnostics, result } = await collectTrace(join(corpus, 'trappy_android_systrace_surfaceflinger_sched_switch.head150.txt'));
    expect(diagnostics).toEqual([]);
    expect(result.header).toMatchObject({ cpus: 8, entriesInBuffer: 180350, entriesWritten: 180350 });
    expect(atLine(events, 12)).toMatchObject({ type: 'sched_switch', comm: 'kworker/u17:1', pid: 959, tgid: 959, cpu: 6, timeNs: 538_064_659_000, prevState: 'S', prevPrio: 100 });
    expect(atLine(events, 14)).toMatchObject({ type: 'marker', comm: '<7952>', pid: 7952, tgid: null, text: 'trace_event_clock_sync: parent_ts=538.064758' });
  });

  it('ftrace_dump_on_oops inside dmesg: latency layout accepted for timing with one warning', async () => {
    const { events, diagnostics } = await collectTrace(join(corpus, 'ftrace_dump_on_oops_in_dmesg.head120-and-last-line.txt'));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ line: 1, severity: 'warning' });
    expect(diagnostics[0]?.message).toContain('comms are cut to 8 characters');
    expect(atLine(events, 5)).toMatchObject({
      type: 'sched_switch',
      comm: 'kill_chi',
      pid: 1177218,
      cpu: 1,
      timeNs: 269_454_178_000,
      prevComm: 'kill_child',
      prevState: 't',
      nextComm: 'swapper/1',
    });
  });

  it('pm-graph 3.15: 5-digit pid header, unknown device_pm events counted only', async () => {
    const { events, diagnostics, result } = await collectTrace(join(corpus, 'pm-graph_skynet_3.15.head120.txt'));
    expect(diagnostics).toEqual([]);
    expect(result.header).toMatchObject({ tracer: 'nop', cpus: 8, entriesInBuffer: 744 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'marker', comm: 'sh', pid: 4260, cpu: 7, text: 'SUSPEND START', source: { line: 13 } });
    expect(result.unknownEvents).toBe(107);
  });
});

const HEADER_618 = `# tracer: nop
#
# entries-in-buffer/entries-written: 9392/18697   #P:2
#
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
`;

describe('ftrace: layouts and special lines (synthetic, from the format strings)', () => {
  it('overwritten events, LOST EVENTS, buffer started, TGID dashes, irq-info off, spaces in comms', async () => {
    const path = synthetic(
      'special.txt',
      HEADER_618 +
        `##### CPU 1 buffer started ####
          <idle>-0       (-------) [001] dNh5.   548.705396: sched_wakeup: comm=kworker/1:1 pid=41 prio=120 target_cpu=001
CPU:0 [LOST 72 EVENTS]
 Web Content-1901    [000] d..2.   548.705413: sched_switch: prev_comm=Web Content prev_pid=1901 prev_prio=120 prev_state=R+ ==> next_comm=memfd:sealed-91 next_pid=1902 next_prio=120
 memfd:sealed-91-1902    [000]   548.705500: workqueue_activate_work: work struct 0000000008cbd4fb function=ext4_end_io_rsv_work 
`,
    );
    const { events, diagnostics, result } = await collectTrace(path);
    expect(result.header.entriesInBuffer).toBe(9392);
    expect(result.header.lostEvents).toEqual([{ cpu: 0, count: 72, source: { file: path, line: 9 } }]);
    expect(result.header.bufferStarted).toEqual([{ cpu: 1, source: { file: path, line: 7 } }]);
    expect(diagnostics.map((d) => [d.line, d.severity])).toEqual([
      [3, 'warning'],
      [7, 'warning'],
      [9, 'warning'],
    ]);
    expect(events[0]).toMatchObject({ comm: '<idle>', pid: 0, tgid: null, cpu: 1, targetComm: 'kworker/1:1', targetPid: 41, targetCpu: 1 });
    expect(events[1]).toMatchObject({ comm: 'Web Content', pid: 1901, prevComm: 'Web Content', prevState: 'R+', nextComm: 'memfd:sealed-91', nextPid: 1902 });
    expect(events[2]).toMatchObject({ comm: 'memfd:sealed-91', pid: 1902, timeNs: 548_705_500_000, work: '0000000008cbd4fb', function: 'ext4_end_io_rsv_work' });
  });

  it('lines read as bytes: UTF-8 comms, CRLF, a BOM, `<...>` and the idle task sharing pid 0 across CPUs, comms holding field names', async () => {
    // The parser reads lines as bytes and keeps one string per task comm (CommCache, used on ASCII input): a comm
    // that changes for a pid must still come out as printed. The kernel copies comm bytes as they are (prctl
    // PR_SET_NAME takes UTF-8), so a non-ASCII comm is decoded as UTF-8.
    const lines = [
      '          <idle>-0       [000] d..2.   100.000001: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=NAME next_pid=77 next_prio=120\r',
      '            NAME-77      [000] d..2.   100.000002: sched_switch: prev_comm=NAME prev_pid=77 prev_prio=120 prev_state=D ==> next_comm=swapper/0 next_pid=0 next_prio=120\r',
      '          <idle>-0       [001] d..2.   100.000003: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=x next_pid=1 next_pid=78 next_prio=-1',
      '           <...>-78      [001] d..2.   100.000004: sched_wakeup: comm=kworker/1:2 pid=79 prio=120 target_cpu=001',
      '     kworker/1:2-78      [001] d..2.   100.000005: sched_switch: prev_comm=kworker/1:2 prev_pid=78 prev_prio=120 prev_state=I ==> next_comm=swapper/1 next_pid=0 next_prio=120',
      '     renamed-now-78      [001] d..2.   100.000006: sched_waking: comm=kworker/1:2 pid=79 prio=120 target_cpu=001',
      '          <idle>-0       [000] d..2.   100.000007: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=NAME next_pid=77 next_prio=120',
      '            NAME-77      [000] d..2.   100.000008: sched_switch: prev_comm=NAME prev_pid=77 prev_prio=120 prev_state=D ==> next_comm=<idle> next_pid=0 next_prio=120',
    ];
    for (const [name, bom] of [['café-wörker', '\ufeff'], ['ascii-worker', '']] as const) {
      const path = synthetic(`bytes-${name}.txt`, bom + HEADER_618 + lines.join('\n').replaceAll('NAME', name) + '\n');
      const { events, diagnostics } = await collectTrace(path);
      // Only the 6.18 header's overwritten-events warning (its line 3).
      expect(diagnostics.map((d) => d.line)).toEqual([3]);
      expect(events.map((e) => [e.comm, e.pid, e.cpu])).toEqual([
        ['<idle>', 0, 0],
        [name, 77, 0],
        ['<idle>', 0, 1],
        ['<...>', 78, 1],
        ['kworker/1:2', 78, 1],
        ['renamed-now', 78, 1],
        ['<idle>', 0, 0],
        [name, 77, 0],
      ]);
      const switches = ofType(events, 'sched_switch');
      expect(switches.map((e) => [e.prevComm, e.prevPid, e.prevState, e.nextComm, e.nextPid, e.nextPrio])).toEqual([
        ['swapper/0', 0, 'R', name, 77, 120],
        [name, 77, 'D', 'swapper/0', 0, 120],
        ['swapper/1', 0, 'R', 'x next_pid=1', 78, -1],
        ['kworker/1:2', 78, 'I', 'swapper/1', 0, 120],
        ['swapper/0', 0, 'R', name, 77, 120],
        [name, 77, 'D', '<idle>', 0, 120],
      ]);
      expect(switches[0]!.timeNs).toBe(100_000_001_000);
    }
  });

  it('counter clocks print bare integers (clockUnit count), seconds wider than 5 digits, 4.19 widths, ≤4.2 success=', async () => {
    const counter = await collectTrace(synthetic('counter.txt', `          <idle>-0       [000] d..2.            3: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=sh next_pid=7 next_prio=120\n`));
    expect(counter.result.header.clockUnit).toBe('count');
    expect(counter.events[0]?.timeNs).toBe(3);
    const old = await collectTrace(
      synthetic('419.txt', `     kworker/0:1-41    [000] d..2 123456.988334: sched_wakeup: comm=sh pid=7 prio=120 success=1 target_cpu=002\n`),
    );
    expect(old.events[0]).toMatchObject({ comm: 'kworker/0:1', pid: 41, cpu: 0, timeNs: 123_456_988_334_000, targetComm: 'sh', targetPid: 7, targetCpu: 2 });
  });

  it('initcall events, exec, vendor wakeup state=, and a known event with bad fields (diagnostic, skipped)', async () => {
    const { events, diagnostics } = await collectTrace(
      synthetic(
        'initcall.txt',
        `       swapper/0-1       [000] .....     0.100000: initcall_level: level=device
       swapper/0-1       [000] .....     0.100001: initcall_start: func=nvme_init+0x0/0x1000 [nvme]
       swapper/0-1       [000] .....     0.200001: initcall_finish: func=nvme_init+0x0/0x1000 [nvme] ret=-19
              ls-4828    (   4828) [001] .....   548.708887: sched_process_exec: filename=/usr/bin/ls pid=4828 old_pid=4828
          <idle>-0       [000] dNh7.   548.730888: sched_wakeup: comm=tokio-rt-worker pid=69 prio=120 target_cpu=000 state=R
          <idle>-0       [000] dNh7.   548.730889: sched_switch: garbage
          <idle>-0       [000] dNh7.   548.700000: sched_wakeup: comm=tokio-rt-worker pid=69 prio=120 target_cpu=000
          <idle>-0       [000] dNh7.   548.730900: sched_wakeup: comm=tokio-rt-worker pid=69 prio=120 target_cpu=000
`,
      ),
    );
    expect(events.map((e) => e.type)).toEqual(['initcall_level', 'initcall_start', 'initcall_finish', 'sched_process_exec', 'sched_wakeup', 'sched_wakeup', 'sched_wakeup']);
    expect(events[0]).toMatchObject({ level: 'device' });
    expect(events[2]).toMatchObject({ func: 'nvme_init+0x0/0x1000 [nvme]', ret: -19 });
    expect(events[3]).toMatchObject({ tgid: 4828, filename: '/usr/bin/ls', targetPid: 4828, oldPid: 4828 });
    expect(events[4]).toMatchObject({ targetComm: 'tokio-rt-worker', targetPid: 69, targetCpu: 0 });
    expect(diagnostics).toEqual([
      { file: expect.any(String), line: 6, message: expect.stringContaining('sched_switch'), severity: 'warning' },
      // line 7 goes back in time (the trace file is merged in time order): reported once, with the count
      { file: expect.any(String), line: 7, message: expect.stringMatching(/^1 event\(s\) are earlier than the event before them \(first here\): the trace is not in time order/), severity: 'warning' },
    ]);
  });

  it('rejects a trace recorded with options/context-info off', async () => {
    const path = synthetic('noctx.txt', '# tracer: nop\n#\nsched_switch: prev_comm=a prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=b next_pid=2 next_prio=120\n');
    const err = await readTrace(path, 'ftrace', () => {}, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line).toBe(3);
    expect((err as InputError).reason).toContain('context-info');
  });

  it('a truncated last line is reported and its event withheld', async () => {
    const { events, diagnostics, result } = await collectTrace(
      synthetic(
        'cut.txt',
        `            init-1       [002] d..1.     3.274721: workqueue_queue_work: work struct=0000000020a51e6c function=work_for_cpu_fn workqueue=events req_cpu=0 cpu=0
     kworker/0:1-18      [000] .....     3.274800: workqueue_execute_start: work struct 0000000020a51e6c: function work_for_cp`,
      ),
    );
    expect(events.map((e) => e.type)).toEqual(['workqueue_queue_work']);
    expect(result.events).toBe(1);
    expect(diagnostics).toEqual([{ file: expect.any(String), line: 2, message: expect.stringContaining('no newline'), severity: 'warning' }]);
  });

  it('an ftrace file whose tracer is function_graph is read as function_graph', async () => {
    const { events } = await collectTrace(join(captures, 'fgraph', 'trace.txt'), 'ftrace');
    expect(events.some((e) => e.type === 'funcgraph_entry')).toBe(true);
  });
});
