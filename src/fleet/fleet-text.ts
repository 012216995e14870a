// `fleet report` and `fleet ingest` as text: the fleet's answers in plain tables (render only).

import type { IngestSummary } from './fleet-ingest.js';
import type { FleetReport } from './fleet-report.js';
import { formatMs, renderTable } from '../render/text-table.js';

const pct = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)} %`);

/** The hosts that serialize, the most time lost first: `top` of them, and how to list the rest. */
export function hostLines(report: FleetReport, top: number): { rows: string[][]; more: string | null } {
  const rows = report.serializingHosts.slice(0, top).map((h) => [h.host, h.serializedReleases.join(', '), h.clearReleases.join(', ') || '-',
    `${h.serializedBoots}/${h.boots}`, formatMs(h.medianLostNs), h.totalLostNs === null ? '-' : (h.totalLostNs / 1e9).toFixed(3), h.models.join(', ')]);
  const rest = report.serializingHosts.length - rows.length;
  return { rows, more: rest > 0 ? `… ${rest} more hosts (--json lists them all, or fleet query "SELECT host, count(*) FROM boots WHERE serialized GROUP BY host")` : null };
}

export const HOST_HEADERS = ['host', 'serializes on', 'clear on', 'serialized boots', 'median lost ms', 'total lost s', 'machine model'];

export function renderFleetReport(report: FleetReport, options: { topHosts?: number } = {}): string {
  const o = report.overview;
  const out: string[] = [];
  out.push(`trace-probe fleet report: ${o.boots} boots from ${o.hosts} hosts, ${o.releases} kernel releases, ${o.models} machine models` +
    (o.failedInputs > 0 ? ` (${o.failedInputs} inputs could not be read: see the failures table)` : ''));
  out.push(`bound-queue serialization: ${o.serializedBoots} boots on ${o.serializedHosts} hosts`);
  out.push('');
  out.push('Serialization by kernel release and machine model');
  out.push('-------------------------------------------------');
  out.push(renderTable(
    [{ header: 'release' }, { header: 'machine model' }, { header: 'boots', align: 'right' }, { header: 'hosts', align: 'right' },
      { header: 'could show', align: 'right' }, { header: 'serialized', align: 'right' }, { header: 'share', align: 'right' },
      { header: 'hosts serialized', align: 'right' }, { header: 'median lost ms', align: 'right' }, { header: 'exposed, untimed', align: 'right' }],
    report.exposure.map((e) => [e.release, e.model, String(e.boots), String(e.hosts), String(e.observableBoots), String(e.serializedBoots),
      pct(e.sharePercent), String(e.serializedHosts), formatMs(e.medianLostNs), String(e.exposedUntimedBoots)]),
  ));
  out.push('"could show": boots whose inputs could show serialization (probe placement from a trace or the probe lines); the share is of those.');
  out.push('"exposed, untimed": boots that could not show it but whose log shows probes that would queue on one CPU (bound-queue-exposure): time those.');
  out.push('');
  out.push('Time lost per serialized boot');
  out.push('-----------------------------');
  out.push(report.lostPerBoot.length === 0 ? 'no serialized boot.' : renderTable(
    [{ header: 'release' }, { header: 'boots', align: 'right' }, { header: 'p50 ms', align: 'right' }, { header: 'p90 ms', align: 'right' },
      { header: 'p99 ms', align: 'right' }, { header: 'max ms', align: 'right' }, { header: 'total s', align: 'right' }],
    report.lostPerBoot.map((l) => [l.release, String(l.boots), formatMs(l.p50Ns), formatMs(l.p90Ns), formatMs(l.p99Ns), formatMs(l.maxNs), (l.totalNs / 1e9).toFixed(3)]),
  ));
  out.push('');
  out.push('Hosts that serialize (most time lost first)');
  out.push('-------------------------------------------');
  if (report.serializingHosts.length === 0) {
    out.push('no host.');
  } else {
    const hosts = hostLines(report, options.topHosts ?? 15);
    const numeric = new Set([3, 4, 5]);
    out.push(renderTable(HOST_HEADERS.map((header, i) => (numeric.has(i) ? { header, align: 'right' as const } : { header })), hosts.rows));
    if (hosts.more) out.push(hosts.more);
    out.push('"clear on": releases in which the host\'s boots could show serialization and none did.');
  }
  out.push('');
  out.push('Slowest drivers across the fleet (probe time per boot)');
  out.push('------------------------------------------------------');
  out.push(renderTable(
    [{ header: 'driver' }, { header: 'probes', align: 'right' }, { header: 'boots', align: 'right' }, { header: 'per boot ms', align: 'right' },
      { header: 'median ms', align: 'right' }, { header: 'p90 ms', align: 'right' }, { header: 'max ms', align: 'right' }],
    report.slowestDrivers.map((d) => [d.driver, String(d.probes), String(d.boots), formatMs(d.meanPerBootNs), formatMs(d.medianNs), formatMs(d.p90Ns), formatMs(d.maxNs)]),
  ));
  out.push('');
  out.push('Release to release: probe time per boot and driver');
  out.push('--------------------------------------------------');
  out.push(report.releaseChanges.length === 0 ? 'fewer than two kernel releases with probes of the same driver.' : renderTable(
    [{ header: 'driver' }, { header: 'from' }, { header: 'to' }, { header: 'boots', align: 'right' }, { header: 'median before ms', align: 'right' },
      { header: 'median after ms', align: 'right' }, { header: 'change', align: 'right' }, { header: 'verdict' }],
    report.releaseChanges.map((c) => [c.driver, c.from, c.to, `${c.bootsBefore}/${c.bootsAfter}`, formatMs(c.medianBeforeNs), formatMs(c.medianAfterNs),
      `${c.changePercent >= 0 ? '+' : ''}${c.changePercent.toFixed(1)} %`, c.significance.words]),
  ));
  out.push('Verdicts: exact two-sided Mann-Whitney U test at 5 % (normal approximation above 60 boots), as in `diff`.');
  return `${out.join('\n')}\n`;
}

export function renderIngestSummary(s: IngestSummary, stores: string[]): string {
  const seconds = s.elapsedMs / 1000;
  const out = [
    `ingested ${s.ingested} boots, ${s.alreadyStored} already stored, ${s.failed.length} failed` +
      `${s.failedBefore > 0 ? ` (${s.failedBefore} that failed before skipped)` : ''}, of ${s.found} found` +
      ` (${s.skipped.length} other files skipped) in ${seconds.toFixed(1)} s with ${s.jobs} workers:` +
      ` ${(s.found / Math.max(seconds, 1e-3)).toFixed(1)} boots/s, ${(s.bytes / 1e6 / Math.max(seconds, 1e-3)).toFixed(1)} MB/s`,
    ...stores.map((w) => `wrote ${w}`),
  ];
  for (const f of s.failed.slice(0, 20)) out.push(`failed: ${f.path}: ${f.error}`);
  if (s.failed.length > 20) out.push(`failed: … ${s.failed.length - 20} more (SELECT * FROM failures)`);
  return `${out.join('\n')}\n`;
}
