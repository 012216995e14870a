// HTML tables of the slowest probes, per-driver totals and the slowest initcalls. Every string from
// input is escaped.

import type { Boot, ProbeSpan } from '../../model/types.js';
import { formatMs, formatSeconds } from '../text-table.js';
import { escapeHtml } from './escape-html.js';
import { workerLabel } from '../worker-label.js';

export interface DriverTotal {
  driver: string;
  probes: number;
  totalNs: number;
  maxNs: number;
  failed: number;
}

/** Per-driver count, total and longest probe duration, largest total first. */
export function driverTotals(probes: readonly ProbeSpan[]): DriverTotal[] {
  const byDriver = new Map<string, DriverTotal>();
  for (const p of probes) {
    const driver = p.driver ?? '(unknown driver)';
    let t = byDriver.get(driver);
    if (!t) byDriver.set(driver, (t = { driver, probes: 0, totalNs: 0, maxNs: 0, failed: 0 }));
    t.probes++;
    t.totalNs += p.durationNs;
    t.maxNs = Math.max(t.maxNs, p.durationNs);
    if (p.status !== 'ok') t.failed++;
  }
  return [...byDriver.values()].sort((a, b) => b.totalNs - a.totalNs || a.driver.localeCompare(b.driver));
}

interface Column<T> {
  header: string;
  numeric?: boolean;
  cell: (row: T) => string;
}

function table<T>(className: string, columns: Column<T>[], rows: readonly T[]): string {
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.header)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.cell(r))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="${className}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function slowestProbesTable(boot: Boot, top: number): string {
  const rows = [...boot.probes].sort((a, b) => b.durationNs - a.durationNs).slice(0, top);
  if (rows.length === 0) return '<p class="empty">No probes in this boot.</p>';
  return table<ProbeSpan>(
    'slowest-probes',
    [
      { header: 'device', cell: (p) => p.device },
      { header: 'driver', cell: (p) => p.driver ?? '-' },
      { header: 'ms', numeric: true, cell: (p) => formatMs(p.durationNs) },
      { header: 'start (s)', numeric: true, cell: (p) => formatSeconds(p.startNs) },
      { header: 'CPU', numeric: true, cell: (p) => (p.cpu === null ? '-' : String(p.cpu)) },
      { header: 'node', numeric: true, cell: (p) => (p.node === null ? '-' : String(p.node)) },
      { header: 'worker', cell: (p) => (p.worker ? workerLabel(p.worker) : '-') },
      { header: 'queue delay ms', numeric: true, cell: (p) => formatMs(p.queueDelayNs) },
      { header: 'runnable wait ms', numeric: true, cell: (p) => formatMs(p.runnableWaitNs) },
      { header: 'status', cell: (p) => p.status },
      { header: 'source', cell: (p) => `${p.source.file}:${p.source.line}` },
    ],
    rows,
  );
}

export function driverTotalsTable(boot: Boot): string {
  const totals = driverTotals(boot.probes);
  if (totals.length === 0) return '';
  return table<DriverTotal>(
    'driver-totals',
    [
      { header: 'driver', cell: (t) => t.driver },
      { header: 'probes', numeric: true, cell: (t) => String(t.probes) },
      { header: 'total ms', numeric: true, cell: (t) => formatMs(t.totalNs) },
      { header: 'longest ms', numeric: true, cell: (t) => formatMs(t.maxNs) },
      { header: 'not ok', numeric: true, cell: (t) => String(t.failed) },
    ],
    totals,
  );
}

export function slowestInitcallsTable(boot: Boot, top: number): string {
  const rows = boot.initcalls
    .filter((i) => i.durationNs !== null)
    .sort((a, b) => b.durationNs! - a.durationNs!)
    .slice(0, top);
  if (rows.length === 0) return '<p class="empty">No initcall_debug lines in this boot.</p>';
  return table(
    'slowest-initcalls',
    [
      { header: 'initcall', cell: (i) => i.fn },
      { header: 'module', cell: (i) => i.module ?? '-' },
      { header: 'ms', numeric: true, cell: (i) => formatMs(i.durationNs) + (i.usecsAreShifted ? ' (ns>>10)' : '') },
      { header: 'start (s)', numeric: true, cell: (i) => formatSeconds(i.startNs) },
      { header: 'returned', numeric: true, cell: (i) => (i.ret === null ? '-' : String(i.ret)) },
      { header: 'source', cell: (i) => `${i.source.file}:${i.source.line}` },
    ],
    rows,
  );
}
