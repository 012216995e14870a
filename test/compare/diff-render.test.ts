import { describe, expect, it } from 'vitest';
import { diffBoots } from '../../src/compare/boot-diff.js';
import { renderDiffJson } from '../../src/render/diff-json.js';
import { renderDiffText } from '../../src/render/diff-text.js';
import { AFTER_V1_LINES, BEFORE_LINES, bootOf, serializationFinding } from './patch-mail-boots.js';

const MAIL = 'fixtures/sim'; // verbatim copies of ../shared/examples/epyc9a64-patch-mail/
const diff = diffBoots(
  [bootOf(`${MAIL}/before.log`, BEFORE_LINES, [serializationFinding(['0000:01:00.0', '0000:02:00.0', '0000:03:00.0'])])],
  [bootOf(`${MAIL}/after-v1.log`, AFTER_V1_LINES)],
);

describe('renderDiffText (patch mail, before vs v1)', () => {
  const text = renderDiffText(diff);
  const lines = text.split('\n');

  it('prints one row per device with costs, delta, ratio and placement', () => {
    expect(lines).toContain('0000:01:00.0  nvme    53.373  34.766  -18.607  0.65×  CPU 0 bound  CPU 5 unbound  needs more boots (1 vs 1)');
    expect(lines).toContain('0000:03:00.0  nvme    47.315  33.233  -14.082  0.70×  CPU 0 bound  CPU 2 unbound  needs more boots (1 vs 1)');
  });

  it('prints the per-side rows and the resolved finding', () => {
    expect(lines.find((l) => l.startsWith('mean device cost'))).toMatch(/50\.074 +34\.232 +-15\.842 +-31\.6 % +over 3 devices$/);
    expect(lines.find((l) => l.startsWith('slowest device'))).toMatch(/-34\.9 %/);
    expect(lines.find((l) => l.startsWith('CPUs used'))).toMatch(/ 0 +1,2,5$/);
    expect(lines.find((l) => l.startsWith('CPUs per boot'))).toMatch(/ 1 +3$/);
    expect(text).toContain('resolved:\n  bound-queue-serialization (node 0 CPU 0): in 1 of 1 before and 0 of 1 after boots');
    expect(text).toContain('new: none');
    expect(text).toContain('1 vs 1 boots: no verdict');
    for (const l of lines) expect(l).toBe(l.trimEnd());
  });
});

describe('renderDiffJson', () => {
  const json = JSON.parse(renderDiffJson(diff)) as Record<string, any>;

  it('follows the trace-probe.diff/1 contract', () => {
    expect(json.schema).toBe('trace-probe.diff/1');
    const first = json.devices[0];
    expect(first.device).toBe('0000:01:00.0');
    expect(first.before).toMatchObject({ medianNs: 53372612, n: 1, cpus: [0], workerKinds: ['bound'], workers: ['kworker/0:1'] });
    expect(first.after).toMatchObject({ medianNs: 34765890, cpus: [5], workerKinds: ['unbound'], workers: ['kworker/u1025:5'] });
    expect(first.deltaNs).toBe(34765890 - 53372612);
    expect(first.ratio).toBeCloseTo(0.6514, 4);
    expect(first.verdict).toBe('needs-more-boots');
    expect(json.window).toMatchObject({ before: null, after: null, deltaNs: null, verdict: null });
    expect(json.totalProbe.verdict).toBe('needs-more-boots');
    expect(json.findings.resolved[0]).toMatchObject({ kind: 'bound-queue-serialization', node: 0, cpu: 0 });
    expect(json.findings.new).toEqual([]);
    expect(json.meanCost.changePercent).toBeCloseTo(-31.64, 2);
  });
});
