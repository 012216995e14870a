// A capture directory (the layout the captures in ../shared/captures use): which of its files are read, by role.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/input-error.js';
import type { InputFormat } from '../ingest/formats.js';
import { sniffFile } from '../ingest/detect.js';
import { isKernelLogFormat, isTraceFormat, type ResolvedInput } from './inputs.js';

/**
 * Files a capture directory holds, by role, in order of preference. Only one kernel log and one
 * trace are taken from a directory (dmesg.log, dmesg-raw.log and console.log are the same log in
 * other presentations); every topology file is merged.
 */
export const CAPTURE_KERNEL_LOGS = ['dmesg.log', 'dmesg.txt', 'dmesg', 'kmsg.txt', 'dmesg-raw.log', 'dmesg-final.log', 'journal.txt', 'kern.log', 'console.log'];
export const CAPTURE_TRACES = ['trace.txt', 'trace-fgraph.txt', 'trace', 'trace.report', 'trace-cmd.txt', 'trace.dat'];
const CAPTURE_TOPOLOGY = ['topology.csv', 'lscpu.csv', 'lscpu.txt', 'node-cpulist.txt', 'cpus.txt'];
const CAPTURE_PCI_NUMA = ['pci-numa.txt'];

/** The inputs of one capture directory: its first kernel log and first trace by preference, every topology file, pci-numa.txt. */
export async function resolveCaptureDirectory(dir: string): Promise<Array<Omit<ResolvedInput, 'arg'>>> {
  const names = new Set(await readdir(dir));
  const pick = (candidates: string[]) => candidates.filter((n) => names.has(n)).map((n) => join(dir, n));
  const chosen: Array<Omit<ResolvedInput, 'arg'>> = [];
  const firstOfRole = async (candidates: string[], accept: (format: InputFormat) => boolean) => {
    for (const path of pick(candidates)) {
      const info = await stat(path);
      if (!info.isFile() || info.size === 0) continue;
      const format = await sniffFile(path);
      if (format !== null && accept(format)) return { path, format };
    }
    return null;
  };
  const log = await firstOfRole(CAPTURE_KERNEL_LOGS, isKernelLogFormat);
  if (log) chosen.push(log);
  const trace = await firstOfRole(CAPTURE_TRACES, isTraceFormat);
  if (trace) chosen.push(trace);
  for (const path of pick(CAPTURE_TOPOLOGY)) {
    const format = await sniffFile(path);
    if (format === 'lscpu' || format === 'cpulist') chosen.push({ path, format });
  }
  for (const path of pick(CAPTURE_PCI_NUMA)) chosen.push({ path, format: 'pci-numa' });
  if (!log && !trace) {
    throw new InputError(dir, null, `no kernel log or trace found (expected one of ${[...CAPTURE_KERNEL_LOGS, ...CAPTURE_TRACES].join(', ')})`);
  }
  return chosen;
}
