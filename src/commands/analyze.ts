// `trace-probe analyze FILE|DIR...`: one boot from any mix of inputs; a summary, or the Boot JSON.

import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { collectList } from './list-option.js';
import { loadBoot } from '../model/load-boot.js';
import { renderBootJson } from '../render/boot-json.js';
import { renderSummary } from '../render/summary-text.js';
import { titleOf, writeHtmlReport } from './report.js';
import { UsageError } from './usage-error.js';

interface AnalyzeOptions {
  json?: boolean;
  html?: string;
  failOn: string[];
  top: string;
}

export function registerAnalyze(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('analyze')
    .description('rebuild probe spans from kernel logs, traces and topology; print findings and a summary')
    .argument('<inputs...>', 'files and capture directories (dmesg, trace, topology, ...), any order')
    .option('--json', 'print the Boot model as JSON (schema trace-probe.boot/1)')
    .option('--html <file>', 'also write the self-contained HTML report of this boot to FILE')
    .option('--fail-on <kinds>', 'exit 1 when a finding of one of these kinds (comma-separated) is found', collectList, [])
    .option('--top <n>', 'how many of the slowest probes and initcalls to list', '10')
    .action(async (inputs: string[], options: AnalyzeOptions) => {
      const top = Number(options.top);
      if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top takes a whole number ≥ 1, not "${options.top}"`);
      const boot = await loadBoot(inputs);
      process.stdout.write(options.json ? renderBootJson(boot) : renderSummary(boot, { top }));
      if (options.html) {
        const label = inputs.map((i) => basename(resolve(i))).join(' + ');
        await writeHtmlReport(options.html, { title: titleOf(inputs), boots: [{ label, boot }] });
      }
      const failing = boot.findings.filter((f) => options.failOn.includes(f.kind));
      if (failing.length > 0) setExitCode(1);
    });
}

