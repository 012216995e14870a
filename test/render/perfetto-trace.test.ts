// The Perfetto / chrome://tracing export (render/perfetto-trace.ts) on the real captures, checked against the
// trace-event format and against a mirror of Perfetto's JSON importer rules (perfetto-importer-mirror.ts):
// no import error, every flow resolved caller -> body, nesting per track, names metadata, ns kept exactly.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import type { Boot } from '../../src/model/types.js';
import { cpuId, ns, pidOf } from '../../src/model/types.js';
import { perfettoTrace, renderPerfettoJson, type TraceEvent } from '../../src/render/perfetto-trace.js';
import { bootOf, kworker, span } from '../sim/probe-boot.helper.js';
import { importLikePerfetto, type MirrorImport } from './perfetto-importer-mirror.js';

const CAPTURES = readdirSync('fixtures/captures', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

/** The trace-event format's own rules for the events we write. */
function checkFormat(events: TraceEvent[]): string[] {
  const problems: string[] = [];
  const u32 = (v: number) => Number.isInteger(v) && v > 0 && v <= 0xffffffff;
  for (const e of events) {
    const where = `${e.ph} ${e.name}`;
    if (!['X', 'i', 'M'].includes(e.ph)) problems.push(`${where}: phase`);
    if (typeof e.name !== 'string' || e.name === '') problems.push(`${where}: name`);
    if (!u32(e.pid) || !u32(e.tid)) problems.push(`${where}: pid/tid`);
    if (e.tid === e.pid && e.ph !== 'M') problems.push(`${where}: tid equals pid (would be the main thread)`);
    if (e.ph === 'M') {
      if (e.ts !== undefined) problems.push(`${where}: metadata with ts`);
      continue;
    }
    for (const [k, v] of [['ts', e.ts], ['dur', e.dur]] as const) {
      if (v === undefined) continue;
      // µs with at most 3 decimals: integer ns exactly.
      if (typeof v !== 'number' || v < 0 || Math.round(v * 1000) / 1000 !== v) problems.push(`${where}: ${k} ${v} is not µs with ns precision`);
    }
    if (e.ph === 'X' && e.dur === undefined) problems.push(`${where}: X without dur`);
    if (e.ph === 'i' && e.s !== 't') problems.push(`${where}: instant without thread scope`);
    if (e.bind_id !== undefined && (e.flow_in === undefined) === (e.flow_out === undefined)) problems.push(`${where}: bind_id needs exactly one of flow_in/flow_out`);
  }
  return problems;
}

/** Every importer rule, plus what a user must get: names, flows caller -> body drawn forward in time. */
function checkImport(text: string, events: TraceEvent[]): MirrorImport {
  const imported = importLikePerfetto(text);
  expect(imported.stats).toEqual({});
  const timed = events.filter((e) => e.ph !== 'M');
  expect(imported.slices).toHaveLength(timed.length);
  const outs = events.filter((e) => e.flow_out).length;
  expect(events.filter((e) => e.flow_in).length).toBe(outs);
  expect(imported.flows).toHaveLength(outs);
  for (const f of imported.flows) {
    const out = imported.slices[f.out]!;
    const into = imported.slices[f.in]!;
    expect(['queue', 'probe']).toContain(out.cat);
    expect(into.cat).toBe('probe body');
    expect(out.args!.device).toBe(into.args!.device);
    // Perfetto draws from the out slice's end (or its start when that is not before the in slice's start).
    const drawnFrom = out.ts >= into.ts ? out.ts : out.ts + out.dur;
    expect(drawnFrom).toBeLessThanOrEqual(into.ts);
  }
  for (const track of imported.threadTracks) expect(imported.threadNames.has(track), track).toBe(true);
  for (const e of timed) expect(imported.processNames.has(e.pid)).toBe(true);
  return imported;
}

describe('Perfetto export of the real captures', () => {
  it.each(CAPTURES)('%s: valid trace-event JSON that Perfetto imports without an error', async (name) => {
    const boot = await loadBoot([`fixtures/captures/${name}`]);
    const file = perfettoTrace([{ label: name, boot }]);
    const text = renderPerfettoJson([{ label: name, boot }]);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(file)));
    expect(checkFormat(file.traceEvents)).toEqual([]);
    const imported = checkImport(text, file.traceEvents);

    // Every timed probe is on exactly one task (or unknown-task) track, its body on its CPU's track.
    const timed = boot.probes.filter((p) => p.startNs !== null);
    const onCpuTrack = (track: string) => /^CPU \d+/.test(imported.threadNames.get(track) ?? '');
    const onTasks = imported.slices.filter((s) => (s.cat === 'probe' || s.cat === 'probe body') && !onCpuTrack(s.track));
    const handedOff = file.traceEvents.filter((e) => e.flow_in).length;
    expect(onTasks).toHaveLength(timed.length + handedOff);
    const cpuSlices = imported.slices.filter((s) => onCpuTrack(s.track));
    expect(cpuSlices).toHaveLength(timed.filter((p) => p.cpu !== null).length);
    // On a CPU track, spans of two tasks never nest (they share the CPU, they do not call each other).
    for (const s of cpuSlices) {
      if (s.parent !== null) expect(s.args!.worker).toBe(imported.slices[s.parent]!.args!.worker);
      expect(imported.threadNames.get(s.track)).toMatch(new RegExp(`^CPU ${s.args!.cpu}( |$)`));
    }
    // A finding per instant, on the findings track.
    const instants = imported.slices.filter((s) => s.cat === 'finding');
    expect(instants.map((s) => s.args!.kind).sort()).toEqual(boot.findings.map((f) => f.kind).sort());
    for (const s of instants) expect(imported.threadNames.get(s.track)).toBe('findings');
    expect(file.otherData.processes[0]!.flows).toBe(handedOff);
  });

  it('n0x3: the nvme body on kworker/0:1 (pid 18), queued by kworker/u17:0 after 542 µs, with its finding', async () => {
    const boot = await loadBoot(['fixtures/captures/n0x3']);
    const file = perfettoTrace([{ label: 'n0x3', boot }]);
    const imported = importLikePerfetto(renderPerfettoJson([{ label: 'n0x3', boot }]));
    const named = (track: string) => imported.threadNames.get(track);
    const pid = file.otherData.processes[0]!.pid;
    expect(imported.processNames.get(pid)).toBe('n0x3');
    // dmesg.log:1894 `probe of 0000:21:00.0 returned 0 after 8283 usecs`; trace: body 6.560050-6.564872 on kworker/0:1-18.
    const body = imported.slices.find((s) => s.cat === 'probe body' && s.args!.device === '0000:21:00.0' && named(s.track) === 'kworker/0:1')!;
    expect(body.track).toBe(`${pid}/18`);
    expect([body.ts, body.dur]).toEqual([6_560_050_000, 4_822_000]);
    expect(body.name).toBe('nvme 0000:21:00.0');
    expect(body.args).toMatchObject({ driver: 'nvme', cost_us: 8283, queue_delay_us: 542, on_cpu_us: 4822, cpu: 0, node: 0, worker: 'kworker/0:1-18', queued_by: 'kworker/u17:0-9' });
    const caller = imported.slices.find((s) => s.cat === 'probe' && s.args!.device === '0000:21:00.0')!;
    expect([named(caller.track), caller.track, caller.ts, caller.dur]).toEqual(['kworker/u17:0', `${pid}/9`, 6_559_321_000, 8_283_000]);
    const queue = imported.slices.find((s) => s.cat === 'queue' && s.args!.device === '0000:21:00.0')!;
    expect([queue.name, queue.ts, queue.dur, queue.parent]).toEqual(['queue delay', 6_559_508_000, 542_000, caller.id]);
    expect(imported.flows).toContainEqual({ out: queue.id, in: body.id });
    // The body also on CPU 0; the other two nvme bodies overlap it on that CPU (other kworkers): lane 2.
    const onCpu = imported.slices.filter((s) => s.args?.device?.toString().startsWith('0000:2') && s.args.driver === 'nvme' && /^CPU 0/.test(named(s.track)!));
    expect(onCpu.map((s) => [s.args!.device, named(s.track)])).toEqual([
      ['0000:21:00.0', 'CPU 0'],
      ['0000:22:00.0', 'CPU 0'],
      ['0000:23:00.0', "CPU 0 (lane 2: another task's probe at the same time)"],
    ]);
    // dmesg-only probes at the same time (serio0 3.916939-3.932033, 00:04 from 3.918336, alarmtimer.0.auto from
    // 3.923006): their tasks are unknown, so they are not drawn as nested but on three lanes.
    expect(file.otherData.processes[0]!.splitTracks).toEqual([{ track: 'CPU 0', lanes: 2 }, { track: 'probes (task not in the input)', lanes: 3 }]);
    // dmesg.log:1362 `[3.273543] calling  pcie_portdrv_init+0x0/0x4d @ 1` to :1387 `[3.812676] initcall
    // pcie_portdrv_init+0x0/0x4d returned 0 after 539026 usecs`: on init, with the three pcieport probes it made
    // (and waited for) nested in it.
    const portInit = imported.slices.find((s) => s.cat === 'initcall' && s.name === 'pcie_portdrv_init')!;
    expect([named(portInit.track), portInit.track, portInit.ts, portInit.dur]).toEqual(['init', `${pid}/1`, 3_273_543_000, 539_133_000]);
    const portProbes = imported.slices.filter((s) => s.parent === portInit.id);
    expect(portProbes.map((s) => [s.cat, s.args!.device])).toEqual([['probe', '0000:20:00.0'], ['probe', '0000:20:01.0'], ['probe', '0000:20:02.0']]);
    expect(file.otherData.processes[0]).toMatchObject({ untimedInitcalls: 0, invalidProbes: [] });
    const finding = imported.slices.find((s) => s.cat === 'finding' && s.args!.kind === 'bound-queue-serialization')!;
    expect(finding.ts).toBe(6_559_321_000);
    expect(finding.args).toMatchObject({ severity: 'warning', lost_us: 4742, devices: ['0000:21:00.0', '0000:22:00.0', '0000:23:00.0'] });
    expect(finding.name).toMatch(/^bound-queue-serialization: 3 nvme probes on node 0 were serialized/);
  });

  it('is deterministic: the same boot gives the same bytes', async () => {
    const a = renderPerfettoJson([{ label: 'x', boot: await loadBoot(['fixtures/captures/before-n0x3']) }]);
    const b = renderPerfettoJson([{ label: 'x', boot: await loadBoot(['fixtures/captures/before-n0x3']) }]);
    expect(a).toBe(b);
  });

  it('several boots: one process each, tids unique per process, real pids kept on task tracks', async () => {
    const boots = await Promise.all(['before-n0x3', 'after-n0x3'].map(async (n) => ({ label: n, boot: await loadBoot([`fixtures/captures/${n}`]) })));
    const file = perfettoTrace(boots);
    const text = renderPerfettoJson(boots);
    expect(checkFormat(file.traceEvents)).toEqual([]);
    const imported = checkImport(text, file.traceEvents);
    expect([...imported.processNames.values()]).toEqual(['before-n0x3', 'after-n0x3']);
    const [p1, p2] = file.otherData.processes.map((p) => p.pid);
    expect(p1).not.toBe(p2);
    // Each boot's own init (pid 1) is its own thread.
    expect(imported.threadNames.get(`${p1}/1`)).toBe('init');
    expect(imported.threadNames.get(`${p2}/1`)).toBe('init');
  });
});

describe('Perfetto export: edge cases', () => {
  const worker = (comm: string, pid: number) => ({ ...kworker(comm), pid: pidOf(pid) });
  const timedSpan = (device: string, startNs: number, endNs: number, extra = {}) =>
    span(device, endNs - startNs, { startNs: ns(startNs), endNs: ns(endNs), ...extra });

  it('keeps ns exactly (µs with 3 decimals) and rounds fractional ns of a simulated boot consistently', () => {
    const boot = bootOf([timedSpan('a', 1_234_567_891, 1_234_600_001.4, { worker: worker('kworker/1:0', 40), cpu: cpuId(1) })]);
    const file = perfettoTrace([{ label: 's', boot }]);
    const x = file.traceEvents.find((e) => e.ph === 'X')!;
    expect([x.ts, x.dur]).toEqual([1_234_567.891, 32.11]);
    const imported = importLikePerfetto(renderPerfettoJson([{ label: 's', boot }]));
    expect(imported.stats).toEqual({});
    expect(imported.slices[0]!.ts).toBe(1_234_567_891);
    expect(imported.slices[0]!.dur).toBe(32_110);
  });

  it('spans of one task that overlap without nesting go to a second lane, named so; nested ones stay', () => {
    const w = worker('kworker/0:1', 18);
    const boot = bootOf([
      timedSpan('outer', 1000, 9000, { worker: w }),
      timedSpan('inner', 2000, 3000, { worker: w }),
      timedSpan('crossing', 8000, 12_000, { worker: w }),
      timedSpan('after', 12_000, 13_000, { worker: w }),
    ]);
    const file = perfettoTrace([{ label: 's', boot }]);
    const imported = importLikePerfetto(renderPerfettoJson([{ label: 's', boot }]));
    expect(imported.stats).toEqual({});
    const lane = (device: string) => imported.threadNames.get(imported.slices.find((s) => s.args!.device === device)!.track);
    expect([lane('outer'), lane('inner'), lane('after')]).toEqual(['kworker/0:1', 'kworker/0:1', 'kworker/0:1']);
    expect(lane('crossing')).toBe('kworker/0:1 (lane 2: overlaps without nesting)');
    expect(imported.slices.find((s) => s.args!.device === 'inner')!.depth).toBe(1);
    expect(file.otherData.processes[0]!.splitTracks).toEqual([{ track: 'kworker/0:1', lanes: 2 }]);
  });

  it('a flow whose body starts with the caller still goes caller -> body; untimed and inverted probes are counted, not drawn', () => {
    const boot = bootOf([
      // Same start, caller longer: the flow binds the caller's span (no room for a hand-off slice).
      timedSpan('same-start', 5000, 9000, { worker: worker('kworker/0:1', 18), queuedBy: worker('init', 1), bodyStartNs: ns(5000), bodyEndNs: ns(8000), cpu: cpuId(0) }),
      // Queue delay unknown: the wait from the span start to the body start is the hand-off.
      timedSpan('no-delay', 10_000, 20_000, { worker: worker('kworker/0:1', 18), queuedBy: worker('kworker/u8:0', 7), bodyStartNs: ns(12_000), bodyEndNs: ns(19_000) }),
      span('untimed', 1000),
      { ...timedSpan('inverted', 30_000, 29_000), durationNs: ns(0) },
    ]);
    const file = perfettoTrace([{ label: 's', boot }]);
    const text = renderPerfettoJson([{ label: 's', boot }]);
    expect(checkFormat(file.traceEvents)).toEqual([]);
    const imported = checkImport(text, file.traceEvents);
    expect(imported.flows).toHaveLength(2);
    const handoff = imported.slices.find((s) => s.cat === 'queue')!;
    expect([handoff.name, handoff.ts, handoff.dur]).toEqual(['waiting for the body to start', 10_000, 2000]);
    expect(file.otherData.processes[0]).toMatchObject({ untimedProbes: 1, invalidProbes: ['inverted (synthetic:1)'], flows: 2 });
  });

  it('a boot without findings or probes still names its process', () => {
    const boot: Boot = bootOf([]);
    const imported = importLikePerfetto(renderPerfettoJson([{ label: 'empty', boot }]));
    expect(imported.stats).toEqual({});
    expect([...imported.processNames.values()]).toEqual(['empty']);
  });
});

describe('the importer mirror rejects what Perfetto rejects (so the checks above can fail)', () => {
  const trace = (events: object[]) => JSON.stringify({ traceEvents: events });
  const x = (ts: number, dur: number, tid = 2, extra = {}) => ({ name: 's', ph: 'X', ts, dur, pid: 1, tid, ...extra });

  it('a partial overlap on one thread is spilled and logged', () => {
    expect(importLikePerfetto(trace([x(0, 10), x(5, 10)])).stats).toEqual({ slice_spill_overlapping_complete_event: 1 });
    expect(importLikePerfetto(trace([x(0, 10), x(5, 5), x(10, 1)])).stats).toEqual({});
  });

  it('v2 flows: an in end before its out end, a duplicate out, no direction', () => {
    expect(importLikePerfetto(trace([x(0, 1, 2, { bind_id: 1, flow_in: true }), x(5, 1, 3, { bind_id: 1, flow_out: true })])).stats).toEqual({ flow_end_without_start: 1 });
    expect(importLikePerfetto(trace([x(0, 1, 2, { bind_id: 1, flow_out: true }), x(5, 1, 3, { bind_id: 1, flow_out: true })])).stats).toEqual({ flow_duplicate_id: 1 });
    expect(importLikePerfetto(trace([x(0, 1, 2, { bind_id: 1 })])).stats).toEqual({ flow_without_direction: 1 });
    const ok = importLikePerfetto(trace([x(0, 1, 2, { bind_id: '1f', flow_out: true }), x(5, 1, 3, { bind_id: '0x1f', flow_in: true })]));
    expect([ok.stats, ok.flows]).toEqual([{}, [{ out: 0, in: 1 }]]);
  });

  it('equal timestamps: the longer X is processed first, so it becomes the out end', () => {
    const r = importLikePerfetto(trace([x(0, 1, 2, { bind_id: 1, flow_out: true }), x(0, 5, 3, { bind_id: 1, flow_in: true })]));
    expect(r.stats).toEqual({ flow_end_without_start: 1 });
  });

  it('missing ts, X without dur, an empty thread name', () => {
    expect(importLikePerfetto(trace([{ name: 'a', ph: 'X', dur: 1, pid: 1, tid: 2 }])).stats).toEqual({ json_tokenizer_failure: 1 });
    expect(importLikePerfetto(trace([{ name: 'a', ph: 'X', ts: 1, pid: 1, tid: 2 }])).stats).toEqual({ json_parser_failure: 1 });
    expect(importLikePerfetto(trace([{ name: 'thread_name', ph: 'M', pid: 1, tid: 2, args: { name: '' } }])).stats).toEqual({ json_parser_failure: 1 });
  });

  it('v1 flows match by (id, cat, name) and bind the next slice unless bp is "e"', () => {
    const r = importLikePerfetto(trace([
      x(0, 10, 2), { name: 'f', cat: 'c', ph: 's', id: 7, ts: 1, pid: 1, tid: 2 },
      { name: 'f', cat: 'c', ph: 'f', id: 7, ts: 20, pid: 1, tid: 3 }, x(30, 1, 3),
    ]));
    expect([r.stats, r.flows]).toEqual([{}, [{ out: 0, in: 1 }]]);
    const otherName = importLikePerfetto(trace([
      x(0, 10, 2), { name: 'f', cat: 'c', ph: 's', id: 7, ts: 1, pid: 1, tid: 2 },
      { name: 'g', cat: 'c', ph: 'f', id: 7, ts: 20, pid: 1, tid: 3, bp: 'e' }, x(20, 1, 3),
    ]));
    expect(otherName.flows).toEqual([]);
  });
});
