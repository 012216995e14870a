// `analyze` of the dat-n0x3 capture with its trace as trace.dat (each of the three trace-cmd variants) instead of
// trace.txt: the same probes, placements, findings and simulator calibration. The binary records carry ns times where
// the kernel's text prints rounded µs, so times and durations derived from the trace may differ by the rounding of
// the events that bound them (a few µs at most); everything else is equal.

import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../../src/pipeline/load-boot.js';
import type { Boot } from '../../../src/model/types.js';
import { readTraceCalibration } from '../../../src/sim/read-trace-calibration.js';
import { workloadFromBoot } from '../../../src/sim/workload.js';
import { captureWith, type DatVariant } from './dat-fixtures.js';

const DATS: DatVariant[] = ['trace.dat', 'trace-v6.dat', 'trace-nocompress.dat'];
/** Rounding of the text's µs per bounding event, summed over the few events a value is made of. */
const TOLERANCE_NS = 5_000;

/** The Boot with its file names and trace line numbers left out, and numbers under `ns`-named keys kept apart. */
function split(value: unknown, path = '', numbers: Array<[string, number]> = []): unknown {
  if (Array.isArray(value)) return value.map((v, i) => split(v, `${path}[${i}]`, numbers));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'source' || k === 'evidence' || k === 'inputs' || k === 'file') continue;
      if (typeof v === 'number' && /Ns$|^factor$|Factor$|^lostNs$/.test(k)) {
        numbers.push([`${path}.${k}`, v]);
        out[k] = 'number';
      } else out[k] = split(v, `${path}.${k}`, numbers);
    }
    return out;
  }
  // Wording compared with its decimals left out (they are the numbers compared with a tolerance).
  if (typeof value === 'string') return value.replace(/\S*\/capture-[\w-]+\/trace\.(?:dat|txt)(?::\d+)?/g, 'TRACE').replace(/\S*\/capture-[\w-]+\//g, '').replace(/\d+\.\d+/g, 'N');
  return value;
}

async function analyzed(variant: DatVariant): Promise<{ boot: Boot; shape: unknown; numbers: Array<[string, number]> }> {
  const boot = await loadBoot([captureWith(variant)]);
  const numbers: Array<[string, number]> = [];
  const shape = split({ probes: boot.probes, findings: boot.findings, kernel: boot.kernel, topology: boot.topology, initcalls: boot.initcalls }, '', numbers);
  return { boot, shape, numbers };
}

describe('analyze dat-n0x3 with trace.dat instead of trace.txt', () => {
  it.each(DATS)('%s: same probes, placements and findings', async (variant) => {
    const text = await analyzed('trace.txt');
    const dat = await analyzed(variant);
    expect(dat.boot.inputs[0]).toMatchObject({ format: 'trace-dat', lines: 6865 });
    expect(text.boot.inputs[0]).toMatchObject({ format: 'ftrace' });
    // Placements: device, driver, node, CPU, worker and queuer of every probe.
    const placement = (b: Boot) => b.probes.map((p) => [p.device, p.driver, p.node, p.cpu, p.worker?.comm, p.worker?.pid, p.worker?.kind, p.queuedBy?.comm, p.queuedBy?.pid, p.status]);
    expect(placement(dat.boot)).toEqual(placement(text.boot));
    expect(dat.boot.probes.filter((p) => p.driver === 'nvme').map((p) => [p.device, p.cpu, p.worker?.comm])).toEqual([
      ['0000:21:00.0', 0, 'kworker/0:1'],
      ['0000:22:00.0', 0, 'kworker/0:1'],
      ['0000:23:00.0', 0, 'kworker/0:2'],
    ]);
    expect(dat.boot.findings.map((f) => [f.kind, f.devices, f.cpu])).toEqual(text.boot.findings.map((f) => [f.kind, f.devices, f.cpu]));
    expect(dat.boot.findings.map((f) => f.kind)).toEqual(['bound-queue-serialization', 'synchronous-probe']);
    // Every other field equal; every number equal up to the text's µs rounding.
    expect(dat.shape).toEqual(text.shape);
    expect(dat.numbers.map(([k]) => k)).toEqual(text.numbers.map(([k]) => k));
    const far = dat.numbers.filter(([k, v], i) => {
      const t = text.numbers[i]![1];
      return /factor/i.test(k) ? Math.abs(v - t) > 0.002 : Math.abs(v - t) > TOLERANCE_NS;
    });
    expect(far).toEqual([]);
    // The diagnostics are the same, but for the file they name.
    const diag = (b: Boot) => b.diagnostics.map((d) => `${d.severity} ${d.message}`).sort();
    expect(diag(dat.boot)).toEqual(diag(text.boot));
  });

  it.each(DATS)('%s: same simulator calibration', async (variant) => {
    const calibrate = async (v: DatVariant) => {
      const boot = await loadBoot([captureWith(v)]);
      const workload = workloadFromBoot(boot, { cpuFraction: 0.5, segments: 8, drivers: ['nvme'] });
      return readTraceCalibration(boot, workload);
    };
    const text = await calibrate('trace.txt');
    const dat = await calibrate(variant);
    expect(dat.notes).toEqual(text.notes);
    const numbers: Array<[string, number]> = [];
    const textNumbers: Array<[string, number]> = [];
    expect(split(dat.calibration, '', numbers)).toEqual(split(text.calibration, '', textNumbers));
    const far = numbers.filter(([, v], i) => Math.abs(v - textNumbers[i]![1]) > TOLERANCE_NS);
    expect(far).toEqual([]);
  });
});
