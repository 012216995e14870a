// Typed events from ftrace text (/sys/kernel/tracing/trace, trace_pipe), `trace-cmd report` and
// function_graph output. Producers: ftrace.ts, trace-cmd.ts, funcgraph.ts. Consumers: model/
// builders (work-item lifecycle, per-task CPU occupancy, join with probe spans).
//
// Field semantics follow include/trace/events/workqueue.h, include/trace/events/sched.h,
// include/trace/events/initcall.h and kernel/trace/trace_functions_graph.c; see
// docs/kernel-log-formats.md §6–9.

import type { Cpu, Ns, Pid } from '../core/units.js';
import type { SourceRef } from '../core/diagnostics.js';

export interface TraceEventBase {
  source: SourceRef;
  /**
   * Event time in ns on the trace clock. For ns clocks (local, global, mono, boot, ...) this is the
   * printed s.µs converted to ns; for counter clocks (counter, uptime, x86-tsc) it is the raw count
   * (see TraceHeader.clockUnit). null only for function_graph output without funcgraph-abstime.
   */
  timeNs: Ns | null;
  cpu: Cpu;
  /** The TASK column's pid (the context the event fired in). */
  pid: Pid;
  /** The TASK column's comm as printed (looked up at read time; may be `<...>`; funcgraph cuts it to 7 chars). */
  comm: string;
  tgid: number | null;
}

/** The fields every event of one line or record shares, filled before its own fields are read. */
export type EventContext = TraceEventBase;

export type TraceEvent =
  | (TraceEventBase & {
      type: 'workqueue_queue_work';
      work: string;
      function: string;
      /** The workqueue name, or its hashed address on kernels ≤ 5.11. */
      workqueue: string;
      reqCpu: number;
      /** pool CPU; null for unbound pools (printed 4294967295 ≤ 5.18, -1 from 5.19). */
      poolCpu: number | null;
    })
  | (TraceEventBase & { type: 'workqueue_activate_work'; work: string; function: string | null })
  | (TraceEventBase & { type: 'workqueue_execute_start'; work: string; function: string })
  | (TraceEventBase & { type: 'workqueue_execute_end'; work: string; function: string | null })
  | (TraceEventBase & {
      type: 'sched_switch';
      prevComm: string;
      prevPid: Pid;
      prevPrio: number;
      /** As printed: `R`, `R+`, `S`, `D`, `I`, `D|K`, ... (trace-cmd's plugin never prints `R+`). */
      prevState: string;
      nextComm: string;
      nextPid: Pid;
      nextPrio: number;
    })
  | (TraceEventBase & {
      type: 'sched_wakeup' | 'sched_wakeup_new' | 'sched_waking';
      targetComm: string;
      targetPid: Pid;
      prio: number;
      targetCpu: Cpu;
    })
  | (TraceEventBase & { type: 'sched_migrate_task'; targetComm: string; targetPid: Pid; prio: number; origCpu: Cpu; destCpu: Cpu })
  | (TraceEventBase & { type: 'sched_process_exec'; filename: string; targetPid: Pid; oldPid: Pid })
  | (TraceEventBase & { type: 'initcall_level'; level: string })
  | (TraceEventBase & { type: 'initcall_start'; func: string })
  | (TraceEventBase & { type: 'initcall_finish'; func: string; ret: number })
  /** tracing_mark_write: text written to trace_marker (clock alignment with /dev/kmsg markers). */
  | (TraceEventBase & { type: 'marker'; text: string })
  /** function_graph `func() {` */
  | (TraceEventBase & { type: 'funcgraph_entry'; func: string; depth: number })
  /** function_graph `}` (optionally `} /* func *\/`); durationNs is the printed wall duration. */
  | (TraceEventBase & { type: 'funcgraph_exit'; func: string | null; depth: number; durationNs: Ns | null; ret?: number | null })
  /** function_graph `func();` leaf with its duration. */
  | (TraceEventBase & { type: 'funcgraph_leaf'; func: string; depth: number; durationNs: Ns | null })
  /** function_graph context-switch block `N) from-pid => to-pid` (comms cut to 7 chars). */
  | (TraceEventBase & { type: 'funcgraph_switch'; fromComm: string; fromPid: Pid; toComm: string; toPid: Pid });

/** Trace-wide facts and gaps. */
export interface TraceHeader {
  /** `# tracer: nop` / `function_graph`; null for trace-cmd output. */
  tracer: string | null;
  /** `#P:8` or trace-cmd `cpus=8`. */
  cpus: number | null;
  entriesInBuffer: number | null;
  entriesWritten: number | null;
  /** 'ns' for s.µs timestamps, 'count' for bare integers (counter/uptime/x86-tsc clocks). */
  clockUnit: 'ns' | 'count';
  /** Per CPU: lost-event counts (`CPU:N [LOST M EVENTS]`, trace-cmd `EVENTS DROPPED`); null count = unknown. */
  lostEvents: Array<{ cpu: Cpu; count: number | null; source: SourceRef }>;
  /** CPUs whose buffer restarted (`##### CPU N buffer started ####`): events before `source` are gone. */
  bufferStarted: Array<{ cpu: Cpu; source: SourceRef }>;
}

/** What reading one trace gave (trace-reader.ts for text traces, trace-dat/ for trace.dat). */
export interface ReadTraceResult {
  header: TraceHeader;
  lines: number;
  /** Events delivered to onEvent. */
  events: number;
  /** Event lines of events trace-probe does not use (counted, not materialised). */
  unknownEvents: number;
  /**
   * With ReadTraceOptions.followTasks (trace.dat only): the scheduler events left out because they concern no followed
   * task, and what the trace as a whole showed (first and last event time of the events trace-probe uses, whether
   * it had sched_switch events), which the left-out events would have told the builders. pagesPassedOver: the
   * ring-buffer pages not read at all (a page index from an earlier read of the same file said they hold nothing
   * to deliver).
   */
  filtered?: { events: number; firstNs: number | null; lastNs: number | null; schedSwitch: boolean; pagesPassedOver?: number };
}

export interface ReadTraceOptions {
  /**
   * Only for binary traces (trace.dat), where the pids of a record can be read before it is decoded: scheduler
   * events (sched_switch, sched_wakeup/_new/waking, sched_migrate_task) none of whose tasks is in this set are left
   * out (each CPU's first sched_switch is always delivered). Text traces ignore it.
   */
  followTasks?: ReadonlySet<number>;
  /** False when the events' line numbers (SourceRef.line) are not needed: a binary trace is then read faster. */
  lineNumbers?: boolean;
}
