import { describe, expect, it } from 'vitest';
import { diffBoots } from '../../src/compare/boot-diff.js';
import { AFTER_V1_LINES, AFTER_V2_LINES, BEFORE_LINES, bootOf, serializationFinding } from './patch-mail-boots.js';

const MAIL = 'fixtures/sim'; // verbatim copies of ../shared/examples/epyc9a64-patch-mail/
const before = bootOf(`${MAIL}/before.log`, BEFORE_LINES, [serializationFinding(['0000:01:00.0', '0000:02:00.0', '0000:03:00.0'])]);
const afterV1 = bootOf(`${MAIL}/after-v1.log`, AFTER_V1_LINES);
const afterV2 = bootOf(`${MAIL}/after-v2.log`, AFTER_V2_LINES);

describe('diffBoots on the patch mail (EPYC 9A64, before vs v1)', () => {
  const diff = diffBoots([before], [afterV1]);

  it('matches the three NVMe by bus id and gives the published per-device deltas', () => {
    expect(diff.devices.map((d) => [d.device, d.matchedBy])).toEqual([
      ['0000:01:00.0', 'bus-id'],
      ['0000:02:00.0', 'bus-id'],
      ['0000:03:00.0', 'bus-id'],
    ]);
    expect(diff.devices.map((d) => d.deltaNs)).toEqual([34765890 - 53372612, 34696433 - 49532941, 33233323 - 47315175]);
    expect(diff.devices.map((d) => Number((d.deltaNs! / 1e6).toFixed(1)))).toEqual([-18.6, -14.8, -14.1]);
    expect(diff.devices[0]!.ratio).toBeCloseTo(34765890 / 53372612, 12);
  });

  it('gives the mean cost change of -31.6 % and the slowest-probe change of -34.9 %', () => {
    expect(diff.meanCost!.beforeNs).toBe(50073576);
    expect(diff.meanCost!.afterNs).toBe(34231882);
    expect(diff.meanCost!.changePercent.toFixed(1)).toBe('-31.6');
    expect(diff.maxCost!.changePercent.toFixed(1)).toBe('-34.9');
  });

  it('shows every probe moving from CPU 0 bound kworkers to unbound workers', () => {
    for (const d of diff.devices) {
      expect(d.before!.cpus).toEqual([0]);
      expect(d.before!.workerKinds).toEqual(['bound']);
      expect(d.after!.workerKinds).toEqual(['unbound']);
      expect(d.placementChanged).toBe(true);
    }
    expect(diff.devices.map((d) => d.after!.cpus)).toEqual([[5], [1], [2]]);
    expect(diff.before.cpusUsed).toEqual([0]);
    expect(diff.after.cpusUsed).toEqual([1, 2, 5]);
  });

  it('reports the serialization finding resolved', () => {
    expect(diff.findings.resolved.map((f) => [f.kind, f.node, f.cpu, f.beforeBoots, f.afterBoots])).toEqual([
      ['bound-queue-serialization', 0, 0, 1, 0],
    ]);
    expect(diff.findings.new).toEqual([]);
    expect(diff.findings.persisting).toEqual([]);
  });

  it('tests nothing with one boot per side, and says so', () => {
    for (const d of diff.devices) expect(d.significance!.verdict).toBe('needs-more-boots');
    expect(diff.totalProbe.significance!.verdict).toBe('needs-more-boots');
    expect(diff.totalProbe.deltaNs).toBe(34765890 + 34696433 + 33233323 - (53372612 + 49532941 + 47315175));
    expect(diff.window.before).toBeNull();
    expect(diff.window.significance).toBeNull();
    expect(diff.warnings[0]).toContain('1 vs 1 boots: nothing is tested for significance');
  });

  it('gives the v2 costs against the same baseline (mean -30.6 %)', () => {
    const v2 = diffBoots([before], [afterV2]);
    expect(v2.meanCost!.afterNs).toBe(34750748);
    expect(v2.meanCost!.changePercent.toFixed(1)).toBe('-30.6');
    expect(v2.maxCost!.changePercent.toFixed(1)).toBe('-34.6');
    expect(v2.devices[1]!.after!.cpus).toEqual([134]);
  });
});

describe('diffBoots device matching and coverage', () => {
  it('matches devices whose bus ids changed by driver and probe order, and warns', () => {
    const moved = bootOf('synthetic/after-renumbered.log', AFTER_V1_LINES.map(([d, c, w, cost]) => [d.replace('0000:0', '0000:4'), c, w, cost]));
    const diff = diffBoots([before], [moved]);
    expect(diff.devices.map((d) => [d.device, d.matchedBy, d.after!.device])).toEqual([
      ['0000:01:00.0', 'driver-order', '0000:41:00.0'],
      ['0000:02:00.0', 'driver-order', '0000:42:00.0'],
      ['0000:03:00.0', 'driver-order', '0000:43:00.0'],
    ]);
    expect(diff.devices[2]!.deltaNs).toBe(33233323 - 47315175);
    expect(diff.warnings).toContain('0000:01:00.0 (before) and 0000:41:00.0 (after) matched by driver nvme and probe order: their bus ids differ');
  });

  it('keeps devices seen on one side only and counts boots a device is missing from', () => {
    const twoDevices = bootOf('synthetic/after-two.log', AFTER_V1_LINES.slice(0, 2));
    const diff = diffBoots([before, before], [afterV1, twoDevices]);
    const third = diff.devices.find((d) => d.device === '0000:03:00.0')!;
    expect(third.matchedBy).toBe('bus-id');
    expect(third.after!.boots).toBe(1);
    expect(third.before!.boots).toBe(2);
    expect(diff.warnings).toContain('0000:03:00.0 was probed in 1 of 2 after boots');
    const onlyBefore = diffBoots([before], [twoDevices]).devices.find((d) => d.device === '0000:03:00.0')!;
    expect(onlyBefore.matchedBy).toBe('only-before');
    expect(onlyBefore.after).toBeNull();
    const none = diffBoots([before], [bootOf('synthetic/empty.log', [])]);
    expect(none.devices.map((d) => d.matchedBy)).toEqual(['only-before', 'only-before', 'only-before']);
    expect(none.devices[0]!.deltaNs).toBeNull();
  });

  it('restricts the comparison to the given drivers', () => {
    const diff = diffBoots([before], [afterV1], { drivers: ['pcieport'] });
    expect(diff.devices).toEqual([]);
    expect(diff.warnings).toContain('no pcieport probes in the before boots (driver filter)');
    expect(diff.findings.resolved).toEqual([]);
    const nvme = diffBoots([before], [afterV1], { drivers: ['NVMe'] });
    expect(nvme.devices).toHaveLength(3);
    expect(nvme.findings.resolved.map((f) => f.kind)).toEqual(['bound-queue-serialization']);
  });
});
