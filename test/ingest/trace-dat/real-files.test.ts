// trace.dat files recorded by trace-cmd 3.1.6 on Linux 6.1.176 (the dat-n0x3 capture: `trace-cmd extract` in the guest,
// v7 with zstd; `trace-cmd convert` to v6 and to v7 without compression) against the kernel's own text of the same
// ring buffer (trace.txt, read just before the extract) and `trace-cmd report` of the file: event for event.

import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/model/types.js';
import type { TraceEvent } from '../../../src/ingest/trace-events.types.js';
import { readTrace } from '../../../src/ingest/trace-reader.js';
import { readTraceDat } from '../../../src/ingest/trace-dat/read-trace-dat.js';
import { readMetadata } from '../../../src/ingest/trace-dat/file-header.js';
import { DatFile } from '../../../src/ingest/trace-dat/dat-file.js';
import { sniffFile } from '../../../src/ingest/detect.js';
import { datFiles } from './dat-fixtures.js';

const VARIANTS = ['trace.dat', 'trace-v6.dat', 'trace-nocompress.dat'] as const;

function readDat(path: string) {
  const events: TraceEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  const result = readTraceDat(path, (e) => events.push(e), (d) => diagnostics.push(d));
  return { events, diagnostics, result };
}

async function readText(path: string, format: 'ftrace' | 'trace-cmd') {
  const events: TraceEvent[] = [];
  const result = await readTrace(path, format, (e) => events.push(e), () => {});
  return { events, result };
}

/** The kernel prints times as µs rounded to nearest (kernel/trace/trace_output.c ns2usecs: (ns + 500) / 1000). */
const usecs = (ns: number | null) => (ns === null ? null : Math.floor((ns + 500) / 1000) * 1000);

/** An event without where it came from, its time at the text's µs resolution; `drop` removes further fields. */
function comparable(e: TraceEvent, drop: string[] = []): Record<string, unknown> {
  const { source: _source, ...rest } = e as TraceEvent & Record<string, unknown>;
  const out: Record<string, unknown> = { ...rest, timeNs: usecs(e.timeNs) };
  for (const k of drop) delete out[k];
  return out;
}

describe('trace.dat of dat-n0x3 (trace-cmd 3.1.6, Linux 6.1.176)', () => {
  it('is sniffed as trace-dat by its magic, whatever its name', async () => {
    const dir = datFiles();
    for (const v of VARIANTS) expect(await sniffFile(join(dir, v))).toBe('trace-dat');
  });

  it('reads the header and metadata of each variant', () => {
    const dir = datFiles();
    const seen = VARIANTS.map((v) => {
      const file = new DatFile(join(dir, v));
      try {
        const m = readMetadata(file);
        return { version: m.version, compression: m.compression, longSize: m.longSize, pageSize: m.pageSize, clock: m.clock, cpus: m.cpus, buffers: m.buffers.map((b) => [b.name, b.cpus.length]) };
      } finally {
        file.close();
      }
    });
    expect(seen).toEqual([
      { version: 7, compression: 'zstd', longSize: 8, pageSize: 4096, clock: 'global', cpus: 8, buffers: [['', 8]] },
      { version: 6, compression: 'none', longSize: 8, pageSize: 4096, clock: 'global', cpus: 8, buffers: [['', 8]] },
      { version: 7, compression: 'none', longSize: 8, pageSize: 4096, clock: 'global', cpus: 8, buffers: [['', 8]] },
    ]);
  });

  it.each(VARIANTS)('%s gives the events of the kernel text trace.txt, one for one (work pointers aside)', async (variant) => {
    const dir = datFiles();
    const dat = readDat(join(dir, variant));
    const text = await readText(join(dir, 'trace.txt'), 'ftrace');
    expect(dat.result.events).toBe(6864);
    expect(dat.result.unknownEvents).toBe(0);
    expect(dat.diagnostics).toEqual([]);
    expect(dat.result.header).toMatchObject({ cpus: 8, clockUnit: 'ns', lostEvents: [] });
    expect(text.events).toHaveLength(6864);
    // The kernel's text hashes %p pointers; the binary record holds the real address (as trace-cmd report prints it).
    expect(dat.events.map((e) => comparable(e, ['work']))).toEqual(text.events.map((e) => comparable(e, ['work'])));
    // Per-type counts of NOTES.md's table.
    const counts = new Map<string, number>();
    for (const e of dat.events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toMatchObject({
      sched_switch: 3636, sched_wakeup: 1745, workqueue_execute_end: 257, workqueue_execute_start: 257, sched_wakeup_new: 245,
      workqueue_queue_work: 243, workqueue_activate_work: 243, sched_migrate_task: 188, sched_process_exec: 45, marker: 5,
    });
  });

  it.each(VARIANTS)('%s gives the work pointers, times and fields of `trace-cmd report` (its plugin comms and module-less names aside)', async (variant) => {
    const dir = datFiles();
    const dat = readDat(join(dir, variant));
    const report = await readText(join(dir, 'trace-report.txt'), 'trace-cmd');
    expect(report.events).toHaveLength(6864);
    // trace-cmd's sched plugin prints the comm it saw in sched events for the TASK column (NOTES.md: 977 events
    // differ from trace.txt) and prev_state with the plugin's own letter table (`W` where the kernel prints `I`);
    // trace-cmd prints %ps without the ` [module]` the kernel adds.
    const noModule = (e: Record<string, unknown>) => {
      for (const k of ['function', 'func']) if (typeof e[k] === 'string') e[k] = (e[k] as string).replace(/ \[\S+\]$/, '');
      return e;
    };
    expect(dat.events.map((e) => noModule(comparable(e, ['comm', 'prevState'])))).toEqual(report.events.map((e) => comparable(e, ['comm', 'prevState'])));
    const starts = dat.events.filter((e) => e.type === 'workqueue_execute_start' && e.function === 'work_for_cpu_fn');
    expect(starts.map((e) => (e as { work: string }).work)).toEqual([
      // trace-report.txt: `work struct 0xff821c5a00327c80: function work_for_cpu_fn` at 3.561809, ...
      '0xff821c5a00327c80', '0xff821c5a00327c80', '0xff821c5a00327c80', '0xff821c5a00367d38', '0xff821c5a00367d38', '0xff821c5a0054bd38',
    ]);
  });

  it('numbers records as the lines of `trace-cmd report` (line 1 is its cpus=8)', () => {
    const dir = datFiles();
    const dat = readDat(join(dir, 'trace.dat'));
    const report = readFileSync(join(dir, 'trace-report.txt'), 'utf8').split('\n');
    expect(report[0]).toBe('cpus=8');
    for (const e of dat.events.filter((x) => x.type === 'workqueue_execute_start').slice(0, 20)) {
      expect(report[e.source.line - 1]).toContain('workqueue_execute_start');
      expect(report[e.source.line - 1]).toContain(`[00${e.cpu}]`);
    }
  });

  it.each(VARIANTS)('%s with followTasks: the scheduler events of other tasks are left out, the rest is the same (line numbers too)', (variant) => {
    const path = join(datFiles(), variant);
    const all = readDat(path);
    const follow = new Set([9, 18, 96]);
    const events: TraceEvent[] = [];
    const result = readTraceDat(path, (e) => events.push(e), () => {}, { followTasks: follow });
    const sched = new Set(['sched_switch', 'sched_wakeup', 'sched_wakeup_new', 'sched_waking', 'sched_migrate_task']);
    const involves = (e: TraceEvent) => {
      if (e.type === 'sched_switch') return follow.has(e.prevPid) || follow.has(e.nextPid);
      if (e.type === 'sched_wakeup' || e.type === 'sched_wakeup_new' || e.type === 'sched_waking' || e.type === 'sched_migrate_task') return follow.has(e.targetPid);
      return true;
    };
    // Each CPU's first sched_switch is delivered whatever its tasks.
    const firstSwitch = new Set<TraceEvent>();
    for (let cpu = 0; cpu < 8; cpu++) {
      const first = all.events.find((e) => e.type === 'sched_switch' && e.cpu === cpu);
      if (first) firstSwitch.add(first);
    }
    const expected = all.events.filter((e) => !sched.has(e.type) || involves(e) || firstSwitch.has(e));
    expect(events).toEqual(expected);
    expect(result.events + result.filtered!.events).toBe(6864);
    expect(result.filtered!.schedSwitch).toBe(true);
    expect([result.filtered!.firstNs, result.filtered!.lastNs]).toEqual([all.events[0]!.timeNs, all.events[all.events.length - 1]!.timeNs]);
    expect(result.lines).toBe(all.result.lines);
  });

  it.each(['trace-v6.dat', 'trace-nocompress.dat'])('%s: a second filtered read passes over the pages the first one summarized, and gives the same events, lines and counts', (variant) => {
    // Fresh copies: the page index is kept per file (path, size, mtime, inode), so these are read without one first.
    const dir = mkdtempSync(join(tmpdir(), 'trace-probe-index-'));
    const sched = new Set(['sched_switch', 'sched_wakeup', 'sched_wakeup_new', 'sched_waking', 'sched_migrate_task']);
    for (const follow of [new Set<number>(), new Set([9, 18, 96]), new Set([1, 2, 7, 40, 77, 120, 131])]) {
      const path = join(dir, `${follow.size}-${variant}`);
      copyFileSync(join(datFiles(), variant), path);
      const all = readDat(path);
      const firstSwitch = new Set<TraceEvent>();
      for (let cpu = 0; cpu < 8; cpu++) {
        const first = all.events.find((e) => e.type === 'sched_switch' && e.cpu === cpu);
        if (first) firstSwitch.add(first);
      }
      const involves = (e: TraceEvent) =>
        e.type === 'sched_switch' ? follow.has(e.prevPid) || follow.has(e.nextPid) : 'targetPid' in e ? follow.has(e.targetPid) : true;
      const expected = all.events.filter((e) => !sched.has(e.type) || involves(e) || firstSwitch.has(e));
      const reads = [0, 1, 2].map(() => {
        const events: TraceEvent[] = [];
        const result = readTraceDat(path, (e) => events.push(e), () => {}, { followTasks: follow });
        return { events, result };
      });
      expect(reads[0]!.result.filtered!.pagesPassedOver).toBe(0);
      // The index says which pages hold nothing to deliver: with one or three followed tasks many do.
      if (follow.size > 0) expect(reads[1]!.result.filtered!.pagesPassedOver).toBeGreaterThan(5);
      for (const r of reads) {
        expect(r.events).toEqual(expected);
        expect(r.result.lines).toBe(all.result.lines);
        expect({ ...r.result.filtered, pagesPassedOver: 0 }).toEqual({ ...reads[0]!.result.filtered, pagesPassedOver: 0 });
        expect(r.result.unknownEvents).toBe(all.result.unknownEvents);
      }
      // Without line numbers too.
      const noLines: TraceEvent[] = [];
      readTraceDat(path, (e) => noLines.push(e), () => {}, { followTasks: follow, lineNumbers: false });
      expect(noLines.map((e) => ({ ...e, source: null }))).toEqual(expected.map((e) => ({ ...e, source: null })));
    }
  });
});
