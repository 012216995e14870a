import { describe, expect, it } from 'vitest';
import { recognizeKernelMessage } from '../../src/ingest/kernel-records.js';
import { logLine } from '../kernel-lines.js';

/** The record without its `line` (for exact comparisons). */
function fields(text: string): Record<string, unknown> | null {
  const r = recognizeKernelMessage(logLine(text));
  if (!r) return null;
  const { line: _line, ...rest } = r;
  return rest;
}

describe('platform records: real lines from ../shared/corpus/server_nvme_numa', () => {
  it('smp: Brought up N nodes, M CPUs (kernel/smp.c), with and without the util-linux caller bracket', () => {
    expect(fields('[    0.150429] smp: Brought up 2 nodes, 40 CPUs')).toEqual({ type: 'smp-up', nodes: 2, cpus: 40 });
    expect(fields('[    2.856958] smp: Brought up 8 nodes, 192 CPUs')).toEqual({ type: 'smp-up', nodes: 8, cpus: 192 });
    expect(fields('[    0.003000] smp: Brought up 1 node, 1 CPU')).toEqual({ type: 'smp-up', nodes: 1, cpus: 1 });
    // ≤ 4.10 kernel/smp.c and the x86 3.x/4.x line.
    expect(fields('[    0.120000] Brought up 4 CPUs')).toEqual({ type: 'smp-up', nodes: null, cpus: 4 });
    expect(fields('[    0.120000] x86: Booted up 2 nodes, 24 CPUs')).toEqual({ type: 'smp-up', nodes: 2, cpus: 24 });
  });

  it('x86 announce_cpu(): one CPU per line, a whole node per line, and a pr_cont fragment on its own line', () => {
    expect(fields('[    0.122695] .... node  #1, CPUs:        #1')).toEqual({ type: 'node-cpus', node: 1, cpus: [1], complete: false });
    expect(fields('[    2.405920] .... node  #0, CPUs:          #1   #2   #3  #10  #11')).toEqual({ type: 'node-cpus', node: 0, cpus: [1, 2, 3, 10, 11], complete: false });
    expect(fields('[    1.417459]  #3')).toEqual({ type: 'node-cpus-more', cpus: [3] });
    expect(fields('[  143.451522] smpboot: Booting Node 0 Processor 16 APIC 0x12')).toEqual({ type: 'node-cpus', node: 0, cpus: [16], complete: false });
    expect(fields('[    0.250000] smpboot: Booting Node   1, Processors  #6 #7 #8 OK')).toEqual({ type: 'node-cpus', node: 1, cpus: [6, 7, 8], complete: false });
  });

  it('powerpc numa: Node N CPUs: ranges (arch/powerpc/mm/numa.c), node ids need not be consecutive', () => {
    expect(fields('[    0.675738] numa: Node 8 CPUs: 64-127')).toEqual({ type: 'node-cpus', node: 8, cpus: Array.from({ length: 64 }, (_, i) => 64 + i), complete: true });
    expect(fields('Dec 20 21:10:57 gentoo kernel: numa: Node 0 CPUs: 0-2 5')).toEqual({ type: 'node-cpus', node: 0, cpus: [0, 1, 2, 5], complete: true });
  });

  it('nodes: NODE_DATA, Initmem setup (memoryless too), SRAT and the early node ranges', () => {
    expect(fields('[    0.009074] NODE_DATA(1) allocated [mem 0x47ffd4000-0x47fffefff]')).toEqual({ type: 'numa-node', node: 1, memoryless: false });
    expect(fields('[    0.006027] Initmem setup node 5 as memoryless')).toEqual({ type: 'numa-node', node: 5, memoryless: true });
    expect(fields('[    0.009033] ACPI: SRAT: Node 0 PXM 0 [mem 0x100000000-0x27fffffff]')).toEqual({ type: 'numa-node', node: 0, memoryless: false });
    expect(fields('[    0.000000]   node   1: [mem 0x0000000280000000-0x000000047fffffff]')).toEqual({ type: 'numa-node', node: 1, memoryless: false });
  });

  it('ACPI root bridges with their bus ranges, and Unknown NUMA node', () => {
    expect(fields('[    0.418729] ACPI: PCI Root Bridge [PC00] (domain 0000 [bus 00-16])')).toEqual({ type: 'pci-root-bridge', name: 'PC00', domain: '0000', first: 0, last: 0x16 });
    expect(fields('[    4.398627] ACPI: PCI Root Bridge [UNC1] (domain 0000 [bus ff])')).toEqual({ type: 'pci-root-bridge', name: 'UNC1', domain: '0000', first: 0xff, last: 0xff });
    expect(fields('[    0.836935][      T1] pci_bus 0000:ff: Unknown NUMA node; performance will be reduced')).toEqual({ type: 'pci-bus-no-node', bus: '0000:ff' });
  });

  it('arm64: logical CPU ↔ MPIDR and SRAT MPIDR → node', () => {
    expect(fields('[    0.006756] CPU1: Booted secondary processor 0x0000000100 [0x410fd4b0]')).toEqual({ type: 'cpu-mpidr', cpu: 1, mpidr: '100' });
    expect(fields('[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd4b0]')).toEqual({ type: 'cpu-mpidr', cpu: 0, mpidr: '0' });
    expect(fields('[    0.000000] ACPI: NUMA: SRAT: PXM 1 -> MPIDR 0x100 -> Node 1')).toEqual({ type: 'srat-mpidr-node', mpidr: '100', node: 1 });
  });

  it('leaves look-alikes alone', () => {
    expect(fields('[    5.228476]  nvme0n1: p1 p2 p3')?.type).not.toBe('node-cpus-more');
    expect(fields('[    0.000000] NUMA: Node 0 [mem 0x00000000-0x7fffffff] + [mem 0x100000000-0x27fffffff] -> [mem 0x00000000-0x27fffffff]')).toBeNull();
    expect(fields('[    0.150429] smpboot: Total of 40 processors activated (176000.00 BogoMIPS)')).toBeNull();
  });
});
