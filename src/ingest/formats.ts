// The format registry: every input format trace-probe reads, in the order they are sniffed (formats/*.ts define
// them). Sniffing (detect.ts), the format names and their roles, the reader of each input (pipeline/) and the file
// names of a capture directory all derive from this list. Adding a format: one module under formats/ exporting a
// FormatModule (format-module.ts), and one line here (docs/architecture.md).

import type { FormatModule, FormatRole } from './formats/format-module.js';
import {
  dmesg, dmesgCtime, dmesgDecode, dmesgDelta, dmesgIso, dmesgJson, dmesgNotime, dmesgRaw, dmesgReltime, journalExport, journalJson,
  journalShort, journalShortIso, journalShortMonotonic, journalShortPrecise, kmsg, patchMail, serialConsole, syslog,
} from './formats/kernel-logs.js';
import { pciNuma } from './formats/pci-numa.js';
import { ftrace, functionGraph, traceCmd } from './formats/text-traces.js';
import { traceDat } from './formats/trace-dat.js';
import { cpulist, lscpu } from './formats/topology.js';
import { bootJson, simJson } from './formats/trace-probe-json.js';

/**
 * Sniffing asks every module in this order: the first `certain` answer wins, else the first `likely` one. So a
 * format recognised by a header or a magic number can go anywhere; one recognised by the shape of its lines goes
 * before the formats whose lines it would otherwise be taken for.
 */
export const FORMATS = [
  traceDat,
  dmesgJson,
  bootJson,
  simJson,
  journalJson,
  journalExport,
  functionGraph,
  traceCmd,
  ftrace,
  kmsg,
  dmesg,
  dmesgRaw,
  dmesgDecode,
  dmesgDelta,
  dmesgCtime,
  dmesgReltime,
  dmesgIso,
  syslog,
  journalShort,
  journalShortPrecise,
  journalShortIso,
  journalShortMonotonic,
  serialConsole,
  pciNuma,
  lscpu,
  cpulist,
  patchMail,
  dmesgNotime,
] as const satisfies readonly FormatModule[];

type Registered = (typeof FORMATS)[number];

/** Names of the input formats (the `format` field of `inputs` in the Boot JSON). */
export type InputFormat = Registered['format'];
export type KernelLogFormat = Extract<Registered, { role: 'kernel-log' }>['format'];
export type TraceFormat = Extract<Registered, { role: 'trace' }>['format'];

const BY_NAME: ReadonlyMap<string, FormatModule> = new Map(FORMATS.map((m) => [m.format, m]));

/** The module of a registered format. */
export function formatModule<F extends InputFormat>(format: F): Extract<Registered, { format: F }> {
  const module = BY_NAME.get(format);
  if (!module) throw new Error(`unregistered input format "${format}"`);
  return module as Extract<Registered, { format: F }>;
}

export const KERNEL_LOG_FORMATS: readonly KernelLogFormat[] = FORMATS.filter((m) => m.role === 'kernel-log').map((m) => m.format as KernelLogFormat);
export const TRACE_FORMATS: readonly TraceFormat[] = FORMATS.filter((m) => m.role === 'trace').map((m) => m.format as TraceFormat);

export function isKernelLogFormat(format: string): format is KernelLogFormat {
  return BY_NAME.get(format)?.role === 'kernel-log';
}

export function isTraceFormat(format: string): format is TraceFormat {
  return BY_NAME.get(format)?.role === 'trace';
}

/**
 * The files of a capture directory, by role, in order of preference (the names the captures in ../shared/captures
 * use, then what a format module adds). Only the first kernel log and the first trace are read (dmesg.log,
 * dmesg-raw.log and console.log hold the same log); every topology file is merged.
 */
const CAPTURE_FILES: Readonly<Record<Exclude<FormatRole, 'boot-json'>, readonly string[]>> = {
  'kernel-log': ['dmesg.log', 'dmesg.txt', 'dmesg', 'kmsg.txt', 'dmesg-raw.log', 'dmesg-final.log', 'journal.txt', 'kern.log', 'console.log'],
  trace: ['trace.txt', 'trace-fgraph.txt', 'trace', 'trace.report', 'trace-cmd.txt'],
  topology: ['topology.csv', 'lscpu.csv', 'lscpu.txt', 'node-cpulist.txt', 'cpus.txt'],
  'device-nodes': ['pci-numa.txt'],
};

export function captureFiles(role: Exclude<FormatRole, 'boot-json'>): string[] {
  return [...CAPTURE_FILES[role], ...FORMATS.flatMap((m: FormatModule) => (m.role === role ? (m.captureFiles ?? []) : []))];
}
