// Serial console captures carry NUL bytes and non-UTF-8 bytes (line noise, firmware and boot-loader output),
// and so do kern.log files after a crash (issue 14): such a kernel log is read with those bytes dropped or
// replaced and one warning naming the lines; a binary file is still refused (test/cli/bad-input.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffFile } from '../../src/ingest/detect.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { synthetic } from './kernel-log-reader.helper.js';

const CONSOLE = 'fixtures/dmesg/captures-n0x3/console.log'; // excerpt of the n0x3 capture's serial console

describe('serial console with line noise (real n0x3 console.log excerpt, bytes injected)', () => {
  it('keeps every probe and says which lines were damaged', async () => {
    const lines = readFileSync(CONSOLE, 'latin1').split('\n');
    const noisy = [...lines.slice(0, 20), '\u0000\u0000\u0000\r', `\u00c9\u00cd\u00cd BIOS \u00ba`, ...lines.slice(20)].join('\n');
    const path = synthetic('serial-noise.log', '');
    writeFileSync(path, Buffer.from(noisy, 'latin1')); // 0xC9 0xCD 0xBA: CP437 box drawing, not UTF-8
    expect(await sniffFile(path)).toBe('console');
    const clean = await loadBoot([CONSOLE]);
    const boot = await loadBoot([path]);
    expect(clean.probes.length).toBe(5);
    expect(boot.probes.map((p) => [p.device, p.startNs, p.durationNs])).toEqual(clean.probes.map((p) => [p.device, p.startNs, p.durationNs]));
    expect(boot.diagnostics).toContainEqual(expect.objectContaining({ file: path, line: 21, severity: 'warning',
      message: expect.stringMatching(/^2 line\(s\) held NUL bytes or invalid UTF-8/) }));
  });

  it('a dmesg log with a NUL byte is read around it, with a warning naming the line', async () => {
    const path = synthetic('dmesg-nul.log', '');
    const head = readFileSync('fixtures/captures/before-n0x3/dmesg.log', 'utf8').split('\n').slice(0, 30);
    writeFileSync(path, `${head.join('\n')}\n\u0000\n${head.slice(1, 3).join('\n')}\n`);
    expect(await sniffFile(path)).toBe('dmesg');
    const boot = await loadBoot([path]);
    expect(boot.kernel.release).toBe('6.1.176-lab');
    expect(boot.inputs[0]!.lines).toBe(33);
    expect(boot.diagnostics).toContainEqual(expect.objectContaining({ file: path, line: 31, severity: 'warning',
      message: expect.stringMatching(/^1 line\(s\) held NUL bytes or invalid UTF-8 \(line 31\)/) }));
  });
});
