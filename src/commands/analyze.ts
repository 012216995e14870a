// `trace-probe analyze FILE|DIR...`: one boot from any mix of inputs; a summary, or the Boot JSON.

import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { collectList } from './list-option.js';
import { addDriversOption, focusOn } from './drivers-option.js';
import { loadBoot } from '../pipeline/load-boot.js';
import type { Boot } from '../model/types.js';
import { renderBootJson } from '../render/boot-json.js';
import { renderSummary } from '../render/summary-text.js';
import { FINDING_KINDS } from '../findings/index.js';
import { bottomLine } from '../sim/bottom-line.js';
import { refuseDirectory, titleOf, writeHtmlReport } from './report.js';
import { EXIT_FINDING } from './exit-codes.js';
import { UsageError } from './usage-error.js';
import { PERFETTO_OPTION, writePerfettoTrace } from './perfetto-output.js';
import { sayWrote } from './wrote.js';

interface AnalyzeOptions {
  json?: boolean;
  html?: string;
  perfetto?: string;
  failOn: string[];
  top: string;
  drivers?: string[];
  driver?: string[];
}

export function registerAnalyze(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('analyze')
    .description('rebuild probe spans from kernel logs, traces and topology; print findings and a summary')
    .argument('<inputs...>', 'files and capture directories (dmesg, trace, topology, ...), any order')
    .option('--json', 'print the Boot model as JSON (schema trace-probe.boot/1)')
    .option('--html <file>', 'also write the self-contained HTML report of this boot to FILE')
    .option(...PERFETTO_OPTION)
    .option('--fail-on <kinds>', 'exit 1 when a finding of one of these kinds (comma-separated) is found', nonEmptyList, [])
    .option('--top <n>', 'how many of the slowest probes and initcalls to list', '10');
  addDriversOption(command, 'show')
    .action(async (inputs: string[], options: AnalyzeOptions) => {
      const top = Number(options.top);
      if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top takes a whole number ≥ 1, not "${options.top}"`);
      // A misspelt kind would make a CI gate that never fires.
      const unknown = options.failOn.filter((k) => !FINDING_KINDS.includes(k));
      if (unknown.length > 0) throw new UsageError(`--fail-on: unknown finding kind "${unknown[0]}" (expected ${FINDING_KINDS.join(', ')})`);
      if (options.html) await refuseDirectory('--html', options.html);
      if (options.perfetto) await refuseDirectory('--perfetto', options.perfetto);
      const loaded = await loadBoot(inputs);
      const { boot, drivers } = focusOn(loaded, options);
      if (!options.json && drivers.length > 0) process.stdout.write(`${focusLine(drivers, boot, loaded)}\n\n`);
      const line = options.json ? null : await bottomLine(boot);
      process.stdout.write(options.json ? renderBootJson(boot) : renderSummary(boot, { top, bottomLine: line }));
      if (options.html) {
        const label = inputs.map((i) => basename(resolve(i))).join(' + ');
        const bytes = await writeHtmlReport(options.html, { title: titleOf(inputs, drivers), boots: [{ label, boot, bottomLine: line ?? (await bottomLine(boot)) }] });
        sayWrote(options.html, bytes, 'HTML report');
      }
      if (options.perfetto) await writePerfettoTrace(options.perfetto, [{ label: inputs.map((i) => basename(resolve(i))).join(' + '), boot }]);
      const failing = boot.findings.filter((f) => options.failOn.includes(f.kind));
      if (failing.length > 0) setExitCode(EXIT_FINDING);
    });
}

/** The first line of a focused summary: what is shown of what the input holds. */
export function focusLine(drivers: string[], focused: Boot, whole: Boot): string {
  return `Focus: --drivers ${drivers.join(',')}: ${focused.probes.length} of ${whole.probes.length} probes, ${focused.findings.length} of ${whole.findings.length} findings`;
}

/** `--fail-on ''` or `--fail-on ,` would silently disable the gate: refused. */
function nonEmptyList(value: string, previous: string[]): string[] {
  const list = collectList(value, previous);
  if (list.length === previous.length) throw new InvalidArgumentError(`needs at least one finding kind (${FINDING_KINDS.join(', ')})`);
  return list;
}
