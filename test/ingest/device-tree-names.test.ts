// Device-tree device names carry `@` (x13s: `c440000.spmi:pmic@0:adc@3100`, fixtures/records/x13s_6.13.1.dmesg.txt)
// and driver names `,` (drivers/misc/fastrpc.c: "qcom,fastrpc-cb"): failure lines (drivers/base/dd.c ≤ 6.8
// `%s: probe of %s failed with error %d`) and dev_printk lines of such devices must be recognised.
import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { synthetic } from './kernel-log-reader.helper.js';

describe('device-tree names with @ and drivers with ,', () => {
  it('5.10: the failure line names the driver and the error (not "rejected" from the 0 that really_probe returned)', async () => {
    const path = synthetic('dt-510.log', [
      '[    0.000000] Linux version 5.10.110 (builder@host) (aarch64-linux-gnu-gcc 10.2) #1 SMP PREEMPT',
      '[    7.858300] qcom,fastrpc-cb: probe of 1b300000.remoteproc:glink-edge:fastrpc:compute-cb@1 failed with error -12',
      '[    7.858310] probe of 1b300000.remoteproc:glink-edge:fastrpc:compute-cb@1 returned 0 after 284 usecs',
    ].join('\n'));
    const boot = await loadBoot([path]);
    expect(boot.probes.map((p) => [p.device, p.driver, p.status])).toEqual([['1b300000.remoteproc:glink-edge:fastrpc:compute-cb@1', 'qcom,fastrpc-cb', 'failed']]);
    expect(boot.diagnostics).toEqual([]);
  });

  it('6.13 (x13s names): the dev_printk line of a pmic@N device gives its driver', async () => {
    const path = synthetic('dt-613.log', [
      '[    0.000000] Linux version 6.13.1 (builder@host) (gcc 14) #1 SMP PREEMPT',
      '[    5.120000] qcom-spmi-adc5 c440000.spmi:pmic@0:adc@3100: probe with driver qcom-spmi-adc5 failed with error -22',
      '[    5.120100] probe of c440000.spmi:pmic@0:adc@3100 returned -22 after 410 usecs',
    ].join('\n'));
    const boot = await loadBoot([path]);
    expect(boot.probes.map((p) => [p.device, p.driver, p.status, p.ret])).toEqual([['c440000.spmi:pmic@0:adc@3100', 'qcom-spmi-adc5', 'failed', -22]]);
  });
});
