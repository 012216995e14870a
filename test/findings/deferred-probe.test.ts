import { describe, expect, it } from 'vitest';
import { detectDeferredProbes } from '../../src/findings/deferred-probe.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';

// fixtures/records/x13s_6.13.1.dmesg.txt: the `probe of` lines (and banner) of a real Lenovo X13s boot, 6.13.1,
// whole lines from ../shared/corpus/initcall_debug/x13s_arm64_fedora-6.13.1_initcall_debug.dmesg.txt.
const X13S = 'fixtures/records/x13s_6.13.1.dmesg.txt';

describe('deferred-probe on a real arm64 boot (x13s, 6.13.1)', () => {
  it('reports the -EPROBE_DEFER attempts apart, with devices bound by a later attempt', async () => {
    const boot = await loadBoot([X13S]);
    const deferred = boot.probes.filter((p) => p.deferred);
    // 534 lines `probe of ... returned -517` in the file (grep -c)
    expect(deferred).toHaveLength(534);
    // regulator-edp-3p3: 12 deferred attempts (0.076095 s … ), then `returned 0 after 409 usecs` at 2.314057 s
    expect(deferred.filter((p) => p.device === 'regulator-edp-3p3')).toHaveLength(12);
    const findings = detectDeferredProbes(boot);
    // every deferred attempt is in exactly one finding
    expect(findings.reduce((s, f) => s + (f.data.attempts as number), 0)).toBe(deferred.length);
    const regulator = findings.flatMap((f) => f.devices).filter((d) => d === 'regulator-edp-3p3');
    expect(regulator).toEqual(['regulator-edp-3p3']);
    const withIt = findings.find((f) => f.devices.includes('regulator-edp-3p3'))!;
    // the time spent is the sum of the deferred attempts' durations as printed
    const spent = deferred.filter((p) => withIt.devices.includes(p.device) && (p.driver ?? '') === (withIt.drivers[0] ?? '')).reduce((s, p) => s + p.durationNs, 0);
    expect(withIt.lostNs).toBe(spent);
    expect(withIt.data.boundLater).toContain('regulator-edp-3p3');
    expect(findings.every((f) => f.kind === 'deferred-probe' && f.severity === 'info')).toBe(true);
  });
});
