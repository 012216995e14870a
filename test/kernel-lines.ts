// Test helper (not a parser under test): turns real log text into KernelLogLines until the
// presentation parsers are used directly. Handles the plain `[ts]` prefix, the printk caller
// `[ts][T123]`, the dmesg -x `kern  :info  : [ts]` prefix, the `<6>[ts]` level prefix, and (without a
// time) dmesg -T `[Fri May 22 09:34:57 2026] `, journalctl `May 29 15:02:42 host kernel: ` and bare
// messages (patch-mail lines).

import { readFileSync } from 'node:fs';
import type { KernelLogLine } from '../src/ingest/kernel-log.js';
import { recognizeKernelMessage } from '../src/ingest/kernel-records.js';
import type { KernelRecord } from '../src/ingest/kernel-records.types.js';
import { type Builder, BuilderPass } from '../src/model/builder.js';
import { KernelInfoBuilder } from '../src/model/kernel-info.js';
import type { Ns } from '../src/model/types.js';

const WALL_PREFIX = /^(?:\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] |\w{3} [ \d]\d \d\d:\d\d:\d\d \S+ kernel: )/;
const PREFIX = /^(?:(\w+)\s*:(\w+)\s*: |<\d>)?\[\s*(\d+)\.(\d{6})\](?:\[\s*([TC])(\d+)\])? ?/;

export function logLine(text: string, line = 1, file = 'test.log'): KernelLogLine {
  const m = PREFIX.exec(text);
  const wall = m ? null : WALL_PREFIX.exec(text);
  if (wall) {
    return { source: { file, line }, timeNs: null, clock: 'wall', level: null, facility: null, caller: null, text: text.slice(wall[0].length), continuation: false };
  }
  if (!m) return { source: { file, line }, timeNs: null, clock: 'none', level: null, facility: null, caller: null, text, continuation: false };
  return {
    source: { file, line },
    timeNs: (Number(m[3]) * 1e9 + Number(m[4]) * 1000) as Ns,
    clock: 'printk',
    level: null,
    facility: null,
    caller: m[5] ? { kind: m[5] as 'T' | 'C', id: Number(m[6]) } : null,
    text: text.slice(m[0].length),
    continuation: false,
  };
}

export function logLinesOf(path: string): KernelLogLine[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((text, i) => logLine(text, i + 1, path));
}

/** Feeds the records of `lines` to one model builder (reset, handle each, finalize) and returns its data. */
export function runKernelBuilder<D>(builder: Builder<KernelRecord, D>, lines: KernelLogLine[]): D {
  builder.reset();
  for (const line of lines) {
    const record = recognizeKernelMessage(line);
    if (record) builder.handle(record);
  }
  builder.finalize();
  return builder.data();
}

/** Runs a builder that reads the boot's kernel info (Builder.deps) in one pass with its KernelInfoBuilder, as the pipeline does. */
export function runWithKernelInfo<D>(make: (kernel: KernelInfoBuilder) => Builder<KernelRecord, D>, lines: KernelLogLine[]): D {
  const kernel = new KernelInfoBuilder();
  const builder = make(kernel);
  const pass = new BuilderPass<KernelRecord>([kernel, builder]);
  pass.reset();
  for (const line of lines) {
    const record = recognizeKernelMessage(line);
    if (record) pass.handle(record);
  }
  pass.finalize();
  return builder.data();
}
