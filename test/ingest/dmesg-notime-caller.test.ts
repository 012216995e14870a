// util-linux ≥ 2.40 prints the caller id after the (empty) time with -t (sys-utils/dmesg.c print_record():
// `[%*s] ` from rec->caller_id): `[    T300] calling  ...`, and with -x `kern  :debug : [    T300] ...`.
import { describe, expect, it } from 'vitest';
import { sniffFile } from '../../src/ingest/detect.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { synthetic } from './kernel-log-reader.helper.js';

const LINES = [
  ['      T0', 'Linux version 6.6.63 (builder@host) (gcc 12) #1 SMP PREEMPT_DYNAMIC'],
  ['    T300', 'calling  nvme_init+0x0/0x1000 [nvme] @ 300'],
  ['    T300', 'probe of 0000:01:00.0 returned 0 after 4500 usecs'],
  ['    T300', 'initcall nvme_init+0x0/0x1000 [nvme] returned 0 after 5100 usecs'],
];

describe('dmesg -t / -x -t with caller ids (util-linux 2.40+)', () => {
  it.each([
    ['-t', 'dmesg-notime', (id: string, text: string) => `[${id}] ${text}`],
    ['-x -t', 'dmesg-decode', (id: string, text: string) => `kern  :${id.trim() === 'T0' ? 'notice' : 'debug '}: [${id}] ${text}`],
  ])('%s: the caller id is taken and the messages recognised', async (_flags, format, line) => {
    const path = synthetic(`notime-caller-${format}.log`, LINES.map(([id, text]) => line(id!, text!)).join('\n'));
    expect(await sniffFile(path)).toBe(format);
    const boot = await loadBoot([path]);
    expect(boot.kernel.release).toBe('6.6.63');
    expect(boot.probes.map((p) => [p.device, p.durationNs, p.callerPid])).toEqual([['0000:01:00.0', 4_500_000, 300]]);
    expect(boot.initcalls.map((i) => [i.fn, i.callerPid])).toEqual([['nvme_init', 300]]);
    expect(boot.diagnostics).toEqual([]);
  });
});
