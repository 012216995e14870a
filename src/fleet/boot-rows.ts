// One analyzed Boot as rows of the fleet tables (fleet-schema.ts). Pure: the numbers are the Boot's own
// (the same Boot `analyze --json` prints), so the store agrees with `analyze` by construction of one
// function, not by a second analysis.

import { BOUND_QUEUE_EXPOSURE, BOUND_QUEUE_SERIALIZATION } from '../findings/index.js';
import type { Boot } from '../model/types.js';
import { BOOTS, DIAGNOSTICS, FINDINGS, INITCALLS, PROBES, type Row, type TableDef } from './fleet-schema.js';

export interface BootIdentity {
  bootId: string;
  /** The capture directory, tarball or file that was analyzed as this boot. */
  input: string;
  contentHash: string;
  host: string;
  /** Where the host name came from: 'pattern' (--host-from), 'log' (a hostname the log prints), 'path'. */
  hostSource: 'pattern' | 'log' | 'path';
  inputBytes: number;
}

export interface BootRows {
  boots: Row[];
  probes: Row[];
  initcalls: Row[];
  findings: Row[];
  diagnostics: Row[];
}

/** Per-boot totals, as the `boots` table holds them. */
export interface BootTotals {
  probes: number;
  timedProbes: number;
  /** First probe start → last probe end over the probes with times; null without any. */
  probeWindowNs: number | null;
  totalProbeNs: number;
  initcalls: number;
  totalInitcallNs: number;
  serialized: boolean;
  /** Sum of the bound-queue-serialization findings' lost time; null when none has a cost. */
  serializationLostNs: number | null;
  /** A bound-queue-exposure warning: the plain log shows probes that would queue on one CPU (docs/probe-exposure.md). */
  exposed: boolean;
}

export function bootTotals(boot: Boot): BootTotals {
  let first = Infinity;
  let last = -Infinity;
  let timed = 0;
  let total = 0;
  for (const p of boot.probes) {
    total += p.durationNs;
    if (p.startNs !== null && p.endNs !== null) {
      timed++;
      first = Math.min(first, p.startNs);
      last = Math.max(last, p.endNs);
    }
  }
  const serialization = boot.findings.filter((f) => f.kind === BOUND_QUEUE_SERIALIZATION);
  const costs = serialization.map((f) => f.lostNs).filter((n): n is NonNullable<typeof n> => n !== null);
  return {
    probes: boot.probes.length,
    timedProbes: timed,
    probeWindowNs: timed > 0 ? last - first : null,
    totalProbeNs: total,
    initcalls: boot.initcalls.length,
    totalInitcallNs: boot.initcalls.reduce((sum, i) => sum + (i.durationNs ?? 0), 0),
    serialized: serialization.length > 0,
    serializationLostNs: costs.length > 0 ? costs.reduce((a, b) => a + b, 0) : null,
    // The exposure finding's info form says "not exposed"; only its warnings are exposure.
    exposed: boot.findings.some((f) => f.kind === BOUND_QUEUE_EXPOSURE && f.severity === 'warning'),
  };
}

/** The NUMA nodes of the boot's topology (0 when it has none). */
function nodeCount(boot: Boot): number {
  return new Set(boot.topology.cpus.map((c) => c.node).filter((n) => n !== null)).size;
}

function check(table: TableDef, row: Row): Row {
  if (row.length !== table.columns.length) throw new Error(`${table.name}: ${row.length} values for ${table.columns.length} columns`);
  return row;
}

export function bootRows(boot: Boot, id: BootIdentity): BootRows {
  const totals = bootTotals(boot);
  const b = id.bootId;
  const machine = boot.kernel.machine ?? null;
  const boots = [check(BOOTS, [
    b, id.input, id.contentHash, id.host, id.hostSource, machine?.model ?? null, machine?.board ?? null, machine?.bios ?? null,
    boot.kernel.release, boot.kernel.banner, boot.kernel.cmdline,
    boot.topology.cpus.length, nodeCount(boot),
    boot.inputs.map((i) => i.path), boot.inputs.map((i) => i.format), id.inputBytes,
    totals.probes, totals.timedProbes, totals.probeWindowNs, totals.totalProbeNs,
    totals.initcalls, totals.totalInitcallNs,
    boot.findings.length, totals.serialized, totals.serializationLostNs, totals.exposed,
    boot.diagnostics.length,
  ])];
  const probes = boot.probes.map((p, i) => check(PROBES, [
    b, i, p.device, p.driver, p.node, p.status, p.startNs, p.endNs, p.durationNs, p.cpu,
    p.worker?.comm ?? null, p.worker?.kind ?? null, p.queuedBy?.comm ?? null,
    p.queueDelayNs, p.onCpuNs, p.runnableWaitNs, p.sleepNs, p.origin, p.source.file, p.source.line,
  ]));
  const initcalls = boot.initcalls.map((c, i) => check(INITCALLS, [
    b, i, c.fn, c.module, c.level, c.startNs, c.durationNs, c.ret, c.source.line,
  ]));
  const findings = boot.findings.map((f, i) => check(FINDINGS, [
    b, i, f.kind, f.severity, f.node, f.cpu, f.devices, f.drivers, f.lostNs, f.title,
  ]));
  const diagnostics = boot.diagnostics.map((d, i) => check(DIAGNOSTICS, [b, i, d.file, d.line, d.severity, d.message]));
  return { boots, probes, initcalls, findings, diagnostics };
}
