import { describe, expect, it } from 'vitest';
import { mergeTopologies } from '../../src/model/topology-merge.js';
import type { Cpu, NodeId } from '../../src/core/units.js';
import type { Topology } from '../../src/ingest/topology.types.js';

const cpu = (n: number, node: number | null, llc: number | null = null) => ({
  cpu: n as Cpu, node: node as NodeId | null, core: null, socket: null, llc, online: true,
});

describe('mergeTopologies', () => {
  it('unions CPUs, keeps the first known field, unions isolated CPUs', () => {
    const lscpu: Topology = { cpus: [cpu(1, 0), cpu(0, 0)], isolated: [], source: { file: 'topology.csv', line: 5 } };
    const caches: Topology = { cpus: [cpu(0, null, 7), cpu(2, 1, 8)], isolated: [2 as Cpu], source: null };
    const merged = mergeTopologies([lscpu, caches]);
    expect(merged.cpus).toEqual([cpu(0, 0, 7), cpu(1, 0), cpu(2, 1, 8)]);
    expect(merged.isolated).toEqual([2]);
    expect(merged.source).toEqual({ file: 'topology.csv', line: 5 });
  });
});
