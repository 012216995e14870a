// `trace-probe diff BEFORE AFTER` and `trace-probe diff --before A B C --after D E F`: boots before
// and after a change, one or many per side (each a capture directory, a kernel log or a Boot JSON),
// compared device by device with statistics; a text table, or the diff JSON.

import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { addDriversOption, checkDrivers, requestedDrivers } from './drivers-option.js';
import { focusBoot } from '../model/driver-focus.js';
import { diffBoots } from '../compare/boot-diff.js';
import { loadBoot } from '../pipeline/load-boot.js';
import type { Boot } from '../model/types.js';
import { renderDiffJson } from '../render/diff-json.js';
import { renderDiffText } from '../render/diff-text.js';
import { bottomLine } from '../sim/bottom-line.js';
import { UsageError } from './usage-error.js';
import { PERFETTO_OPTION, writePerfettoTrace } from './perfetto-output.js';
import { sayWrote } from './wrote.js';
import { refuseDirectory } from './report.js';

interface DiffCommandOptions {
  before?: string[];
  after?: string[];
  drivers?: string[];
  driver?: string[];
  json?: boolean;
  html?: string;
  perfetto?: string;
  seed: string;
}

export function registerDiff(program: Command): void {
  const command = program
    .command('diff')
    .description('compare boots before and after a change (one or many per side): per-device cost, placement, window, findings, with statistics')
    .argument('[boots...]', 'BEFORE AFTER: one boot each (a capture directory, a kernel log, or a Boot JSON from analyze --json)')
    .option('--before <boots...>', 'the boots before the change (several for statistics)')
    .option('--after <boots...>', 'the boots after the change (several for statistics)')
    .option('--json', 'print the diff as JSON (schema trace-probe.diff/1)')
    .option('--html <file>', 'also write a self-contained HTML page: per-device dumbbell chart, before/after lanes side by side')
    .option(...PERFETTO_OPTION)
    .option('--seed <n>', 'seed of the bootstrap confidence intervals', '20260101');
  addDriversOption(command, 'compare')
    .action(async (positional: string[], options: DiffCommandOptions) => {
      const { beforePaths, afterPaths } = sides(positional, options);
      const seed = Number(options.seed);
      if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed takes a whole number ≥ 0, not "${options.seed}"`);
      if (options.perfetto) await refuseDirectory('--perfetto', options.perfetto);
      const loadedBefore = await loadBoots(beforePaths);
      const loadedAfter = await loadBoots(afterPaths);
      // The focus is checked against both sides together: a driver probed on one side only is a real comparison.
      const drivers = checkDrivers(requestedDrivers(options), [...loadedBefore, ...loadedAfter]);
      const before = loadedBefore.map((b) => focusBoot(b, drivers));
      const after = loadedAfter.map((b) => focusBoot(b, drivers));
      const diff = diffBoots(before, after, {
        drivers,
        beforeLabels: beforePaths,
        afterLabels: afterPaths,
        significance: { seed },
      });
      // What reading a JSON boot itself raised (e.g. a simulation JSON of several runs: the first is used).
      for (const [paths, boots] of [[beforePaths, before], [afterPaths, after]] as const) {
        boots.forEach((boot, i) => {
          for (const d of boot.diagnostics) if (d.file === paths[i] && d.line === null) diff.warnings.push(`${paths[i]}: ${d.message}`);
        });
      }
      if (options.html) {
        // The measured loss per node (no replay per boot: a diff may hold many boots).
        const label = async (paths: string[], boots: Boot[]) =>
          Promise.all(boots.map(async (boot, i) => ({ label: paths[i]!, boot, bottomLine: await bottomLine(boot, { simulate: false }) })));
        // Loaded only when HTML is asked for: Vega and its dependencies take about half a second to load.
        const { renderDiffHtml } = await import('../render/html/diff-report.js');
        const html = await renderDiffHtml(diff, await label(beforePaths, before), await label(afterPaths, after));
        try {
          await writeFile(options.html, html);
        } catch (err) {
          throw new UsageError(`cannot write ${options.html}: ${(err as Error).message}`);
        }
        sayWrote(options.html, Buffer.byteLength(html), 'HTML page');
      }
      if (options.perfetto) {
        // One file, one process per boot (before 1..n, after 1..n), each on its own clock since boot.
        const side = (name: string, paths: string[], boots: Boot[]) => boots.map((boot, i) => ({ label: `${name} ${i + 1}: ${paths[i]!}`, boot }));
        await writePerfettoTrace(options.perfetto, [...side('before', beforePaths, before), ...side('after', afterPaths, after)]);
      }
      process.stdout.write(options.json ? renderDiffJson(diff) : renderDiffText(diff));
    });
}

function sides(positional: string[], options: DiffCommandOptions): { beforePaths: string[]; afterPaths: string[] } {
  const named = options.before !== undefined || options.after !== undefined;
  if (named) {
    if (positional.length > 0) throw new UsageError(`give either BEFORE AFTER or --before ... --after ..., not both (extra: ${positional.join(' ')})`);
    if (!options.before?.length || !options.after?.length) throw new UsageError('--before and --after each need at least one boot');
    return { beforePaths: options.before, afterPaths: options.after };
  }
  if (positional.length !== 2) {
    throw new UsageError(`diff takes BEFORE AFTER (two boots) or --before A B C --after D E F, not ${positional.length} argument${positional.length === 1 ? '' : 's'}`);
  }
  return { beforePaths: [positional[0]!], afterPaths: [positional[1]!] };
}

/** Each argument is one boot (a capture directory holds one boot; its boot-2/, boot-3/ are separate arguments). */
async function loadBoots(paths: string[]): Promise<Boot[]> {
  const boots: Boot[] = [];
  for (const path of paths) boots.push(await loadBoot([path]));
  return boots;
}

