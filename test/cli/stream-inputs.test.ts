// Any way the text arrives (issue 14 item 1, issue 17 item 5): `-` and pipes, process substitution (/dev/fd/N),
// files whose size the kernel reports as 0 (procfs, tracefs), gzip/xz/zstd-compressed and UTF-16 text; a binary
// file says what it looks like. Runs the built command (`npm test` builds first), as R12_stat_size_zero_inputs.sh does.

import { spawnSync } from 'node:child_process';
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

function analyze(args: string[], input?: Buffer | string): { code: number | null; boot: Boot | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'analyze', ...args, '--json'], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, boot: r.status === 0 ? (JSON.parse(r.stdout) as Boot) : null, stderr: r.stderr };
}

const whole = analyze([DMESG]).boot!;
/** The probes without their sources (which name the input as given). */
const spans = (boot: Boot) => boot.probes.map((p) => [p.device, p.startNs, p.durationNs]);

describe('inputs that are streams', () => {
  it('`-` reads standard input (a pipe)', () => {
    const r = analyze(['-'], readFileSync(DMESG));
    expect(r.code).toBe(0);
    expect(r.boot!.inputs[0]).toMatchObject({ path: '-', format: 'dmesg', lines: whole.inputs[0]!.lines });
    expect(spans(r.boot!)).toEqual(spans(whole));
  });

  it('/dev/stdin from a pipe', () => {
    const r = analyze(['/dev/stdin'], readFileSync(DMESG));
    expect(r.boot!.inputs[0]).toMatchObject({ path: '/dev/stdin', format: 'dmesg' });
    expect(r.boot!.kernel.release).toBe(whole.kernel.release);
  });

  it('process substitution (/dev/fd/N)', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" analyze <(cat ${DMESG}) --json`], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status).toBe(0);
    const boot = JSON.parse(r.stdout) as Boot;
    expect(boot.inputs[0]!.path).toMatch(/^\/dev\/fd\/\d+$/);
    expect(spans(boot)).toEqual(spans(whole));
  });

  it('an empty pipe is an empty input, not a crash', () => {
    const r = analyze(['-'], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trace-probe: -: empty input/);
  });

  it.skipIf(!existsSync('/proc/version'))('a procfs file (stat size 0): /proc/version gives the running kernel release', () => {
    const r = analyze(['/proc/version']);
    expect(r.code).toBe(0);
    expect(r.boot!.kernel.release).toBe(release());
  });

  // tracefs: a private instance, so the top-level buffer other users may be recording into is left alone.
  const tracefs = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'].find((d) => existsSync(join(d, 'instances')));
  it.skipIf(tracefs === undefined)('a tracefs trace file (stat size 0) is read as a stream (skipped where tracefs is absent)', () => {
    const instance = join(tracefs!, 'instances', `trace-probe-test-${process.pid}`);
    let created = false;
    try {
      mkdirSync(instance);
      created = true;
      writeFileSync(join(instance, 'events/sched/sched_switch/enable'), '1');
      spawnSync('sleep', ['0.3']);
      writeFileSync(join(instance, 'tracing_on'), '0');
      const r = analyze([join(instance, 'trace')]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.boot!.inputs[0]!.format).toBe('ftrace');
      // The header alone is 11 lines; two CPUs switching tasks for 0.3 s print more.
      expect(r.boot!.inputs[0]!.lines).toBeGreaterThan(11);
    } finally {
      if (created) rmdirSync(instance);
    }
    // The top-level trace file too (only read: reading `trace` does not consume the buffer).
    const top = analyze([join(tracefs!, 'trace')]);
    expect(top.stderr).not.toMatch(/empty file/);
  });
});

describe('compressed and re-encoded text', () => {
  const plain = analyze(['fixtures/compressed/plain-head.log']);

  it.each(['gz', 'xz', 'zst'])('dmesg.log.%s is read as the text it holds', (z) => {
    const r = analyze([`fixtures/compressed/dmesg.log.${z}`]);
    expect(r.code).toBe(0);
    expect(r.boot!.inputs[0]).toMatchObject({ path: `fixtures/compressed/dmesg.log.${z}`, format: 'dmesg', lines: 300 });
    expect(r.boot!.kernel.release).toBe('6.1.0-50-amd64');
    expect(r.boot!.kernel.release).toBe(plain.boot!.kernel.release);
  });

  it('a zstd trace and a gzip pipe', () => {
    expect(analyze(['fixtures/compressed/trace.txt.zst']).boot!.inputs[0]).toMatchObject({ format: 'ftrace', lines: 400 });
    const r = analyze(['-'], readFileSync('fixtures/compressed/dmesg.log.gz'));
    expect(r.boot!.inputs[0]).toMatchObject({ path: '-', format: 'dmesg', lines: 300 });
  });

  it('a cut gzip file keeps what was decompressed and says so', () => {
    const gz = gzipSync(readFileSync(DMESG));
    const path = join(dir, 'cut.log.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const r = analyze([path]);
    expect(r.code).toBe(0);
    expect(r.boot!.diagnostics[0]).toMatchObject({ line: null, message: expect.stringMatching(/^the gzip data ends early or is damaged/) });
    expect(r.boot!.inputs[0]!.lines).toBeGreaterThan(100);
  });

  it('a capture directory with a compressed dmesg.log.gz', () => {
    const capture = join(dir, 'capture');
    mkdirSync(capture);
    copyFileSync('fixtures/compressed/dmesg.log.gz', join(capture, 'dmesg.log.gz'));
    const r = analyze([capture]);
    expect(r.boot!.inputs.map((i) => i.format)).toEqual(['dmesg']);
  });

  it('a log saved as UTF-16 (a BOM first) is transcoded', () => {
    const path = join(dir, 'utf16.log');
    const text = readFileSync('fixtures/compressed/plain-head.log', 'utf8');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const r = analyze([path]);
    expect(r.boot!.inputs[0]).toMatchObject({ format: 'dmesg', lines: 300 });
  });

  it('bzip2 (no well-kept pure-JS decoder used here) says what it is and what to run', () => {
    const r = analyze(['fixtures/compressed/dmesg.log.bz2']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('trace-probe: fixtures/compressed/dmesg.log.bz2: binary data: this looks like bzip2-compressed data (run: bzcat fixtures/compressed/dmesg.log.bz2 > fixtures/compressed/dmesg.log.bz2.txt)');
  });

  it('a systemd journal file says what to run', () => {
    const path = join(dir, 'system.journal');
    writeFileSync(path, Buffer.concat([Buffer.from('LPKSHHRH'), Buffer.alloc(256, 0)]));
    expect(analyze([path]).stderr).toMatch(/this looks like a systemd journal file \(run: journalctl --file .*system\.journal -k -b -o short-monotonic/);
  });
});
