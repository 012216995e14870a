import { describe, expect, it } from 'vitest';
import { readBack } from './kernel-log-reader.helper.js';

describe('syslog kern.log — real files', () => {
  it('BSD header then the printk time (Ubuntu 14.04 rsyslog, 3.13): the inner time wins, two boots in one file', async () => {
    const r = await readBack('fixtures/dmesg/sniff/ubuntu14_kern.log_syslog_prefixed.txt', 'syslog');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toMatchObject({ timeNs: 10_295_736_887_716_000, clock: 'printk', text: expect.stringMatching(/^type=1400 audit/) });
    expect(r.lines[1]).toMatchObject({ timeNs: 0, clock: 'printk', text: 'Initializing cgroup subsys cpuset' });
  });

  it('RFC 3339 header with µs then the printk time (rsyslog, 6.x)', async () => {
    const r = await readBack('fixtures/dmesg/sniff/kern.log_iso8601_hdd-errors.txt', 'syslog');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines[0]).toMatchObject({ timeNs: 1_892_879_000, clock: 'printk', text: 'ACPI: bus type USB registered' });
  });

  it('RFC 3339 header without printk time: wall clock, indented continuation lines (Supermicro P4DC6 syslog-ng, 6.7)', async () => {
    const r = await readBack('fixtures/dmesg/excerpts/supermicro-p4dc6_syslog_continuation.lines-400-415.txt', 'syslog');
    expect(r.diagnostics).toEqual([]);
    const host0 = r.find('scsi host0: Adaptec AIC7XXX');
    expect(host0).toMatchObject({ clock: 'wall', timeNs: 0 });
    const i = r.lines.indexOf(host0);
    expect(r.lines[i + 1]).toMatchObject({ text: '<Adaptec aic7899 Ultra160 SCSI adapter>', continuation: true, timeNs: 0 });
    expect(r.lines[i + 2]!.text).toBe('aic7899: Ultra160 Wide Channel A, SCSI Id=7, 32/253 SCBs');
    expect(r.lines.filter((l) => l.continuation)).toHaveLength(4);
  });
});
