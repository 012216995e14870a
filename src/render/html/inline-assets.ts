// The browser builds of vega, vega-lite and vega-embed (their UMD `.min.js` files from node_modules,
// located with createRequire), inlined into the report so it opens from disk with no network.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { scriptForInline } from './escape-html.js';

export interface InlineAsset {
  name: 'vega' | 'vega-lite' | 'vega-embed';
  version: string;
  /** Script source, safe to place between `<script>` and `</script>`. */
  source: string;
}

const require = createRequire(import.meta.url);

/** Directory of an installed package; vega-embed's `exports` hides package.json, so resolve its main file. */
function packageBuildDir(name: InlineAsset['name']): string {
  return dirname(require.resolve(name));
}

async function versionOf(buildDir: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(buildDir, '..', 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

let cached: Promise<InlineAsset[]> | null = null;

/** vega, vega-lite and vega-embed in the order the page must load them (each needs the previous). */
export function inlineAssets(): Promise<InlineAsset[]> {
  cached ??= Promise.all(
    (
      [
        ['vega', 'vega.min.js'],
        ['vega-lite', 'vega-lite.min.js'],
        ['vega-embed', 'vega-embed.min.js'],
      ] as const
    ).map(async ([name, file]) => {
      const dir = packageBuildDir(name);
      const [source, version] = await Promise.all([readFile(join(dir, file), 'utf8'), versionOf(dir)]);
      return { name, version, source: scriptForInline(source) };
    }),
  );
  return cached;
}
