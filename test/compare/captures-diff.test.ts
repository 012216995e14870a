// diff on the real captures (fixtures/captures: Linux 6.1.176 under QEMU, 3 NVMe on node 0, three boots
// per kernel) and on the patch mail's published lines (fixtures/sim), through the whole pipeline.

import { beforeAll, describe, expect, it } from 'vitest';
import { diffBoots, type BootDiff } from '../../src/compare/boot-diff.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import type { Boot } from '../../src/model/types.js';

const CAPTURES = 'fixtures/captures';
const NVME = ['0000:21:00.0', '0000:22:00.0', '0000:23:00.0'];

async function threeBoots(name: string): Promise<Boot[]> {
  const boots: Boot[] = [];
  for (const sub of ['', '/boot-2', '/boot-3']) boots.push(await loadBoot([`${CAPTURES}/${name}${sub}`]));
  return boots;
}

let before: Boot[];
let v1: BootDiff;
let v2: BootDiff;

beforeAll(async () => {
  before = await threeBoots('before-n0x3');
  v1 = diffBoots(before, await threeBoots('after-n0x3'), { drivers: ['nvme'] });
  v2 = diffBoots(before, await threeBoots('after-v2-n0x3'), { drivers: ['nvme'] });
});

describe('diff before-n0x3 vs after-n0x3 (v1) and after-v2-n0x3 (v2), three boots each', () => {
  it('matches the three NVMe by bus id, with every boot’s dmesg cost', () => {
    for (const diff of [v1, v2]) {
      expect(diff.devices.map((d) => [d.device, d.matchedBy])).toEqual(NVME.map((d) => [d, 'bus-id']));
    }
    const dev21 = v1.devices[0]!;
    // "probe of 0000:21:00.0 returned 0 after 3208 / 11084 / 6309 usecs" (before), 14593 / 4395 / 3540 (v1)
    expect(dev21.before!.cost!.valuesNs).toEqual([3208000, 11084000, 6309000]);
    expect(dev21.after!.cost!.valuesNs).toEqual([14593000, 4395000, 3540000]);
    expect(dev21.before!.cost!.medianNs).toBe(6309000);
    expect(dev21.deltaNs).toBe(4395000 - 6309000);
    expect(v2.devices[0]!.after!.cost!.valuesNs).toEqual([30494000, 10248000, 9454000]);
  });

  it('shows every device moving from CPU 0 bound kworkers to unbound workers', () => {
    for (const diff of [v1, v2]) {
      for (const d of diff.devices) {
        expect(d.before!.cpus).toEqual([0]);
        expect(d.before!.workerKinds).toEqual(['bound']);
        expect(d.before!.workers.every((w) => /^kworker\/0:\d+$/.test(w))).toBe(true);
        expect(d.after!.workerKinds).toEqual(['unbound']);
        expect(d.after!.workers.every((w) => /^kworker\/u17:\d+$/.test(w))).toBe(true);
        expect(d.placementChanged).toBe(true);
      }
      expect(diff.before.cpusUsed).toEqual([0]);
      expect(diff.before.cpusPerBoot).toEqual([1, 1, 1]);
      expect(diff.after.cpusUsed.length).toBeGreaterThan(1);
    }
  });

  it('reports the bound-queue serialization of node 0 on CPU 0 resolved in every after boot', async () => {
    for (const diff of [v1, v2]) {
      expect(diff.findings.resolved.map((f) => [f.kind, f.node, f.cpu, f.beforeBoots, f.afterBoots])).toEqual([
        ['bound-queue-serialization', 0, 0, 3, 0],
      ]);
      expect(diff.findings.new.map((f) => f.kind)).not.toContain('bound-queue-serialization');
      expect(diff.findings.unverifiable).toEqual([]);
      // boots 1-3: 2 / 3 / 3 NVMe serialized, 0.676 / 6.743 / 3.110 ms lost (README "Findings")
      expect(diff.findings.resolved[0]!.perBoot.map((b) => [b.side, b.devices, Math.round((b.lostNs ?? 0) / 1e3)])).toEqual([
        ['before', 2, 676], ['before', 3, 6743], ['before', 3, 3110],
      ]);
    }
    const { renderDiffText } = await import('../../src/render/diff-text.js');
    expect(renderDiffText(v1)).toContain('bound-queue-serialization (node 0 CPU 0): in 3 of 3 before and 0 of 3 after boots — 2–3 devices per boot, 0.7–6.7 ms lost per boot (3 devices in all)');
  });

  it('does not call a finding resolved when the after boot lacks the data it was found from (same boot, trace vs dmesg only)', async () => {
    const traced = await loadBoot(['fixtures/captures/before-n0x3']);
    const dmesgOnly = await loadBoot(['fixtures/captures/before-n0x3/dmesg.log']);
    const diff = diffBoots([traced], [dmesgOnly], { drivers: ['nvme'] });
    expect(diff.findings.resolved).toEqual([]);
    expect(diff.findings.unverifiable.map((f) => [f.kind, f.cpu, f.dataUsed])).toEqual([['bound-queue-serialization', 0, 'ftrace']]);
    expect(diff.warnings.some((w) => w.startsWith('bound-queue-serialization (CPU 0) is not in the after boots, but they lack the data'))).toBe(true);
  });

  it('gives window and cost statistics with an honest verdict: 3 vs 3 boots cannot be significant', () => {
    for (const diff of [v1, v2]) {
      for (const m of [diff.window, diff.totalProbe, ...diff.devices]) {
        expect(m.significance!.verdict).toBe('needs-more-boots');
        expect(m.significance!.minPossibleP).toBeCloseTo(0.1, 12);
      }
      expect(diff.window.before!.n).toBe(3);
      expect(diff.window.significance!.medianChange).not.toBeNull();
    }
    // NOTES.md "nvme probe span": 9.8 / 15.6 / 8.1 ms before, 19.1 / 6.3 / 3.9 ms (v1), 36.1 / 10.6 / 20.6 ms (v2).
    expect(v1.window.before!.valuesNs.map((v) => Math.round(v / 1e5) / 10)).toEqual([9.8, 15.6, 8.1]);
    expect(v1.window.after!.valuesNs.map((v) => Math.round(v / 1e5) / 10)).toEqual([19.1, 6.3, 3.9]);
    expect(v2.window.after!.valuesNs.map((v) => Math.round(v / 1e5) / 10)).toEqual([36.1, 10.6, 20.6]);
    // "dmesg nvme probe times (usecs): sum=11593 / 29944 / 19865" (before)
    expect(v1.totalProbe.before!.valuesNs).toEqual([11593000, 29944000, 19865000]);
  });
});

describe('diff of the patch mail lines (EPYC 9A64, fixtures/sim)', () => {
  it('gives per-device deltas of -18.6, -14.8, -14.1 ms and a mean cost change of -31.6 %', async () => {
    const diff = diffBoots([await loadBoot(['fixtures/sim/before.log'])], [await loadBoot(['fixtures/sim/after-v1.log'])]);
    expect(diff.devices.map((d) => d.device)).toEqual(['0000:01:00.0', '0000:02:00.0', '0000:03:00.0']);
    expect(diff.devices.map((d) => Number((d.deltaNs! / 1e6).toFixed(1)))).toEqual([-18.6, -14.8, -14.1]);
    expect(diff.meanCost!.changePercent.toFixed(1)).toBe('-31.6');
    expect(diff.devices.map((d) => d.after!.cpus)).toEqual([[5], [1], [2]]);
    for (const d of diff.devices) expect(d.significance!.verdict).toBe('needs-more-boots');
  });
});

describe('diff says what kind of boots it compares', () => {
  it('a simulated side, and boots traced with function_graph against untraced ones', async () => {
    const { simulate } = await import('../../src/sim/simulate.js');
    const { workloadFromBoot } = await import('../../src/sim/workload.js');
    const { machineFromTopology } = await import('../../src/sim/machine.js');
    const { kernelProfile } = await import('../../src/sim/kernel-profile.js');
    const real = await loadBoot(['fixtures/captures/before-n0x3']);
    const sim = simulate(workloadFromBoot(real, { cpuFraction: 0.5, segments: 8 }), machineFromTopology(real.topology, 'test'), 'skip-in-worker', { profile: kernelProfile(real.kernel.release) });
    const vsSim = diffBoots([real], [sim]);
    expect(vsSim.warnings).toContain('1 of the after boots is simulated (trace-probe simulate), not measured: the comparison is with the model\'s prediction');
    const graph = diffBoots([await loadBoot(['fixtures/captures/fgraph-bootopt'])], [await loadBoot(['fixtures/captures/n0x3'])]);
    expect(graph.warnings).toContain('some boots ran the function_graph tracer and some did not: their probe times carry different tracer overhead');
  });
});
