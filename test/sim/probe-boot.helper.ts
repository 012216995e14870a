// Builds Boots for simulator tests: the patch mail's published probe lines through loadBoot (no
// timestamps, cost only), and synthetic spans for edge cases.

import { loadBoot } from '../../src/pipeline/load-boot.js';
import type { Boot, ProbeSpan, WorkerIdentity } from '../../src/model/types.js';
import { BOOT_SCHEMA, cpuId, ns } from '../../src/model/types.js';

export function kworker(comm: string): WorkerIdentity {
  const bound = /^kworker\/(\d+):(\d+)$/.exec(comm);
  const unbound = /^kworker\/u(\d+):(\d+)$/.exec(comm);
  return {
    comm, pid: null, kind: bound ? 'bound' : unbound ? 'unbound' : 'task',
    cpu: bound ? cpuId(Number(bound[1])) : null, pool: unbound ? Number(unbound[1]) : null,
    workerId: bound ? Number(bound[2]) : unbound ? Number(unbound[2]) : null, rescuerOf: null, maybeTruncated: comm.length >= 15,
  };
}

export function span(device: string, durationNs: number, extra: Partial<ProbeSpan> = {}): ProbeSpan {
  return {
    device, driver: 'nvme', node: null, startNs: null, endNs: null, durationNs: ns(durationNs), ret: null, status: 'ok', deferred: false,
    cpu: null, worker: null, queuedBy: null, queueDelayNs: null, onCpuNs: null, runnableWaitNs: null, sleepNs: null,
    origin: 'custom-line', source: { file: 'synthetic', line: 1 }, evidence: [], ...extra,
  };
}

export function bootOf(probes: ProbeSpan[], release: string | null = null, cmdline: string | null = null): Boot {
  return {
    schema: BOOT_SCHEMA, inputs: [], kernel: { release, banner: null, cmdline }, topology: { cpus: [], isolated: [], source: null },
    probes, initcalls: [], findings: [], diagnostics: [],
  };
}

/** The patch mail's lines (fixtures/sim/*.log), through the real pipeline (custom instrumentation line, formats §5). */
export async function mailBoot(file: string): Promise<Boot> {
  return loadBoot([new URL(`../../fixtures/sim/${file}`, import.meta.url).pathname]);
}
