// The measured loss per NUMA node, summed from the findings that estimate one (a finding without a node is
// counted under "no node"). The bottom line every output opens with starts from it. Findings of one boot
// are about different probes (bound-queue serialization groups overlapping probes, synchronous probing
// non-overlapping ones), so their losses add.

import type { Boot } from '../model/types.js';

export interface NodeLoss {
  /** The NUMA node, or null for findings without one. */
  node: number | null;
  /** Sum of the findings' estimated wall-clock losses on this node. */
  lostNs: number;
  /** Each finding kind once, with how many findings and how much they lost, largest loss first. */
  kinds: Array<{ kind: string; count: number; lostNs: number }>;
}

/** Per node (ascending, "no node" last), only nodes with a finding that estimates a loss. */
export function lossPerNode(boot: Boot): NodeLoss[] {
  const byNode = new Map<number | null, NodeLoss>();
  for (const f of boot.findings) {
    if (f.lostNs === null) continue;
    let entry = byNode.get(f.node);
    if (!entry) byNode.set(f.node, (entry = { node: f.node, lostNs: 0, kinds: [] }));
    entry.lostNs += f.lostNs;
    let kind = entry.kinds.find((k) => k.kind === f.kind);
    if (!kind) entry.kinds.push((kind = { kind: f.kind, count: 0, lostNs: 0 }));
    kind.count++;
    kind.lostNs += f.lostNs;
  }
  for (const entry of byNode.values()) entry.kinds.sort((a, b) => b.lostNs - a.lostNs || a.kind.localeCompare(b.kind));
  return [...byNode.values()].sort((a, b) => (a.node === null ? 1 : b.node === null ? -1 : a.node - b.node));
}

/** Each finding kind once with its count, in first-seen order ("bound-queue-serialization ×60"). */
export function findingKindCounts(boot: Boot): Array<{ kind: string; count: number }> {
  const counts = new Map<string, number>();
  for (const f of boot.findings) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => ({ kind, count }));
}
