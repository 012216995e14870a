// Ring-buffer and header cases the real recordings do not all cover, on small synthetic v6 files
// (synthetic-dat.ts): both byte orders and kernel long sizes, every event header type, lost events, damaged
// pages and cut files.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/core/diagnostics.js';
import type { TraceEvent } from '../../../src/ingest/trace-events.types.js';
import { readTraceDat } from '../../../src/ingest/trace-dat/read-trace-dat.js';
import { InputError } from '../../../src/core/input-error.js';
import { synthTraceDat, WORK_FN, type SynthOptions, type SynthPage } from './synthetic-dat.js';

const dir = mkdtempSync(join(tmpdir(), 'trace-probe-synth-'));
let n = 0;

function read(bytes: Buffer) {
  const path = join(dir, `t${n++}.dat`);
  writeFileSync(path, bytes);
  const events: TraceEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  const result = readTraceDat(path, (e) => events.push(e), (d) => diagnostics.push(d));
  return { path, events, diagnostics, result };
}

const CPU0: SynthPage[] = [
  {
    ts: 1_000_000_000,
    records: [
      { kind: 'wakeup', delta: 100, pid: 1, comm: 'kworker/0:1', targetPid: 42, targetCpu: 0 },
      { kind: 'switch', delta: 50, pid: 1, prevComm: 'init', prevPid: 1, prevState: 0x100, nextComm: 'kworker/0:1', nextPid: 42 },
      // A delta too large for 27 bits: a time extend before the event.
      { kind: 'extend', delta: 500_000_000 },
      { kind: 'execute_start', delta: 7, pid: 42, work: 0xff821c5a00367d38n, fn: WORK_FN + 0x100n + 0x44n },
      { kind: 'pad', delta: 3, length: 12 },
      { kind: 'marker', delta: 10, pid: 77, text: `lab: ${'x'.repeat(150)}` },
    ],
  },
  {
    ts: 1_600_000_000,
    lost: 17,
    records: [
      { kind: 'switch', delta: 0, pid: 42, prevComm: 'kworker/0:1', prevPid: 42, prevState: 0x2, nextComm: 'swapper/0', nextPid: 0 },
      { kind: 'absolute', ts: 1_700_000_000 },
      { kind: 'switch', delta: 1, pid: 0, prevComm: 'swapper/0', prevPid: 0, prevState: 0, nextComm: 'modprobe', nextPid: 77 },
    ],
  },
];
const CPU1: SynthPage[] = [
  {
    ts: 1_000_000_120,
    records: [{ kind: 'execute_start', delta: 0, pid: 42, work: 0xff821c5a0054bd38n, fn: WORK_FN }],
  },
];

describe.each<SynthOptions>([
  { bigEndian: false, longSize: 8 },
  { bigEndian: true, longSize: 8 },
  { bigEndian: false, longSize: 4 },
  { bigEndian: true, longSize: 4 },
])('synthetic trace.dat %o', (options) => {
  it('decodes every event header type, merges the CPUs by time and reports the lost events', () => {
    const { events, diagnostics, result } = read(synthTraceDat(options, [CPU0, CPU1]));
    const L = options.longSize;
    const brief = events.map((e) => {
      const base = [e.timeNs, e.cpu, e.pid, e.comm, e.type];
      if (e.type === 'sched_switch') return [...base, e.prevComm, e.prevPid, e.prevState, e.nextComm, e.nextPid];
      if (e.type === 'sched_wakeup') return [...base, e.targetComm, e.targetPid, e.targetCpu];
      if (e.type === 'workqueue_execute_start') return [...base, e.work, e.function];
      if (e.type === 'marker') return [...base, e.text.length, e.text.slice(0, 8)];
      return base;
    });
    const work1 = L === 8 ? '0xff821c5a00367d38' : '0x367d38';
    const work2 = L === 8 ? '0xff821c5a0054bd38' : '0x54bd38';
    // With 4-byte longs the function pointers are the low halves: no 32-bit symbol is at or below them.
    const fn1 = L === 8 ? 'nvme_reset_work [nvme]' : '0x81100164';
    const fn2 = L === 8 ? 'async_run_entry_fn' : '0x81100020';
    expect(brief).toEqual([
      [1_000_000_100, 0, 1, 'init', 'sched_wakeup', 'kworker/0:1', 42, 0],
      [1_000_000_120, 1, 42, 'kworker/0:1', 'workqueue_execute_start', work2, fn2],
      [1_000_000_150, 0, 1, 'init', 'sched_switch', 'init', 1, 'R+', 'kworker/0:1', 42],
      [1_500_000_157, 0, 42, 'kworker/0:1', 'workqueue_execute_start', work1, fn1],
      ...(L === 8 ? [[1_500_000_170, 0, 77, 'modprobe', 'marker', 155, 'lab: xxx']] : []),
      [1_600_000_000, 0, 42, 'kworker/0:1', 'sched_switch', 'kworker/0:1', 42, 'D', 'swapper/0', 0],
      [1_700_000_001, 0, 0, '<idle>', 'sched_switch', 'swapper/0', 0, 'R', 'modprobe', 77],
    ]);
    expect(result.header.lostEvents).toEqual([{ cpu: 0, count: 17, source: { file: expect.any(String), line: 7 } }]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      'CPU 0: 17 events lost here (ring buffer overrun): spans crossing this point on CPU 0 are incomplete',
    ]);
    // With 4-byte longs the marker's ip does not resolve to tracing_mark_write: a trace_printk, counted only.
    expect(result.unknownEvents).toBe(L === 8 ? 0 : 1);
  });
});

describe('damaged and cut synthetic files', () => {
  const o: SynthOptions = { bigEndian: false, longSize: 8 };

  it('a page whose commit size is larger than the page is skipped with a warning; the other pages are read', () => {
    const bad: SynthPage = { ts: 1_650_000_000, commitOverride: 9000, records: [] };
    const { events, diagnostics } = read(synthTraceDat(o, [[CPU0[0]!, bad, CPU0[1]!]]));
    expect(events).toHaveLength(6);
    expect(diagnostics.map((d) => d.message)).toContain('CPU 0: page 2 claims 9000 bytes of events in a 4096-byte page; page skipped');
  });

  it('an unknown lost-event count is reported as unknown', () => {
    const { result, diagnostics } = read(synthTraceDat(o, [[{ ...CPU0[1]!, lost: 'unknown' }]]));
    expect(result.header.lostEvents.map((l) => [l.cpu, l.count])).toEqual([[0, null]]);
    expect(diagnostics[0]!.message).toBe('CPU 0: an unknown number of events lost here (ring buffer overrun): spans crossing this point on CPU 0 are incomplete');
  });

  it('a file cut inside its last page: the events wholly there are read, and a warning says what was read', () => {
    const whole = synthTraceDat(o, [CPU0]);
    // Cut inside the second page, after its first event (page header 16 bytes + the 68-byte switch record).
    const cut = whole.subarray(0, whole.length - 4096 + 16 + 68 + 5);
    const { events, diagnostics } = read(cut);
    expect(events.map((e) => e.timeNs)).toEqual([1_000_000_100, 1_000_000_150, 1_500_000_157, 1_500_000_170, 1_600_000_000]);
    expect(diagnostics.map((d) => d.message)).toContainEqual(expect.stringMatching(/^CPU 0: its data should end at byte \d+ but the file ends at byte \d+ \(file cut\?\): 5 events in 2 pages were read/));
  });

  it('a file cut inside its header is an error naming the byte and the part', () => {
    const whole = synthTraceDat(o, [CPU0]);
    const attempt = () => read(whole.subarray(0, 700));
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow(/: byte \d+ \([^)]+\): needs \d+ bytes but the file ends at byte 700 \(file cut\?\)$/);
  });

  it('a bad version or endian flag is an error', () => {
    const whole = Buffer.from(synthTraceDat(o, [CPU0]));
    const v = Buffer.from(whole);
    v[10] = 0x35; // "5"
    expect(() => read(v)).toThrow(/byte 10 \(file header\): file version "5" is not supported/);
    const e = Buffer.from(whole);
    e[12] = 7;
    expect(() => read(e)).toThrow(/byte 12 \(file header\): endian flag 7/);
  });
});
