// Debian's Chromium (/usr/bin/chromium, installed by .ci/run with apt-get) driven by playwright-core,
// with the network blocked: shared by the report browser tests and the HTML bench. Playwright never
// downloads a browser here; when no Chromium is installed the callers skip with this file's message.

import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['TRACE_PROBE_CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser cannot run here, or null when it can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `no Chromium at ${CHROMIUM_PATH} (.ci/run installs Debian's chromium with apt-get when apt works; set TRACE_PROBE_CHROMIUM to use another)`;
}

/** Headless Chromium with a fresh profile (playwright-core makes a temporary user-data-dir per launch). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
}

export interface OfflinePage {
  context: BrowserContext;
  page: Page;
  /** Every request to something other than file:// (all aborted). */
  blocked: string[];
  /** console.error messages and uncaught page errors. */
  errors: string[];
}

/** A page in a new context where everything that is not file:// is aborted and recorded. */
export async function offlinePage(browser: Browser, options: { javaScript?: boolean; width?: number } = {}): Promise<OfflinePage> {
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScript ?? true,
    viewport: { width: options.width ?? 1280, height: 900 },
    offline: true,
  });
  const blocked: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  return { context, page, blocked, errors };
}

export interface ChartMarks {
  /** Chart id (`spec-timeline-0`, ...) → number of data-mark items (axes and legends not counted). */
  items: Record<string, number>;
  /** Timeline chart id → the `probe` index of every running-phase bar. */
  probeBars: Record<string, Array<{ probe: number; device: string }>>;
}

/** Waits for the report's charts to be embedded and reads their scenegraphs. */
export async function readChartMarks(page: Page): Promise<ChartMarks> {
  await page.waitForFunction(() => (globalThis as unknown as { __reportReady?: Promise<unknown> }).__reportReady !== undefined);
  return page.evaluate(async () => {
    const w = globalThis as unknown as { __reportReady: Promise<unknown>; __reportViews: Record<string, { scenegraph(): { root: unknown } }> };
    await w.__reportReady;
    interface SceneMark {
      marktype: string;
      name?: string;
      role?: string;
      items: Array<{ datum?: Record<string, unknown>; items?: SceneMark[] }>;
    }
    const items: Record<string, number> = {};
    const probeBars: Record<string, Array<{ probe: number; device: string }>> = {};
    for (const [id, view] of Object.entries(w.__reportViews)) {
      let count = 0;
      const bars: Array<{ probe: number; device: string }> = [];
      const walk = (mark: SceneMark) => {
        if (mark.marktype !== 'group' && mark.role === 'mark') count += mark.items.length;
        if (mark.name === 'probe_running_marks') for (const it of mark.items) bars.push({ probe: Number(it.datum?.['probe']), device: String(it.datum?.['device']) });
        for (const it of mark.items) for (const child of it.items ?? []) walk(child);
      };
      walk(view.scenegraph().root as SceneMark);
      items[id] = count;
      if (id.startsWith('spec-timeline') || (id.startsWith('spec-episode') && !id.endsWith('-concurrency'))) probeBars[id] = bars;
    }
    return { items, probeBars };
  });
}
