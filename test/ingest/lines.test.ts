import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/input-error.js';
import { textOf } from '../../src/ingest/byte-text.js';
import { headLines, readLineBytes, readLines } from '../../src/ingest/lines.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-lines-'));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
async function collect(path: string, maxLineBytes?: number) {
  const lines: Array<[number, string]> = [];
  const result = await readLines(path, (line, no) => lines.push([no, line]), maxLineBytes ? { maxLineBytes } : {});
  return { lines, result };
}
async function collectBytes(path: string, maxLineBytes?: number) {
  const lines: Array<[number, string]> = [];
  const result = await readLineBytes(path, (b, start, end, no, ascii) => lines.push([no, textOf(b, start, end, ascii)]), maxLineBytes ? { maxLineBytes } : {});
  return { lines, result };
}
/** Both readers on one file: the same lines, or the same error. */
async function bothReaders(path: string, maxLineBytes?: number) {
  const settle = (p: Promise<{ lines: Array<[number, string]> }>) => p.then((r) => ({ lines: r.lines, error: null }), (e: unknown) => ({ lines: [], error: String(e) }));
  const [text, bytes] = await Promise.all([settle(collect(path, maxLineBytes)), settle(collectBytes(path, maxLineBytes))]);
  expect(bytes).toEqual(text);
  return text;
}
async function errorOf(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('readLines', () => {
  it('numbers lines from 1, strips CRLF and keeps an unterminated last line', async () => {
    const { lines, result } = await collect(file('crlf.log', '[    1.000000] a\r\n[    2.000000] b\r\nlast'));
    expect(lines).toEqual([
      [1, '[    1.000000] a'],
      [2, '[    2.000000] b'],
      [3, 'last'],
    ]);
    expect(result).toEqual({ lines: 3, bytes: 40, unterminated: true });
  });

  it('keeps lines intact across chunk boundaries, including multi-byte characters', async () => {
    const long = Array.from({ length: 40000 }, (_, i) => `line ${i} ünïcödé`).join('\n') + '\n';
    const { lines } = await collect(file('big.log', long));
    expect(lines).toHaveLength(40000);
    expect(lines[39999]).toEqual([40000, 'line 39999 ünïcödé']);
    expect(lines.every(([no, text]) => text === `line ${no - 1} ünïcödé`)).toBe(true);
  });

  it('rejects a binary file, naming the line of the first NUL byte', async () => {
    const err = await errorOf(collect(file('bin.log', Buffer.from('ok\nok\nbad\0byte\n'))));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/bin\.log:3: binary data/);
  });

  it('rejects invalid UTF-8, naming the line', async () => {
    const err = await errorOf(collect(file('latin1.log', Buffer.concat([Buffer.from('a\nb\n'), Buffer.from([0x63, 0xff, 0x0a])]))));
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/invalid UTF-8/);
  });

  it('rejects a line over the limit without holding it', async () => {
    const err = await errorOf(collect(file('huge.log', 'short\n' + 'x'.repeat(3 * 1024 * 1024)), 1 << 20));
    expect(err.line).toBe(2);
    expect(err.message).toMatch(/longer than 1024 KiB/);
  });

  it('readLineBytes and readLines agree: errors in file order, the limit in bytes, one BOM stripped on line 1 only', async () => {
    // An over-long line before an invalid one: the over-long line is the error (file order).
    const longThenBad = await bothReaders(file('order.log', Buffer.concat([Buffer.from('a\n' + 'x'.repeat(3000) + '\n'), Buffer.from([0x63, 0xff, 0x0a])])), 1000);
    expect(longThenBad.error).toMatch(/order\.log:2: line longer than/);
    // 600 × é is 600 characters but 1200 bytes: over a 1000-byte limit for both.
    const wide = await bothReaders(file('wide.log', 'a\n' + 'é'.repeat(600) + '\nb\n'), 1000);
    expect(wide.error).toMatch(/wide\.log:2: line longer/);
    // Line 615 starts the second ~60 KiB decode piece of readLines: its U+FEFF is text, not a BOM. Line 1 has two:
    // the first is the BOM, the second is text.
    const lines = ['\ufeff\ufefffirst', ...Array.from({ length: 700 }, (_, i) => `line ${String(i + 2).padStart(4, '0')} `.padEnd(99, '.'))];
    lines[614] = '\ufeff' + lines[614]!.slice(3);
    const boms = await bothReaders(file('bom.log', lines.join('\n') + '\n'));
    expect(boms.error).toBeNull();
    expect(boms.lines[0]).toEqual([1, '\ufefffirst']);
    expect(boms.lines[614]![1].charCodeAt(0)).toBe(0xfeff);
    expect(boms.lines.filter(([, t]) => t.includes('\ufeff'))).toHaveLength(2);
  });

  it('names a missing file', async () => {
    const err = await errorOf(collect(join(dir, 'nope.log')));
    expect(err.message).toBe(`${join(dir, 'nope.log')}: no such file`);
  });

  it('names a directory given where a file is expected', async () => {
    const err = await errorOf(collect(dir));
    expect(err.message).toBe(`${dir}: is a directory`);
    const head = await errorOf(headLines(dir, 3));
    expect(head.message).toBe(`${dir}: is a directory`);
  });

  it('headLines returns only the first lines', async () => {
    expect(await headLines(file('head.log', 'a\nb\nc\nd\n'), 2)).toEqual(['a', 'b']);
  });
});
