import { describe, expect, it } from 'vitest';
import { findingKindCounts, lossPerNode } from '../../src/findings/node-loss.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { renderBottomLine } from '../../src/render/bottom-line-text.js';
import { bottomLine } from '../../src/sim/bottom-line.js';

describe('bottom line on the n0x3 capture (3 nvme probes serialized on CPU 0, synchronous pcieport)', async () => {
  const boot = await loadBoot(['fixtures/captures/n0x3']);

  it('sums the measured loss per node, each finding kind once', () => {
    const [node0, ...others] = lossPerNode(boot);
    expect(others).toEqual([]);
    expect(node0!.node).toBe(0);
    const byKind = Object.fromEntries(node0!.kinds.map((k) => [k.kind, k.count]));
    expect(byKind).toEqual({ 'synchronous-probe': 1, 'bound-queue-serialization': 1 });
    expect(node0!.lostNs).toBe(boot.findings.reduce((s, f) => s + (f.lostNs ?? 0), 0));
    expect(findingKindCounts(boot)).toEqual([{ kind: 'bound-queue-serialization', count: 1 }, { kind: 'synchronous-probe', count: 1 }]);
  });

  it('replays the serialized nvme probes as run and with the v1 fix: the fix shortens their window', async () => {
    const line = await bottomLine(boot);
    expect(line.simulationNote).toBeNull();
    const sim = line.nodes[0]!.simulated!;
    expect(sim.devices).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    expect([sim.baselinePolicy, sim.fixPolicy]).toEqual(['work-on-cpu', 'skip-in-worker']);
    // dmesg.log:1894-1898: measured from 6.559321 s to 6.570721 s.
    expect(sim.measuredNs).toBe(11_400_000);
    expect(sim.fixNs).toBeLessThan(sim.baselineNs);
    expect(sim.gainNs).toBe(sim.baselineNs - sim.fixNs);
    const text = renderBottomLine(line);
    expect(text.split('\n')[0]).toMatch(/^node 0: 331\.1 ms lost \(measured: synchronous-probe 326\.4 ms, bound-queue-serialization 4\.74 ms\)$/);
    expect(text.replace(/\n\s*/g, ' ')).toMatch(/fix skip-in-worker, simulated: the 3 serialized probes take [\d.]+ ms instead of [\d.]+ ms replayed as run \(measured 11\.4 ms\)/);
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it('says why there is no simulated gain without a trace, and prints a self-check handed to it', async () => {
    const dmesgOnly = await loadBoot(['fixtures/captures/n0x3/dmesg.log', 'fixtures/captures/n0x3/topology.csv']);
    dmesgOnly.findings = boot.findings;
    const line = await bottomLine(dmesgOnly, { selfCheck: { policy: 'work-on-cpu', what: 'nvme probe window', observedNs: 11_400_000, replayedNs: 12_540_000, errorPercent: 10 } });
    expect(line.nodes[0]!.simulated).toBeNull();
    expect(line.simulationNote).toMatch(/^no trace among the inputs/);
    expect(renderBottomLine(line).replace(/\n\s*/g, ' ')).toContain('self-check: replaying work-on-cpu gives 12.5 ms for the nvme probe window measured as 11.4 ms (+10 %)');
  });
});
