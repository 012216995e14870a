// The machine from plain server logs (fixtures/dmesg/server_nvme_numa, copies of ../shared/corpus): the values
// asserted are read off the files' own lines (line numbers in the comments).

import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import type { Boot } from '../../src/model/types.js';

const DIR = 'fixtures/dmesg/server_nvme_numa';

async function load(name: string): Promise<Boot> {
  return loadBoot([`${DIR}/${name}`]);
}

/** NVMe functions per node: `nvme nvmeN: pci function BDF` lines placed by their root bridge's node. */
function nvmeByNode(boot: Boot): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of boot.platform!.pciFunctions) {
    if (f.driver !== 'nvme') continue;
    const key = f.node === null ? 'unknown' : String(f.node);
    (out[key] ??= []).push(f.device);
  }
  return out;
}

function cpusOfNode(boot: Boot, node: number): number[] {
  return boot.topology.cpus.filter((c) => c.node === node).map((c) => c.cpu);
}

describe('platform from a plain kernel log', () => {
  it('Dell R640, 6.8: 2 nodes, 40 CPUs alternating between the nodes, 1 NVMe on node 0 and 4 on node 1', async () => {
    const boot = await load('dell-poweredge-r640_2S-40cpu_5nvme_6.8.0-rc3_vmcore.dmesg.txt');
    const p = boot.platform!;
    // :442 smp: Brought up 2 nodes, 40 CPUs
    expect([p.cpus, p.nodes, p.smpSource?.line]).toEqual([40, 2, 442]);
    // :400-440 `.... node  #1, CPUs: #1`, `#0 ... #2`, ...: odd CPUs on node 1; CPU 0 (never announced) inferred on node 0.
    expect(cpusOfNode(boot, 1)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1));
    expect(cpusOfNode(boot, 0)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i));
    expect(p.nodeCpus.find((n) => n.node === 0)!.inferred).toEqual([0]);
    expect(boot.topology.cpus).toHaveLength(40);
    // :764 pci_bus 0000:3a: on NUMA node 0 (PC02 [bus 3a-5c]); :955 pci_bus 0000:ae: on NUMA node 1 (PC08 [bus ae-d6]).
    expect(nvmeByNode(boot)).toEqual({ 0: ['0000:3f:00.0'], 1: ['0000:af:00.0', '0000:b0:00.0', '0000:b1:00.0', '0000:b2:00.0'] });
    const pc08 = p.rootBuses.find((r) => r.bridge === 'PC08')!;
    expect([pc08.first, pc08.last, pc08.node, pc08.nodeFrom, pc08.nodeSource?.line]).toEqual([0xae, 0xd6, 1, 'line', 955]);
    expect(p.pciFunctions.find((f) => f.device === '0000:3f:00.0')).toMatchObject({ vendorDevice: '1179:0110', classCode: '0x010802', controllers: ['nvme3'] });
  });

  it('Dell XE9680, 6.5: 256 CPUs on 2 nodes, 5 NVMe on node 0 and 4 on node 1', async () => {
    const boot = await load('dell-poweredge-xe9680_2S-256cpu_9nvme_6.5.0-18-generic.dmesg.txt');
    expect([boot.platform!.cpus, boot.platform!.nodes]).toEqual([256, 2]);
    expect(boot.topology.cpus).toHaveLength(256);
    expect([cpusOfNode(boot, 0).length, cpusOfNode(boot, 1).length]).toEqual([128, 128]);
    // :3741-3756 `nvme nvmeN: pci function`, root bridges PC00..PC05 (node 0) and PC11..PC15 (node 1).
    expect(nvmeByNode(boot)).toEqual({
      0: ['0000:01:00.0', '0000:18:00.0', '0000:3a:00.0', '0000:4b:00.0', '0000:5c:00.0'],
      1: ['0000:9a:00.0', '0000:ba:00.0', '0000:ca:00.0', '0000:da:00.0'],
    });
  });

  it('EMC, SLES 5.14.21: 64 CPUs on 2 nodes, 13 NVMe (6 on node 0, 7 on node 1)', async () => {
    const boot = await load('emc_2S-64cpu_13nvme_sles15sp5_5.14.21_async.head2500.dmesg.txt');
    expect([boot.platform!.cpus, boot.platform!.nodes]).toEqual([64, 2]);
    const nvme = nvmeByNode(boot);
    expect(nvme[0]).toEqual(['0000:3b:00.0', '0000:3d:00.0', '0000:3f:00.0', '0000:41:00.0', '0000:43:00.0', '0000:45:00.0']);
    expect(nvme[1]).toEqual(['0000:86:00.0', '0000:88:00.0', '0000:8a:00.0', '0000:8c:00.0', '0000:90:00.0', '0000:96:00.0', '0000:9a:00.0']);
  });

  it('HPE Cray XD675, 6.5: 8 nodes (node 5 memoryless), NVMe on nodes 3 and 4 (root buses not in bus order)', async () => {
    const boot = await load('hpe-cray-xd675_8numa-192cpu_3nvme_6.5.0-18-generic.dmesg.txt');
    const p = boot.platform!;
    // :828 smp: Brought up 8 nodes, 192 CPUs; :556 Initmem setup node 5 as memoryless
    expect([p.cpus, p.nodes]).toEqual([192, 8]);
    expect(p.nodeIds).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(p.memorylessNodes).toEqual([5]);
    for (let n = 0; n < 8; n++) expect(cpusOfNode(boot, n)).toHaveLength(24);
    // :1315 pci_bus 0000:00: on NUMA node 3 (PCI0 [bus 00-1f]); :1740 pci_bus 0000:c0: on NUMA node 4 (S1D1 [bus c0-df]).
    expect(nvmeByNode(boot)).toEqual({ 3: ['0000:0d:00.0'], 4: ['0000:d0:00.0', '0000:d1:00.0'] });
  });

  it('POWER9, 6.14: nodes 0 and 8 from `numa: Node N CPUs:`; the NVMe node is unknown (no ACPI root bridge lines)', async () => {
    const boot = await load('power9_2numa-128cpu_nvme_6.14.8-gentoo.dmesg.txt');
    expect([boot.platform!.cpus, boot.platform!.nodes]).toEqual([128, 2]);
    expect(cpusOfNode(boot, 0)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(cpusOfNode(boot, 8)).toEqual(Array.from({ length: 64 }, (_, i) => 64 + i));
    expect(boot.platform!.nodeCpus.every((n) => n.inferred.length === 0)).toBe(true);
    expect(nvmeByNode(boot)).toEqual({ unknown: ['0031:01:00.0'] });
  });

  it('Supermicro X10DRT-B+, 6.14 with caller ids: Unknown NUMA node on the uncore buses, 1 NVMe on node 0 and 4 on node 1', async () => {
    const boot = await load('supermicro-x10drt-b+_2S-32cpu_5nvme_6.14.0.dmesg.txt');
    const p = boot.platform!;
    expect([p.cpus, p.nodes]).toEqual([32, 2]);
    // :438 pci_bus 0000:ff: Unknown NUMA node; :432 UNC1 [bus ff]
    expect(p.rootBuses.find((r) => r.first === 0xff)).toMatchObject({ bridge: 'UNC1', node: null, nodeFrom: 'unknown' });
    expect(nvmeByNode(boot)).toEqual({ 0: ['0000:02:00.0'], 1: ['0000:82:00.0', '0000:88:00.0', '0000:89:00.0', '0000:8b:00.0'] });
  });

  it('a topology file still wins: the capture keeps its topology.csv nodes and CPU count', async () => {
    const boot = await loadBoot(['fixtures/captures/n0x3']);
    expect(boot.topology.cpus).toHaveLength(8);
    expect(cpusOfNode(boot, 0)).toEqual([0, 1, 2, 3]);
    expect(cpusOfNode(boot, 1)).toEqual([4, 5, 6, 7]);
    expect(boot.topology.source?.file).toMatch(/topology\.csv$|node-cpulist\.txt$|cpus\.txt$/);
    // The log agrees: `.... node  #0, CPUs: #1 #2` then the fragment ` #3` on its own line, `node #1: #4`.
    expect(boot.platform!.nodeCpus.find((n) => n.node === 0)!.cpus).toEqual([0, 1, 2, 3]);
  });
});
