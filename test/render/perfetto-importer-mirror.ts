// A mirror, in TypeScript, of the rules google/perfetto's trace processor applies when it imports a Chrome
// JSON trace-event file, for the events trace-probe writes (X, i, M, and v1 s/f flows to show why they are
// not used). Perfetto's trace_processor is not packaged on npm or Debian, so the export is checked against
// these rules instead. Read from google/perfetto at commit ec5d16b14b743ba6063d720956d6d6af6610fd72:
// - src/trace_processor/importers/json/json_trace_tokenizer.cc: JsonImporter::Sniff (the file, white space
//   removed, starts with `{"` or `[{"`), ParseTraceEventContents (ph, ts/dur through
//   CoerceToTs: an integer is µs × 1000, a fraction llround(v × 1000) ns; missing ts is an error except for
//   `M`; pid/tid CoerceToUint32; tid 0 becomes the pid; bind_id, flow_in/flow_out (bools only), s, bp, args).
// - src/trace_processor/sorter/trace_sorter.h: Queue::Append and SlowOperatorLess (once an `X` is seen, events
//   of equal ts are ordered `E` first, then `X` by longer dur, then the rest, then file order).
// - src/trace_processor/importers/json/json_trace_parser.cc: ParseJsonPacket (`X` without dur is a
//   json_parser_failure; an `X` that partially overlaps an open slice of its thread is spilled to an overflow
//   track and logged as slice_spill_overlapping_complete_event; instants by scope; `M` names need a non-empty
//   args.name) and MaybeAddFlow (v2: flow_out = Begin, flow_in = End binding the enclosing slice, both = Step,
//   a bind_id without direction = flow_without_direction; a string bind_id is read as hex).
// - src/trace_processor/importers/common/slice_tracker.cc: MaybeCloseStack (a slice that ends at or before
//   the new one's start is popped, except two instants at the same ts; partial overlap detection).
// - src/trace_processor/importers/common/flow_tracker.cc: Begin/End/Step (no open slice on the track =
//   flow_no_enclosing_slice, a second Begin of one id = flow_duplicate_id, an End before its Begin =
//   flow_end_without_start; the arrow goes from the earlier slice to the later one; v1 ids are keyed by
//   (id, cat, name)).
// - src/trace_processor/storage/stats.h: which of these are errors (all above except flow_end_without_start
//   and flow_step_without_start, which are info) — this mirror reports every one of them.

export interface MirrorSlice {
  id: number;
  track: string;
  ts: number;
  dur: number;
  name: string;
  cat: string | null;
  depth: number;
  parent: number | null;
  args: Record<string, unknown> | null;
}

export interface MirrorFlow {
  out: number;
  in: number;
}

export interface MirrorImport {
  /** Stat name → count, for every error or info stat the importer would raise. */
  stats: Record<string, number>;
  slices: MirrorSlice[];
  flows: MirrorFlow[];
  /** `${pid}/${tid}` → thread name. */
  threadNames: Map<string, string>;
  processNames: Map<number, string>;
  /** Thread tracks (`${pid}/${tid}`) that hold slices. */
  threadTracks: Set<string>;
}

interface Ev {
  index: number;
  ph: string;
  ts: number; // ns
  dur: number | null; // ns
  pid: number;
  tid: number;
  pidExists: boolean;
  tidExists: boolean;
  name: string | null;
  cat: string | null;
  scope: 'g' | 'p' | 't' | null;
  bindId: bigint | null;
  id: bigint | null;
  flowIn: boolean;
  flowOut: boolean;
  bindEnclosing: boolean;
  args: Record<string, unknown> | null;
}

const U32 = 0xffffffff;
const coerceU32 = (n: number): number => (Number.isInteger(n) ? (n < 0 || n > U32 ? 0 : n) : coerceU32(Math.trunc(n)));

/** CoerceToTs: ns from a µs value, or null when it is not a number (or a string holding one). */
function coerceTs(v: unknown): number | null {
  if (typeof v === 'string') {
    if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) return null;
    return coerceTs(Number(v));
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  if (Number.isInteger(v)) return v * 1000;
  const x = v * 1000;
  return x < 0 ? -Math.round(-x) : Math.round(x); // llround: half away from zero
}

function flowId(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string') return /^(0x)?[0-9a-fA-F]+$/.test(v) ? BigInt(v.startsWith('0x') ? v : `0x${v}`) : null;
  return null;
}

export function importLikePerfetto(text: string): MirrorImport {
  const stats: Record<string, number> = {};
  const stat = (k: string) => (stats[k] = (stats[k] ?? 0) + 1);
  const start = text.slice(0, 4096).replace(/\s+/g, '');
  if (!start.startsWith('{"') && !start.startsWith('[{"')) throw new Error('not sniffed as a JSON trace');
  const root = JSON.parse(text) as unknown;
  const raw = Array.isArray(root) ? root : (root as { traceEvents?: unknown }).traceEvents;
  if (!Array.isArray(raw)) throw new Error('Failure parsing JSON: traceEvents is not an array.');

  // Tokenizer.
  const events: Ev[] = [];
  raw.forEach((o: Record<string, unknown>, index) => {
    const keys = Object.keys(o);
    const ph = typeof o.ph === 'string' ? o.ph.slice(0, 1) : '';
    if (!ph) {
      if (keys.length > 0) stat('json_tokenizer_failure');
      return;
    }
    let ts = 'ts' in o ? coerceTs(o.ts) : null;
    if (ts === null) {
      if (ph !== 'M') {
        stat('json_tokenizer_failure');
        return;
      }
      ts = 0;
    }
    let dur: number | null = null;
    if ('dur' in o) {
      dur = coerceTs(o.dur);
      if (dur === null) {
        stat('json_tokenizer_failure');
        return;
      }
    }
    const pidExists = typeof o.pid === 'number' || typeof o.pid === 'string';
    const tidExists = typeof o.tid === 'number' || typeof o.tid === 'string';
    if (typeof o.pid === 'string' || typeof o.tid === 'string') stat('mirror_string_pid_or_tid_not_modelled');
    const pid = typeof o.pid === 'number' ? coerceU32(o.pid) : 0;
    let tid = typeof o.tid === 'number' ? coerceU32(o.tid) : 0;
    if (tid === 0 && pid !== 0) tid = pid;
    const s = o.s;
    events.push({
      index,
      ph,
      ts,
      dur,
      pid,
      tid,
      pidExists,
      tidExists,
      name: typeof o.name === 'string' && o.name !== '' ? o.name : null,
      cat: typeof o.cat === 'string' && o.cat !== '' ? o.cat : null,
      scope: s === 'g' || s === 'p' || s === 't' ? s : null,
      bindId: 'bind_id' in o ? flowId(o.bind_id) : null,
      id: 'id' in o ? flowId(o.id) : null,
      flowIn: o.flow_in === true,
      flowOut: o.flow_out === true,
      bindEnclosing: o.bp === 'e',
      args: o.args !== null && typeof o.args === 'object' && !Array.isArray(o.args) ? (o.args as Record<string, unknown>) : null,
    });
    if ('bind_id' in o && flowId(o.bind_id) === null) stat('mirror_bind_id_unreadable_ignored');
  });

  // Sorter: slow sorting once an X is seen (it sorts from the first event at or before the max ts seen).
  const slow = events.some((e) => e.ph === 'X');
  const key = (e: Ev): number => (!slow ? 0 : e.ph === 'E' ? -Infinity : e.ph === 'X' ? -(e.dur ?? 0) : 0);
  const order = [...events].sort((a, b) => a.ts - b.ts || key(a) - key(b) || a.index - b.index);

  // Parser.
  const slices: MirrorSlice[] = [];
  const flows: MirrorFlow[] = [];
  const stacks = new Map<string, MirrorSlice[]>();
  const flowMap = new Map<string, number>(); // flow id → slice id of its last Begin/Step
  const pendingV1 = new Map<string, string[]>();
  const threadNames = new Map<string, string>();
  const processNames = new Map<number, string>();
  const threadTracks = new Set<string>();
  let spills = 0;

  const topmost = (track: string): MirrorSlice | null => {
    const st = stacks.get(track);
    return st && st.length > 0 ? st[st.length - 1]! : null;
  };
  /** SliceTracker::Scoped: returns the slice, or null when it would partially overlap (caller spills it). */
  const scoped = (track: string, e: Ev, dur: number, allowOverlap: boolean): MirrorSlice | null => {
    if (dur < 0) {
      stat('slice_negative_duration');
      return null;
    }
    const st = stacks.get(track) ?? [];
    stacks.set(track, st);
    for (let i = st.length - 1; i >= 0; i--) {
      const s = st[i]!;
      const end = s.ts + s.dur;
      if (end < e.ts || (end === e.ts && !(s.dur === 0 && dur === 0))) {
        st.splice(i, 1);
        continue;
      }
      if (e.ts < end && e.ts + dur > end && !allowOverlap) return null;
    }
    const parent = st.length > 0 ? st[st.length - 1]! : null;
    const slice: MirrorSlice = { id: slices.length, track, ts: e.ts, dur, name: e.name ?? '[No name]', cat: e.cat, depth: st.length, parent: parent?.id ?? null, args: e.args };
    slices.push(slice);
    st.push(slice);
    // v1 flow ends waiting for the next slice on this track (bp != "e").
    const pending = pendingV1.get(track);
    if (pending) {
      for (const id of pending) {
        const out = flowMap.get(id);
        if (out !== undefined) flows.push({ out, in: slice.id });
      }
      pendingV1.delete(track);
    }
    return slice;
  };
  const insertFlow = (existing: number, added: number) => {
    const a = slices[existing]!;
    const b = slices[added]!;
    flows.push(a.ts > b.ts ? { out: added, in: existing } : { out: existing, in: added });
  };
  const maybeAddFlow = (track: string, e: Ev) => {
    if (e.bindId === null) return;
    const id = `v2:${e.bindId}`;
    const open = topmost(track);
    if (e.flowIn && e.flowOut) {
      if (!open) return void stat('flow_no_enclosing_slice');
      const prev = flowMap.get(id);
      if (prev === undefined) return void stat('flow_step_without_start');
      insertFlow(prev, open.id);
      flowMap.set(id, open.id);
    } else if (e.flowOut) {
      if (!open) return void stat('flow_no_enclosing_slice');
      if (flowMap.has(id)) return void stat('flow_duplicate_id');
      flowMap.set(id, open.id);
    } else if (e.flowIn) {
      if (!open) return void stat('flow_no_enclosing_slice');
      const prev = flowMap.get(id);
      if (prev === undefined) return void stat('flow_end_without_start');
      insertFlow(prev, open.id);
    } else {
      stat('flow_without_direction');
    }
  };

  for (const e of order) {
    const thread = `${e.pid}/${e.tid}`;
    switch (e.ph) {
      case 'X': {
        if (e.dur === null) {
          stat('json_parser_failure');
          break;
        }
        let track = thread;
        let slice = scoped(track, e, e.dur, false);
        if (slice === null && e.dur >= 0) {
          stat('slice_spill_overlapping_complete_event');
          track = `${thread}#overflow${spills++}`;
          slice = scoped(track, e, e.dur, true);
        }
        if (slice !== null && !track.includes('#')) threadTracks.add(thread);
        maybeAddFlow(track, e);
        break;
      }
      case 'i':
      case 'I':
      case 'R': {
        if (e.scope === 'g') scoped('global instants', e, 0, true);
        else if (e.scope === 'p') {
          if (!e.pidExists) stat('json_parser_failure');
          else scoped(`process ${e.pid} instants`, e, 0, true);
        } else {
          if (!e.tidExists) {
            stat('json_parser_failure');
            break;
          }
          if (scoped(thread, e, 0, true)) threadTracks.add(thread);
        }
        break;
      }
      case 's':
      case 'f': {
        if (e.id === null) {
          stat('flow_invalid_id');
          break;
        }
        const id = `v1:${e.id}:${e.cat}:${e.name}`;
        if (e.ph === 's') {
          const open = topmost(thread);
          if (!open) stat('flow_no_enclosing_slice');
          else if (flowMap.has(id)) stat('flow_duplicate_id');
          else flowMap.set(id, open.id);
        } else if (!e.bindEnclosing) {
          pendingV1.set(thread, [...(pendingV1.get(thread) ?? []), id]);
        } else {
          const open = topmost(thread);
          const prev = flowMap.get(id);
          if (!open) stat('flow_no_enclosing_slice');
          else if (prev === undefined) stat('flow_end_without_start');
          else insertFlow(prev, open.id);
        }
        break;
      }
      case 'M': {
        if (e.args === null || !['thread_name', 'process_name', 'process_sort_index', 'thread_sort_index'].includes(e.name ?? '')) break;
        if (e.name === 'thread_name' || e.name === 'process_name') {
          const n = e.args.name;
          if (typeof n !== 'string' || n === '') {
            stat('json_parser_failure');
            break;
          }
          if (e.name === 'thread_name') threadNames.set(thread, n);
          else processNames.set(e.pid, n);
        } else if (typeof e.args.sort_index !== 'number') {
          stat('json_parser_failure');
        }
        break;
      }
      default:
        stat(`mirror_phase_not_modelled_${e.ph}`);
    }
  }
  return { stats, slices, flows, threadNames, processNames, threadTracks };
}
