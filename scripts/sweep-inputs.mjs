#!/usr/bin/env node
// Runs `analyze` (in process, the built dist/) on every file (and every capture directory) under the given
// folders and sorts the outcomes: read (with its format), refused (a one-line InputError) or crashed (anything
// else, which must never happen). Used to check issue 14's "no refusal of a genuine kernel log, no crash" on
// ../shared/corpus, ../shared/captures and ../shared/reproducers:
//   npm run build && node scripts/sweep-inputs.mjs ../shared/corpus ../shared/captures ../shared/reproducers
// Prints one line per input (`read|refused|crashed <path> <format or message>`) and a summary; exits 1 on a crash.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { loadBoot } = await import(join(root, 'dist/src/pipeline/load-boot.js'));
const { InputError } = await import(join(root, 'dist/src/ingest/input-error.js'));

function* inputs(dir) {
  const names = readdirSync(dir).sort();
  for (const name of names) {
    const path = join(dir, name);
    const info = statSync(path);
    if (info.isDirectory()) {
      yield path; // a capture directory is one input too
      yield* inputs(path);
    } else if (info.isFile()) yield path;
  }
}

const counts = { read: 0, refused: 0, crashed: 0 };
for (const dir of process.argv.slice(2)) {
  for (const path of inputs(dir)) {
    let outcome;
    try {
      const boot = await loadBoot([path]);
      outcome = ['read', boot.inputs.map((i) => `${i.format}:${i.lines}:${i.diagnostics}`).join(' ') + ` probes=${boot.probes.length} initcalls=${boot.initcalls.length}`];
    } catch (err) {
      outcome = err instanceof InputError ? ['refused', err.message] : ['crashed', String(err && err.stack || err)];
    }
    counts[outcome[0]]++;
    console.log(`${outcome[0]}\t${path}\t${outcome[1]}`);
  }
}
console.log(`# ${counts.read} read, ${counts.refused} refused, ${counts.crashed} crashed`);
process.exitCode = counts.crashed > 0 ? 1 : 0;
