// The diff as a self-contained HTML page: the report's before/after lanes side by side (one
// representative boot per side: the one with the median probe window), preceded by a "Before → after"
// section holding the per-device dumbbell chart and the diff text table. The report renderer
// (report.ts) builds the page; this file adds its own section after the bottom line, drawn by the
// report's own embed script (a figure.chart with a static SVG and its spec in a JSON script tag).

import type { BootDiff } from '../../compare/boot-diff.js';
import { bootProbeMetrics, selectProbes } from '../../compare/side-stats.js';
import type { Boot } from '../../model/types.js';
import type { BottomLine } from '../bottom-line-text.js';
import { renderDiffText } from '../diff-text.js';
import { dumbbellSpec } from './dumbbell-spec.js';
import { escapeHtml, jsonForScript } from './escape-html.js';
import { renderHtmlReport } from './report.js';
import { renderSvg } from './svg.js';

export interface LabelledBoot {
  label: string;
  boot: Boot;
  bottomLine?: BottomLine | null;
}

/** The diff's section goes right after the bottom line, before the episodes. */
const INSERT_BEFORE = '<section id="focus">';

export async function renderDiffHtml(diff: BootDiff, before: LabelledBoot[], after: LabelledBoot[]): Promise<string> {
  const drivers = diff.drivers ?? undefined;
  const b = representative(before, drivers);
  const a = representative(after, drivers);
  const lanes = [b, a].flatMap((x, i) => (x ? [{ label: `${i === 0 ? 'before' : 'after'}: ${x.label}`, boot: x.boot, bottomLine: x.bottomLine ?? null }] : []));
  const page = await renderHtmlReport({ title: 'trace-probe diff: before → after', boots: lanes });

  const spec = dumbbellSpec(diff);
  const hasPairs = diff.devices.some((d) => d.before?.cost && d.after?.cost);
  const figure = hasPairs
    ? `<figure class="chart" data-spec="spec-dumbbell" data-renderer="svg"><div class="static">${await renderSvg(spec)}</div></figure>\n` +
      `<script type="application/json" id="spec-dumbbell">${jsonForScript(spec)}</script>`
    : '<p class="empty">No device was probed on both sides: nothing to pair.</p>';
  const which = `The lanes below show one boot per side, the one with the median probe window${before.length + after.length > 2 ? ` (of ${before.length} before and ${after.length} after boots)` : ''}.`;
  const section = `<section id="diff">\n<h2>Before → after</h2>\n${figure}\n<p class="note">${escapeHtml(which)}</p>\n<pre class="diff-text" style="overflow-x: auto">${escapeHtml(renderDiffText(diff))}</pre>\n</section>\n`;
  const at = page.indexOf(INSERT_BEFORE);
  if (at < 0) throw new Error('HTML report has no focus section to put the diff section before');
  return page.slice(0, at) + section + page.slice(at);
}

/** The boot whose probe window is the (lower) median of its side; the first boot when none has a window. */
function representative(boots: LabelledBoot[], drivers: string[] | undefined): LabelledBoot | null {
  if (boots.length === 0) return null;
  const windows = boots.map((b) => bootProbeMetrics(selectProbes(b.boot, drivers)).windowNs);
  const known = windows.filter((w): w is NonNullable<typeof w> => w !== null);
  if (known.length === 0) return boots[0]!;
  const target = [...known].sort((x, y) => x - y)[Math.floor((known.length - 1) / 2)]!;
  return boots[windows.indexOf(target)]!;
}
