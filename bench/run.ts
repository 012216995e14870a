// `npm run bench`: runs every bench/*.bench.js module (compiled) in name order. Each module exports
// `name` and `run(): Promise<void>` and prints its own figures. Nothing in the unit tests times anything.

import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface BenchModule {
  name: string;
  run(args: string[]): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.js')).sort();
for (const file of files) {
  const mod = (await import(join(here, file))) as BenchModule;
  if (only.length > 0 && !only.some((o) => mod.name.includes(o))) continue;
  console.log(`\n== ${mod.name} ==`);
  await mod.run(process.argv.slice(2));
}
