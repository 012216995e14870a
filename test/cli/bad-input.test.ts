// Bad input: a one-line error naming the file (and line where it applies), exit code 2, never a
// stack trace. Runs the built command (`npm test` builds first).

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'tp-bad-'));

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking the test worker (a long synchronous spawn stalls vitest's RPC under load). */
function run(...args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null;
      resolve({ code, stdout, stderr });
    });
  });
}

function expectOneLineError(result: RunResult, pattern: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^trace-probe: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at |Error:/);
}

describe('analyze rejects bad input with one line and exit 2', () => {
  it('a missing file', async () => {
    expectOneLineError(await run('analyze', join(dir, 'missing.log')), /missing\.log: no such file/);
  });

  it('a directory with nothing known in it', async () => {
    const empty = join(dir, 'empty-capture');
    mkdirSync(empty);
    writeFileSync(join(empty, 'notes.md'), '# nothing here\n');
    expectOneLineError(await run('analyze', empty), /empty-capture: no kernel log or trace found/);
  });

  it('a binary file', async () => {
    const path = join(dir, 'vmlinuz');
    writeFileSync(path, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
    expectOneLineError(await run('analyze', path), /vmlinuz: binary data: this looks like an ELF binary/);
  });

  it('an empty file', async () => {
    const path = join(dir, 'empty.log');
    writeFileSync(path, '');
    expectOneLineError(await run('analyze', path), /empty\.log: empty file/);
  });

  it('a file in no known format', async () => {
    const path = join(dir, 'recipe.txt');
    writeFileSync(path, 'Mix the flour and the water.\nBake for 40 minutes.\n');
    expectOneLineError(await run('analyze', path), /recipe\.txt:1: unknown format/);
  });

  it('random bytes (binary by proportion, not one byte)', async () => {
    const path = join(dir, 'random.bin');
    let x = 12345;
    const bytes = Buffer.alloc(8192, 0).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24));
    writeFileSync(path, bytes);
    expectOneLineError(await run('analyze', path), /random\.bin:\d+: (binary data|invalid UTF-8)/);
  });

  it('a kernel log with one invalid UTF-8 byte is read, with a warning naming the line (issue 14)', async () => {
    const path = join(dir, 'latin1.log');
    writeFileSync(path, Buffer.concat([Buffer.from('[    0.000000] Linux version 6.1.0\n[    0.100000] caf'), Buffer.from([0xe9, 0x0a])]));
    const r = await run('analyze', path, '--json');
    expect(r.code).toBe(0);
    const boot = JSON.parse(r.stdout) as { kernel: { release: string }; diagnostics: Array<{ line: number; message: string }> };
    expect(boot.kernel.release).toBe('6.1.0');
    expect(boot.diagnostics).toContainEqual(expect.objectContaining({ line: 2, message: expect.stringMatching(/held NUL bytes or invalid UTF-8 \(line 2\)/) }));
  });

  it('a 100 MB line', async () => {
    const path = join(dir, 'huge.log');
    const fd = openSync(path, 'w');
    writeSync(fd, '[    0.000000] Linux version 6.1.0\n[    0.100000] ');
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 100; i++) writeSync(fd, block);
    writeSync(fd, '\n');
    closeSync(fd);
    expectOneLineError(await run('analyze', path), /huge\.log:2: line longer than/);
  });

  it('a trace.dat whose header is damaged: the byte and the part (a real v7 file, fixtures/trace-dat/overrun.dat)', async () => {
    const bytes = Buffer.from(readFileSync(new URL('../../fixtures/trace-dat/overrun.dat', import.meta.url)));
    // The v7 header's last field (after `zstd\0` `1.5.4\0`) is the offset of the first options section.
    const options = Number(bytes.readBigUInt64LE(29));
    expect(options).toBe(148763);
    bytes.writeUInt16LE(0x5555, options);
    const damaged = join(dir, 'damaged.dat');
    writeFileSync(damaged, bytes);
    expectOneLineError(await run('analyze', damaged), /damaged\.dat: byte 148763 \(options section\): section id 21845, expected 0$/);
    const cut = join(dir, 'cut.dat');
    writeFileSync(cut, bytes.subarray(0, 100000));
    expectOneLineError(await run('analyze', cut), /cut\.dat: byte 148763 \(options section\): the file ends at byte 100000, before this options section \(file cut\?\)/);
  });

  it('an unknown option is a usage error', async () => {
    const r = await run('analyze', '--no-such-option', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
