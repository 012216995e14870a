import { describe, expect, it } from 'vitest';
import { detectFindings } from '../../src/findings/index.js';
import { INSUFFICIENT_DATA } from '../../src/findings/insufficient-data.js';
import { bootOf, probeFromDmesg, twoNodeTopology } from './capture-probes.js';

const C = 'fixtures/captures';

describe('insufficient-data', () => {
  it('n0x3 dmesg alone: says serialization cannot be shown and which trace events would show it', () => {
    const probes = [1894, 1897, 1898].map((l) => probeFromDmesg(`${C}/n0x3`, l));
    const findings = detectFindings(bootOf(probes, twoNodeTopology()));
    expect(findings.map((f) => f.kind)).toEqual([INSUFFICIENT_DATA]);
    const f = findings[0]!;
    expect(f.data.dataUsed).toBe('dmesg');
    expect(f.data.overlapping).toBe(3);
    expect(f.title).toContain('cannot show bound-queue serialization');
    expect(f.detail).toContain('trace_event=workqueue:*,sched:sched_switch,sched:sched_wakeup');
    expect(f.detail).toContain('initcall_debug');
    expect(f.lostNs).toBeNull();
  });

  it('before-n0x3 with printk caller ids: names the attaching tasks, still cannot show the CPU', () => {
    const probes = [1219, 1220, 1222].map((l) => probeFromDmesg(`${C}/before-n0x3`, l, { callerIds: true }));
    const findings = detectFindings(bootOf(probes, twoNodeTopology()));
    expect(findings.map((f) => f.kind)).toEqual([INSUFFICIENT_DATA]);
    expect(findings[0]!.data.dataUsed).toBe('caller-id');
    expect(findings[0]!.data.callers).toEqual([8, 55, 58]);
    // 21 and 22 overlap; 23 starts after both ended
    expect(findings[0]!.data.overlapping).toBe(2);
    expect(findings[0]!.detail).toContain('T8, T55, T58');
  });

  it('no finding of this kind once the probes carry their worker CPU', () => {
    const probes = [probeFromDmesg(`${C}/n0x3`, 1894, { trace: { queue: 5535, start: 5548, end: 5576 } }), probeFromDmesg(`${C}/n0x3`, 1897)];
    expect(detectFindings(bootOf(probes, twoNodeTopology())).map((f) => f.kind)).not.toContain(INSUFFICIENT_DATA);
  });
});
