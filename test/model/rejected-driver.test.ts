// A rejected attempt (the driver declined the device, -ENODEV) prints nothing of its own: a later line naming the
// device comes from the driver that bound it next, and must not be taken for the rejecting one. Lines verbatim
// from the qemu 6.4 corpus log (../shared/corpus/initcall_debug/qemu-i440fx_6.4.0-rc3_initcall_debug_probe_printk_caller.dmesg.txt:2313-2318 and 2363):
// st (registered first) declines the scsi_debug disk, then sd binds it asynchronously in T20.
import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { synthetic } from '../ingest/kernel-log-reader.helper.js';

describe('driver of a rejected attempt', () => {
  it('is unknown when no line names it, not the driver that bound the device afterwards', async () => {
    const path = synthetic('st-sd.log', [
      '[    0.000000][    T0] Linux version 6.4.0-rc3 (lkp@host) (gcc-12) #1 SMP PREEMPT_DYNAMIC',
      '[   18.914031][    T1] scsi 0:0:0:0: Direct-Access     Linux    scsi_debug       0191 PQ: 0 ANSI: 7',
      '[   18.915675][    T1] probe of 0:0:0:0 returned 19 after 47 usecs',
      '[   18.916894][   T20] sd 0:0:0:0: Power-on or device reset occurred',
      '[   18.917843][    T1] probe of adapter0 returned 0 after 7556 usecs',
      '[   19.589370][   T20] probe of 0:0:0:0 returned 0 after 672754 usecs',
    ].join('\n'));
    const boot = await loadBoot([path]);
    expect(boot.probes.filter((p) => p.device === '0:0:0:0').map((p) => [p.driver, p.status, p.callerPid])).toEqual([
      [null, 'rejected', 1],
      ['sd', 'ok', 20],
    ]);
  });
});
