// The findings of a Boot, typed per kind: a union keyed by `kind`, each kind with its own `data` (after DevTools'
// insights/types.ts). The JSON is the same object (docs/findings.md documents every kind's `data`); in TypeScript a
// renderer narrows by `kind` to read a kind's numbers. Kinds are produced by src/findings/ (one module each) and,
// for a simulated boot, by the simulator (workqueue-deadlock).

import type { SourceRef } from '../core/diagnostics.js';
import type { Cpu, Ns, NodeId, Pid } from '../core/units.js';
import type { ProbeLineVisibility } from '../kernel-release/probe-timing.js';

/** What a finding worked from, richest first (findings/data-level.ts ranks and describes them). */
export type DataLevel = 'ftrace' | 'simulation' | 'custom-line' | 'caller-id' | 'dmesg';

/** What every finding has, whatever its kind. */
export interface FindingBase {
  severity: 'info' | 'warning';
  /** One sentence a kernel engineer would accept on a mailing list. */
  title: string;
  /** Further plain-words explanation (may span a few sentences). */
  detail: string;
  node: NodeId | null;
  cpu: Cpu | null;
  devices: string[];
  drivers: string[];
  /** Estimated time the behaviour cost (wall-clock), null when it cannot be estimated. */
  lostNs: Ns | null;
  evidence: SourceRef[];
  /** What the estimate assumed or could not see, one sentence each. */
  warnings: string[];
}

export interface BoundQueueSerializationData {
  /** Sum of probe durations / first probe start to last probe end (else the bodies' factor). */
  factor: number;
  bodyFactor: number;
  probeSpanNs: number | null;
  sumProbeNs: number;
  overlap: { ready: number; ran: number };
  idleCpus: Cpu[];
  workers: Array<{ comm: string | null; pid: Pid | null }>;
  queuedBy: string[];
  dataUsed: DataLevel;
  timed: boolean;
  wallSpanNs: number;
  bodySpanNs: number;
  parallelSpanNs: number;
  parallelCpus: number;
  sumBodyNs: number;
  bodyBasis: string[];
  contentionNs: number | null;
  nodeCpus: Cpu[];
}

export interface BoundQueueSerializationFinding extends FindingBase {
  kind: 'bound-queue-serialization';
  /** The serialization factor (also in `data`). */
  factor: number;
  data: BoundQueueSerializationData;
}

export interface SynchronousProbeFinding extends FindingBase {
  kind: 'synchronous-probe';
  data: {
    caller: { comm: string | null; pid: Pid };
    bodyCpus: Cpu[];
    serialProbeNs: number;
    serialSpanNs: number | null;
    parallelSpanNs: number;
    parallelCpus: number;
    costsNs: number[];
    dataUsed: DataLevel;
  };
}

export interface DeferredProbeFinding extends FindingBase {
  kind: 'deferred-probe';
  data: { attempts: number; boundLater: string[]; neverBound: string[]; spentNs: number };
}

/** A node whose PCI devices' probe bodies would queue on one CPU (bound-queue-exposure, from the kernel log alone). */
export interface ExposedNodeData {
  node: NodeId;
  cpu: Cpu | null;
  cpuInferred: boolean;
  nodeCpus: number;
  devices: string[];
  drivers: string[];
  /** Per driver: why it is probed asynchronously on this release. */
  async: Record<string, string>;
  mechanism: string;
  release: string | null;
  measureWith: string;
  costsNs: number[] | null;
  serialNs?: number;
  spreadNs?: number;
}

/** Groups of devices that would be exposed only if probed asynchronously. */
export interface NotExposedData {
  exposure: 'not-exposed';
  synchronous: Array<{ driver: string; node: NodeId; devices: string[]; why: string | undefined }>;
  unknownAsync: Array<{ driver: string; node: NodeId; devices: string[] }>;
  measureWith: string;
}

export interface BoundQueueExposureFinding extends FindingBase {
  kind: 'bound-queue-exposure';
  data: ExposedNodeData | NotExposedData;
}

export interface InsufficientDataFinding extends FindingBase {
  kind: 'insufficient-data';
  data:
    | { dataUsed: 'none'; initcallDebug: boolean; probeLines: ProbeLineVisibility; wouldShow: string[] }
    | { dataUsed: DataLevel; overlapping: number; placed: number; callers: Pid[]; wouldShow: string[] };
}

/** A simulated run in which work waits forever (sim/simulate.ts). */
export interface WorkqueueDeadlockFinding extends FindingBase {
  kind: 'workqueue-deadlock';
  data: { workqueue: string; maxActive: number; key: number; keyKind: string; active: number; parked: number; waitingOnParked: number; stuckProbes: number };
}

export type Finding =
  | BoundQueueSerializationFinding
  | SynchronousProbeFinding
  | DeferredProbeFinding
  | BoundQueueExposureFinding
  | InsufficientDataFinding
  | WorkqueueDeadlockFinding;

export type FindingKind = Finding['kind'];
