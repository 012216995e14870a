#!/usr/bin/env node
// Runs the built CLI (dist/src/cli.js) over every capture directory and file, corpus file, fixture and
// reproducer, and writes every output (stdout, stderr + exit code, HTML) into one directory, so that a
// refactoring can be proved output-neutral with `diff -r before/ after/`:
//
//   npm run build && node scripts/snapshot-outputs.mjs /tmp/before     # on the base commit
//   ...change...
//   npm run build && node scripts/snapshot-outputs.mjs /tmp/after
//   diff -r /tmp/before /tmp/after && echo identical
//
// What runs, per input (paths relative to the repository root, so two work trees give the same bytes):
// - every capture directory (../shared/captures/*, its boot-N/, fixtures/captures/*): analyze (text),
//   analyze --json --html, simulate --json (every policy), report --simulate (every policy);
// - every other file (captures, corpus, reproducers, examples, fixtures; files with the same bytes are run
//   once): analyze (text), analyze --json --html, simulate --json (every policy, the file's topology or a
//   2x4 machine when it has none);
// - diff --json --html of before/after capture pairs, of repeat boots, of the patch mail's boots, and
//   analyze --json outputs fed back as Boot JSON inputs (diff, simulate, report).
// Options: --quick (capture directories, diffs and Boot JSON round trips only: a first check in minutes),
// --jobs N (parallel CLI runs, default 2), --only SUBSTRING (inputs whose path contains it),
// --resume (skip runs whose output is already there: an interrupted snapshot goes on), --cli PATH (another build, e.g. a copy of the base commit's dist/ kept inside the tree as dist-base/ so it
// finds node_modules: `cp -r dist dist-base` before changing anything, then `--cli dist-base/src/cli.js`).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
let CLI = join(ROOT, 'dist', 'src', 'cli.js');
const POLICIES = 'work-on-cpu,sync-wq,skip-in-worker,queue-node,core-affinity,sync,spread';

function parseArgs(argv) {
  const args = { out: null, jobs: 2, only: null, cli: null, resume: false, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--jobs') args.jobs = Number(argv[++i]);
    else if (a === '--only') args.only = argv[++i];
    else if (a === '--cli') args.cli = resolve(argv[++i]);
    else if (a === '--resume') args.resume = true;
    else if (a === '--quick') args.quick = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else args.out = resolve(a);
  }
  if (!args.out) throw new Error('usage: node scripts/snapshot-outputs.mjs OUT_DIR [--jobs N] [--only SUBSTRING]');
  if (!Number.isInteger(args.jobs) || args.jobs < 1) throw new Error('--jobs takes a whole number ≥ 1');
  return args;
}

/** Files under `dir`, sorted, recursively (relative to ROOT). */
function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...walk(p));
    else if (st.isFile()) out.push(relative(ROOT, p));
  }
  return out;
}

/** Capture directories: those holding a dmesg.log, under the capture roots. */
function captureDirs(roots) {
  const dirs = [];
  const visit = (dir) => {
    if (existsSync(join(dir, 'dmesg.log'))) dirs.push(relative(ROOT, dir));
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
    }
  };
  for (const r of roots) if (existsSync(r)) visit(r);
  return dirs;
}

/** A file-system-safe name for an output. */
function slug(text) {
  return text.replace(/^\.\.\//, '').replace(/[^A-Za-z0-9._-]+/g, '_');
}

function runCli(args, cwd) {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd, maxBuffer: 1 << 30, encoding: 'buffer' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : String(err.code ?? err.signal)) : 0;
      done({ stdout, stderr, code });
    });
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.cli) CLI = args.cli;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  mkdirSync(args.out, { recursive: true });
  const shared = join(ROOT, '..', 'shared');
  const jobs = [];
  // One job: a CLI run whose stdout, stderr and exit code are saved under `name`; `html` names an output
  // file argument the CLI writes (the placeholder @HTML in args).
  const add = (name, cliArgs, withHtml = false) => jobs.push({ name, cliArgs, withHtml });

  const dirs = captureDirs([join(shared, 'captures'), join(ROOT, 'fixtures', 'captures')]);
  for (const d of dirs) {
    const s = slug(d);
    add(`dir/${s}.analyze.txt`, ['analyze', d]);
    add(`dir/${s}.analyze.json`, ['analyze', '--json', '--html', '@HTML', d], true);
    add(`dir/${s}.simulate.json`, ['simulate', '--json', '--policy', POLICIES, d]);
    add(`dir/${s}.report`, ['report', '--simulate', POLICIES, '-o', '@HTML', d], true);
  }

  const roots = ['captures', 'corpus', 'reproducers', 'examples'].map((r) => join(shared, r)).filter(existsSync);
  roots.push(join(ROOT, 'fixtures'));
  const seen = new Set();
  for (const root of roots) {
    for (const f of walk(root)) {
      const hash = createHash('sha256').update(readFileSync(join(ROOT, f))).digest('hex');
      if (seen.has(hash)) continue;
      seen.add(hash);
      const s = slug(f);
      add(`file/${s}.analyze.txt`, ['analyze', f]);
      add(`file/${s}.analyze.json`, ['analyze', '--json', '--html', '@HTML', f], true);
      add(`file/${s}.simulate.json`, ['simulate', '--json', '--policy', POLICIES, '--topology', '2x4', f]);
    }
  }

  // Pairs for diff: each capture against its repeat boots, before against after, measured against flat/sync.
  const cap = (name) => relative(ROOT, join(shared, 'captures', name));
  const withRepeats = (name) => [cap(name), ...['boot-2', 'boot-3'].map((b) => join(cap(name), b)).filter((p) => existsSync(join(ROOT, p)))];
  const diffs = [
    ['before-vs-after', ['--before', ...withRepeats('before-n0x3'), '--after', ...withRepeats('after-n0x3')]],
    ['before-vs-after-v2', ['--before', ...withRepeats('before-n0x3'), '--after', ...withRepeats('after-v2-n0x3')]],
    ['n0x3-vs-flat', [cap('n0x3'), cap('flat')]],
    ['n0x3-vs-sync', [cap('n0x3'), cap('sync')]],
    ['n0x3-vs-boot-2', [cap('n0x3'), join(cap('n0x3'), 'boot-2')]],
    ['fgraph-vs-fgraph-bootopt', [cap('fgraph'), cap('fgraph-bootopt')]],
    ['patch-mail-before-vs-after-v1', ['fixtures/sim/before.log', 'fixtures/sim/after-v1.log']],
    ['patch-mail-before-vs-after-v2', ['fixtures/sim/before.log', 'fixtures/sim/after-v2.log']],
    ['fixtures-before-vs-after-nvme', ['--driver', 'nvme', 'fixtures/captures/before-n0x3', 'fixtures/captures/after-n0x3']],
  ];
  for (const [name, diffArgs] of diffs) {
    if (!diffArgs.filter((a) => !a.startsWith('-')).every((p) => existsSync(join(ROOT, p)))) continue;
    add(`diff/${name}.json`, ['diff', '--json', '--html', '@HTML', ...diffArgs], true);
    add(`diff/${name}.txt`, ['diff', ...diffArgs]);
  }

  if (args.quick) jobs.splice(0, jobs.length, ...jobs.filter((j) => !j.name.startsWith('file/')));
  let selected = args.only ? jobs.filter((j) => j.cliArgs.some((a) => a.includes(args.only))) : jobs;
  // A run is complete when its .stderr (written last) exists.
  if (args.resume) selected = selected.filter((j) => !existsSync(join(args.out, `${j.name}.stderr`)));
  let next = 0;
  let finished = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < selected.length) {
      const job = selected[next++];
      await runJob(job, args.out);
      finished++;
      if (finished % 100 === 0) process.stderr.write(`${finished}/${selected.length} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
    }
  };
  await Promise.all(Array.from({ length: args.jobs }, worker));

  // Boot JSON round trip: analyze --json outputs of captures fed back as inputs.
  const bootJson = (d) => join(args.out, `dir/${slug(d)}.analyze.json`);
  const before = cap('before-n0x3');
  const after = cap('after-n0x3');
  if (!args.only && existsSync(bootJson(before)) && existsSync(bootJson(after))) {
    const tmp = join(args.out, 'json-input');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'before.boot.json'), readFileSync(bootJson(before)));
    writeFileSync(join(tmp, 'after.boot.json'), readFileSync(bootJson(after)));
    // Run from OUT_DIR with relative paths, so the outputs name the same inputs in every snapshot.
    const rel = (n) => join('json-input', n);
    const extra = [
      { name: 'json-input/diff.json', cliArgs: ['diff', '--json', rel('before.boot.json'), rel('after.boot.json')] },
      { name: 'json-input/simulate.json', cliArgs: ['simulate', '--json', '--policy', POLICIES, rel('before.boot.json')] },
      { name: 'json-input/analyze.json', cliArgs: ['analyze', '--json', rel('before.boot.json')] },
    ];
    for (const job of extra) await runJob(job, args.out, args.out);
  }
  process.stderr.write(`${selected.length} runs in ${((Date.now() - started) / 1000).toFixed(0)} s into ${args.out}\n`);
}

async function runJob(job, outDir, cwd = ROOT) {
  const base = join(outDir, job.name);
  mkdirSync(resolve(base, '..'), { recursive: true });
  const htmlPath = `${base}.html`;
  const cliArgs = job.cliArgs.map((a) => (a === '@HTML' ? htmlPath : a));
  const { stdout, stderr, code } = await runCli(cliArgs, cwd);
  writeFileSync(`${base}.stdout`, stdout);
  // The HTML path is the only place OUT_DIR appears: normalise it so two snapshots compare.
  writeFileSync(`${base}.stderr`, Buffer.concat([Buffer.from(stderr.toString('latin1').split(outDir).join('OUT'), 'latin1'), Buffer.from(`exit ${code}\n`)]));
}

main().catch((err) => {
  process.stderr.write(`snapshot-outputs: ${err.message}\n`);
  process.exit(2);
});
