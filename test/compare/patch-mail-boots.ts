// Boots built from the patch mail's published lines (../shared/examples/epyc9a64-patch-mail/*.log,
// workqueue-model.md §6.5): device, CPU, comm and cost exactly as printed; no timestamps. Built here
// so the compare tests do not depend on the patch-mail parser.

import type { Boot, Finding, ProbeSpan } from '../../src/model/types.js';
import { parseWorkerComm } from '../../src/model/worker-identity.js';
import { BOOT_SCHEMA, cpuId, nodeId, ns } from '../../src/model/types.js';

type Line = [device: string, cpu: number, comm: string, costNs: number];

export const BEFORE_LINES: Line[] = [
  ['0000:01:00.0', 0, 'kworker/0:1', 53372612],
  ['0000:02:00.0', 0, 'kworker/0:2', 49532941],
  ['0000:03:00.0', 0, 'kworker/0:3', 47315175],
];
export const AFTER_V1_LINES: Line[] = [
  ['0000:01:00.0', 5, 'kworker/u1025:5', 34765890],
  ['0000:02:00.0', 1, 'kworker/u1025:2', 34696433],
  ['0000:03:00.0', 2, 'kworker/u1025:3', 33233323],
];
export const AFTER_V2_LINES: Line[] = [
  ['0000:01:00.0', 2, 'kworker/u1025:3', 34904955],
  ['0000:02:00.0', 134, 'kworker/u1025:1', 34774235],
  ['0000:03:00.0', 1, 'kworker/u1025:4', 34573054],
];

export function probe(file: string, line: number, [device, cpu, comm, costNs]: Line, driver: string | null = 'nvme'): ProbeSpan {
  return {
    device, driver, node: null, startNs: null, endNs: null, durationNs: ns(costNs), ret: null, status: 'ok', deferred: false,
    cpu: cpuId(cpu), worker: parseWorkerComm(comm, null), queuedBy: null, queueDelayNs: null, onCpuNs: null, runnableWaitNs: null,
    sleepNs: null, origin: 'custom-line', source: { file, line }, evidence: [],
  };
}

export function bootOf(file: string, lines: Line[], findings: Finding[] = []): Boot {
  return {
    schema: BOOT_SCHEMA,
    inputs: [{ path: file, format: 'patch-mail', lines: lines.length, diagnostics: 0 }],
    kernel: { release: null, banner: null, cmdline: null },
    topology: { cpus: [], isolated: [], source: null },
    probes: lines.map((l, i) => probe(file, i + 1, l)),
    initcalls: [],
    findings,
    diagnostics: [],
  };
}

/** A bound-queue-serialization finding as the findings module raises it for node 0 on CPU 0 (test input). */
export function serializationFinding(devices: string[]): Finding {
  return {
    kind: 'bound-queue-serialization', severity: 'warning', title: 'probes serialized on CPU 0', detail: '',
    node: nodeId(0), cpu: cpuId(0), devices, drivers: ['nvme'], lostNs: null, evidence: [], warnings: [], data: {},
  } as unknown as Finding;
}
