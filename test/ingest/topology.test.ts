import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/ingest/input-error.js';
import { parseCpuList, tryParseCpuList } from '../../src/core/cpu-list.js';
import { readTopology } from '../../src/ingest/topology.js';
import type { Diagnostic, Topology } from '../../src/model/types.js';

const DIR = 'fixtures/topology';

async function read(path: string, format: 'lscpu' | 'cpulist' = 'lscpu'): Promise<{ topology: Topology; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const topology = await readTopology(path, format, (d) => diagnostics.push(d));
  return { topology, diagnostics };
}
const nodeOf = (t: Topology, cpu: number) => t.cpus.find((c) => c.cpu === cpu)?.node;
const llcOf = (t: Topology, cpu: number) => t.cpus.find((c) => c.cpu === cpu)?.llc;
const nodeCount = (t: Topology) => new Set(t.cpus.map((c) => c.node).filter((n) => n !== null)).size;

const tmp = mkdtempSync(join(tmpdir(), 'tp-topology-'));
function file(name: string, content: string): string {
  const path = join(tmp, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

describe('parseCpuList (kernel %*pbl grammar)', () => {
  it('singletons, ranges, empty', () => {
    expect(parseCpuList('0-5,48-53')).toEqual([0, 1, 2, 3, 4, 5, 48, 49, 50, 51, 52, 53]);
    expect(parseCpuList('7')).toEqual([7]);
    expect(parseCpuList('')).toEqual([]);
    expect(parseCpuList('\n')).toEqual([]);
  });
  it('util-linux strides and the kernel input form a-b:used/group', () => {
    expect(parseCpuList('1-61:20')).toEqual([1, 21, 41, 61]);
    expect(parseCpuList('0-7:2/4')).toEqual([0, 1, 4, 5]);
  });
  it('never throws: text that is not a list gives [] (and null from tryParseCpuList)', () => {
    expect(parseCpuList('ff')).toEqual([]);
    expect(parseCpuList('3-1')).toEqual([]);
    expect(tryParseCpuList('0-3,x')).toBeNull();
    expect(tryParseCpuList('0-99999999')).toBeNull();
  });
});

describe('readTopology: every real lscpu file in corpus/lscpu_numa', () => {
  // [file, CPUs, NUMA nodes with CPUs, [cpu, node] samples, [cpu, L3 id] samples]
  const expected: Array<[string, number, number, Array<[number, number | null]>, Array<[number, number | null]>]> = [
    ['dell-poweredge-t630_2S_lscpu_plain.txt', 12, 2, [[0, 0], [1, 1], [11, 1]], [[0, null]]],
    ['linuxhw_AMD_EPYC_EPYC_7601_32-Core_23-1-2_8F7FF50C55.lscpu.txt', 128, 8, [[0, 0], [1, 4], [2, 1], [127, 7]], []],
    ['linuxhw_AMD_EPYC_EPYC_7742_64-Core_23-49-0_D140FF934B.lscpu.txt', 256, 8, [[15, 0], [16, 1], [128, 0], [255, 7]], []],
    ['linuxhw_AMD_Opteron_Opteron_6128_16-9-1_0AAB2EA962.lscpu.txt', 32, 8, [[3, 0], [4, 1], [31, 7]], []],
    ['linuxhw_HiSilicon_Kunpeng_Kunpeng-920_0-0x1_3CA7825025.lscpu.txt', 96, 4, [[23, 0], [24, 1], [95, 3]], []],
    ['linuxhw_Intel_Xeon_Xeon_E5-4620_0_6-45-7_3EDD6F2A61.lscpu.txt', 64, 4, [[7, 0], [32, 0], [40, 1], [63, 3]], []],
    ['nvidia-grace-hopper_gh200_9numa-memonly-nodes.lscpu.txt', 72, 1, [[0, 0], [71, 0]], []],
    ['util-linux_testdump_arm-A510-A710-A715-X3.lscpu-p.csv', 8, 0, [[0, null]], [[0, 0], [7, 0]]],
    ['util-linux_testdump_arm-A510-A710-A715-X3.lscpu_plus_parse.txt', 8, 0, [[0, null]], [[7, 0]]],
    ['util-linux_testdump_ppc64-POWER7-64cpu.lscpu-p.csv', 64, 1, [[0, 0], [63, 0]], [[0, null]]],
    ['util-linux_testdump_ppc64-POWER7-64cpu.lscpu_plus_parse.txt', 64, 1, [[63, 0]], [[0, null]]],
    ['util-linux_testdump_rv64-milkvpioneer.lscpu-p.csv', 64, 4, [[0, 0], [8, 1], [16, 0], [32, 2], [63, 3]], [[0, null]]],
    ['util-linux_testdump_rv64-milkvpioneer.lscpu_plus_parse.txt', 64, 4, [[8, 1], [63, 3]], [[0, null]]],
    ['util-linux_testdump_s390-lpar-drawer.lscpu-p.csv', 8, 1, [[0, 0], [7, 0]], [[0, null]]],
    ['util-linux_testdump_s390-lpar-drawer.lscpu_plus_parse.txt', 8, 1, [[7, 0]], [[0, null]]],
    ['util-linux_testdump_vmware_fpe.lscpu-p.csv', 16, 4, [[0, 0], [4, 1], [15, 3]], [[0, 8], [4, 9]]],
    ['util-linux_testdump_vmware_fpe.lscpu_plus_parse.txt', 16, 4, [[4, 1]], [[0, 8], [4, 9]]],
    ['util-linux_testdump_x86_64-64cpu.lscpu-p.csv', 64, 3, [[0, 0], [1, 2], [3, 3], [62, 0]], [[0, 0], [1, 1]]],
    ['util-linux_testdump_x86_64-64cpu.lscpu_plus_parse.txt', 64, 3, [[0, 0], [1, 2], [3, 3]], [[1, 1]]],
    ['util-linux_testdump_x86_64-dell_e4310.lscpu-p.csv', 4, 1, [[3, 0]], [[3, 0]]],
    ['util-linux_testdump_x86_64-dell_e4310.lscpu_plus_parse.txt', 4, 1, [[3, 0]], [[3, 0]]],
    ['util-linux_testdump_x86_64-epyc_7451.lscpu-p.csv', 96, 8, [[0, 0], [6, 1], [12, 2], [48, 0]], [[0, 0], [3, 1], [6, 2]]],
    ['util-linux_testdump_x86_64-epyc_7451.lscpu_plus_parse.txt', 96, 8, [[6, 1], [48, 0]], [[3, 1]]],
  ];

  it('covers every file of the fixture folder', () => {
    expect(expected.map((e) => e[0]).sort()).toEqual(readdirSync(DIR).filter((f) => !f.startsWith('.')).sort());
  });

  it.each(expected)('%s', async (name, cpus, nodes, nodeSamples, llcSamples) => {
    const { topology, diagnostics } = await read(join(DIR, name));
    expect(topology.cpus).toHaveLength(cpus);
    expect(topology.cpus.map((c) => c.cpu)).toEqual([...Array(cpus).keys()]);
    expect(nodeCount(topology)).toBe(nodes);
    for (const [cpu, node] of nodeSamples) expect(nodeOf(topology, cpu)).toBe(node);
    for (const [cpu, llc] of llcSamples) expect(llcOf(topology, cpu)).toBe(llc);
    expect(topology.cpus.every((c) => c.online)).toBe(true);
    expect(topology.isolated).toEqual([]);
    expect(topology.source?.file).toBe(join(DIR, name));
    if (name !== 'util-linux_testdump_s390-lpar-drawer.lscpu_plus_parse.txt') expect(diagnostics).toEqual([]);
  });

  it('core and socket ids from lscpu -p; SMT siblings share a core (EPYC 7451)', async () => {
    const { topology } = await read(join(DIR, 'util-linux_testdump_x86_64-epyc_7451.lscpu-p.csv'));
    expect(topology.cpus[0]).toEqual({ cpu: 0, node: 0, core: 0, socket: 0, llc: 0, online: true });
    expect(topology.cpus[48]).toMatchObject({ core: 0, socket: 0, node: 0, llc: 0 });
    expect(topology.cpus[95]).toMatchObject({ socket: 1, node: 7 });
  });

  it('the first parse block wins over `--parse --physical` (s390: socket 0, not 2)', async () => {
    const { topology, diagnostics } = await read(join(DIR, 'util-linux_testdump_s390-lpar-drawer.lscpu_plus_parse.txt'));
    expect(topology.cpus[0]).toMatchObject({ socket: 0, core: 0 });
    // The dump's human `NUMA node0 CPU(s): 0-140` names CPUs the machine does not report.
    expect(diagnostics).toEqual([
      { file: join(DIR, 'util-linux_testdump_s390-lpar-drawer.lscpu_plus_parse.txt'), line: 27, severity: 'warning',
        message: 'node 0 lists 133 CPU(s) the file does not otherwise report; ignored' },
    ]);
  });
});

describe('readTopology: the captures (lscpu --parse=CPU,NODE, sysfs node lists, cpus.txt)', () => {
  it.each(['n0x3', 'before-n0x3', 'after-n0x3', 'after-v2-n0x3', 'sync', 'flat', 'fgraph', 'fgraph-bootopt', 'n0x3-tsc-unstable'])(
    '%s',
    async (capture) => {
      const dir = join('fixtures/captures', capture);
      const csv = await read(join(dir, 'topology.csv'));
      const lists = await read(join(dir, 'node-cpulist.txt'), 'cpulist');
      const cpus = await read(join(dir, 'cpus.txt'), 'cpulist');
      // `flat` is the one-node machine (node0: 0-7); every other capture has 2 nodes × 4 CPUs.
      const nodes = capture === 'flat' ? [0, 0, 0, 0, 0, 0, 0, 0] : [0, 0, 0, 0, 1, 1, 1, 1];
      for (const { topology, diagnostics } of [csv, lists]) {
        expect(diagnostics).toEqual([]);
        expect(topology.cpus.map((c) => [c.cpu, c.node])).toEqual(nodes.map((node, cpu) => [cpu, node]));
      }
      expect(csv.topology.cpus[0]).toEqual({ cpu: 0, node: 0, core: null, socket: null, llc: null, online: true });
      expect(cpus.diagnostics).toEqual([]);
      expect(cpus.topology.cpus.map((c) => [c.cpu, c.node, c.online])).toEqual([...Array(8).keys()].map((n) => [n, null, true]));
      expect(cpus.topology.isolated).toEqual([]);
    },
  );
});

describe('readTopology: edge cases (synthetic)', () => {
  it('custom --parse columns, offline CPUs with empty fields, unknown columns ignored', async () => {
    const path = file('custom.csv', '# CPU,Node,Online,MAXMHZ\n0,0,Y,3000.0000\n1,1,Y,3000.0000\n2,,N,\n');
    const { topology, diagnostics } = await read(path);
    expect(diagnostics).toEqual([]);
    expect(topology.cpus).toEqual([
      { cpu: 0, node: 0, core: null, socket: null, llc: null, online: true },
      { cpu: 1, node: 1, core: null, socket: null, llc: null, online: true },
      { cpu: 2, node: null, core: null, socket: null, llc: null, online: false },
    ]);
  });

  it('isolated and nohz_full lists, offline list, (null) masks, unknown keys reported', async () => {
    const path = file('cpus.txt', 'possible: 0-7\nonline:   0-5\nisolated: 2-3\nnohz_full:   (null)\nnproc: 6\nweird: 1\n');
    const { topology, diagnostics } = await read(path, 'cpulist');
    expect(topology.cpus.map((c) => c.online)).toEqual([true, true, true, true, true, true, false, false]);
    expect(topology.isolated).toEqual([2, 3]);
    expect(diagnostics.map((d) => [d.line, d.message])).toEqual([[6, 'unknown cpulist key "weird"; ignored']]);
  });

  it('a bare sysfs node cpulist takes its node from the path; a bad line is a diagnostic', async () => {
    const { topology } = await read(file('sys/devices/system/node/node1/cpulist', '4-7\n'), 'cpulist');
    expect(topology.cpus.map((c) => [c.cpu, c.node])).toEqual([[4, 1], [5, 1], [6, 1], [7, 1]]);
    const bad = await read(file('bad.txt', '0-3\nhello world\n'), 'cpulist');
    expect(bad.topology.cpus).toHaveLength(4);
    expect(bad.diagnostics.map((d) => d.line)).toEqual([2]);
  });

  it('a missing file is an InputError', async () => {
    await expect(readTopology(join(tmp, 'nope.csv'), 'lscpu', () => {})).rejects.toBeInstanceOf(InputError);
  });
});

describe('lscpu -p without the Node column', () => {
  it('warns that the nodes are unknown, and the summary says so instead of "0 NUMA nodes"', async () => {
    const path = file('no-node.csv', '# CPU,Core,Socket\n0,0,0\n1,1,0\n2,2,0\n3,3,0\n');
    const diagnostics: Diagnostic[] = [];
    const topology = await readTopology(path, 'lscpu', (d) => diagnostics.push(d));
    expect(topology.cpus.map((c) => c.node)).toEqual([null, null, null, null]);
    expect(diagnostics.map((d) => [d.line, d.message])).toEqual([[1, expect.stringMatching(/^no Node column: the NUMA node of each CPU is unknown/)]]);
    const { renderSummary } = await import('../../src/render/summary-text.js');
    const text = renderSummary({ schema: 'trace-probe.boot/1', inputs: [], kernel: { release: null, banner: null, cmdline: null }, topology,
      probes: [], initcalls: [], findings: [], diagnostics: [] }, { top: 5 });
    expect(text.split('\n')[0]).toContain('; 4 CPUs, no NUMA node information;');
  });
});
