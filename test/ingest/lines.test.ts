import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/ingest/input-error.js';
import { headLines, readLines } from '../../src/ingest/lines.js';

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
