// What a prediction cannot know (issue 16: "where a criterion cannot be met, the self-check must show why"):
// a replay of the policy the boot ran reuses the worker creations the trace measured, pool by pool
// (simulate.ts replayObserved); any other policy, or a what-if, draws its creations and woken-worker starts
// from the boot's samples, measured while the boot ran its own policy. When a run needs creations, each
// prediction says how many, in which pool, against how many the boot measured there, and where its figures
// came from, so a reader sees when a policy leans on latencies this boot could not show (e.g. queue-node:
// one new unbound worker per probe body, created in series while bodies run).

import type { LatencySummary } from './replay-inputs.js';
import type { SimRun } from './sim-runs.js';

function ms(ns: number): string {
  return ns >= 1_000_000 ? `${(ns / 1e6).toFixed(2)} ms` : `${Math.round(ns / 1000)} µs`;
}

function poolName(role: string): string {
  const b = /^b(\d+)$/.exec(role);
  if (b) return `the CPU ${b[1]} bound pool`;
  const n = /^n(\d+)\.(\d+)$/.exec(role);
  if (n) return n[2] === '0' ? `the node ${n[1]} unbound pool` : `node ${n[1]}'s unbound pool ${n[2]}`;
  return `pool ${role}`;
}

/**
 * One sentence per run whose worker creations were drawn from samples (none for a replay of the observed policy
 * whose creations were all measured ones): the creations it needed per pool against what the boot measured there,
 * the samples they were drawn from, and the woken-worker start samples.
 */
export function samplingCaveats(run: SimRun, latencies: LatencySummary | null | undefined, observedPolicy: string | null): string[] {
  const created = (run.creations ?? []).filter((c) => c.count > c.observed);
  if (created.length === 0 || !latencies || latencies.create === null) return [];
  const measured = new Map<string, number>();
  for (const c of latencies.observedCreate ?? []) measured.set(c.role, (measured.get(c.role) ?? 0) + 1);
  const parts = created.map((c) => {
    const kind = c.role.startsWith('b') ? latencies.create!.bound : latencies.create!.unbound;
    const other = c.role.startsWith('b') ? latencies.create!.unbound : latencies.create!.bound;
    const used = kind.samples > 0 ? kind : other;
    const from = used.samples === 0 ? 'the kernel profile\'s fixed figure (no sample in the trace)'
      : `the boot's ${used.samples} ${used === latencies.create!.bound ? 'bound' : 'unbound'}-pool creation sample${used.samples === 1 ? '' : 's'} (${used.scope}${used.minNs != null && used.maxNs != null ? `, ${ms(used.minNs)}–${ms(used.maxNs)}` : ''})`;
    const have = measured.get(c.role) ?? 0;
    return `${c.count} in ${poolName(c.role)} (the boot measured ${have} there during its probes${c.count > have ? `: this policy needs ${c.count - have} more than the boot showed` : ''}; ${c.observed > 0 ? `${c.observed} replayed as measured, ` : ''}${c.count - c.observed} drawn from ${from})`;
  });
  const wake = latencies.wake;
  const ran = observedPolicy === null ? 'its own policy' : observedPolicy;
  return [`${run.policy}: worker creations ${parts.join('; ')}` +
    (wake === null ? '' : `; woken-worker starts drawn from ${wake.samples} samples (${ms(wake.minNs)}–${ms(wake.maxNs)})`) +
    `. These latencies were measured while the boot ran ${ran}; how long creation and wake-ups take under ${run.policy} on this machine is not in the trace, so the prediction assumes they are the same.`];
}
