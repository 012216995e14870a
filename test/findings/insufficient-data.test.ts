import { describe, expect, it } from 'vitest';
import { detectFindings, isFindingOf } from '../../src/findings/index.js';
import { INSUFFICIENT_DATA } from '../../src/findings/insufficient-data.js';
import { bootOf, probeFromDmesg, twoNodeTopology } from './capture-probes.js';

const C = 'fixtures/captures';

describe('insufficient-data', () => {
  it('n0x3 dmesg alone: says serialization cannot be shown and which trace events would show it', () => {
    const probes = [1894, 1897, 1898].map((l) => probeFromDmesg(`${C}/n0x3`, l));
    const findings = detectFindings(bootOf(probes, twoNodeTopology()));
    expect(findings.map((f) => f.kind)).toEqual([INSUFFICIENT_DATA]);
    const f = findings.filter(isFindingOf(INSUFFICIENT_DATA))[0]!;
    expect(f.data.dataUsed).toBe('dmesg');
    expect('overlapping' in f.data && f.data.overlapping).toBe(3);
    expect(f.title).toContain('cannot show bound-queue serialization');
    expect(f.detail).toContain('trace_event=workqueue:*,sched:sched_switch,sched:sched_wakeup');
    expect(f.detail).toContain('initcall_debug');
    expect(f.lostNs).toBeNull();
  });

  it('before-n0x3 with printk caller ids: names the attaching tasks, still cannot show the CPU', () => {
    const probes = [1219, 1220, 1222].map((l) => probeFromDmesg(`${C}/before-n0x3`, l, { callerIds: true }));
    const findings = detectFindings(bootOf(probes, twoNodeTopology()));
    expect(findings.map((f) => f.kind)).toEqual([INSUFFICIENT_DATA]);
    const data = findings.filter(isFindingOf(INSUFFICIENT_DATA))[0]!.data;
    expect(data.dataUsed).toBe('caller-id');
    expect('callers' in data && data.callers).toEqual([8, 55, 58]);
    // 21 and 22 overlap; 23 starts after both ended
    expect('overlapping' in data && data.overlapping).toBe(2);
    expect(findings[0]!.detail).toContain('T8, T55, T58');
  });

  it('no finding of this kind once two probes carry their worker CPU; one is not enough', () => {
    const joined = [
      probeFromDmesg(`${C}/n0x3`, 1894, { trace: { queue: 5535, start: 5548, end: 5576 } }),
      probeFromDmesg(`${C}/n0x3`, 1898, { trace: { queue: 5545, start: 5588, end: 5640 } }),
    ];
    const plain = probeFromDmesg(`${C}/n0x3`, 1897);
    expect(detectFindings(bootOf([...joined, plain], twoNodeTopology())).map((f) => f.kind)).not.toContain(INSUFFICIENT_DATA);
    const one = detectFindings(bootOf([joined[0]!, plain], twoNodeTopology())).filter(isFindingOf(INSUFFICIENT_DATA));
    expect(one).toHaveLength(1);
    expect('placed' in one[0]!.data && one[0]!.data.placed).toBe(1);
    expect(one[0]!.title).toBe('The input cannot show bound-queue serialization: only 1 of 2 probes says which CPU or kworker ran its body.');
  });
});
