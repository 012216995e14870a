import { describe, expect, it } from 'vitest';
import { detectFindings } from '../../src/findings/index.js';
import { renderFindings } from '../../src/render/findings-text.js';
import { bootOf, probeFromDmesg, twoNodeTopology } from '../findings/capture-probes.js';

const dir = 'fixtures/captures/n0x3';

describe('renderFindings', () => {
  const probes = [
    probeFromDmesg(dir, 1894, { trace: { queue: 5535, start: 5548, end: 5576 } }),
    probeFromDmesg(dir, 1898, { trace: { queue: 5545, start: 5588, end: 5640 } }),
    probeFromDmesg(dir, 1897, { trace: { queue: 5567, start: 5602, end: 5627 } }),
  ];
  const text = renderFindings(detectFindings(bootOf(probes, twoNodeTopology())));

  it('prints the n0x3 finding in plain words with its numbers and evidence, within 100 columns', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('1. [warning] bound-queue-serialization');
    expect(text).toContain("3 nvme probes on node 0 were serialized on CPU 0's bound kworkers");
    expect(text).toContain('work_on_cpu() in pci_call_probe() (873392ca514f)');
    expect(text).toContain('time lost ≈ 3.659 ms; serialization factor 2.34');
    expect(text).toContain('their bodies add up to 16.3 ms within 10.9 ms (1.502)');
    expect(text).toContain('evidence: fixtures/captures/n0x3/dmesg.log:1894,1898,1897;\n             fixtures/captures/n0x3/trace.txt:5535,5548,5576,');
    expect(lines.every((l) => l.length <= 100)).toBe(true);
  });

  it('says so when there is nothing to report', () => {
    expect(renderFindings([])).toBe('No findings.\n');
  });
});
