// The trace-probe domain model: what every ingest module feeds and every finding, simulation,
// comparison and renderer reads. Time is integer nanoseconds everywhere inside; inputs in µs or
// s.µs are converted at the edges (ingest), outputs convert in render/.
//
// The JSON shape of `Boot` is a public contract ("trace-probe.boot/1", documented in docs/json-schemas.md):
// add fields freely, never rename or remove one without bumping the schema.

import type { PlatformFacts } from './platform.js';

export type { Ns, Cpu, Pid, NodeId } from '../core/units.js';
export { ns, cpuId, pidOf, nodeId, usToNs } from '../core/units.js';
export type { SourceRef, Severity, Diagnostic } from '../core/diagnostics.js';
import type { Ns, Cpu, Pid, NodeId } from '../core/units.js';
import type { Diagnostic, SourceRef } from '../core/diagnostics.js';

/** What kind of task ran a piece of work, from its comm (formats §10). */
export type WorkerKind = 'bound' | 'highpri' | 'unbound' | 'rescuer' | 'task';

export interface WorkerIdentity {
  /** The comm as the input printed it (ftrace cuts it to 15 characters); null when only the pid is known (printk caller `[T123]`). */
  comm: string | null;
  pid: Pid | null;
  /** null when the comm is unknown (only a pid, e.g. from the printk caller id). */
  kind: WorkerKind | null;
  /** Bound and highpri workers: the CPU of their per-CPU pool. Otherwise null. */
  cpu: Cpu | null;
  /** Unbound workers: the unbound pool id P of `kworker/uP:M` (a pool id, not a CPU or node). */
  pool: number | null;
  /** The worker number M, when the comm carries one. */
  workerId: number | null;
  /** Rescuers: the workqueue name (`kworker/R-<wq>`). */
  rescuerOf: string | null;
  /** True when the comm is 15 characters long and may have been cut (TASK_COMM_LEN). */
  maybeTruncated: boolean;
}

export type ProbeStatus = 'ok' | 'failed' | 'deferred' | 'rejected';

/** One driver probe of one device. */
export interface ProbeSpan {
  device: string;
  driver: string | null;
  node: NodeId | null;
  /** Start on the printk clock; null when the input has only a cost (e.g. the patch-mail line). */
  startNs: Ns | null;
  endNs: Ns | null;
  durationNs: Ns;
  /** really_probe()'s return as printed, or null when the line carries none. */
  ret: number | null;
  status: ProbeStatus;
  deferred: boolean;
  /** The CPU that ran the probe body, when known. */
  cpu: Cpu | null;
  /** The task that ran the probe body (the bound kworker of work_on_cpu, not the waiting async worker). */
  worker: WorkerIdentity | null;
  /** The task that queued the probe body and waited for it (the async worker), when the trace shows it. */
  queuedBy: WorkerIdentity | null;
  /** From queue_work to execute_start of the probe body's work item. */
  queueDelayNs: Ns | null;
  /** Time the executing task was on a CPU during the span. */
  onCpuNs: Ns | null;
  /** Time the executing task was runnable but not running (CPU contention) during the span. */
  runnableWaitNs: Ns | null;
  /** Time the executing task was blocked (D/S/I) during the span. */
  sleepNs: Ns | null;
  /**
   * The printk caller id of the line that closed the span when it is a task (`[T8]`, CONFIG_PRINTK_CALLER):
   * the PID that ran really_probe(), i.e. the async worker or the insmod/init context. Absent or null otherwise.
   */
  callerPid?: Pid | null;
  /**
   * When `worker` started and ended running the probe body, on the span's clock (the body's work item
   * execute_start/end for work_on_cpu-style probes; the span itself when the caller ran it). Absent or null
   * when no trace was joined.
   */
  bodyStartNs?: Ns | null;
  bodyEndNs?: Ns | null;
  /** Which input established the span: 'probe-line', 'custom-line', 'ftrace', 'function-graph'. */
  origin: SpanOrigin;
  /** Set when the input's times for this span cannot be (impossible-times.ts): why. Such a span is left out of the findings. */
  invalid?: string;
  source: SourceRef;
  /** Further lines that support the span (driver recovery, worker identity, trace events). */
  evidence: SourceRef[];
}

export type SpanOrigin = 'probe-line' | 'custom-line' | 'ftrace' | 'function-graph' | 'simulated';

/** One initcall (built-in or module), or one async-domain entry. */
export interface InitcallSpan {
  fn: string;
  module: string | null;
  /** async_schedule cookie for `calling  N_fn` entries, else null. */
  asyncCookie: number | null;
  callerPid: Pid | null;
  startNs: Ns | null;
  endNs: Ns | null;
  /** As printed; for kernels ≤ 5.15 the printed usecs are ns>>10 (see `usecsAreShifted`). */
  durationNs: Ns | null;
  /** True when the kernel printed ns/1024 as "usecs" (≤ 5.15); durationNs is then the printed value × 1000. */
  usecsAreShifted: boolean;
  ret: number | null;
  level: string | null;
  source: SourceRef;
  /** Set when the input's times for this initcall cannot be (impossible-times.ts): why. */
  invalid?: string;
}

export type { Topology, TopologyCpu } from '../ingest/topology.types.js';
import type { Topology } from '../ingest/topology.types.js';

export interface KernelInfo {
  /** `uname -r` style release, e.g. "6.1.0-50-amd64". */
  release: string | null;
  /** The full `Linux version ...` banner. */
  banner: string | null;
  cmdline: string | null;
  /**
   * The machine as its firmware names it (the DMI line, else a WARN header's `Hardware name:`, else the device
   * tree's `Machine model:`); null when the log names none. Absent in Boot JSON written before it existed.
   */
  machine?: MachineIdentity | null;
  /** The host name systemd set during the boot (`Hostname set to <...>`, the last one; `localhost` is not one). */
  hostname?: string | null;
}

export interface MachineIdentity {
  /** `<vendor> <product>` (DMI system vendor and product name; the device tree's model), white space squeezed. */
  model: string;
  /** DMI board name, null when not printed (and always on device-tree machines). */
  board: string | null;
  /** `<BIOS version> <BIOS date>` as printed, null on device-tree machines. */
  bios: string | null;
  /** Which line: `dmi` (`DMI: ...`), `hardware-name` (a WARN/oops header), `devicetree` (`Machine model: ...`). */
  from: 'dmi' | 'hardware-name' | 'devicetree';
  source: SourceRef;
}

export { KERNEL_LOG_FORMATS, TRACE_FORMATS } from '../ingest/formats.js';
export type { KernelLogFormat, TraceFormat, InputFormat } from '../ingest/formats.js';
import type { InputFormat } from '../ingest/formats.js';

export interface InputInfo {
  path: string;
  format: InputFormat;
  lines: number;
  /** Number of diagnostics raised while reading this input. */
  diagnostics: number;
  /**
   * A trace joined with a kernel log: how far its clock is behind printk's (printk time = trace time + this; 0 with
   * trace_clock=global). The Boot's times are on the printk clock. Absent when the trace was not joined.
   */
  clockOffsetNs?: number;
}

/** A finding: a pure function of a Boot (findings/). Kinds are stable strings. */
export type {
  Finding, FindingBase, FindingKind, DataLevel, BoundQueueSerializationFinding, BoundQueueSerializationData, SynchronousProbeFinding,
  DeferredProbeFinding, BoundQueueExposureFinding, ExposedNodeData, NotExposedData, InsufficientDataFinding, WorkqueueDeadlockFinding,
} from './finding.types.js';
import type { Finding } from './finding.types.js';

/** The central model: one boot (real or simulated). */
export interface Boot {
  schema: 'trace-probe.boot/1';
  inputs: InputInfo[];
  kernel: KernelInfo;
  topology: Topology;
  probes: ProbeSpan[];
  initcalls: InitcallSpan[];
  findings: Finding[];
  diagnostics: Diagnostic[];
  /**
   * The machine as the kernel log tells it (CPU/node counts, CPU → node, PCI root buses and functions with
   * their drivers and nodes; model/platform.ts). Absent in Boot JSON written before it existed and in simulated boots.
   */
  platform?: PlatformFacts;
}

export const BOOT_SCHEMA = 'trace-probe.boot/1' as const;
