// What one input format registers (formats.ts lists them): its name, how to recognise it from the head of a
// file, and how to read it, by the role the file plays in a boot. After speedscope's src/import/index.ts: one
// importer per format, a dispatcher that asks each in turn.

import type { DiagnosticSink } from '../../core/diagnostics.js';
import type { KernelLogLineSink } from '../kernel-log.js';
import type { KernelLogPresentation, KernelLogReadResult } from '../kernel-log-reader.js';
import type { PciNumaEntry } from '../pci-numa.js';
import type { SniffHead } from '../sniff-head.js';
import type { Topology } from '../topology.types.js';
import type { ReadTraceOptions, ReadTraceResult, TraceEvent } from '../trace-events.types.js';

/**
 * How sure a sniffer is. `certain`: a header, magic number or schema names the format. `likely`: most lines of
 * the head have its shape. The first `certain` answer in registry order wins, else the first `likely` one.
 */
export type Confidence = 'certain' | 'likely';

interface FormatModuleBase<F extends string> {
  /** The name in `inputs[].format` of the Boot JSON (stable: part of trace-probe.boot/1). */
  format: F;
  sniff(head: SniffHead, path: string): Confidence | null;
  /** The head may hold NUL bytes or invalid UTF-8 and the file is still this format (binary, or read leniently). */
  binaryHead?: boolean;
  /** File names of a capture directory read in this role, after the role's usual names (capture-directory.ts). */
  captureFiles?: readonly string[];
}

/** A kernel log: every message line, prefixes stripped, in file order. */
export interface KernelLogFormatModule<F extends string = string> extends FormatModuleBase<F>, KernelLogPresentation {
  role: 'kernel-log';
  read(path: string, onLine: KernelLogLineSink, onDiagnostic: DiagnosticSink): Promise<KernelLogReadResult>;
}

/** A trace: every event trace-probe uses, in file order. */
export interface TraceFormatModule<F extends string = string> extends FormatModuleBase<F> {
  role: 'trace';
  read(path: string, onEvent: (event: TraceEvent) => void, onDiagnostic: DiagnosticSink, options?: ReadTraceOptions): Promise<ReadTraceResult>;
  /** The reader honours ReadTraceOptions.followTasks (a binary record's pids are read before it is decoded). */
  filtersTasks?: boolean;
}

/** The CPU topology (merged over every topology input of a boot). */
export interface TopologyFormatModule<F extends string = string> extends FormatModuleBase<F> {
  role: 'topology';
  read(path: string, onDiagnostic: DiagnosticSink): Promise<Topology>;
}

/** The NUMA node of devices (sysfs numa_node), authoritative over what the kernel log shows. */
export interface DeviceNodesFormatModule<F extends string = string> extends FormatModuleBase<F> {
  role: 'device-nodes';
  read(path: string, onDiagnostic: DiagnosticSink): Promise<PciNumaEntry[]>;
}

/** A whole boot written by trace-probe (read by pipeline/boot-json.ts, which checks it against the model). */
export interface BootJsonFormatModule<F extends string = string> extends FormatModuleBase<F> {
  role: 'boot-json';
}

export type FormatModule =
  | KernelLogFormatModule
  | TraceFormatModule
  | TopologyFormatModule
  | DeviceNodesFormatModule
  | BootJsonFormatModule;

export type FormatRole = FormatModule['role'];
