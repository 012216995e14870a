import { describe, expect, it } from 'vitest';
import { parsePciNumaLine, readPciNuma } from '../../src/ingest/pci-numa.js';
import type { Diagnostic } from '../../src/core/diagnostics.js';

describe('pci-numa', () => {
  it('reads the real capture listing: NVMe functions on node 0, root complex without a node', async () => {
    const diagnostics: Diagnostic[] = [];
    const entries = await readPciNuma('fixtures/captures/n0x3/pci-numa.txt', (d) => diagnostics.push(d));
    expect(diagnostics).toEqual([]);
    expect(entries).toHaveLength(12);
    expect(entries.filter((e) => e.node === 0).map((e) => e.device)).toEqual([
      '0000:20:00.0', '0000:20:01.0', '0000:20:02.0', '0000:21:00.0', '0000:22:00.0', '0000:23:00.0',
    ]);
    expect(entries.find((e) => e.device === '0000:00:02.0')).toEqual({ device: '0000:00:02.0', node: null, line: 3 });
  });

  it('accepts grep -H sysfs output and plain pairs (synthetic shapes)', () => {
    expect(parsePciNumaLine('/sys/bus/pci/devices/0000:41:00.0/numa_node:1')).toEqual({ device: '0000:41:00.0', node: 1 });
    expect(parsePciNumaLine('0000:C1:00.0 3')).toEqual({ device: '0000:c1:00.0', node: 3 });
    expect(parsePciNumaLine('nvme0 0000:21:00.0 serial=x')).toBeNull();
  });
});
