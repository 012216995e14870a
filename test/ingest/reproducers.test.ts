// Issue 14's reproducers (fixtures/reproducers/, from ../shared/reproducers/): each behaves as the issue says —
// damaged and decorated kernel logs are read with warnings naming the lines, refusals name the first line that is
// really wrong, impossible times are marked and reported, and the counts agree with what is listed.

import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffFile } from '../../src/ingest/detect.js';
import { InputError } from '../../src/ingest/input-error.js';
import { loadBoot, readBootJson } from '../../src/pipeline/load-boot.js';
import { synthetic } from './kernel-log-reader.helper.js';

const R = (name: string) => `fixtures/reproducers/${name}`;

async function refusal(path: string): Promise<InputError> {
  try {
    await loadBoot([path]);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error(`${path} was read`);
}

describe('issue 14 reproducers', () => {
  it('R01: a kern.log with a 2192-byte NUL run after a crash is read; the warning names the line', async () => {
    const path = R('R01_kernlog_nul_run_after_crash.log');
    const boot = await loadBoot([path]);
    expect(boot.inputs[0]).toMatchObject({ format: 'syslog', lines: 9, diagnostics: 1 });
    expect(boot.kernel.release).toBe('5.15.0-60-generic');
    expect(boot.diagnostics).toEqual([expect.objectContaining({ file: path, line: 4, message: expect.stringMatching(/^1 line\(s\) held NUL bytes or invalid UTF-8 \(line 4\)/) })]);
  });

  it('R01b: one NUL byte between syslog kernel lines', async () => {
    const boot = await loadBoot([R('R01b_kernlog_single_nul_min.log')]);
    expect(boot.kernel.release).toBe('5.15.0-60-generic');
    expect(boot.kernel.cmdline).toBe('ro quiet');
    expect(boot.diagnostics.map((d) => d.line)).toEqual([2]);
  });

  it('R02: an Android dmesg (CRLF) with one invalid UTF-8 byte is read', async () => {
    const boot = await loadBoot([R('R02_dmesg_raw_crlf_one_invalid_utf8_byte.log')]);
    expect(boot.inputs[0]).toMatchObject({ format: 'dmesg-raw', lines: 5, diagnostics: 1 });
    expect(boot.kernel.release).toBe('3.1.10');
    expect(boot.diagnostics[0]).toMatchObject({ line: 5, message: expect.stringMatching(/\(line 5\)/) });
  });

  it('R03: a serial console behind 400 lines of OVMF output is a console log', async () => {
    const path = R('R03_serial_console_ovmf_preamble.log');
    expect(await sniffFile(path)).toBe('console');
    const boot = await loadBoot([path]);
    expect(boot.kernel.release).toBe('6.14.0-next-20250326');
    expect(boot.kernel.cmdline).toMatch(/^root=\/dev\/vda rw console=ttyS0,115200n8/);
  });

  it('R03 pushed far: a console after 20,000 firmware lines is still found', async () => {
    const lines = readFileSync(R('R03_serial_console_ovmf_preamble.log'), 'utf8').split('\n');
    const firmware = lines.slice(0, 400);
    const kernel = lines.slice(400);
    const path = synthetic('ovmf-long.log', [...Array.from({ length: 50 }, () => firmware).flat(), ...kernel].join('\n'));
    expect(await sniffFile(path)).toBe('console');
    expect((await loadBoot([path])).kernel.release).toBe('6.14.0-next-20250326');
  });

  it('R04: dmesg --color=always', async () => {
    const boot = await loadBoot([R('R04_dmesg_color_always.log')]);
    expect(boot.inputs[0]).toMatchObject({ format: 'dmesg', lines: 12, diagnostics: 0 });
    expect(boot.kernel.release).toBe('6.1.0-50-amd64');
    expect(boot.kernel.cmdline).toMatch(/^console=ttyS0 initcall_debug/);
  });

  it('R05: dmesg -T in the de_DE and fr_FR formats of util-linux', async () => {
    for (const name of ['R05a_dmesg_T_de_DE_locale.log', 'R05b_dmesg_T_fr_FR_locale.log']) {
      const boot = await loadBoot([R(name)]);
      expect(boot.inputs[0]).toMatchObject({ format: 'dmesg-ctime', lines: 12, diagnostics: 0 });
      expect(boot.kernel.release).toBe('6.1.0-18-amd64');
    }
  });

  it('R06: a dmesg followed by lspci -vvv is read; one warning names the lspci lines', async () => {
    const path = R('R06_dmesg_then_lspci_error_points_at_line1.txt');
    const boot = await loadBoot([path]);
    expect(boot.inputs[0]).toMatchObject({ format: 'dmesg', lines: 50, diagnostics: 1 });
    expect(boot.diagnostics).toEqual([expect.objectContaining({ line: 11, message: expect.stringMatching(/^40 lines \(11-50\) are not dmesg lines, skipped; the first: "\\tDevice tree node/) })]);
  });

  it('R07: one work item is not both never queued and never started; inputs[].diagnostics counts what is listed', async () => {
    const path = R('R07_inputs_diagnostics_count_disagrees.trace.txt');
    const boot = await loadBoot([path]);
    expect(boot.inputs[0]!.diagnostics).toBe(boot.diagnostics.filter((d) => d.file === path).length);
    expect(boot.diagnostics.map((d) => d.message)).toEqual(['work 000000008b251d87 (ftrace_check_work_func) started but did not end before the trace ended']);
  });

  it('R08: a wrapped initcall line is joined, not a hang', async () => {
    const boot = await loadBoot([R('R08_wrapped_initcall_line_called_but_never_returned.txt')]);
    const gnttab = boot.initcalls.find((i) => i.fn === 'xen_pvh_gnttab_setup')!;
    expect(gnttab).toMatchObject({ ret: -19, durationNs: 0, startNs: 96_491_000, endNs: 96_491_000 });
    expect(boot.diagnostics.some((d) => /xen_pvh_gnttab_setup.*hung/.test(d.message))).toBe(false);
    expect(boot.diagnostics).toContainEqual(expect.objectContaining({ line: 5, message: 'line 5 continues line 4 (a wrapped line, e.g. from a paste): joined' }));
  });

  it('R09: the Samsung [cpu: comm: pid] tag is taken off every message', async () => {
    expect((await loadBoot([R('R09_samsung_cpu_comm_pid_prefix_release_unknown.log')])).kernel.release).toBe('3.18.20-twrp-hero2qlte-chnzc-1.0');
    const boot = await loadBoot([R('R09b_samsung_prefix_probe_lines_silently_ignored.log')]);
    expect(boot.initcalls.map((i) => [i.fn, i.callerPid, i.durationNs])).toEqual([['foo_init', 1, 20_480]]);
    expect(boot.probes.map((p) => [p.device, p.startNs, p.durationNs, p.callerPid])).toEqual([['0000:00:01.0', 1_500_000_000, 1_500_000, 57]]);
  });

  it('R10: an Xorg log is refused as one, naming its first line', async () => {
    const err = await refusal(R('R10_xorg_log_accepted_as_console.log'));
    expect(err.line).toBe(1);
    expect(err.reason).toMatch(/Xorg server log/);
  });

  it('R11: mail-quoted initcall lines with a quoted-printable soft break', async () => {
    const boot = await loadBoot([R('R11_mail_quoted_initcall_lines.txt')]);
    expect(boot.initcalls.map((i) => [i.fn, i.startNs, i.endNs, i.durationNs])).toEqual([
      ['pinctrl_init', 257_981_000, 257_994_000, 0],
      ['amd_gpio_driver_init', 1_612_848_000, 1_613_779_000, 930_000],
    ]);
    expect(boot.diagnostics.every((d) => !/without a matching "calling"/.test(d.message))).toBe(true);
  });

  it('R13: impossible durations are marked, reported with their line, and kept out of the Boot JSON as floats', async () => {
    const path = R('R13_huge_usecs_negative_float_times.log');
    const boot = await loadBoot([path]);
    expect(boot.probes.map((p) => [p.device, p.startNs, p.endNs, p.durationNs, p.invalid !== undefined])).toEqual([
      ['0000:01:00.0', null, 5_000_000_000, 0, true],
      ['0000:02:00.0', null, 6_000_000_000, 0, true],
    ]);
    expect(boot.initcalls.map((i) => [i.fn, i.startNs, i.durationNs, i.invalid !== undefined])).toEqual([['foo_init', null, null, true]]);
    expect(boot.diagnostics.map((d) => [d.file, d.line])).toEqual([[path, 2], [path, 3], [path, 4]]);
    expect(boot.inputs[0]!.diagnostics).toBe(3);
    const json = synthetic('r13.boot.json', JSON.stringify(boot));
    await expect(readBootJson(json)).resolves.toMatchObject({ probes: [{ startNs: null }, { startNs: null }] });
  });

  it('a duration longer than the time since boot at its line is marked', async () => {
    const path = synthetic('too-long.log', '[    0.000000] Linux version 6.4.0 (x@y) #1 SMP\n[    5.000000] probe of 0000:01:00.0 returned 0 after 6000000 usecs\n');
    const boot = await loadBoot([path]);
    expect(boot.probes[0]).toMatchObject({ startNs: null, durationNs: 0, invalid: expect.stringMatching(/longer than the 5\.000000 s since boot/) });
    expect(boot.findings.every((f) => !f.devices.includes('0000:01:00.0'))).toBe(true);
  });

  it('R14: printk time going backwards inside pt_init is marked and reported', async () => {
    const path = R('R14_real_ts_backwards_initcall_end_before_start.log');
    const boot = await loadBoot([path]);
    const pt = boot.initcalls.find((i) => i.fn === 'pt_init')!;
    expect(pt).toMatchObject({ startNs: 2_776_000_000, endNs: 2_775_891_000, invalid: expect.stringMatching(/goes backwards/) });
    expect(boot.diagnostics).toEqual([expect.objectContaining({ file: path, line: 4, message: expect.stringMatching(/^initcall pt_init: printk time goes backwards/) })]);
    // Read back: marked, so accepted; the same span unmarked is refused.
    const json = synthetic('r14.boot.json', JSON.stringify(boot));
    await expect(readBootJson(json)).resolves.toBeDefined();
    const unmarked = JSON.parse(JSON.stringify(boot)) as typeof boot;
    delete unmarked.initcalls.find((i) => i.fn === 'pt_init')!.invalid;
    writeFileSync(json, JSON.stringify(unmarked));
    await expect(readBootJson(json)).rejects.toThrow(/initcalls\[\d+\]\.endNs is before its startNs/);
  });

  it('a Boot JSON with a non-integer time is refused when read back', async () => {
    const boot = await loadBoot(['fixtures/captures/n0x3/dmesg.log']);
    const json = JSON.parse(JSON.stringify(boot)) as typeof boot;
    (json.probes[0] as { startNs: number }).startNs = 1.5;
    const path = synthetic('float.boot.json', JSON.stringify(json));
    await expect(readBootJson(path)).rejects.toThrow(/probes\[0\]\.startNs is not an integer number of ns/);
  });
});
