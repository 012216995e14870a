// Where the mean probe cost goes (sim/cost-parts.ts): the parts of a hop, of an inline body, and of a probe without body
// times; the text table names a run whose parts cover only some probes (a deadlocked run).

import { describe, expect, it } from 'vitest';
import type { ProbeSpan } from '../../src/model/types.js';
import { costParts } from '../../src/sim/cost-parts.js';
import { renderCostParts, runPartRows } from '../../src/render/sim-text.js';
import type { SimRun } from '../../src/sim/sim-runs.js';

function span(s: Partial<Record<string, unknown>>): ProbeSpan {
  return { startNs: null, endNs: null, bodyStartNs: null, bodyEndNs: null, queueDelayNs: null, runnableWaitNs: null, queuedBy: null, ...s } as unknown as ProbeSpan;
}

describe('costParts', () => {
  it('splits a hop (before, wait, body, after) and an inline body; the parts add up to the mean; probes without body times are left out', () => {
    const hop = span({ startNs: 0, bodyStartNs: 3_000, bodyEndNs: 10_000, endNs: 12_000, queueDelayNs: 2_000, runnableWaitNs: 1_000, queuedBy: { comm: 'kworker/u17:0' } });
    const inline = span({ startNs: 100, bodyStartNs: 100, bodyEndNs: 4_100, endNs: 4_100, runnableWaitNs: 0 });
    const noBody = span({ startNs: 0, endNs: 50_000 });
    const p = costParts([hop, inline, noBody])!;
    expect(p).toEqual({ probes: 2, meanNs: 8_000, beforeBodyNs: 500, waitNs: 1_000, bodyNs: 5_500, runnableNs: 500, afterBodyNs: 1_000 });
    expect(p.beforeBodyNs + p.waitNs + p.bodyNs + p.afterBodyNs).toBe(p.meanNs);
    expect(costParts([noBody])).toBeNull();
  });

  it('the text table says when a run\'s parts cover only some of its probes', () => {
    const one = costParts([span({ startNs: 0, bodyStartNs: 0, bodyEndNs: 1_000_000, endNs: 1_000_000 })])!;
    const run = (policy: string, probes: number, parts: SimRun['parts']) => ({ policy, boot: { probes: new Array(probes) }, parts }) as unknown as SimRun;
    const rows = runPartRows([run('queue-node', 3000, one), run('skip-in-worker', 1, one), run('work-on-cpu', 5, null)], 'simulated: ');
    expect(rows.map((r) => r.name)).toEqual(['simulated: queue-node (1 of 3000 probes)', 'simulated: skip-in-worker']);
    const lines = renderCostParts(runPartRows([run('queue-node', 3000, one)]));
    expect(lines[0]).toBe('Where the mean probe cost goes (ms; the parts add up to the mean):');
    expect(lines[2]).toMatch(/^ {2}queue-node \(1 of 3000 probes\)\s+1\.000\s+0\.000\s+0\.000\s+1\.000\s+0\.000\s+0\.000$/);
    expect(lines.at(-1)).toMatch(/^ {2}A policy changes the wait for the body's worker/);
  });
});
