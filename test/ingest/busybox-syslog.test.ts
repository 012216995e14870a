// busybox syslogd (embedded /var/log/messages): `timestamp host fac.prio ident: msg` (sysklogd/syslogd.c
// timestamp_and_log(): "%s %.64s %s %s\n" with parse_fac_prio_20()), klogd keeping the printk `[ts]`.
import { describe, expect, it } from 'vitest';
import { sniffFile } from '../../src/ingest/detect.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { synthetic } from './kernel-log-reader.helper.js';

describe('busybox syslogd messages', () => {
  it('reads kernel lines with the facility.priority field, skips syslogd\'s own lines, keeps the printk clock', async () => {
    const path = synthetic('busybox-messages', [
      'Nov 21 17:20:01 vm syslog.info syslogd started: BusyBox v1.36.1',
      'Nov 21 17:20:01 vm kern.notice kernel: [    0.000000] Linux version 6.6.63 (builder@host) (gcc 12) #1 SMP PREEMPT_DYNAMIC',
      'Nov 21 17:20:01 vm kern.debug kernel: [    1.000000] calling  nvme_init+0x0/0x1000 [nvme] @ 300',
      'Nov 21 17:20:01 vm daemon.info udhcpc[210]: sending discover',
      'Nov 21 17:20:01 vm kern.debug kernel: [    1.500000] probe of 0000:01:00.0 returned 0 after 450000 usecs',
      'Nov 21 17:20:01 vm kern.debug kernel: [    1.510000] initcall nvme_init+0x0/0x1000 [nvme] returned 0 after 510000 usecs',
    ].join('\n'));
    expect(await sniffFile(path)).toBe('syslog');
    const boot = await loadBoot([path]);
    expect(boot.kernel.release).toBe('6.6.63');
    expect(boot.probes.map((p) => [p.device, p.startNs, p.durationNs])).toEqual([['0000:01:00.0', 1_050_000_000, 450_000_000]]);
    expect(boot.initcalls.map((i) => i.fn)).toEqual(['nvme_init']);
    expect(boot.diagnostics).toEqual([]);
  });
});
