// A capture directory (the layout the captures in ../shared/captures use): which of its files are read, by role
// (the names come from the format registry, ingest/formats.ts).

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/input-error.js';
import { sniffFile } from '../ingest/detect.js';
import { captureFiles, formatModule, type InputFormat, isKernelLogFormat, isTraceFormat } from '../ingest/formats.js';
import type { ResolvedInput } from './inputs.js';

/** The inputs of one capture directory: its first kernel log and first trace by preference, every topology file, pci-numa.txt. */
export async function resolveCaptureDirectory(dir: string): Promise<Array<Omit<ResolvedInput, 'arg'>>> {
  const kernelLogs = captureFiles('kernel-log');
  const traces = captureFiles('trace');
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
  const log = await firstOfRole(kernelLogs, isKernelLogFormat);
  if (log) chosen.push(log);
  const trace = await firstOfRole(traces, isTraceFormat);
  if (trace) chosen.push(trace);
  for (const path of pick(captureFiles('topology'))) {
    const format = await sniffFile(path);
    if (format !== null && formatModule(format).role === 'topology') chosen.push({ path, format });
  }
  // Taken without sniffing: an empty listing (no device has a node) is still the sysfs answer.
  for (const path of pick(captureFiles('device-nodes'))) chosen.push({ path, format: 'pci-numa' });
  if (!log && !trace) {
    throw new InputError(dir, null, `no kernel log or trace found (expected one of ${[...kernelLogs, ...traces].join(', ')})`);
  }
  return chosen;
}
