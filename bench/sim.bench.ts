// Simulator throughput (issue 5 item 6): 10,000 NVMe-like probes spread over the 8 nodes of a 512-CPU
// machine (8x64), each probe the patch mail's isolated cost (~34 ms) at on-CPU fraction 0.5, simulated
// under every policy. Target: all policies together in under 2 s.

import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { BOOT_SCHEMA, type Boot, type ProbeSpan } from '../src/model/types.js';
import { nodeId, ns } from '../src/core/units.js';
import { kernelProfile } from '../src/sim/kernel-profile.js';
import { machineFromSpec } from '../src/sim/machine.js';
import { POLICY_NAMES } from '../src/sim/policies.js';
import { simulate } from '../src/sim/simulate.js';
import { workloadFromBoot } from '../src/sim/workload.js';

export const name = 'sim: 10,000 probes, 512 CPUs (8x64), every policy';

const MAIL_COSTS_NS = [34_765_890, 34_696_433, 33_233_323];

function syntheticBoot(nodes: number): Boot {
  const probes: ProbeSpan[] = [];
  for (let n = 0; n < nodes; n++) {
    MAIL_COSTS_NS.forEach((cost, i) => {
      probes.push({
        device: `0000:${(n * 16 + i + 1).toString(16).padStart(2, '0')}:00.0`, driver: 'nvme', node: nodeId(n),
        startNs: ns(0), endNs: ns(cost), durationNs: ns(cost), ret: 0, status: 'ok', deferred: false, cpu: null,
        worker: { comm: null, pid: null, kind: 'unbound', cpu: null, pool: null, workerId: null, rescuerOf: null, maybeTruncated: false },
        queuedBy: null, queueDelayNs: null, onCpuNs: null, runnableWaitNs: null, sleepNs: null, origin: 'custom-line',
        source: { file: 'bench', line: probes.length + 1 }, evidence: [],
      });
    });
  }
  return { schema: BOOT_SCHEMA, inputs: [], kernel: { release: '6.12', banner: null, cmdline: null }, topology: { cpus: [], isolated: [], source: null }, probes, initcalls: [], findings: [], diagnostics: [] };
}

export async function run(_args: string[]): Promise<void> {
  const machine = machineFromSpec('8x64');
  const workload = workloadFromBoot(syntheticBoot(8), { cpuFraction: 0.5, segments: 8, devices: 10_000 });
  const profile = kernelProfile('6.12');
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (const policy of POLICY_NAMES) {
    const t = performance.now();
    const c = process.cpuUsage();
    const boot = simulate(workload, machine, policy, { profile });
    const end = Math.max(...boot.probes.map((p) => p.endNs ?? 0));
    const cpu = process.cpuUsage(c);
    console.log(`  ${policy.padEnd(15)} ${(performance.now() - t).toFixed(0).padStart(6)} ms wall ${((cpu.user + cpu.system) / 1000).toFixed(0).padStart(6)} ms CPU   simulated window ${(end / 1e6).toFixed(1)} ms`);
  }
  const total = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`  all ${POLICY_NAMES.length} policies: ${total.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU (this process, GC threads included) for ${workload.probes.length} probes on ${machine.cpus.length} CPUs (target < 2000 ms wall) ${total < 2000 ? 'OK' : 'TOO SLOW'}`);
  console.log(`  machine load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared CPUs slow every figure above)`);
  console.log(`  heap growth ${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)} MB`);
}
