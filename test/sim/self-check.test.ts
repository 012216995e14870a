// Issue 16: the simulator's self-check (the policy a real boot ran, detected and replayed against what it
// measured), the pools kept by role under what-ifs, and a run that waits forever reported as a deadlock with its
// mechanism. Captures: fixtures/captures (Linux 6.1.176 under QEMU); the deadlock case is synthetic (6.1
// queue-node with more async devices on one node than events_unbound's max_active).

import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import type { Boot, ProbeSpan } from '../../src/model/types.js';
import { BOOT_SCHEMA, nodeId, ns } from '../../src/model/types.js';
import { calibratedReplay } from '../../src/sim/calibrated-replay.js';
import { kernelProfile } from '../../src/sim/kernel-profile.js';
import { machineFromSpec } from '../../src/sim/machine.js';
import { loadBootForSimulation } from '../../src/pipeline/load-boot-for-simulation.js';
import { detectObservedPolicy, selfCheckOfBoot } from '../../src/sim/self-check.js';
import { runPolicy } from '../../src/sim/sim-runs.js';
import { simulate } from '../../src/sim/simulate.js';
import { workloadFromBoot } from '../../src/sim/workload.js';

const CAPTURES = new URL('../../fixtures/captures/', import.meta.url).pathname;
const MAIL = new URL('../../fixtures/sim/after-v1.log', import.meta.url).pathname;
const NVME = { cpuFraction: 0.5, segments: 8, drivers: ['nvme'] };

describe('the policy a real boot ran, from where its probe bodies ran', () => {
  it('after-n0x3 (v1 fix): bodies in the async workers → skip-in-worker; after-v2-n0x3: bodies on other unbound workers → queue-node', async () => {
    for (const [capture, policy] of [['after-n0x3', 'skip-in-worker'], ['after-v2-n0x3', 'queue-node'], ['before-n0x3/boot-2', 'work-on-cpu']] as const) {
      const boot = await loadBoot([`${CAPTURES}${capture}`]);
      const spans = boot.probes.filter((p) => p.driver === 'nvme');
      expect(detectObservedPolicy(spans, kernelProfile(boot.kernel.release)).policy).toBe(policy);
    }
  });

  it('the after boots replay their own policy (self-check printed for them too)', async () => {
    for (const capture of ['after-n0x3/boot-2', 'after-v2-n0x3/boot-2']) {
      const { boot, collected } = await loadBootForSimulation([`${CAPTURES}${capture}`]);
      const check = await selfCheckOfBoot(boot, NVME, { collected });
      expect(['checked', 'low-confidence']).toContain(check.status);
      expect(check.observed).not.toBeNull();
      expect(check.perDevice).toHaveLength(3);
    }
  });

  it('a kernel log without a trace is unchecked, and says why', async () => {
    const boot = await loadBoot([MAIL]);
    const check = await selfCheckOfBoot(boot, { cpuFraction: 0.5, segments: 8 }, {});
    expect(check.status).toBe('unchecked');
    expect(check.summary).toMatch(/no scheduler trace .*predictions from this boot have no error bar$/);
    expect(check.errors).toBeNull();
  });
});

describe('pools as they were at probe start, keyed by role', () => {
  it('--topology 2x64 and --kernel 6.12 keep the observed workers (the bug stays: work-on-cpu on kworker/0:*, worse than skip-in-worker)', async () => {
    const { boot, collected } = await loadBootForSimulation([`${CAPTURES}before-n0x3`]);
    for (const kernel of ['6.1', '6.12']) {
      const { workload, profile } = await calibratedReplay(boot, workloadFromBoot(boot, NVME), { collected, kernel });
      const machine = machineFromSpec('2x64');
      const woc = runPolicy(workload, machine, 'work-on-cpu', profile, boot.inputs);
      const skip = runPolicy(workload, machine, 'skip-in-worker', profile, boot.inputs);
      expect(woc.boot.probes.map((p) => p.worker?.comm)).toEqual(expect.arrayContaining(['kworker/0:0']));
      expect(skip.boot.probes.every((p) => p.queuedBy === null && /^kworker\/u\d+:[0-2]$/.test(p.worker?.comm ?? ''))).toBe(true);
      expect(woc.meanProbeNs).toBeGreaterThan(skip.meanProbeNs);
    }
  });
});

function asyncBoot(devices: number): Boot {
  const probes: ProbeSpan[] = [];
  for (let i = 0; i < devices; i++) {
    probes.push({
      device: `0000:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}.0`, driver: 'nvme', node: nodeId(0),
      startNs: ns(0), endNs: ns(1_000_000), durationNs: ns(1_000_000), ret: 0, status: 'ok', deferred: false, cpu: null,
      worker: { comm: null, pid: null, kind: 'unbound', cpu: null, pool: null, workerId: null, rescuerOf: null, maybeTruncated: false },
      queuedBy: null, queueDelayNs: null, onCpuNs: null, runnableWaitNs: null, sleepNs: null, origin: 'custom-line',
      source: { file: 'synthetic', line: i + 1 }, evidence: [],
    });
  }
  return { schema: BOOT_SCHEMA, inputs: [], kernel: { release: '6.1', banner: null, cmdline: null }, topology: { cpus: [], isolated: [], source: null }, probes, initcalls: [], findings: [], diagnostics: [] };
}

describe('a run that waits forever', () => {
  it('6.1 queue-node with more async devices on a node than events_unbound\'s max_active (512 on 4 CPUs): a workqueue-deadlock finding with the mechanism', () => {
    const workload = workloadFromBoot(asyncBoot(600), { cpuFraction: 0.5, segments: 2 });
    const boot = simulate(workload, machineFromSpec('1x4'), 'queue-node', { profile: kernelProfile('6.1') });
    const f = boot.findings.find((x) => x.kind === 'workqueue-deadlock')!;
    expect(f).toBeDefined();
    expect(f.title).toMatch(/workqueue "events_unbound" reached max_active \(512 per node 0\)/);
    expect(f.data).toMatchObject({ workqueue: 'events_unbound', maxActive: 512, active: 512 });
    expect(boot.diagnostics.length).toBeGreaterThan(0);
    expect(boot.diagnostics.every((d) => !d.message.includes('internal error') && d.message.includes('deadlock'))).toBe(true);
  });

  it('under max_active, or on 6.9+ (async on its own workqueue), the same devices finish', () => {
    for (const [n, kernel] of [[500, '6.1'], [600, '6.12']] as const) {
      const workload = workloadFromBoot(asyncBoot(n), { cpuFraction: 0.5, segments: 2 });
      const boot = simulate(workload, machineFromSpec('1x4'), 'queue-node', { profile: kernelProfile(kernel) });
      expect(boot.findings.filter((x) => x.kind === 'workqueue-deadlock')).toEqual([]);
      expect(boot.probes.every((p) => p.status === 'ok')).toBe(true);
    }
  });
});
