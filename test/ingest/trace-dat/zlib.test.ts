// trace.dat v7 compressed with zlib. Debian's trace-cmd 3.1.6 on this machine is built with zstd only (`trace-cmd list
// -c`: zstd; `trace-cmd report -i` of a zlib file: "error reading header"), so no zlib file can be recorded here. Two
// kinds of real zlib files are read instead:
// - real v7 zstd files (fixtures/trace-dat/overrun.dat, two-buffers-v7.dat and dat-n0x3's trace.dat) converted by
//   zlib-dat.ts: every block re-compressed with node:zlib the way trace-cmd writes zlib (compress2 at
//   Z_BEST_COMPRESSION: a zlib stream, not raw deflate), every offset rewritten;
// - fixtures/trace-dat/overrun-zlib.dat, written by trace-cmd itself: `trace-cmd convert --compression zlib` of
//   overrun.dat with trace-cmd 3.1.6 built from its sources (rostedt/trace-cmd 0a68daed) against Debian's zlib 1.2.13.
// That zlib-enabled trace-cmd also reads the three converted files: its `report -i` of each is byte-identical to its
// report of the zstd original (checked by hand, see fixtures/README.md; the suite does not build trace-cmd).
// Asserted: the zlib copies give exactly the events, diagnostics and counts of the zstd originals, the dat-n0x3 copy
// the same analyze results (probes, placements, findings); a corrupt zlib block is a one-line error naming the file
// and byte (exit 2 through the CLI) in metadata, and a warning naming the CPU and byte in trace data, as with zstd.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import type { TraceEvent } from '../../../src/ingest/trace-events.types.js';
import { readTraceDat } from '../../../src/ingest/trace-dat/read-trace-dat.js';
import { readMetadata } from '../../../src/ingest/trace-dat/file-header.js';
import { DatFile, TraceDatError } from '../../../src/ingest/trace-dat/dat-file.js';
import { loadBoot } from '../../../src/pipeline/load-boot.js';
import { captureWith, DAT_FIXTURE } from './dat-fixtures.js';
import { zstdDatToZlib, type ZlibConversion } from './zlib-dat.js';

const FIXTURES = new URL('../../../fixtures/trace-dat/', import.meta.url).pathname;
const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'trace-probe-zlib-'));

const ORIGINALS: Record<string, string> = {
  'overrun.dat': join(FIXTURES, 'overrun.dat'),
  'two-buffers-v7.dat': join(FIXTURES, 'two-buffers-v7.dat'),
  'dat-n0x3.dat': join(DAT_FIXTURE, 'trace.dat'),
};

const conversions = new Map<string, ZlibConversion>();
/** The zlib copy of an original, written once into the temporary directory. */
function converted(name: string): { path: string; conversion: ZlibConversion } {
  let c = conversions.get(name);
  if (c === undefined) {
    c = zstdDatToZlib(readFileSync(ORIGINALS[name]!));
    conversions.set(name, c);
    writeFileSync(join(dir, `zlib-${name}`), c.bytes);
  }
  return { path: join(dir, `zlib-${name}`), conversion: c };
}

/** A copy of `bytes` with `change` applied, written as `name`. */
function damaged(bytes: Buffer, name: string, change: (b: Buffer) => void): string {
  const copy = Buffer.from(bytes);
  change(copy);
  const path = join(dir, name);
  writeFileSync(path, copy);
  return path;
}

/** Events and diagnostics of a read, with the file's path replaced by FILE (the copies have other names). */
function read(path: string) {
  const events: TraceEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  const result = readTraceDat(path, (e) => events.push(e), (d) => diagnostics.push(d));
  const text = JSON.stringify({ events, diagnostics, result }).split(JSON.stringify(path).slice(1, -1)).join('FILE');
  return { events, diagnostics, result, text };
}

function metadata(path: string) {
  const file = new DatFile(path);
  try {
    return readMetadata(file);
  } finally {
    file.close();
  }
}

function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('trace.dat v7 with zlib compression', () => {
  it('the converted files are in trace-cmd\'s zlib layout: header `zlib\\0<version>\\0`, zlib streams (compress2, level 9) in sections and chunks', () => {
    const counts: Record<string, [number, number]> = {};
    for (const name of Object.keys(ORIGINALS)) {
      const { path, conversion } = converted(name);
      const m = metadata(path);
      expect([m.version, m.compression, m.compressionName]).toEqual([7, 'zlib', 'zlib']);
      const head = conversion.bytes.toString('latin1', 0, 64);
      expect(head).toContain(`\0zlib\0${conversion.version}\0`);
      // Every block is a zlib stream: CMF 0x78 (deflate, 32 KB window), FLG 0xda (level 9), never raw deflate.
      for (const b of conversion.blocks) expect(conversion.bytes.readUInt16BE(b.at)).toBe(0x78da);
      counts[name] = [conversion.blocks.filter((b) => b.section !== 3).length, conversion.blocks.filter((b) => b.section === 3).length];
    }
    // Sections HEADER_INFO, FTRACE_EVENTS, EVENT_FORMATS, KALLSYMS, PRINTK, CMDLINES, STRINGS, and the trace data
    // chunks (10 pages each, tcmd_out_copy_fd_compress's PAGES_IN_CHUNK).
    expect(counts).toEqual({ 'overrun.dat': [7, 4], 'two-buffers-v7.dat': [7, 13], 'dat-n0x3.dat': [7, 14] });
    // trace-cmd's own zlib file has the same block header: compress2 at Z_BEST_COMPRESSION.
    const own = readFileSync(join(FIXTURES, 'overrun-zlib.dat'));
    expect(own.toString('latin1', 0, 40)).toContain('\0zlib\x001.2.13\0');
    const tc = metadata(join(FIXTURES, 'overrun-zlib.dat'));
    expect([tc.version, tc.compression]).toEqual([7, 'zlib']);
  });

  it.each(Object.keys(ORIGINALS))('%s: the zlib copy gives exactly the events, diagnostics and counts of the zstd original', (name) => {
    const zstd = read(ORIGINALS[name]!);
    const zlib = read(converted(name).path);
    expect(zstd.events.length).toBeGreaterThan(1000);
    expect(zlib.events.length).toBe(zstd.events.length);
    expect(zlib.text).toBe(zstd.text);
  });

  it('overrun-zlib.dat (written by trace-cmd convert --compression zlib): the events and lost-event warnings of overrun.dat', () => {
    const zstd = read(ORIGINALS['overrun.dat']!);
    const zlib = read(join(FIXTURES, 'overrun-zlib.dat'));
    expect(zlib.events).toHaveLength(2521);
    expect(zlib.diagnostics.map((d) => d.message)).toEqual(zstd.diagnostics.map((d) => d.message));
    expect(zlib.diagnostics.length).toBeGreaterThan(0);
    expect(zlib.text).toBe(zstd.text);
  });

  it('analyze of dat-n0x3 with the zlib trace.dat: the probes, placements, findings and diagnostics of the zstd one', async () => {
    const zstdDir = captureWith('trace.dat');
    const zlibDir = join(dir, 'capture-zlib');
    mkdirSync(zlibDir, { recursive: true });
    for (const name of ['dmesg.log', 'topology.csv', 'node-cpulist.txt', 'cpus.txt', 'pci-numa.txt']) copyFileSync(join(zstdDir, name), join(zlibDir, name));
    copyFileSync(converted('dat-n0x3.dat').path, join(zlibDir, 'trace.dat'));
    const zstd = await loadBoot([zstdDir]);
    const zlib = await loadBoot([zlibDir]);
    const placement = (b: typeof zstd) => b.probes.map((p) => [p.device, p.driver, p.node, p.cpu, p.worker?.comm, p.worker?.pid, p.queuedBy?.comm, p.status]);
    expect(placement(zlib)).toEqual(placement(zstd));
    expect(zlib.probes.filter((p) => p.driver === 'nvme').map((p) => [p.device, p.cpu, p.worker?.comm])).toEqual([
      ['0000:21:00.0', 0, 'kworker/0:1'],
      ['0000:22:00.0', 0, 'kworker/0:1'],
      ['0000:23:00.0', 0, 'kworker/0:2'],
    ]);
    expect(zlib.findings.map((f) => f.kind)).toEqual(['bound-queue-serialization', 'synchronous-probe']);
    const shape = (b: typeof zstd, d: string) =>
      JSON.stringify({ probes: b.probes, findings: b.findings, kernel: b.kernel, topology: b.topology, initcalls: b.initcalls, diagnostics: b.diagnostics })
        .split(d)
        .join('CAPTURE');
    expect(shape(zlib, zlibDir)).toBe(shape(zstd, zstdDir));
  });

  it('a corrupt zlib block in a metadata section: a TraceDatError naming the file, the byte and the section, as for zstd', () => {
    const { conversion } = converted('overrun.dat');
    const formats = conversion.blocks.find((b) => b.section === 18)!;
    const zstdBytes = readFileSync(ORIGINALS['overrun.dat']!);
    const cases = [
      // The zlib header: its check bits (CMF * 256 + FLG a multiple of 31) wrong.
      { path: damaged(conversion.bytes, 'bad-header.dat', (b) => b.writeUInt16BE(0x78db, formats.at)), at: formats.at, reason: /zlib data does not decompress: incorrect header check$/ },
      // The Adler-32 of the data (a zlib stream checks what it decompressed).
      { path: damaged(conversion.bytes, 'bad-adler.dat', (b) => (b[formats.at + formats.zsize - 1]! ^= 0xff)), at: formats.at, reason: /zlib data does not decompress: incorrect data check$/ },
      // The uncompressed size word before the block (8 bytes before it: zsize, usize) smaller or larger than the data.
      { path: damaged(conversion.bytes, 'small-usize.dat', (b) => b.writeUInt32LE(formats.usize - 1, formats.at - 4)), at: formats.at, reason: new RegExp(`zlib data does not decompress: decompresses to more than the ${formats.usize - 1} bytes the file says$`) },
      { path: damaged(conversion.bytes, 'large-usize.dat', (b) => b.writeUInt32LE(formats.usize + 1, formats.at - 4)), at: formats.at, reason: new RegExp(`zlib data does not decompress: decompressed to ${formats.usize} bytes, the file says ${formats.usize + 1}$`) },
      // The same section's zstd frame in the original (its magic).
      { path: damaged(zstdBytes, 'bad-zstd.dat', (b) => b.writeUInt32LE(0, formats.originalAt)), at: formats.originalAt, reason: /zstd data does not decompress/ },
    ];
    for (const c of cases) {
      let error: unknown;
      try {
        read(c.path);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(TraceDatError);
      const message = (error as Error).message;
      expect(message.split('\n')).toHaveLength(1);
      expect(message.startsWith(`${c.path}: byte ${c.at} (event formats section): `)).toBe(true);
      expect(message).toMatch(c.reason);
    }
  });

  it('a corrupt zlib block through the CLI: one line naming the file and byte, exit 2', async () => {
    const { conversion } = converted('overrun.dat');
    const headerInfo = conversion.blocks.find((b) => b.section === 16)!;
    const path = damaged(conversion.bytes, 'cli-bad.dat', (b) => (b[headerInfo.at + headerInfo.zsize - 2]! ^= 0x55));
    const r = await run('analyze', path);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`trace-probe: ${path}: byte ${headerInfo.at} (header info section): zlib data does not decompress: incorrect data check`);
  });

  it('a corrupt zlib chunk of trace data: a warning naming the CPU and byte, that CPU\'s later events missing, as for zstd', () => {
    const { conversion } = converted('overrun.dat');
    // The second chunk of instance "probe"'s CPU 1 (pages 10-16 of its 17).
    const chunk = conversion.blocks.find((b) => b.section === 3 && b.cpu === 1 && b.chunk === 1)!;
    const zstdBytes = readFileSync(ORIGINALS['overrun.dat']!);
    const zlib = read(damaged(conversion.bytes, 'bad-chunk.dat', (b) => (b[chunk.at + chunk.zsize - 1]! ^= 0xff)));
    const zstd = read(damaged(zstdBytes, 'bad-chunk-zstd.dat', (b) => b.writeUInt32LE(0, chunk.originalAt)));
    const whole = read(ORIGINALS['overrun.dat']!);
    const warning = (m: Diagnostic[]) => m.map((d) => d.message).filter((x) => x.includes('does not decompress'));
    expect(warning(zlib.diagnostics)).toEqual([
      `instance "probe": CPU 1: the chunk at byte ${chunk.at} does not decompress (incorrect data check); the rest of this CPU's data is skipped`,
    ]);
    expect(warning(zstd.diagnostics)).toHaveLength(1);
    expect(warning(zstd.diagnostics)[0]).toMatch(new RegExp(`^instance "probe": CPU 1: the chunk at byte ${chunk.originalAt} does not decompress \\(.+\\); the rest of this CPU's data is skipped$`));
    // Both keep the same events: all of CPU 0, CPU 1's first ten pages.
    const key = (e: TraceEvent) => JSON.stringify({ ...e, source: null });
    expect(zlib.events.map(key)).toEqual(zstd.events.map(key));
    expect(zlib.events.filter((e) => e.cpu === 0).map(key)).toEqual(whole.events.filter((e) => e.cpu === 0).map(key));
    const cpu1 = zlib.events.filter((e) => e.cpu === 1).length;
    expect(cpu1).toBeGreaterThan(0);
    expect(cpu1).toBeLessThan(whole.events.filter((e) => e.cpu === 1).length);
  });
});
