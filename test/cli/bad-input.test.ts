// Bad input: a one-line error naming the file (and line where it applies), exit code 2, never a
// stack trace. Runs the built command (`npm test` builds first).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'tp-bad-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(result: ReturnType<typeof run>, pattern: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^trace-probe: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at |Error:/);
}

describe('analyze rejects bad input with one line and exit 2', () => {
  it('a missing file', () => {
    expectOneLineError(run('analyze', join(dir, 'missing.log')), /missing\.log: no such file/);
  });

  it('a directory with nothing known in it', () => {
    const empty = join(dir, 'empty-capture');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.md'), '# nothing here\n');
    expectOneLineError(run('analyze', empty), /empty-capture: no kernel log or trace found/);
  });

  it('a binary file', () => {
    const path = join(dir, 'vmlinuz');
    writeFileSync(path, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
    expectOneLineError(run('analyze', path), /vmlinuz:1: binary data/);
  });

  it('an empty file', () => {
    const path = join(dir, 'empty.log');
    writeFileSync(path, '');
    expectOneLineError(run('analyze', path), /empty\.log: empty file/);
  });

  it('a file in no known format', () => {
    const path = join(dir, 'recipe.txt');
    writeFileSync(path, 'Mix the flour and the water.\nBake for 40 minutes.\n');
    expectOneLineError(run('analyze', path), /recipe\.txt:1: unknown format/);
  });

  it('invalid UTF-8', () => {
    const path = join(dir, 'latin1.log');
    writeFileSync(path, Buffer.concat([Buffer.from('[    0.000000] Linux version 6.1.0\n[    0.100000] caf'), Buffer.from([0xe9, 0x0a])]));
    expectOneLineError(run('analyze', path), /latin1\.log:2: invalid UTF-8/);
  });

  it('a 100 MB line', () => {
    const path = join(dir, 'huge.log');
    const fd = openSync(path, 'w');
    writeSync(fd, '[    0.000000] Linux version 6.1.0\n[    0.100000] ');
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 100; i++) writeSync(fd, block);
    writeSync(fd, '\n');
    closeSync(fd);
    expectOneLineError(run('analyze', path), /huge\.log:2: line longer than/);
  });

  it('an unknown option is a usage error', () => {
    const r = run('analyze', '--no-such-option', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
