import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../src/render/html/report.js';
import type { Finding } from '../../../src/model/types.js';
import { beforeN0x3Boot } from './before-n0x3-boot.js';

function specsOf(html: string): Map<string, unknown> {
  const specs = new Map<string, unknown>();
  for (const m of html.matchAll(/<script type="application\/json" id="([^"]+)">([\s\S]*?)<\/script>/g)) specs.set(m[1]!, JSON.parse(m[2]!));
  return specs;
}

describe('renderHtmlReport', () => {
  it('is one self-contained page: vega, vega-lite and vega-embed inlined, nothing loaded from elsewhere', async () => {
    const html = await renderHtmlReport({ title: 'before-n0x3', boots: [{ label: 'before', boot: beforeN0x3Boot() }] });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*\shref=/i);
    expect([...html.matchAll(/<script data-lib="([^"]+)">/g)].map((m) => m[1])).toEqual(['vega', 'vega-lite', 'vega-embed']);
    expect(html).toMatch(/vega 5\.\d+\.\d+, vega-lite 5\.\d+\.\d+, vega-embed 6\.\d+\.\d+/);
  });

  it('embeds a static SVG and a spec for each chart, the timeline spec holding the three nvme probes', async () => {
    const html = await renderHtmlReport({ title: 'before-n0x3', boots: [{ label: 'before', boot: beforeN0x3Boot() }] });
    const specs = specsOf(html);
    expect([...specs.keys()]).toEqual(['spec-timeline-0', 'spec-concurrency-0', 'spec-initcalls-0']);
    for (const id of specs.keys()) {
      expect(html).toMatch(new RegExp(`<figure class="chart" data-spec="${id}" data-renderer="svg"><div class="static"><svg `));
    }
    const timeline = specs.get('spec-timeline-0') as { datasets: { probes: Array<{ device: string; cpu: string }> } };
    expect(timeline.datasets.probes.map((p) => `${p.device}@${p.cpu}`)).toEqual(['0000:21:00.0@0', '0000:22:00.0@0', '0000:23:00.0@0']);
    // The static timeline draws one running bar per probe and a queue-delay bar for each (all three have one).
    const staticTimeline = html.slice(html.indexOf('data-spec="spec-timeline-0"'), html.indexOf('</figure>', html.indexOf('data-spec="spec-timeline-0"')));
    const layer = (name: string) => staticTimeline.match(new RegExp(`<g class="mark-rect role-mark ${name}"[^>]*>(.*?)</g>`))?.[1]?.match(/<path /g)?.length;
    expect(layer('probe_running_marks')).toBe(3);
    expect(layer('probe_queue_marks')).toBe(3);
    // The runnable wait is never drawn as a stretch of time (the Boot knows how long, not when).
    expect(staticTimeline).not.toContain('probe_wait');
    // Legends list only what is drawn: every body here ran on a bound kworker.
    expect(staticTimeline).toContain("aria-label=\"Symbol legend titled 'worker kind' for fill color with 1 value: bound\"");
    expect(staticTimeline).toContain("aria-label=\"Symbol legend titled 'part' for opacity with 2 values: probe body, queue delay\"");
    // Every mark's description (aria-label, from the tooltip fields) has values: no `undefined`, no `null`.
    expect(staticTimeline).not.toMatch(/\b(undefined|null)\b/);
  });

  it('lists the slowest probes and per-driver totals with the capture values', async () => {
    const html = await renderHtmlReport({ title: 't', boots: [{ label: 'before', boot: beforeN0x3Boot() }] });
    expect(html).toContain('<td>0000:23:00.0</td><td>nvme</td><td class="num">6.140</td><td class="num">4.061517</td>');
    expect(html).toContain('<td>nvme</td><td class="num">3</td><td class="num">11.593</td><td class="num">6.140</td><td class="num">0</td>');
  });

  it('escapes device names, driver names, findings and paths from input', async () => {
    const boot = beforeN0x3Boot();
    const evil = '<img src=x onerror="alert(1)">';
    boot.probes[0] = { ...boot.probes[0]!, device: evil, driver: '</script><script>alert(2)</script>' };
    boot.findings.push({
      kind: 'bound-queue-serialization', severity: 'warning', title: `probes of ${evil} ran serialized`, detail: 'a & b', node: null, cpu: null,
      devices: [evil], drivers: [], lostNs: null, evidence: [{ file: '<f>', line: 1 }], warnings: ['<w>'], data: {},
    } as unknown as Finding);
    boot.diagnostics.push({ file: 'dmesg.log', line: 3, message: '<b>bad</b>', severity: 'warning' });
    const html = await renderHtmlReport({ title: '<t>', boots: [{ label: '<l>', boot }] });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(2)');
    expect(html).not.toContain('<b>bad</b>');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain('<title>&lt;t&gt;</title>');
    // The data still carries the name unchanged once the page parses its JSON.
    const timeline = specsOf(html).get('spec-timeline-0') as { datasets: { probes: Array<{ device: string }> } };
    expect(timeline.datasets.probes[0]!.device).toBe(evil);
  });

  it('puts several boots side by side with a comparison table and a shared time axis', async () => {
    const after = beforeN0x3Boot();
    after.probes = after.probes.map((p) => ({ ...p, cpu: null }));
    const html = await renderHtmlReport({ title: 'diff', boots: [{ label: 'before', boot: beforeN0x3Boot() }, { label: 'after', boot: after }] });
    expect(html).toContain('id="comparison"');
    expect(html).toContain('<td>before</td><td class="num">3</td><td class="num">9.772</td><td class="num">11.593</td><td class="num">1.19</td>');
    const specs = specsOf(html);
    expect([...specs.keys()]).toHaveLength(6);
    const t1 = specs.get('spec-timeline-1') as { datasets: { probes: Array<{ lane: string }> }; layer: Array<{ encoding: { x: { scale: { domain: number[] } } } }> };
    expect(t1.datasets.probes.map((p) => p.lane)).toEqual(['CPU ?', 'CPU ? ·2', 'CPU ?']);
    expect(t1.layer[0]!.encoding.x.scale.domain).toEqual([4.057885, 4.067657]);
  });
});

describe('renderHtmlReport of a very large boot', () => {
  it('draws the slowest probes one by one and all of them per driver, so the page stays small', async () => {
    const { largeBoot } = await import('../../../bench/html.bench.js');
    const { AGGREGATE_ABOVE, SLOWEST_DRAWN } = await import('../../../src/render/html/report.js');
    const boot = largeBoot(AGGREGATE_ABOVE + 500);
    const html = await renderHtmlReport({ title: 'large', boots: [{ label: 'synthetic', boot }] });
    const specs = specsOf(html);
    const timeline = specs.get('spec-timeline-0') as { datasets: { probes: Array<{ durationMs: number }> }; title: { text: string } };
    expect(timeline.datasets.probes).toHaveLength(SLOWEST_DRAWN);
    expect(timeline.title.text).toMatch(/the 1,000 slowest of 3,500 probes, each ≥ [\d.]+ ms\)$/);
    const shortest = Math.min(...timeline.datasets.probes.map((p) => p.durationMs));
    expect(boot.probes.filter((p) => p.durationNs / 1e6 > shortest).length).toBeLessThan(SLOWEST_DRAWN);
    const density = specs.get('spec-density-0') as { datasets: { density: Array<{ group: string; n: number }> } };
    expect(new Set(density.datasets.density.map((c) => c.group))).toEqual(new Set(['nvme', 'mlx5_core']));
    expect(Buffer.byteLength(html)).toBeLessThan(6e6);
  }, 60_000);
});
