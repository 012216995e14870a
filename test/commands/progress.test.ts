import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { showReadProgress } from '../../src/commands/progress.js';
import { readLines } from '../../src/ingest/lines.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');

/** A file of `lines` dmesg lines (3 MiB for 40,000), enough for several 1 MiB chunks. */
function bigLog(lines: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tp-progress-')), 'dmesg.log');
  const text = Array.from({ length: lines }, (_, i) => `[${(1 + i / 1000).toFixed(6).padStart(12)}] probe of dev${i} returned 0 after 5 usecs, padding the line to about eighty`).join('\n');
  writeFileSync(file, `${text}\n`);
  return file;
}

describe('read progress on stderr', () => {
  const file = bigLog(40_000);

  it('on a terminal: one line rewritten in place (file, MB read of MB, MB/s), cleared when the file is read', async () => {
    const written: string[] = [];
    let clock = 0;
    const stop = showReadProgress({ isTTY: true, columns: 120, write: (t) => written.push(t) }, { minBytes: 0, intervalMs: 0, now: () => (clock += 100) });
    await readLines(file, () => {});
    stop();
    expect(written.length).toBeGreaterThanOrEqual(3);
    expect(written[0]).toMatch(/^\rreading dmesg\.log: 1\.0 of 3\.\d MB \(\d+ %\)\x1b\[K$/);
    // From the second chunk on, the speed (here 1 MiB per 100 ms of the test's clock).
    expect(written[1]).toMatch(/^\rreading dmesg\.log: 2\.0 of 3\.\d MB \(\d+ %\), 10\.0 MB\/s\x1b\[K$/);
    expect(written[written.length - 1]).toBe('\r\x1b[K');
  });

  it('not on a terminal (a file, a pipe): nothing at all', async () => {
    const written: string[] = [];
    const stop = showReadProgress({ isTTY: false, write: (t) => written.push(t) }, { minBytes: 0, intervalMs: 0 });
    await readLines(file, () => {});
    stop();
    expect(written).toEqual([]);
  });

  it('the command: nothing on a piped stderr, the progress line on a pseudo-terminal (script(1))', () => {
    const big = bigLog(300_000);
    const piped = spawnSync(process.execPath, [CLI, 'analyze', big], { encoding: 'utf8', env: { ...process.env, TRACE_PROBE_PROGRESS_MIN_BYTES: '0' } });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    if (!existsSync('/usr/bin/script')) return;
    const tty = spawnSync('/usr/bin/script', ['-qec', `${process.execPath} ${CLI} analyze ${big} > /dev/null`, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, TRACE_PROBE_PROGRESS_MIN_BYTES: '0' },
    });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/\rreading dmesg\.log: [\d.]+ of [\d.]+ MB \(\d+ %\)/);
  }, 60_000);
});
