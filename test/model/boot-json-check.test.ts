import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBoot, readBootJson } from '../../src/pipeline/load-boot.js';
import { renderBootJson } from '../../src/render/boot-json.js';

const dir = mkdtempSync(join(tmpdir(), 'tp-boot-json-'));
let real: Record<string, unknown>;

beforeAll(async () => {
  real = JSON.parse(renderBootJson(await loadBoot(['fixtures/captures/before-n0x3'])));
});

function write(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('Boot JSON read back (analyze --json → analyze / diff / report)', () => {
  it('reads what analyze --json wrote, every field intact', async () => {
    const boot = await readBootJson(write('real.json', real));
    expect(boot.probes.length).toBe((real.probes as unknown[]).length);
    // The trace joined with the kernel log carries its clock offset (0: trace_clock=global).
    expect(boot.inputs.filter((i) => i.clockOffsetNs !== undefined).map((i) => [i.format, i.clockOffsetNs])).toEqual([['ftrace', 0]]);
  });

  it.each([
    ['probes removed', (b: any) => delete b.probes, 'probes is missing'],
    ['topology removed', (b: any) => delete b.topology, 'topology is missing'],
    ['kernel removed', (b: any) => delete b.kernel, 'kernel is missing'],
    ['a probe without durationNs', (b: any) => delete b.probes[3].durationNs, 'probes[3].durationNs is missing'],
    ['a probe duration as text', (b: any) => (b.probes[0].durationNs = '3208000'), 'probes[0].durationNs is a string (expected number)'],
    ['a worker without comm', (b: any) => delete b.probes.find((p: any) => p.worker).worker.comm, '.worker.comm is missing'],
    ['a CPU without its number', (b: any) => delete b.topology.cpus[2].cpu, 'topology.cpus[2].cpu is missing'],
    ['findings as an object', (b: any) => (b.findings = {}), 'findings is an object (expected array)'],
    ['a negative duration', (b: any) => (b.probes[1].durationNs = -5), 'probes[1].durationNs is negative'],
    ['a trace clock offset as text', (b: any) => (b.inputs.find((i: any) => i.format === 'ftrace').clockOffsetNs = '0'), '.clockOffsetNs is not a finite number'],
  ])('%s: one line naming the file and the field', async (name, edit, message) => {
    const broken = structuredClone(real);
    edit(broken);
    const path = write(`${name.replace(/\W+/g, '-')}.json`, broken);
    await expect(readBootJson(path)).rejects.toThrow(`${path}: not a trace-probe.boot/1 Boot: `);
    await expect(readBootJson(path)).rejects.toThrow(message);
  });
});
