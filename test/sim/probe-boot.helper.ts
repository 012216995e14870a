// Builds small Boots for simulator tests: the patch mail's published probe lines as ProbeSpans (no
// timestamps, cost only, as the custom-line parser produces them) and synthetic spans for edge cases.

import { readFileSync } from 'node:fs';
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

/** The patch mail's lines (fixtures/sim/*.log), read as the custom instrumentation line (formats §5). */
export function mailBoot(file: string): Boot {
  const path = new URL(`../../fixtures/sim/${file}`, import.meta.url).pathname;
  const lines = readFileSync(path, 'utf8').split('\n');
  const probes: ProbeSpan[] = [];
  lines.forEach((line, i) => {
    const m = /^(\S+) (\S+): CPU:\s*(\d+), COMM: (.+?),?\s+(?:probe )?cost:?\s*(\d+) ns\s*$/.exec(line);
    if (!m) return;
    probes.push(span(m[2]!, Number(m[5]), { driver: m[1]!, cpu: cpuId(Number(m[3])), worker: kworker(m[4]!), source: { file: `fixtures/sim/${file}`, line: i + 1 } }));
  });
  return bootOf(probes);
}
