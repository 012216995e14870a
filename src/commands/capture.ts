// `trace-probe capture plan [--kernel VERSION] [--cpus N]` and `trace-probe capture collect -o DIR [--tar]`:
// from "my servers probe slowly" to a capture directory `analyze` reads (src/capture/).

import { availableParallelism, release as osRelease, version as osVersion } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { rm, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { collectCapture, CollectError } from '../capture/collect.js';
import { capturePlan, renderPlan } from '../capture/plan.js';
import { sniffFile } from '../ingest/detect.js';
import { parseKernelRelease } from '../kernel-release/release.js';
import { TRACE_FORMATS } from '../model/types.js';
import { UsageError } from './usage-error.js';

interface PlanOptions {
  kernel?: string;
  cpus?: string;
}

interface CollectCommandOptions {
  output?: string;
  tar?: boolean;
  instance?: string;
  traceCmd?: boolean;
}

export function registerCapture(program: Command): void {
  const capture = program
    .command('capture')
    .description('how to capture a boot (plan), and gather the capture after that boot (collect)');

  capture
    .command('plan')
    .description('print the kernel parameters to add for the next boot, how to make them persistent, and what collect gathers')
    .option('--kernel <version>', 'plan for this kernel release (uname -r, e.g. 6.1.0-50-amd64 or 5.15.110); default: the running kernel')
    .option('--cpus <n>', 'size the buffers for this many CPUs; default: this machine\'s')
    .action((options: PlanOptions) => {
      const cpus = options.cpus === undefined ? availableParallelism() : Number(options.cpus);
      if (!Number.isInteger(cpus) || cpus < 1 || cpus > 65536) throw new UsageError(`--cpus takes a whole number from 1 to 65536, not "${options.cpus}"`);
      let release;
      if (options.kernel !== undefined) {
        release = parseKernelRelease(options.kernel);
        if (release === null) throw new UsageError(`--kernel takes a release such as 6.1.0-50-amd64 or 5.15.110, not "${options.kernel}"`);
      } else release = parseKernelRelease(osRelease(), osVersion());
      process.stdout.write(renderPlan(capturePlan(release, options.kernel === undefined ? 'running' : 'given', cpus)));
    });

  capture
    .command('collect')
    .description('as root, after a boot with the plan\'s parameters: gather the kernel log, trace, topology and PCI nodes into DIR for `analyze DIR`')
    .option('-o, --output <dir>', 'the capture directory to write (new or empty)')
    .option('--tar', 'write DIR.tar.gz instead of the directory (analyze reads it the same way)')
    .option('--instance <name>', 'read the tracefs instance instances/NAME instead of the top-level trace buffer')
    .option('--no-trace-cmd', 'save the tracefs trace text (trace.txt) even when trace-cmd is installed: it leaves the buffer as it is, trace-cmd extract consumes it')
    .action(async (options: CollectCommandOptions) => {
      if (!options.output) throw new UsageError('capture collect needs -o DIR (the capture directory to write)');
      // With --tar, `-o cap` and `-o cap.tar.gz` both write cap.tar.gz (holding cap/).
      const given = options.output.replace(/\/+$/, '') || options.output;
      const dir = options.tar ? given.replace(/\.(?:tar\.gz|tgz)$/, '') : given;
      const tarball = `${dir}.tar.gz`;
      if (options.tar && (await stat(tarball).catch(() => null)) !== null) throw new UsageError(`${tarball} exists already`);
      let result;
      try {
        result = await collectCapture({ dir, readsTraceDat, noTraceCmd: options.traceCmd === false, ...(options.instance !== undefined ? { instance: options.instance } : {}) });
      } catch (err) {
        if (err instanceof CollectError) throw new UsageError(err.message);
        throw err;
      }
      for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
      let where = dir;
      if (options.tar) {
        const { create } = await import('tar');
        await create({ gzip: true, file: tarball, cwd: dirname(resolve(dir)), portable: true }, [basename(resolve(dir))]);
        await rm(dir, { recursive: true, force: true });
        where = tarball;
      }
      process.stderr.write(`wrote ${where}: ${result.files.map((f) => f.name).join(', ')}\nnext: trace-probe analyze ${where}\n`);
    });
}

/** This trace-probe reads a trace.dat when its format sniffer recognises one as a trace. */
async function readsTraceDat(path: string): Promise<boolean> {
  try {
    const format = await sniffFile(path);
    return format !== null && (TRACE_FORMATS as readonly string[]).includes(format);
  } catch {
    return false;
  }
}
