// The release table of drivers/base/dd.c's `probe of ... returned` line (src/kernel-release/).

import { describe, expect, it } from 'vitest';
import { probeTimingNeed } from '../../src/kernel-release/probe-timing.js';
import { atLeast, parseKernelRelease } from '../../src/kernel-release/release.js';

const need = (release: string, version: string | null = null) => probeTimingNeed(parseKernelRelease(release, version)!).needsDynamicDebug;

describe('parseKernelRelease', () => {
  it('reads mainline, stable and distribution releases', () => {
    expect(parseKernelRelease('6.12.9')).toEqual({ text: '6.12.9', major: 6, minor: 12, sublevel: 9 });
    expect(parseKernelRelease('6.4')).toEqual({ text: '6.4', major: 6, minor: 4, sublevel: 0 });
    expect(parseKernelRelease('5.10.180-lab')?.sublevel).toBe(180);
    // Debian's ABI release hides the sublevel; uname -v (the captures' uname.txt) tells it.
    expect(parseKernelRelease('6.1.0-50-amd64')?.sublevel).toBeNull();
    expect(parseKernelRelease('6.1.0-50-amd64', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)')?.sublevel).toBe(176);
    expect(parseKernelRelease('5.15.0-91-generic')?.sublevel).toBeNull();
    expect(parseKernelRelease('6.18.44-fc-v1300')?.sublevel).toBe(44);
    expect(parseKernelRelease('linux')).toBeNull();
  });

  it('atLeast answers null only when an unknown sublevel decides', () => {
    const debian = parseKernelRelease('6.1.0-50-amd64')!;
    expect(atLeast(debian, 6, 1, 27)).toBeNull();
    expect(atLeast(debian, 6, 0)).toBe(true);
    expect(atLeast(debian, 6, 2, 1)).toBe(false);
  });
});

describe('probeTimingNeed: does `probe of ... returned` need dyndbg besides initcall_debug?', () => {
  it('no before 5.8 (printk), yes on 5.8–6.3 lines that never got the backport, no from 6.4', () => {
    expect(probeTimingNeed(parseKernelRelease('4.18.20')!).printed).toBe('absent');
    expect(probeTimingNeed(parseKernelRelease('4.19.325')!).printed).toBe('printk');
    expect(probeTimingNeed(parseKernelRelease('5.9.16')!).printed).toBe('pr_debug');
    expect(need('4.19.325')).toBe(false);
    expect(need('5.4.290')).toBe(false);
    expect(need('5.7.19')).toBe(false);
    for (const r of ['5.8.18', '5.9.16', '5.11.22', '5.14.21', '5.16.20', '5.19.17', '6.0.19']) expect(need(r), r).toBe(true);
    expect(need('6.4')).toBe(false);
    expect(need('6.12.9')).toBe(false);
    expect(need('7.0.1')).toBe(false);
  });

  it('the 2023 stable backports: 5.10.180, 5.15.110, 6.1.27, 6.2.14, 6.3.1', () => {
    expect([need('5.10.179'), need('5.10.180')]).toEqual([true, false]);
    expect([need('5.15.109'), need('5.15.110')]).toEqual([true, false]);
    expect([need('6.1.26'), need('6.1.27')]).toEqual([true, false]);
    expect([need('6.2.13'), need('6.2.14')]).toEqual([true, false]);
    expect([need('6.3'), need('6.3.1')]).toEqual([true, false]);
  });

  it('a distribution release of a backport line without its sublevel: unknown; with uname -v: decided', () => {
    expect(need('6.1.0-50-amd64')).toBeNull();
    expect(probeTimingNeed(parseKernelRelease('6.1.0-50-amd64')!).why).toMatch(/does not say its stable sublevel/);
    // The captures' Debian 6.1.176 kernel prints the lines with initcall_debug alone (n0x3/dmesg.log has 36).
    expect(need('6.1.0-50-amd64', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)')).toBe(false);
  });
});
