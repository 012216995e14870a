// The simulator's self-check in the HTML report (`report --simulate`): the boot replayed under the policy it ran,
// observed against replayed (probe window, mean and max cost, each device), the verdict and why (sim/self-check.ts).

import type { SelfCheck } from '../../sim/self-check.js';
import { COST_PARTS_NOTE } from '../../sim/cost-parts.js';
import { checkPartRows, type CostPartRow } from '../sim-text.js';
import { formatMs } from '../text-table.js';
import { escapeHtml } from './escape-html.js';

export function selfCheckHtml(c: SelfCheck, caveats: readonly string[] = [], runParts: readonly CostPartRow[] = []): string {
  const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(0)} %`;
  const verdict = c.status === 'checked' ? 'Checked' : c.status === 'low-confidence' ? 'Low confidence' : 'Unchecked';
  const parts: string[] = [];
  parts.push(`<p><b>${escapeHtml(verdict)}</b>: ${escapeHtml(c.summary)}.</p>`);
  if (c.policyEvidence.length > 0) parts.push(`<p>Policy the boot ran: <b>${escapeHtml(c.policy ?? 'unknown')}</b>.</p><ul>${c.policyEvidence.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`);
  if (c.observed && c.replayed && c.errors) {
    const row = (name: string, o: number, r: number, e: number) =>
      `<tr><td>${escapeHtml(name)}</td><td class="num">${formatMs(o)}</td><td class="num">${formatMs(r)}</td><td class="num${Math.abs(e) > c.threshold ? ' bad' : ''}">${pct(e)}</td></tr>`;
    parts.push(`<table class="self-check"><thead><tr><th></th><th>observed ms</th><th>replayed ms</th><th>error</th></tr></thead><tbody>` +
      row('probe window', c.observed.windowNs, c.replayed.windowNs, c.errors.windowNs) +
      row('mean probe cost', c.observed.meanProbeNs, c.replayed.meanProbeNs, c.errors.meanProbeNs) +
      row('max probe cost', c.observed.maxProbeNs, c.replayed.maxProbeNs, c.errors.maxProbeNs) + '</tbody></table>');
    parts.push(`<table class="self-check"><thead><tr><th>device</th><th>driver</th><th>observed ms</th><th>replayed ms</th><th>error</th></tr></thead><tbody>` +
      c.perDevice.slice(0, 50).map((d) => `<tr><td>${escapeHtml(d.device)}</td><td>${escapeHtml(d.driver ?? '-')}</td><td class="num">${formatMs(d.observedNs)}</td><td class="num">${formatMs(d.replayedNs)}</td><td class="num${Math.abs(d.error) > c.threshold ? ' bad' : ''}">${pct(d.error)}</td></tr>`).join('') +
      '</tbody></table>');
  }
  const rows = [...checkPartRows(c, { replayed: true }), ...runParts];
  if (rows.length > 1) {
    parts.push(`<p>Where the mean probe cost goes (ms; the parts add up to the mean):</p><table class="self-check"><thead><tr><th></th><th>mean</th><th>before the hop</th><th>wait for the body's worker</th><th>body</th><th>of it runnable</th><th>after the body</th></tr></thead><tbody>` +
      rows.map(({ name, parts: p }) => `<tr><td>${escapeHtml(name)}</td>${[p.meanNs, p.beforeBodyNs, p.waitNs, p.bodyNs, p.runnableNs, p.afterBodyNs].map((v) => `<td class="num">${formatMs(v)}</td>`).join('')}</tr>`).join('') +
      `</tbody></table><p class="meta">${escapeHtml(COST_PARTS_NOTE)}</p>`);
  }
  if (c.why.length > 0) parts.push(`<p>Why:</p><ul>${c.why.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`);
  if (caveats.length > 0) parts.push(`<p>What the predictions cannot know:</p><ul>${caveats.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`);
  parts.push(`<p class="meta">Every simulated policy below carries this confidence: a prediction is only worth what the replay of the known case is worth (error threshold ${(c.threshold * 100).toFixed(0)} %).</p>`);
  return parts.join('\n');
}
