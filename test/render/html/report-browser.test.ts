// Opens a report in Debian's headless Chromium from file:// with the network blocked: no console
// errors, every chart drew marks, the timeline has one running bar per timed probe of the Boot, and
// without JavaScript the static SVGs are there. Saves a screenshot under reports/ for a person to see.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, offlinePage, readChartMarks } from '../../../bench/headless-chromium.js';
import type { Boot } from '../../../src/model/types.js';
import { renderHtmlReport } from '../../../src/render/html/report.js';
import { reportBoot } from './report-boot.js';

const missing = chromiumMissing();
if (missing) console.warn(`report browser tests skipped: ${missing}`);

describe.skipIf(missing !== null)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let boot: Boot;
  let url: string;
  beforeAll(async () => {
    boot = await reportBoot();
    const html = await renderHtmlReport({ title: 'before-n0x3 (browser test)', boots: [{ label: 'before-n0x3', boot }] });
    const file = join(mkdtempSync(join(tmpdir(), 'tp-report-')), 'before-n0x3.html');
    writeFileSync(file, html);
    url = pathToFileURL(file).href;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws every chart offline with no console error, one timeline bar per timed probe', async () => {
    const { context, page, blocked, errors } = await offlinePage(browser);
    try {
      await page.goto(url);
      const marks = await readChartMarks(page);
      // One episode (timeline and concurrency on its own axis) per finding about timed devices: bound-queue
      // serialization of the nvme probes, synchronous probing of pcieport.
      expect(boot.findings.map((f) => f.kind)).toEqual(['bound-queue-serialization', 'synchronous-probe']);
      expect(Object.keys(marks.items).sort()).toEqual([
        'spec-concurrency-0', 'spec-episode-0-0', 'spec-episode-0-0-concurrency', 'spec-episode-0-1', 'spec-episode-0-1-concurrency',
        'spec-initcalls-0', 'spec-timeline-0',
      ]);
      // The page opens on the nvme episode: its chart is the first one, and it holds the probes of the finding,
      // 0000:21:00.0 and 0000:22:00.0 (0000:23:00.0 was queued after both had ended).
      expect(await page.locator('figure.chart').first().getAttribute('data-spec')).toBe('spec-episode-0-0');
      expect(boot.findings[0]!.devices).toEqual(['0000:21:00.0', '0000:22:00.0']);
      expect([...marks.probeBars['spec-episode-0-0']!].map((b) => b.device).sort()).toEqual(['0000:21:00.0', '0000:22:00.0']);
      for (const [id, n] of Object.entries(marks.items)) expect(n, id).toBeGreaterThan(0);
      const timed = boot.probes.map((p, probe) => ({ probe, device: p.device, startNs: p.startNs })).filter((p) => p.startNs !== null);
      const bars = [...marks.probeBars['spec-timeline-0']!].sort((a, b) => a.probe - b.probe);
      expect(bars).toEqual(timed.map(({ probe, device }) => ({ probe, device })));
      expect(await page.locator('figure.chart.live').count()).toBe(7);
      // The nvme probes of the capture: bodies on CPU 0 run by CPU 0's bound kworkers.
      const nvme = bars.filter((b) => /^0000:2[123]:00\.0$/.test(b.device)).map((b) => b.device);
      expect(nvme).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
      expect(await page.locator('figure.chart .static').count()).toBe(0);
      await page.screenshot({ path: 'reports/last-browser-test.png', fullPage: true });
      expect(errors).toEqual([]);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('would notice a page that reaches for the network or logs an error (the guard itself works)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tp-guard-')), 'leaky.html');
    writeFileSync(file, '<!DOCTYPE html><img src="https://cdn.example.org/vega.js"><script>console.error("boom")</script>');
    const { context, page, blocked, errors } = await offlinePage(browser);
    try {
      await page.goto(pathToFileURL(file).href);
      await page.waitForLoadState('load');
      expect(blocked).toEqual(['https://cdn.example.org/vega.js']);
      expect(errors).toContain('boom');
    } finally {
      await context.close();
    }
  });

  it('reads without JavaScript: each chart is a static SVG with the probe bars', async () => {
    const { context, page, blocked } = await offlinePage(browser, { javaScript: false });
    try {
      await page.goto(url);
      expect(await page.locator('figure.chart .static svg').count()).toBe(7);
      const timed = boot.probes.filter((p) => p.startNs !== null).length;
      const running = await page.locator('figure[data-spec="spec-timeline-0"] .static svg g.probe_running_marks path').count();
      expect(running).toBe(timed);
      expect(await page.locator('figure[data-spec="spec-concurrency-0"] .static svg g.concurrency_marks path').count()).toBeGreaterThan(0);
      expect(await page.locator('figure[data-spec="spec-initcalls-0"] .static svg g.initcalls_marks path').count()).toBe(boot.initcalls.filter((i) => i.startNs !== null).length);
      expect(blocked).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
