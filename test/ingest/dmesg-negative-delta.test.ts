// printk times go backwards when a CPU prints before its clock is synchronised: the real before-n0x3 log does it
// at dmesg.log:208-233 (`[    1.023254]` then `[    0.035139][    T0] calibrate_delay_direct() ...`). util-linux
// prints the signed difference (sys-utils/dmesg.c print_record(): `[<%12.06f>] `, `[  %+8.06f] `, `[%5ld.%06ld
// <%12.06f>] `). The real log re-printed in those presentations must give the same times as the plain one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

const LOG = 'fixtures/captures/before-n0x3/dmesg.log';
const STAMP = /^\[\s*(\d+)\.(\d{6})\]/;

/** The real log with each `[ts]` replaced by `fmt(delta µs, ts µs)`; returns the path. */
function represent(name: string, fmt: (deltaUs: number, tsUs: number) => string): string {
  let last = 0;
  const out = readFileSync(LOG, 'utf8').split('\n').map((line) => {
    const m = STAMP.exec(line);
    if (!m) return line;
    const us = Number(m[1]) * 1e6 + Number(m[2]);
    const delta = us - last;
    last = us;
    return fmt(delta, us) + line.slice(m[0].length);
  });
  return synthetic(name, out.join('\n'));
}

const signed = (us: number, width: number, plus: boolean) => {
  const text = `${us < 0 ? '-' : plus ? '+' : ''}${Math.floor(Math.abs(us) / 1e6)}.${String(Math.abs(us) % 1e6).padStart(6, '0')}`;
  return text.padStart(width, ' ');
};

describe('negative dmesg deltas (real before-n0x3 log re-printed)', () => {
  it('the log really goes backwards', () => {
    const times = readFileSync(LOG, 'utf8').split('\n').map((l) => STAMP.exec(l)).filter((m) => m !== null).map((m) => Number(m![1]) * 1e6 + Number(m![2]));
    expect(times.some((t, i) => i > 0 && t < times[i - 1]!)).toBe(true);
  });

  it.each([
    ['--time-format=delta', 'delta.log', (d: number) => `[<${signed(d, 12, false)}>]`],
    ['-d', 'show-delta.log', (d: number, ts: number) => `[${signed(ts, 12, false)} <${signed(d, 12, false)}>]`],
  ])('%s gives every probe the same span as the plain log', async (_name, file, fmt) => {
    const plain = await loadBoot([LOG]);
    const path = represent(file, fmt);
    const r = await readBack(path, 'dmesg-delta');
    expect(r.diagnostics).toEqual([]);
    const other = await loadBoot([path]);
    expect(other.probes.map((p) => [p.device, p.startNs, p.endNs])).toEqual(plain.probes.map((p) => [p.device, p.startNs, p.endNs]));
  });

  it('-e / reltime: `[  -0.988115]` steps back', async () => {
    const path = synthetic('reltime.log', [
      '[Nov21 17:20] Linux version 6.1.176-lab (root@vm) (gcc 12) #1 SMP PREEMPT_DYNAMIC',
      '[  +1.022978] x86: Booting SMP configuration:',
      '[  -0.987839] calibrate_delay_direct() dropping max bogoMips estimate 4 = 19747391',
      '[  +3.022746] probe of 0000:01:00.0 returned 0 after 450 usecs',
    ].join('\n'));
    const r = await readBack(path, 'dmesg-reltime');
    expect(r.diagnostics).toEqual([]);
    const t = r.lines.map((l) => l.timeNs!);
    expect([t[1]! - t[0]!, t[2]! - t[1]!, t[3]! - t[2]!]).toEqual([1_022_978_000, -987_839_000, 3_022_746_000]);
  });

  it('-e / reltime whose first minute line was cut: times count from the first line, with a warning', async () => {
    const path = synthetic('reltime-cut.log', [
      '[  +0.000000] Linux version 6.1.176-lab (root@vm) (gcc 12) #1 SMP PREEMPT_DYNAMIC',
      '[  +1.022978] x86: Booting SMP configuration:',
      '[  -0.987839] calibrate_delay_direct() dropping max bogoMips estimate 4 = 19747391',
      '[  +3.022746] probe of 0000:01:00.0 returned 0 after 450 usecs',
    ].join('\n'));
    const r = await readBack(path, 'dmesg-reltime');
    expect(r.lines.map((l) => l.timeNs)).toEqual([0, 1_022_978_000, 35_139_000, 3_057_885_000]);
    expect(r.diagnostics.map((d) => [d.line, d.message.startsWith('reltime deltas before any [Mmm dd hh:mm] line')])).toEqual([[1, true]]);
  });
});

