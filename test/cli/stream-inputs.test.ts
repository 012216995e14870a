// Any way the text arrives (issue 14 item 1, issue 17 item 5): `-` and pipes, process substitution (/dev/fd/N),
// files whose size the kernel reports as 0 (procfs, tracefs), gzip/xz/zstd-compressed and UTF-16 text; a binary
// file says what it looks like. Runs the built command (`npm test` builds first), as R12_stat_size_zero_inputs.sh does.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const DMESG = 'fixtures/captures/n0x3/dmesg.log';
const dir = mkdtempSync(join(tmpdir(), 'tp-stream-'));

interface Boot {
  inputs: Array<{ path: string; format: string; lines: number }>;
  kernel: { release: string | null };
  probes: Array<{ device: string; startNs: number | null; durationNs: number }>;
  diagnostics: Array<{ line: number | null; message: string }>;
}

/** Runs a command without blocking the test worker (a long synchronous spawn stalls vitest's RPC under load). */
function run(command: string, args: string[], input?: Buffer | string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

async function analyze(args: string[], input?: Buffer | string): Promise<{ code: number | null; boot: Boot | null; stderr: string }> {
  const r = await run(process.execPath, [CLI, 'analyze', ...args, '--json'], input);
  return { code: r.code, boot: r.code === 0 ? (JSON.parse(r.stdout) as Boot) : null, stderr: r.stderr };
}

const whole = (await analyze([DMESG])).boot!;
/** The probes without their sources (which name the input as given). */
const spans = (boot: Boot) => boot.probes.map((p) => [p.device, p.startNs, p.durationNs]);

describe('inputs that are streams', () => {
  it('`-` reads standard input (a pipe)', async () => {
    const r = await analyze(['-'], readFileSync(DMESG));
    expect(r.code).toBe(0);
    expect(r.boot!.inputs[0]).toMatchObject({ path: '-', format: 'dmesg', lines: whole.inputs[0]!.lines });
    expect(spans(r.boot!)).toEqual(spans(whole));
  });

  it('/dev/stdin from a pipe', async () => {
    const r = await analyze(['/dev/stdin'], readFileSync(DMESG));
    expect(r.boot!.inputs[0]).toMatchObject({ path: '/dev/stdin', format: 'dmesg' });
    expect(r.boot!.kernel.release).toBe(whole.kernel.release);
  });

  it('process substitution (/dev/fd/N)', async () => {
    const r = await run('bash', ['-c', `"${process.execPath}" "${CLI}" analyze <(cat ${DMESG}) --json`]);
    expect(r.code).toBe(0);
    const boot = JSON.parse(r.stdout) as Boot;
    expect(boot.inputs[0]!.path).toMatch(/^\/dev\/fd\/\d+$/);
    expect(spans(boot)).toEqual(spans(whole));
  });

  it('an empty pipe is an empty input, not a crash', async () => {
    const r = await analyze(['-'], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trace-probe: -: empty input/);
  });

  it.skipIf(!existsSync('/proc/version'))('a procfs file (stat size 0): /proc/version gives the running kernel release', async () => {
    const r = await analyze(['/proc/version']);
    expect(r.code).toBe(0);
    expect(r.boot!.kernel.release).toBe(release());
  });

  // tracefs: a private instance, so the top-level buffer other users may be recording into is left alone.
  const tracefs = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'].find((d) => existsSync(join(d, 'instances')));
  it.skipIf(tracefs === undefined)('a tracefs trace file (stat size 0) is read as a stream (skipped where tracefs is absent)', async () => {
    const instance = join(tracefs!, 'instances', `trace-probe-test-${process.pid}`);
    let created = false;
    try {
      mkdirSync(instance);
      created = true;
      writeFileSync(join(instance, 'events/sched/sched_switch/enable'), '1');
      await new Promise((resolve) => setTimeout(resolve, 300));
      writeFileSync(join(instance, 'tracing_on'), '0');
      const r = await analyze([join(instance, 'trace')]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.boot!.inputs[0]!.format).toBe('ftrace');
      // The header alone is 11 lines; two CPUs switching tasks for 0.3 s print more.
      expect(r.boot!.inputs[0]!.lines).toBeGreaterThan(11);
    } finally {
      if (created) rmdirSync(instance);
    }
    // The top-level trace file too (only read: reading `trace` does not consume the buffer).
    const top = await analyze([join(tracefs!, 'trace')]);
    expect(top.stderr).not.toMatch(/empty file/);
  });
});

const plain = await analyze(['fixtures/compressed/plain-head.log']);

describe('compressed and re-encoded text', () => {

  it.each(['gz', 'xz', 'zst'])('dmesg.log.%s is read as the text it holds', async (z) => {
    const r = await analyze([`fixtures/compressed/dmesg.log.${z}`]);
    expect(r.code).toBe(0);
    expect(r.boot!.inputs[0]).toMatchObject({ path: `fixtures/compressed/dmesg.log.${z}`, format: 'dmesg', lines: 300 });
    expect(r.boot!.kernel.release).toBe('6.1.0-50-amd64');
    expect(r.boot!.kernel.release).toBe(plain.boot!.kernel.release);
  });

  it('a zstd trace and a gzip pipe', async () => {
    expect((await analyze(['fixtures/compressed/trace.txt.zst'])).boot!.inputs[0]).toMatchObject({ format: 'ftrace', lines: 400 });
    const r = await analyze(['-'], readFileSync('fixtures/compressed/dmesg.log.gz'));
    expect(r.boot!.inputs[0]).toMatchObject({ path: '-', format: 'dmesg', lines: 300 });
  });

  it('a cut gzip file keeps what was decompressed and says so', async () => {
    const gz = gzipSync(readFileSync(DMESG));
    const path = join(dir, 'cut.log.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const r = await analyze([path]);
    expect(r.code).toBe(0);
    expect(r.boot!.diagnostics[0]).toMatchObject({ line: null, message: expect.stringMatching(/^the gzip data ends early or is damaged/) });
    expect(r.boot!.inputs[0]!.lines).toBeGreaterThan(100);
  });

  it('a capture directory with a compressed dmesg.log.gz', async () => {
    const capture = join(dir, 'capture');
    mkdirSync(capture);
    copyFileSync('fixtures/compressed/dmesg.log.gz', join(capture, 'dmesg.log.gz'));
    const r = await analyze([capture]);
    expect(r.boot!.inputs.map((i) => i.format)).toEqual(['dmesg']);
  });

  it('a log saved as UTF-16 (a BOM first) is transcoded', async () => {
    const path = join(dir, 'utf16.log');
    const text = readFileSync('fixtures/compressed/plain-head.log', 'utf8');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const r = await analyze([path]);
    expect(r.boot!.inputs[0]).toMatchObject({ format: 'dmesg', lines: 300 });
  });

  it('bzip2 (no well-kept pure-JS decoder used here) says what it is and what to run', async () => {
    const r = await analyze(['fixtures/compressed/dmesg.log.bz2']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('trace-probe: fixtures/compressed/dmesg.log.bz2: binary data: this looks like bzip2-compressed data (run: bzcat fixtures/compressed/dmesg.log.bz2 > fixtures/compressed/dmesg.log.bz2.txt)');
  });

  it('a systemd journal file says what to run', async () => {
    const path = join(dir, 'system.journal');
    writeFileSync(path, Buffer.concat([Buffer.from('LPKSHHRH'), Buffer.alloc(256, 0)]));
    expect((await analyze([path])).stderr).toMatch(/this looks like a systemd journal file \(run: journalctl --file .*system\.journal -k -b -o short-monotonic/);
  });
});
