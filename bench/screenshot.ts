// `node dist/bench/screenshot.js REPORT.html OUT.png [SELECTOR] [--height N]`: a screenshot of an HTML
// report in the same headless Chromium the browser tests use (network blocked), after every chart is drawn:
// the first screen (1400 × height, default 1000), or the element SELECTOR (e.g. '#focus'). How the
// screenshots under reports/ are made.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, offlinePage } from './headless-chromium.js';

const args = process.argv.slice(2);
const heightAt = args.indexOf('--height');
const height = heightAt >= 0 ? Number(args.splice(heightAt, 2)[1]) : 1000;
const [html, out, selector] = args;
if (!html || !out) {
  console.error('usage: node dist/bench/screenshot.js REPORT.html OUT.png [SELECTOR] [--height N]');
  process.exit(2);
}
const browser = await launchChromium();
try {
  const { context, page, errors } = await offlinePage(browser, { width: 1400 });
  await page.setViewportSize({ width: 1400, height });
  await page.goto(pathToFileURL(resolve(html)).href, { timeout: 60_000 });
  await page.evaluate(() => (globalThis as unknown as { __reportReady: Promise<unknown> }).__reportReady);
  if (selector) await page.locator(selector).first().screenshot({ path: out });
  else await page.screenshot({ path: out });
  if (errors.length > 0) console.error(`console errors: ${errors.join('; ')}`);
  await context.close();
} finally {
  await browser.close();
}
console.error(`wrote ${out}`);
