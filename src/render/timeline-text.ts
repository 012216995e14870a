// Text timelines of a boot's probe spans for `analyze`: one lane per CPU that ran a probe body and
// one per task that ran or waited for one, on a shared time axis, then a legend with each probe's
// numbers. Fits 100 columns. No analysis here: everything comes from the Boot's probe spans.

import type { Boot, ProbeSpan, WorkerIdentity } from '../model/types.js';
import { formatMs, formatSeconds } from './text-table.js';
import { workerLabel } from './worker-label.js';

const WIDTH = 100;
const LABEL_WIDTH = 22;
const BAR_WIDTH = WIDTH - LABEL_WIDTH - 2;
const SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const WAIT = '.';
/** Gaps shorter than this never split a burst. */
const MIN_BURST_GAP_NS = 1_000_000;

interface Mark {
  from: number;
  to: number;
  startNs: number;
  endNs: number;
  symbol: string;
}

interface Lane {
  label: string;
  marks: Mark[];
}

type TimedSpan = ProbeSpan & { startNs: number; endNs: number };

export function renderTimelines(boot: Boot): string {
  const spans = boot.probes
    .filter((p): p is TimedSpan => p.startNs !== null && p.endNs !== null)
    .sort((a, b) => a.startNs - b.startNs || a.endNs - b.endNs);
  if (spans.length === 0) return 'Probe timelines: no probe span has a start and an end time.\n';
  const groups = bursts(spans);
  const out: string[] = [];
  let symbolIndex = 0;
  groups.forEach((group, g) => {
    if (g > 0) out.push('');
    const title = groups.length > 1 ? `Probe timeline ${g + 1} of ${groups.length}` : 'Probe timeline';
    out.push(...renderBurst(group, title, symbolIndex));
    symbolIndex += group.length;
  });
  const untimed = boot.probes.length - spans.length;
  if (untimed > 0) out.push('', `(${untimed} probe span(s) without start/end times are not drawn)`);
  return `${out.join('\n')}\n`;
}

/**
 * Splits the spans into bursts separated by idle gaps longer than the burst so far (boot-time
 * probes and a later module load would otherwise share one axis and squash each other).
 */
function bursts(spans: TimedSpan[]): TimedSpan[][] {
  const groups: TimedSpan[][] = [];
  let current: TimedSpan[] = [];
  let start = 0;
  let end = 0;
  for (const p of spans) {
    if (current.length > 0 && p.startNs - end > Math.max(end - start, MIN_BURST_GAP_NS)) {
      groups.push(current);
      current = [];
    }
    if (current.length === 0) {
      start = p.startNs;
      end = p.endNs;
    }
    current.push(p);
    end = Math.max(end, p.endNs);
  }
  groups.push(current);
  return groups;
}

function renderBurst(spans: TimedSpan[], title: string, firstSymbol: number): string[] {
  const t0 = spans[0]!.startNs;
  const t1 = Math.max(...spans.map((p) => p.endNs));
  const scale = Math.max(t1 - t0, 1) / BAR_WIDTH;
  const column = (t: number) => Math.min(BAR_WIDTH - 1, Math.max(0, Math.floor((t - t0) / scale)));
  const symbolOf = (i: number) => SYMBOLS[firstSymbol + i] ?? '#';

  const cpuLanes = new Map<string, Lane>();
  const taskLanes = new Map<string, Lane>();
  const lane = (lanes: Map<string, Lane>, label: string) => {
    let l = lanes.get(label);
    if (!l) {
      l = { label, marks: [] };
      lanes.set(label, l);
    }
    return l;
  };
  const markOf = (from: number, to: number, symbol: string): Mark => ({ from: column(from), to: column(to), startNs: from, endNs: to, symbol });
  spans.forEach((p, i) => {
    // The body's own run when the trace gave it (a work_on_cpu body starts after its queue delay).
    const bodyStart = Math.max(p.startNs, p.bodyStartNs ?? p.startNs);
    const bodyEnd = Math.max(bodyStart, Math.min(p.endNs, p.bodyEndNs ?? p.endNs));
    const body = markOf(bodyStart, bodyEnd, symbolOf(i));
    lane(cpuLanes, p.cpu === null ? 'CPU ?' : `CPU ${p.cpu}`).marks.push(body);
    lane(taskLanes, taskLabel(p.worker)).marks.push(body);
    if (p.queuedBy) lane(taskLanes, taskLabel(p.queuedBy)).marks.push(markOf(p.startNs, p.endNs, WAIT));
  });

  const out: string[] = [];
  out.push(`${title}: ${formatSeconds(t0)} to ${formatSeconds(t1)} s (${formatMs(t1 - t0)} ms); one column = ${formatMs(scale)} ms`);
  out.push('Per CPU (the CPU that ran each probe body, while it ran):');
  for (const l of sortedLanes(cpuLanes, cpuOrder)) out.push(...renderLane(l));
  out.push(`Per task (the task that ran each probe body; '${WAIT}' = the caller that queued it, whole probe):`);
  for (const l of sortedLanes(taskLanes, (a, b) => a.localeCompare(b))) out.push(...renderLane(l));
  out.push('Probes:');
  spans.forEach((p, i) => out.push(...legendLines(p, symbolOf(i))));
  return out;
}

function taskLabel(w: WorkerIdentity | null): string {
  return workerLabel(w, '(task unknown)');
}

function cpuOrder(a: string, b: string): number {
  const n = (s: string) => (s === 'CPU ?' ? Number.MAX_SAFE_INTEGER : Number(s.slice(4)));
  return n(a) - n(b);
}

function sortedLanes(lanes: Map<string, Lane>, order: (a: string, b: string) => number): Lane[] {
  return [...lanes.values()].sort((a, b) => order(a.label, b.label));
}

/** One lane; spans that overlap in time go on extra rows (interval partitioning, first free row). */
function renderLane(l: Lane): string[] {
  const rows: Array<{ cells: string[]; lastEndNs: number }> = [];
  for (const mark of [...l.marks].sort((a, b) => a.startNs - b.startNs)) {
    let row = rows.find((r) => r.lastEndNs <= mark.startNs);
    if (!row) {
      row = { cells: new Array<string>(BAR_WIDTH).fill(' '), lastEndNs: -Infinity };
      rows.push(row);
    }
    for (let c = mark.from; c <= mark.to; c++) row.cells[c] = mark.symbol;
    row.lastEndNs = mark.endNs;
  }
  const label = l.label.length > LABEL_WIDTH ? `${l.label.slice(0, LABEL_WIDTH - 1)}~` : l.label;
  return rows.map((r, i) => `${(i === 0 ? label : '').padEnd(LABEL_WIDTH)}|${r.cells.join('')}|`);
}

function legendLines(p: TimedSpan, symbol: string): string[] {
  const who = p.driver ? `${p.device} (${p.driver})` : p.device;
  const first = `  ${symbol} ${who}  ${formatSeconds(p.startNs)} s +${formatMs(p.durationNs)} ms  ` +
    `CPU ${p.cpu ?? '?'}  ${taskLabel(p.worker)}`;
  const parts: string[] = [];
  if (p.queuedBy) parts.push(`queued by ${taskLabel(p.queuedBy)}${p.queueDelayNs === null ? '' : ` (${formatMs(p.queueDelayNs)} ms in queue)`}`);
  if (p.onCpuNs !== null || p.runnableWaitNs !== null || p.sleepNs !== null) {
    parts.push(`on CPU ${formatMs(p.onCpuNs)}, runnable ${formatMs(p.runnableWaitNs)}, asleep ${formatMs(p.sleepNs)} ms`);
  }
  const joined = `      ${parts.join('; ')}`;
  if (parts.length === 0) return [first];
  return joined.length <= WIDTH ? [first, joined] : [first, ...parts.map((part) => `      ${part}`)];
}
