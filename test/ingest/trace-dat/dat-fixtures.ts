// The dat-n0x3 capture's trace-cmd files (fixtures/captures/dat-n0x3, see fixtures/README.md): trace.dat is kept as
// recorded; the larger trace-v6.dat, trace-nocompress.dat, trace.txt and trace-report.txt are kept gzipped and
// unpacked once per test run into a temporary capture directory beside the kernel log and topology.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const DAT_FIXTURE = new URL('../../../fixtures/captures/dat-n0x3/', import.meta.url).pathname;
const DIR_FILES = ['dmesg.log', 'topology.csv', 'node-cpulist.txt', 'cpus.txt', 'pci-numa.txt'];

let unpacked: string | null = null;

/** A directory holding trace.dat, trace-v6.dat, trace-nocompress.dat, trace.txt and trace-report.txt. */
export function datFiles(): string {
  if (unpacked !== null && existsSync(join(unpacked, 'trace-report.txt'))) return unpacked;
  const dir = mkdtempSync(join(tmpdir(), 'trace-probe-dat-'));
  copyFileSync(join(DAT_FIXTURE, 'trace.dat'), join(dir, 'trace.dat'));
  for (const name of ['trace-v6.dat', 'trace-nocompress.dat', 'trace.txt', 'trace-report.txt']) {
    writeFileSync(join(dir, name), gunzipSync(readFileSync(join(DAT_FIXTURE, `${name}.gz`))));
  }
  unpacked = dir;
  return dir;
}

export type DatVariant = 'trace.dat' | 'trace-v6.dat' | 'trace-nocompress.dat' | 'trace.txt';

/** A capture directory: the capture's kernel log and topology plus one trace, named `trace.dat` or `trace.txt`. */
export function captureWith(variant: DatVariant): string {
  const files = datFiles();
  const dir = join(files, `capture-${variant.replace(/\W/g, '-')}`);
  if (!existsSync(dir)) {
    mkdirSync(dir);
    for (const name of DIR_FILES) copyFileSync(join(DAT_FIXTURE, name), join(dir, name));
    copyFileSync(join(files, variant), join(dir, variant === 'trace.txt' ? 'trace.txt' : 'trace.dat'));
  }
  return dir;
}
