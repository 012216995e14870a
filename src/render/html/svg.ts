// Static SVG of a Vega-Lite spec, rendered at report time with vega's headless View (no canvas, no
// browser), so the report reads without JavaScript. The interactive chart replaces it when JS runs.

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

// Compiler and view warnings (styling advice) would reach the command's stderr; the browser shows the same spec.
const quiet = vega.logger(vega.None);

/** Renders a Vega-Lite spec to an SVG document string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec, { logger: quiet }).spec), { renderer: 'none', logger: quiet });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
