// The fleet report as one self-contained HTML page (vega, vega-lite and vega-embed inlined, static SVG for
// readers without JavaScript), built like `report`'s page: share of boots that serialize by release and
// machine model, the distribution of time lost per serialized boot, the slowest drivers, and the
// release-to-release changes with their verdicts. Render only: the numbers come from fleet/fleet-report.ts.

import type { TopLevelSpec } from 'vega-lite';
import type { FleetReport } from './fleet-report.js';
import { HOST_HEADERS, hostLines } from './fleet-text.js';
import { formatMs } from '../render/text-table.js';
import { CHART_FONT, VEGA_LITE_SCHEMA } from '../render/html/chart-style.js';
import { escapeHtml, jsonForScript } from '../render/html/escape-html.js';
import { inlineAssets } from '../render/html/inline-assets.js';
import { chartHtml, EMBED_SCRIPT, section, type Chart } from '../render/html/report.js';
import { REPORT_CSS } from '../render/html/report-style.js';

const WIDTH = 900;

function shareSpec(report: FleetReport): TopLevelSpec {
  const values = report.exposure.filter((e) => e.sharePercent !== null).map((e) => ({
    release: e.release, model: e.model, share: Number(e.sharePercent!.toFixed(2)), serialized: e.serializedBoots, could: e.observableBoots,
  }));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Boots with bound-queue serialization (of those whose data could show it)',
    width: WIDTH - 250,
    config: { font: CHART_FONT },
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'release', type: 'nominal', sort: report.releaseOrder, title: 'kernel release' },
      yOffset: { field: 'model', type: 'nominal' },
      x: { field: 'share', type: 'quantitative', title: 'share of boots (%)', scale: { domain: [0, 100] } },
      color: { field: 'model', type: 'nominal', title: 'machine model' },
      tooltip: [{ field: 'release' }, { field: 'model' }, { field: 'share', title: 'share %' }, { field: 'serialized' }, { field: 'could', title: 'could show' }],
    },
  } as TopLevelSpec;
}

function lostSpec(report: FleetReport): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Time lost per serialized boot',
    width: WIDTH - 250,
    height: 220,
    config: { font: CHART_FONT },
    data: { values: report.lostSamplesNs.map((s) => ({ release: s.release, lostMs: s.lostNs / 1e6 })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'lostMs', type: 'quantitative', bin: { maxbins: 40 }, title: 'time lost (ms)' },
      y: { aggregate: 'count', type: 'quantitative', title: 'boots' },
      color: { field: 'release', type: 'nominal', sort: report.releaseOrder, title: 'kernel release' },
    },
  } as TopLevelSpec;
}

function driversSpec(report: FleetReport): TopLevelSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Slowest drivers: probe time per boot (mean)',
    width: WIDTH - 250,
    config: { font: CHART_FONT },
    data: { values: report.slowestDrivers.map((d) => ({ driver: d.driver, perBootMs: d.meanPerBootNs / 1e6, boots: d.boots, probes: d.probes })) },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'driver', type: 'nominal', sort: '-x', title: null },
      x: { field: 'perBootMs', type: 'quantitative', title: 'ms per boot' },
      tooltip: [{ field: 'driver' }, { field: 'perBootMs', title: 'ms per boot', format: '.3f' }, { field: 'boots' }, { field: 'probes' }],
    },
  } as TopLevelSpec;
}

function table(headers: string[], rows: string[][], numeric: ReadonlySet<number>): string {
  const th = headers.map((h, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.has(i) ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

export async function renderFleetHtml(report: FleetReport, options: { title: string; generatedBy?: string; topHosts?: number }): Promise<string> {
  const charts: Chart[] = [];
  const o = report.overview;
  const chart = async (id: string, spec: TopLevelSpec, empty: boolean, note: string) =>
    empty ? `<p class="empty">${escapeHtml(note)}</p>` : chartHtml({ id, spec, renderer: 'svg' }, charts);
  const exposureTable = table(
    ['release', 'machine model', 'boots', 'hosts', 'could show', 'serialized', 'share', 'hosts serialized', 'median lost ms', 'exposed, untimed'],
    report.exposure.map((e) => [e.release, e.model, String(e.boots), String(e.hosts), String(e.observableBoots), String(e.serializedBoots),
      e.sharePercent === null ? '-' : `${e.sharePercent.toFixed(1)} %`, String(e.serializedHosts), formatMs(e.medianLostNs), String(e.exposedUntimedBoots)]),
    new Set([2, 3, 4, 5, 6, 7, 8, 9]),
  );
  const lostTable = table(['release', 'boots', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
    report.lostPerBoot.map((l) => [l.release, String(l.boots), formatMs(l.p50Ns), formatMs(l.p90Ns), formatMs(l.p99Ns), formatMs(l.maxNs)]), new Set([1, 2, 3, 4, 5]));
  const hosts = hostLines(report, options.topHosts ?? 50);
  const hostsHtml = report.serializingHosts.length === 0 ? '<p class="empty">No host serializes.</p>'
    : table(HOST_HEADERS, hosts.rows, new Set([3, 4, 5])) + (hosts.more ? `<p>${escapeHtml(hosts.more)}</p>` : '');
  const changeTable = table(['driver', 'from', 'to', 'boots', 'median before ms', 'median after ms', 'change', 'verdict'],
    report.releaseChanges.map((c) => [c.driver, c.from, c.to, `${c.bootsBefore}/${c.bootsAfter}`, formatMs(c.medianBeforeNs), formatMs(c.medianAfterNs),
      `${c.changePercent >= 0 ? '+' : ''}${c.changePercent.toFixed(1)} %`, c.significance.words]), new Set([3, 4, 5, 6]));
  const sections = [
    section('exposure', 'Which releases and machines serialize', (await chart('share', shareSpec(report), report.exposure.every((e) => e.sharePercent === null), 'No boot had the data to show serialization (probe placement from a trace or probe lines).')) + exposureTable),
    section('lost', 'Time lost per boot', (await chart('lost', lostSpec(report), report.lostSamplesNs.length === 0, 'No serialized boot.')) + lostTable),
    section('hosts', 'Hosts that serialize', hostsHtml),
    section('drivers', 'Slowest drivers', await chart('drivers', driversSpec(report), report.slowestDrivers.length === 0, 'No probes in the store.')),
    section('changes', 'Release to release', report.releaseChanges.length === 0 ? '<p class="empty">Fewer than two kernel releases with probes of the same driver.</p>' : changeTable),
  ];
  const assets = await inlineAssets();
  const specScripts = charts.map((c) => `<script type="application/json" id="spec-${c.id}">${jsonForScript(c.spec)}</script>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(options.title)}</h1>
<p class="meta">${o.boots} boots from ${o.hosts} hosts, ${o.releases} kernel releases, ${o.models} machine models; bound-queue serialization in ${o.serializedBoots} boots on ${o.serializedHosts} hosts.${o.failedInputs > 0 ? ` ${o.failedInputs} inputs could not be read.` : ''} Generated by ${escapeHtml(options.generatedBy ?? 'trace-probe')}.</p>
<nav><a href="#exposure">Releases and machines</a> · <a href="#lost">Time lost</a> · <a href="#hosts">Hosts</a> · <a href="#drivers">Slowest drivers</a> · <a href="#changes">Release to release</a></nav>
</header>
<main>
${sections.join('\n')}
</main>
${specScripts}
${assets.map((a) => `<script data-lib="${a.name}">${a.source}</script>`).join('\n')}
<script>${EMBED_SCRIPT}</script>
</body>
</html>
`;
}
