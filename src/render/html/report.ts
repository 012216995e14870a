// The self-contained HTML report: findings in plain words, the probe timeline, per-node concurrency,
// the slowest probes and per-driver totals, the initcall timeline, inputs and diagnostics — for one
// boot or several side by side (diff, simulated policies). vega, vega-lite and vega-embed are inlined
// so the file opens from disk with no network; every chart is also rendered to static SVG at report
// time, so the page reads without JavaScript, and the interactive chart replaces it when JS runs.

import { describeMachine, pciByNodeLines } from '../machine-text.js';
import type { TopLevelSpec } from 'vega-lite';
import type { Boot, Finding } from '../../model/types.js';
import { formatMs, formatSeconds } from '../text-table.js';
import { concurrencySpec } from './concurrency-spec.js';
import { escapeHtml, jsonForScript } from './escape-html.js';
import { initcallSpec } from './initcall-spec.js';
import { inlineAssets } from './inline-assets.js';
import { REPORT_CSS } from './report-style.js';
import { driverTotalsTable, slowestInitcallsTable, slowestProbesTable } from './slowest-table.js';
import { renderSvg } from './svg.js';
import { timelineSpec } from './timeline-spec.js';
import { devicesWindow, findingEpisodes, probeReach, type TimeWindow } from '../../findings/episodes.js';
import { densitySpec } from './density-spec.js';
import { fixSentence, nodeHeadline, selfCheckText, type BottomLine } from '../bottom-line-text.js';
import { selfCheckHtml } from './self-check-html.js';
import type { SelfCheck } from '../../sim/self-check.js';
import type { CostPartRow } from '../sim-text.js';

export interface HtmlReportInput {
  title: string;
  boots: Array<{ label: string; boot: Boot; bottomLine?: BottomLine | null }>;
  generatedBy?: string;
  /** With simulated policies: the self-check of the measured boot (sim/self-check.ts). */
  selfCheck?: SelfCheck | null;
  /** With simulated policies: what each prediction could not take from the trace (sim/what-if-caveats.ts). */
  simulationCaveats?: string[];
  /** With simulated policies: where each run's mean probe cost goes (sim/cost-parts.ts). */
  simulationParts?: CostPartRow[];
}

/** Above this many probe rows the browser draws the timeline on a canvas (faster than SVG DOM). */
const CANVAS_ROW_LIMIT = 2000;
/**
 * Above this many timed probes (or initcalls) a chart draws the SLOWEST_DRAWN slowest one by one and a strip
 * chart counts all of them per driver (per initcall level), so any report stays a few MB and draws fast.
 */
export const AGGREGATE_ABOVE = 3000;
export const SLOWEST_DRAWN = 1000;
/** A finding's stretch longer than this share of the boot's probe window gets no chart of its own. */
const MAX_ZOOM_SHARE = 0.5;
const TOP_ROWS = 20;
const DIAGNOSTICS_SHOWN = 500;

export interface Chart {
  id: string;
  spec: TopLevelSpec;
  renderer: 'svg' | 'canvas';
  /** What the static SVG shows, when it differs from the interactive spec. */
  staticSpec?: TopLevelSpec;
  note?: string;
}

/** What one boot's "In focus" part draws: its own episodes, and the stretches of other boots' episodes' devices. */
interface Focus {
  title: string;
  subtitle: string[];
  window: TimeWindow;
}

export async function renderHtmlReport(input: HtmlReportInput): Promise<string> {
  const boots = input.boots;
  const columns = Math.max(1, boots.length);
  // Charts of several boots are stacked full width on one time axis; text and tables go side by side.
  const width = 900;
  const xDomain = columns > 1 ? sharedProbeDomain(boots.map((b) => b.boot)) : null;

  const episodes = boots.map((b) => findingEpisodes(b.boot));
  const charts: Chart[] = [];
  const focus: string[] = [];
  const timeline: string[] = [];
  const concurrency: string[] = [];
  const initcalls: string[] = [];
  for (const [k, { boot, label }] of boots.entries()) {
    // In focus: this boot's own episodes first, then (several boots) where this boot probed the devices of
    // another boot's episode, under a neutral title: a finding's title appears only over the boot that has it.
    // An episode over most of the boot's probe window is no zoom: the whole timeline (below, shaded) shows it.
    const range = probeWindow(boot);
    const zoomable = (w: TimeWindow) => range === null || w.endNs - w.startNs <= (range.end - range.start) * MAX_ZOOM_SHARE;
    const focuses: Focus[] = episodes[k]!.filter((e) => zoomable(e.window)).map((e, j) => ({
      title: `Episode ${j + 1}: ${e.title}`,
      subtitle: [`${e.kind}${e.findings.length > 1 ? ` and ${e.findings.length - 1} more finding(s) in this stretch` : ''}; only the probes that reach into it. Drag to pan, scroll to zoom.`],
      window: e.window,
    }));
    for (const [o, other] of episodes.entries()) {
      if (o === k) continue;
      for (const e of other) {
        if (episodes[k]!.some((own) => own.devices.some((d) => e.devices.includes(d)))) continue;
        const window = devicesWindow(boot, e.devices);
        if (window === null || !zoomable(window) || focuses.some((f) => f.window.startNs === window.startNs && f.window.endNs === window.endNs)) continue;
        focuses.push({
          title: `The same devices as ${boots[o]!.label}'s ${e.kind} (${listCut(e.devices, 4)}), in this boot`,
          subtitle: [`No such finding in ${label}; drawn on its own axis for comparison. Drag to pan, scroll to zoom.`],
          window,
        });
      }
    }
    let focusHtml = '';
    for (const [j, f] of focuses.entries()) {
      const t = timelineSpec(boot, { width, window: f.window, title: f.title, subtitle: f.subtitle, limit: SLOWEST_DRAWN });
      if (t.rows.rows.length === 0) continue;
      focusHtml += await chartHtml({ id: `episode-${k}-${j}`, spec: t.spec, renderer: t.rows.rows.length > CANVAS_ROW_LIMIT ? 'canvas' : 'svg' }, charts);
      const c = concurrencySpec(boot, { width, window: f.window, title: 'Concurrency per NUMA node in this stretch' });
      if (c.points.length > 0) focusHtml += await chartHtml({ id: `episode-${k}-${j}-concurrency`, spec: c.spec, renderer: 'svg' }, charts);
    }
    const broad = episodes[k]!.length - episodes[k]!.filter((e) => zoomable(e.window)).length;
    const broadNote = broad > 0 ? `${broad} finding stretch(es) cover most of the probe window: shaded on the whole timeline below instead.` : '';
    focus.push(focusHtml ? focusHtml + emptyNote(broadNote) : emptyNote(broad > 0 ? broadNote : 'No finding is about timed probes: nothing to zoom on.'));

    const highlights = episodes[k]!.map((e, j) => ({ ...e.window, label: `episode ${j + 1}` }));
    const timedProbes = boot.probes.filter((p) => p.startNs !== null).length;
    const aggregate = timedProbes > AGGREGATE_ABOVE;
    const limit = aggregate ? SLOWEST_DRAWN : Infinity;
    const t = timelineSpec(boot, { width, xDomain, highlights, limit });
    const untimed =
      t.rows.untimed > 0 ? `${t.rows.untimed} of ${boot.probes.length} probes have only a cost (no start time) and are not drawn.` : '';
    const large = t.rows.rows.length > CANVAS_ROW_LIMIT;
    const tChart: Chart = { id: `timeline-${k}`, spec: t.spec, renderer: large ? 'canvas' : 'svg' };
    // A very large boot's static picture shows the bodies only, to keep the file small.
    if (large) tChart.staticSpec = timelineSpec(boot, { width, xDomain, phases: false, highlights, limit }).spec;
    const notes = [untimed, large ? 'Without JavaScript this picture shows the probe bodies only (no queue-delay parts).' : ''];
    if (untimed || large) tChart.note = notes.filter((n) => n).join(' ');
    let timelineHtml = t.rows.rows.length > 0 ? await chartHtml(tChart, charts) : emptyNote('No probe has a start time: nothing to draw.', untimed);
    if (aggregate) {
      const items = boot.probes.flatMap((p) => {
        const reach = probeReach(p);
        return reach === null ? [] : [{ group: p.driver ?? '(driver unknown)', ...reach }];
      });
      const d = densitySpec(items, {
        width, xDomain, groupTitle: 'driver', itemsName: 'probes',
        title: `All ${timedProbes.toLocaleString('en-US')} timed probes, per driver`,
        subtitle: ['Each row is a driver (the largest total probe time first), each cell a slice of time, darker when more of its probes ran at once.'],
      });
      timelineHtml += await chartHtml({ id: `density-${k}`, spec: d.spec, renderer: 'svg' }, charts);
    }
    timeline.push(timelineHtml);
    const c = concurrencySpec(boot, { width, xDomain });
    const cChart: Chart = { id: `concurrency-${k}`, spec: c.spec, renderer: c.points.length > CANVAS_ROW_LIMIT ? 'canvas' : 'svg' };
    concurrency.push(c.points.length > 0 ? await chartHtml(cChart, charts) : emptyNote('No timed probes: no concurrency to show.'));
    const timedInitcalls = boot.initcalls.filter((i) => i.startNs !== null);
    const i = initcallSpec(boot, { width, limit: timedInitcalls.length > AGGREGATE_ABOVE ? SLOWEST_DRAWN : Infinity });
    const iChart: Chart = { id: `initcalls-${k}`, spec: i.spec, renderer: i.rows.length > CANVAS_ROW_LIMIT ? 'canvas' : 'svg' };
    let initcallHtml = i.rows.length > 0 ? await chartHtml(iChart, charts) : emptyNote('No timed initcalls (boot without initcall_debug).');
    if (timedInitcalls.length > AGGREGATE_ABOVE) {
      const items = timedInitcalls.map((c) => ({
        group: c.level !== null ? `level ${c.level}` : c.asyncCookie !== null ? 'async' : c.module !== null ? 'modules' : 'built-in (level not in the log)',
        startNs: c.startNs!,
        endNs: c.endNs ?? c.startNs! + (c.durationNs ?? 0),
      }));
      const d = densitySpec(items, {
        width, groupTitle: 'initcall level', itemsName: 'initcalls',
        title: `All ${timedInitcalls.length.toLocaleString('en-US')} timed initcalls, per initcall level`,
        subtitle: ['Each row is an initcall level (built-in and module initcalls apart when the log names no level), each cell a slice of time.'],
      });
      initcallHtml += await chartHtml({ id: `initcall-density-${k}`, spec: d.spec, renderer: 'svg' }, charts);
    }
    initcalls.push(`${initcallHtml}<h3>Slowest initcalls</h3>${slowestInitcallsTable(boot, TOP_ROWS)}`);
  }

  const assets = await inlineAssets();
  const labels = boots.map((b) => b.label);
  const perBoot = (cells: string[]) => grid(labels, cells);
  const stacked = (cells: string[]) => stack(labels, cells);
  const hasBottomLine = boots.some((b) => b.bottomLine);
  const sections = [
    hasBottomLine ? section('bottom-line', 'Bottom line', perBoot(boots.map((b) => bottomLineHtml(b.bottomLine ?? null)))) : '',
    section('focus', 'In focus: where the findings happened', stacked(focus)),
    section('findings', 'Findings', perBoot(boots.map(({ boot }) => findingsHtml(boot.findings)))),
    boots.length > 1 ? section('comparison', 'Side by side', comparisonTable(boots)) : '',
    input.selfCheck ? section('self-check', 'Simulator self-check', selfCheckHtml(input.selfCheck, input.simulationCaveats ?? [], input.simulationParts ?? [])) : '',
    section('timeline', 'Probe timeline of the whole boot', stacked(timeline)),
    section('concurrency', 'Concurrency per node', stacked(concurrency)),
    section(
      'slowest',
      'Slowest probes and per-driver totals',
      perBoot(boots.map(({ boot }) => `<h3>Slowest probes</h3>${slowestProbesTable(boot, TOP_ROWS)}<h3>Per driver</h3>${driverTotalsTable(boot)}`)),
    ),
    section('initcalls', 'Initcall timeline', stacked(initcalls)),
    section('inputs', 'Inputs and diagnostics', perBoot(boots.map(({ boot }) => inputsHtml(boot)))),
  ];
  const specScripts = charts
    .map((c) => `<script type="application/json" id="spec-${c.id}">${jsonForScript(c.spec)}</script>`)
    .join('\n');
  const versions = assets.map((a) => `${a.name} ${a.version}`).join(', ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(input.generatedBy ?? 'trace-probe')}">
<title>${escapeHtml(input.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(input.title)}</h1>
<nav>${hasBottomLine ? '<a href="#bottom-line">Bottom line</a> · ' : ''}<a href="#focus">In focus</a> · <a href="#findings">Findings</a>${boots.length > 1 ? ' · <a href="#comparison">Side by side</a>' : ''}${input.selfCheck ? ' · <a href="#self-check">Simulator self-check</a>' : ''} · <a href="#timeline">Whole timeline</a> · <a href="#concurrency">Concurrency</a> · <a href="#slowest">Slowest probes</a> · <a href="#initcalls">Initcalls</a> · <a href="#inputs">Inputs and diagnostics</a></nav>
</header>
<main>
${sections.filter((x) => x).join('\n')}
</main>
<footer class="meta">${boots.length === 1 ? '' : `${boots.length} boots side by side: ${boots.map((b) => `<b>${escapeHtml(b.label)}</b>`).join(', ')}. `}Generated by ${escapeHtml(input.generatedBy ?? 'trace-probe')}. Charts: ${escapeHtml(versions)} (inlined; the file needs no network). Without JavaScript the charts show as static pictures.</footer>
${specScripts}
${assets.map((a) => `<script data-lib="${a.name}">${a.source}</script>`).join('\n')}
<script>${EMBED_SCRIPT}</script>
</body>
</html>
`;
}

function bottomLineHtml(line: BottomLine | null): string {
  if (line === null) return '<p class="empty">Not computed for this boot.</p>';
  const items = line.nodes.map((n) => {
    const fix = fixSentence(n);
    return `<li><b>${escapeHtml(nodeHeadline(n))}</b>${fix ? `<br><span class="fix">${escapeHtml(fix)}</span>` : ''}</li>`;
  });
  if (items.length === 0) items.push('<li>No time lost that a finding can estimate.</li>');
  const notes = [line.simulationNote, line.selfCheck ? selfCheckText(line.selfCheck) : null].filter((x): x is string => x !== null);
  return `<ul class="bottom-line">${items.join('')}</ul>${notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')}`;
}

/** Static SVG of the chart in its figure; the chart joins `drawn`, whose specs the page embeds. */
export async function chartHtml(chart: Chart, drawn: Chart[]): Promise<string> {
  drawn.push(chart);
  const svg = await renderSvg(chart.staticSpec ?? chart.spec);
  const note = chart.note ? `<p class="note">${escapeHtml(chart.note)}</p>` : '';
  return `<figure class="chart" data-spec="spec-${chart.id}" data-renderer="${chart.renderer}"><div class="static">${svg}</div></figure>${note}`;
}

function emptyNote(...lines: string[]): string {
  return lines
    .filter((l) => l)
    .map((l) => `<p class="empty">${escapeHtml(l)}</p>`)
    .join('');
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${id}">\n<h2>${escapeHtml(title)}</h2>\n${body}\n</section>`;
}

function grid(labels: string[], cells: string[]): string {
  if (cells.length === 1) return `<div class="boots one"><div class="boot">${cells[0]}</div></div>`;
  return `<div class="boots" style="grid-template-columns: repeat(${cells.length}, minmax(0, 1fr))">${cells
    .map((c, i) => `<div class="boot"><h3 class="boot-label">${escapeHtml(labels[i] ?? '')}</h3>${c}</div>`)
    .join('')}</div>`;
}

function stack(labels: string[], cells: string[]): string {
  if (cells.length === 1) return `<div class="boot">${cells[0]}</div>`;
  return cells.map((c, i) => `<div class="boot"><h3 class="boot-label">${escapeHtml(labels[i] ?? '')}</h3>${c}</div>`).join('');
}

function findingsHtml(findings: Finding[]): string {
  if (findings.length === 0) return '<p class="empty">No findings: nothing in this boot matched a known slow-probing pattern.</p>';
  return findings
    .map((f) => {
      const facts = [
        f.lostNs !== null ? `estimated cost ${formatMs(f.lostNs)} ms` : null,
        f.kind === 'bound-queue-serialization' && f.factor !== undefined ? `serialization factor ${f.factor}` : null,
        f.node !== null ? `node ${f.node}` : null,
        f.cpu !== null ? `CPU ${f.cpu}` : null,
        f.drivers.length > 0 ? `drivers: ${f.drivers.join(', ')}` : null,
      ].filter((x): x is string => x !== null);
      const devices = f.devices.length > 0 ? `<p class="devices">Devices: ${escapeHtml(listCut(f.devices, 20))}</p>` : '';
      const evidence =
        f.evidence.length > 0
          ? `<details><summary>Evidence (${f.evidence.length} lines)</summary><ul class="evidence">${f.evidence
              .slice(0, 50)
              .map((e) => `<li><code>${escapeHtml(`${e.file}:${e.line}`)}</code></li>`)
              .join('')}${f.evidence.length > 50 ? `<li>… ${f.evidence.length - 50} more</li>` : ''}</ul></details>`
          : '';
      const warnings = f.warnings.map((w) => `<p class="warning">Caution: ${escapeHtml(w)}</p>`).join('');
      return `<article class="finding ${f.severity}"><h3>${escapeHtml(f.title)}</h3><p class="facts">${escapeHtml(
        `${f.kind}${facts.length ? ' · ' + facts.join(' · ') : ''}`,
      )}</p><p>${escapeHtml(f.detail)}</p>${devices}${warnings}${evidence}</article>`;
    })
    .join('\n');
}

function listCut(items: string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function probeWindow(boot: Boot): { start: number; end: number } | null {
  let start = Infinity;
  let end = -Infinity;
  for (const p of boot.probes) {
    if (p.startNs === null) continue;
    start = Math.min(start, p.startNs);
    end = Math.max(end, p.endNs ?? p.startNs + p.durationNs);
  }
  return start === Infinity ? null : { start, end };
}

function sharedProbeDomain(boots: Boot[]): [number, number] | null {
  const windows = boots.map(probeWindow).filter((w): w is { start: number; end: number } => w !== null);
  if (windows.length === 0) return null;
  return [Math.min(...windows.map((w) => w.start)) / 1e9, Math.max(...windows.map((w) => w.end)) / 1e9];
}

function comparisonTable(boots: Array<{ label: string; boot: Boot }>): string {
  const rows = boots.map(({ label, boot }) => {
    const w = probeWindow(boot);
    const sum = boot.probes.reduce((s, p) => s + p.durationNs, 0);
    const wall = w ? w.end - w.start : null;
    const lost = boot.findings.reduce((s, f) => s + (f.lostNs ?? 0), 0);
    return [
      label,
      String(boot.probes.length),
      wall === null ? '-' : formatMs(wall),
      formatMs(sum),
      wall ? (sum / wall).toFixed(2) : '-',
      String(boot.findings.length),
      formatMs(lost),
    ];
  });
  const head = ['boot', 'probes', 'probe window ms', 'sum of probes ms', 'sum / window', 'findings', 'estimated cost ms'];
  return `<p>Probe window: first probe start to last probe end. Sum / window near 1 means the probes ran one after another.</p><table class="comparison"><thead><tr>${head
    .map((h, i) => `<th${i > 0 ? ' class="num"' : ''}>${escapeHtml(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function inputsHtml(boot: Boot): string {
  const inputs = boot.inputs
    .map(
      (i) =>
        `<tr><td><code>${escapeHtml(i.path)}</code></td><td>${escapeHtml(i.format)}</td><td class="num">${i.lines}</td><td class="num">${i.diagnostics}</td></tr>`,
    )
    .join('');
  const machine = describeMachine(boot);
  const kernel = [
    boot.kernel.release ? `Kernel ${boot.kernel.release}` : 'Kernel release unknown',
    boot.kernel.cmdline ? `command line: ${boot.kernel.cmdline}` : null,
    machine ?? 'CPU topology unknown (no topology file, and the kernel log does not say)',
    ...pciByNodeLines(boot).map((l) => `PCI ${l}`),
  ].filter((x): x is string => x !== null);
  const shown = boot.diagnostics.slice(0, DIAGNOSTICS_SHOWN);
  const diagnostics =
    boot.diagnostics.length === 0
      ? '<p>No diagnostics: every line of a known format was understood.</p>'
      : `<details${boot.diagnostics.length <= 20 ? ' open' : ''}><summary>${boot.diagnostics.length} diagnostics</summary><ul class="diagnostics">${shown
          .map(
            (d) =>
              `<li class="${d.severity}"><code>${escapeHtml(`${d.file}${d.line === null ? '' : `:${d.line}`}`)}</code> ${escapeHtml(d.severity)}: ${escapeHtml(d.message)}</li>`,
          )
          .join('')}${boot.diagnostics.length > shown.length ? `<li>… ${boot.diagnostics.length - shown.length} more (run <code>trace-probe analyze --json</code> for all)</li>` : ''}</ul></details>`;
  return `<p>${kernel.map(escapeHtml).join('<br>')}</p><table class="inputs"><thead><tr><th>input</th><th>format</th><th class="num">lines</th><th class="num">diagnostics</th></tr></thead><tbody>${inputs}</tbody></table>${diagnostics}`;
}

/** Runs in the page: embeds each chart from its JSON spec, then drops the static SVG it replaces. */
export const EMBED_SCRIPT = `
(function () {
  var views = {};
  window.__reportViews = views;
  var jobs = [];
  document.querySelectorAll('figure.chart[data-spec]').forEach(function (figure) {
    var id = figure.getAttribute('data-spec');
    var spec = JSON.parse(document.getElementById(id).textContent);
    var target = document.createElement('div');
    target.className = 'interactive';
    figure.appendChild(target);
    jobs.push(vegaEmbed(target, spec, { renderer: figure.getAttribute('data-renderer') || 'svg', actions: false })
      .then(function (result) {
        views[id] = result.view;
        var still = figure.querySelector('.static');
        if (still) still.remove();
        figure.classList.add('live');
      })
      .catch(function (err) {
        target.remove();
        console.error('chart ' + id + ' could not be drawn: ' + err);
      }));
  });
  window.__reportReady = Promise.all(jobs).then(function () {
    window.__reportReadyMs = performance.now();
    document.body.setAttribute('data-charts-ready', String(Object.keys(views).length));
  });
})();
`;
