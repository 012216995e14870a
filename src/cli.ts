#!/usr/bin/env node
// trace-probe command line: argument handling, exit codes and one-line error messages only.
// Exit codes: 0 success, 1 a `--fail-on` finding was found, 2 bad input or bad usage.

import { Command, CommanderError } from 'commander';
import { InputError } from './ingest/input-error.js';
import { UsageError } from './commands/usage-error.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerReport } from './commands/report.js';
import { registerDiff } from './commands/diff.js';
import { registerSimulate } from './commands/simulate.js';
import { registerCapture } from './commands/capture.js';
import { registerFleet } from './commands/fleet.js';
import { limitHeapGrowth } from './core/heap-growth.js';
import { EXIT_BAD_INPUT, EXIT_OK } from './commands/exit-codes.js';
import { showReadProgress } from './commands/progress.js';

let exitCode = EXIT_OK;
/** Commands report a non-error outcome (e.g. a --fail-on finding) through this. */
function setExitCode(code: number): void {
  exitCode = Math.max(exitCode, code);
}

function buildProgram(): Command {
  const program = new Command('trace-probe')
    .description('Why is device probing at boot slow? Probe spans, workqueue placement and what-ifs from dmesg, ftrace and topology.')
    .version('0.1.0')
    // Commander's own errors (unknown option, bad argument) as one line like every other error.
    .configureOutput({ outputError: (text, write) => write(`trace-probe: ${text.trim().replace(/^error: /, '').split('\n')[0]} (see --help)\n`) })
    .exitOverride();
  // Commands register themselves here, one module each under src/commands/.
  registerAnalyze(program, setExitCode);
  registerReport(program);
  registerDiff(program);
  registerSimulate(program);
  registerCapture(program);
  registerFleet(program);
  return program;
}

function fail(message: string): never {
  process.stderr.write(`trace-probe: ${message.split('\n')[0]}\n`);
  process.exit(EXIT_BAD_INPUT);
}

async function main(argv: string[]): Promise<void> {
  limitHeapGrowth();
  const program = buildProgram();
  const stopProgress = showReadProgress(process.stderr);
  try {
    await program.parseAsync(argv);
    stopProgress();
    process.exitCode = exitCode;
  } catch (err) {
    stopProgress();
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) process.exit(0);
      process.exit(EXIT_BAD_INPUT);
    }
    if (err instanceof InputError || err instanceof UsageError) fail(err.message);
    const e = err as NodeJS.ErrnoException;
    if (e && e.code === 'EPIPE') process.exit(0);
    fail(`internal error: ${e && e.message ? e.message : String(err)} (please report with the input that caused it)`);
  }
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});

await main(process.argv);
