import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sniffFile } from '../../src/ingest/detect.js';
import { InputError } from '../../src/ingest/input-error.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

const FIXTURE = 'fixtures/dmesg/journal-export/n0x3-nvme-window.export';
const bytes = readFileSync(FIXTURE);

/** The 1-based line of the file where `text` starts, counted here from the bytes (as `grep -n` would). */
function lineOf(text: string): number {
  const at = bytes.indexOf(text);
  expect(at).toBeGreaterThanOrEqual(0);
  let lines = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < at; i = bytes.indexOf(0x0a, i + 1)) lines++;
  return lines;
}

/** The name line of the three-line MESSAGE (its size and value start the next line). */
const MULTI_LINE_NAME = (): number => lineOf('lab: modprobe args:') - 1;

/** Offset of the 8-byte size of the binary MESSAGE field whose value starts with `valueStart`. */
function sizeOffset(valueStart: string): number {
  const value = bytes.indexOf(valueStart);
  expect(bytes.subarray(value - 17, value - 8).toString('latin1')).toBe('\nMESSAGE\n');
  return value - 8;
}

/** A copy of the fixture with `edit` applied, in the temp dir. */
function edited(name: string, edit: (b: Buffer) => Buffer): string {
  const path = synthetic(name, '');
  writeFileSync(path, edit(Buffer.from(bytes)));
  return path;
}

describe('journalctl -o export with binary-safe fields (real journalctl 252 output)', () => {
  it('is sniffed as journal-export although it holds NUL bytes', async () => {
    expect(bytes.indexOf(0)).toBeGreaterThan(0);
    expect(await sniffFile(FIXTURE)).toBe('journal-export');
  });

  it('reads a multi-line MESSAGE as one record of three lines, skips the userspace entry with NUL bytes, and keeps the file line numbers after them', async () => {
    const r = await readBack(FIXTURE, 'journal-export');
    expect(r.diagnostics).toEqual([]);
    // 24 kernel records and the three-line one; the stdout entry is skipped.
    expect(r.lines).toHaveLength(27);
    expect(r.result.skippedLines).toBe(1);
    const multi = r.lines.filter((l) => l.timeNs === 6_483_025_000);
    expect(multi.map((l) => [l.text, l.continuation, l.source.line])).toEqual([
      ['lab: modprobe args:', false, MULTI_LINE_NAME()],
      ['  nvme poll_queues=0', true, MULTI_LINE_NAME()],
      ['  nvme_core multipath=Y', true, MULTI_LINE_NAME()],
    ]);
    const probe = r.find('probe of 0000:21:00.0 returned 0 after 8283 usecs');
    expect(probe.source.line).toBe(lineOf('MESSAGE=probe of 0000:21:00.0'));
    expect(probe.timeNs).toBe(6_567_604_000);
    expect(r.result.lines).toBe(lineOf('MESSAGE=lab: capture end') + 1);
  });

  it('gives the same probe spans as the dmesg records it was made from', async () => {
    const boot = await loadBoot([FIXTURE]);
    expect(boot.probes.map((p) => [p.device, p.durationNs]).sort()).toEqual([
      ['0000:21:00.0', 8_283_000],
      ['0000:22:00.0', 10_853_000],
      ['0000:23:00.0', 7_538_000],
    ]);
  });

  it('a file cut inside a binary field: the entries before it, and a warning at its name line', async () => {
    const cutAt = sizeOffset('lab: modprobe') + 8 + 10;
    const path = edited('cut.export', (b) => b.subarray(0, cutAt));
    const r = await readBack(path, 'journal-export');
    expect(r.lines.at(-1)!.text).toBe('lab: insmod nvme');
    expect(r.diagnostics.map((d) => [d.line, d.severity])).toEqual([[MULTI_LINE_NAME(), 'warning']]);
    expect(r.diagnostics[0]!.message).toMatch(/no newline \(file cut/);
  });

  it('a size that does not end at a newline, or is absurd, is an input error at the field', async () => {
    const at = sizeOffset('lab: modprobe');
    const line = MULTI_LINE_NAME();
    const off = edited('size.export', (b) => {
      // +1 would still frame: the value would take the newline and the entry's blank line would end it.
      b[at] = b[at]! + 2;
      return b;
    });
    await expect(readBack(off, 'journal-export')).rejects.toThrow(new InputError(off, line, 'binary field MESSAGE: no newline after its 66 bytes (not journalctl -o export output, or a damaged file)'));
    const huge = edited('huge.export', (b) => {
      b[at + 6] = 1;
      return b;
    });
    await expect(readBack(huge, 'journal-export')).rejects.toThrow(/binary field MESSAGE of \d+ bytes: more than 1024 KiB/);
  });

  it('a NUL byte outside a binary field is refused with its line', async () => {
    const path = synthetic('nul.export', '__CURSOR=s=1\n_TRANSPORT=kernel\nMESSAGE=a\0b\n\n');
    await expect(readBack(path, 'journal-export')).rejects.toThrow(new InputError(path, 3, 'binary data (NUL byte) outside a binary-safe field: not journalctl -o export output'));
  });
});
