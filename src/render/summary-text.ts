// The readable summary `analyze` prints by default: findings first, then the slowest probes,
// per-driver totals, per-CPU/per-worker load, timelines, slowest initcalls, and the diagnostics
// count. No analysis happens here: everything shown is a field of the Boot or a sum of fields.

import { renderFindings } from './findings-text.js';
import { describeMachine, pciByNodeLines } from './machine-text.js';
import { formatMs, formatSeconds, renderTable } from './text-table.js';
import { findingEpisodes, timelineGroups } from '../findings/episodes.js';
import { renderBottomLine, type BottomLine } from './bottom-line-text.js';
import { renderTimelineGroups } from './timeline-text.js';
import { describeWorker, workerLabel } from './worker-label.js';
import type { Boot, ProbeSpan } from '../model/types.js';

export interface SummaryOptions {
  /** How many of the slowest probes / initcalls to list. */
  top: number;
  /** How many diagnostics to quote (the rest are counted). */
  diagnostics: number;
  /** The per-node loss and simulated gain printed first (commands/bottom-line.ts), when computed. */
  bottomLine?: BottomLine | null;
}

const DEFAULTS: SummaryOptions = { top: 10, diagnostics: 5 };

export function renderSummary(boot: Boot, options: Partial<SummaryOptions> = {}): string {
  const opts = { ...DEFAULTS, ...options };
  const out: string[] = [];
  const groups = timelineGroups(boot, findingEpisodes(boot));
  out.push(header(boot));
  if (opts.bottomLine) out.push(section('Bottom line', renderBottomLine(opts.bottomLine)));
  const episodes = renderTimelineGroups(boot, groups, 'episodes');
  if (episodes) out.push(section('In focus: where the findings happened', episodes.trimEnd()));
  out.push(section('Findings', boot.findings.length > 0 ? renderFindings(boot.findings) : 'none'));
  const pci = pciByNodeLines(boot);
  if (pci.length > 0) out.push(section('PCI devices by node (kernel log)', pci.join('\n')));
  out.push(section(`Slowest probes (${Math.min(opts.top, boot.probes.length)} of ${boot.probes.length})`, slowestProbes(boot.probes, opts.top)));
  out.push(section('Per-driver totals', perDriver(boot.probes)));
  const workers = perWorker(boot.probes);
  if (workers) out.push(section('Per CPU and worker', workers));
  if (boot.probes.some((p) => p.worker !== null && p.startNs !== null)) {
    out.push(section(episodes ? 'Timelines of the other probes' : 'Timelines', renderTimelineGroups(boot, groups, 'others').trimEnd()));
  }
  if (boot.initcalls.length > 0) out.push(section(`Slowest initcalls (${Math.min(opts.top, boot.initcalls.length)} of ${boot.initcalls.length})`, slowestInitcalls(boot, opts.top)));
  out.push(section('Inputs', inputs(boot)));
  out.push(section('Diagnostics', diagnostics(boot, opts.diagnostics)));
  return out.join('\n\n') + '\n';
}

/** One line: the kernel, the machine, how much was read (the inputs are listed at the end). */
function header(boot: Boot): string {
  const parts = [boot.kernel.release ? `Linux ${boot.kernel.release}` : 'kernel release unknown'];
  const machine = describeMachine(boot);
  if (machine) parts.push(machine);
  parts.push(`${boot.probes.length} probes`, `${boot.inputs.length} input${boot.inputs.length === 1 ? '' : 's'} (see Inputs)`);
  return `trace-probe analyze: ${parts.join('; ')}`;
}

const MACHINE_FROM = { dmi: 'the DMI line', 'hardware-name': "a WARN header's Hardware name", devicetree: "the device tree's Machine model" } as const;

function inputs(boot: Boot): string {
  const lines: string[] = [];
  if (boot.kernel.cmdline) lines.push(`command line: ${boot.kernel.cmdline}`);
  const m = boot.kernel.machine;
  if (m) {
    const more = [m.board ? `board ${m.board}` : null, m.bios ? `BIOS ${m.bios}` : null].filter((x) => x !== null);
    lines.push(`machine: ${m.model}${more.length > 0 ? ` (${more.join(', ')})` : ''}, from ${MACHINE_FROM[m.from]} at ${m.source.file}:${m.source.line}`);
  }
  if (boot.kernel.hostname) lines.push(`host name: ${boot.kernel.hostname} (systemd's \`Hostname set to\` line)`);
  for (const input of boot.inputs) {
    const diag = input.diagnostics > 0 ? `, ${input.diagnostics} diagnostic${input.diagnostics === 1 ? '' : 's'}` : '';
    lines.push(`input: ${input.path} (${input.format}, ${input.lines} lines${diag})`);
  }
  return lines.join('\n');
}

function section(title: string, body: string): string {
  return `${title}\n${'-'.repeat(title.length)}\n${body}`;
}


function slowestProbes(probes: ProbeSpan[], top: number): string {
  if (probes.length === 0) return 'no probe spans in the input (probe timing needs initcall_debug, or a trace)';
  const rows = [...probes]
    .sort((a, b) => b.durationNs - a.durationNs)
    .slice(0, top)
    .map((p) => [
      p.device,
      p.driver ?? '?',
      p.node === null ? '-' : String(p.node),
      p.cpu === null ? '-' : String(p.cpu),
      describeWorker(p.worker),
      formatSeconds(p.startNs),
      formatMs(p.durationNs),
      formatMs(p.queueDelayNs),
      formatMs(p.runnableWaitNs),
      formatMs(p.sleepNs),
      // A span whose times cannot be (model/impossible-times.ts): its diagnostic says why.
      p.invalid !== undefined ? 'invalid time' : p.status === 'ok' ? 'ok' : `${p.status}${p.ret !== null ? ` (${p.ret})` : ''}`,
      `${p.source.file.split('/').pop()}:${p.source.line}`,
    ]);
  return renderTable(
    [
      { header: 'device' },
      { header: 'driver' },
      { header: 'node', align: 'right' },
      { header: 'cpu', align: 'right' },
      { header: 'worker' },
      { header: 'start(s)', align: 'right' },
      { header: 'cost(ms)', align: 'right' },
      { header: 'queued', align: 'right' },
      { header: 'run-wait', align: 'right' },
      { header: 'sleep', align: 'right' },
      { header: 'status' },
      { header: 'line' },
    ],
    rows,
  );
}

function perDriver(probes: ProbeSpan[]): string {
  if (probes.length === 0) return 'none';
  const byDriver = new Map<string, { n: number; total: number; max: number; failed: number; rejected: number; deferred: number }>();
  for (const p of probes) {
    const key = p.driver ?? '?';
    const d = byDriver.get(key) ?? { n: 0, total: 0, max: 0, failed: 0, rejected: 0, deferred: 0 };
    d.n++;
    d.total += p.durationNs;
    d.max = Math.max(d.max, p.durationNs);
    // -ENODEV/-ENXIO: the driver declined a device that is not its own, not an error (drivers/base/dd.c).
    if (p.status === 'failed') d.failed++;
    if (p.status === 'rejected') d.rejected++;
    if (p.deferred) d.deferred++;
    byDriver.set(key, d);
  }
  const rows = [...byDriver.entries()]
    .sort((a, b) => b[1].total - a[1].total)
    .map(([driver, d]) => [driver, String(d.n), formatMs(d.total), formatMs(d.max), String(d.failed), String(d.rejected), String(d.deferred)]);
  return renderTable(
    [
      { header: 'driver' },
      { header: 'probes', align: 'right' },
      { header: 'total(ms)', align: 'right' },
      { header: 'max(ms)', align: 'right' },
      { header: 'failed', align: 'right' },
      { header: 'rejected', align: 'right' },
      { header: 'deferred', align: 'right' },
    ],
    rows,
  );
}

function perWorker(probes: ProbeSpan[]): string | null {
  const known = probes.filter((p) => p.cpu !== null || p.worker !== null);
  if (known.length === 0) return null;
  const groups = new Map<string, { cpu: string; worker: string; kind: string; n: number; untimed: number; spans: Array<[number, number]> }>();
  for (const p of known) {
    const cpu = p.cpu === null ? '-' : String(p.cpu);
    const worker = workerLabel(p.worker, '-');
    const key = `${cpu}\u0000${worker}`;
    const g = groups.get(key) ?? { cpu, worker, kind: p.worker?.kind ?? '-', n: 0, untimed: 0, spans: [] };
    g.n++;
    if (p.startNs !== null) g.spans.push([p.startNs, p.startNs + p.durationNs]);
    else g.untimed += p.durationNs;
    groups.set(key, g);
  }
  const rows = [...groups.values()]
    .sort((a, b) => (a.cpu === b.cpu ? a.worker.localeCompare(b.worker) : Number(a.cpu) - Number(b.cpu)))
    .map((g) => [g.cpu, g.worker, g.kind, String(g.n), formatMs(g.untimed + unionNs(g.spans))]);
  return renderTable(
    [{ header: 'cpu', align: 'right' }, { header: 'worker' }, { header: 'kind' }, { header: 'probes', align: 'right' }, { header: 'probe time(ms)', align: 'right' }],
    rows,
  );
}

/** Time covered by the spans: a probe inside another (a port service inside its PCIe port) is not counted twice. */
function unionNs(spans: Array<[number, number]>): number {
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of [...spans].sort((a, b) => a[0] - b[0])) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

function slowestInitcalls(boot: Boot, top: number): string {
  const rows = [...boot.initcalls]
    .filter((i) => i.durationNs !== null)
    .sort((a, b) => (b.durationNs ?? 0) - (a.durationNs ?? 0))
    .slice(0, top)
    .map((i) => [
      i.module ? `${i.fn} [${i.module}]` : i.fn,
      formatSeconds(i.startNs),
      formatMs(i.durationNs) + (i.usecsAreShifted ? '*' : ''),
      i.ret === null ? '-' : String(i.ret),
    ]);
  const table = renderTable([{ header: 'initcall' }, { header: 'start(s)', align: 'right' }, { header: 'time(ms)', align: 'right' }, { header: 'ret', align: 'right' }], rows);
  return boot.initcalls.some((i) => i.usecsAreShifted) ? `${table}\n* printed as "usecs" that were ns/1024 (kernels before 5.18): shown ×1.024 as real time` : table;
}

function diagnostics(boot: Boot, quote: number): string {
  const n = boot.diagnostics.length;
  if (n === 0) return 'none';
  const warnings = boot.diagnostics.filter((d) => d.severity === 'warning').length;
  const lines = [`${n} diagnostic${n === 1 ? '' : 's'} (${warnings} warning${warnings === 1 ? '' : 's'}, ${n - warnings} error${n - warnings === 1 ? '' : 's'})`];
  for (const d of boot.diagnostics.slice(0, quote)) lines.push(`  ${d.file}${d.line !== null ? `:${d.line}` : ''}: ${d.message}`);
  if (n > quote) lines.push(`  ... ${n - quote} more (see --json)`);
  return lines.join('\n');
}
