// The wall span a set of probes would need if each ran on its own CPU of the node: greedy list
// scheduling in ready order onto at most `cpus` CPUs (each probe starts at its ready time or when a
// CPU frees up, whichever is later). This is the "if they had run in parallel" side of a finding's
// estimated loss; it models no sharing, so it is a lower bound like the simulator's idealSpread.

export interface ParallelJob {
  /** When the probe was ready to run (ns on the boot clock; 0 for "all ready together"). */
  readyNs: number;
  /** Its cost when running alone (ns). */
  costNs: number;
}

/** Span from the earliest ready time to the last finish, with at most `cpus` jobs running at once. */
export function parallelSpanNs(jobs: readonly ParallelJob[], cpus: number): number {
  if (jobs.length === 0) return 0;
  const slots = Math.max(1, Math.min(cpus, jobs.length));
  const ordered = [...jobs].sort((a, b) => a.readyNs - b.readyNs);
  const freeAt: number[] = new Array<number>(slots).fill(-Infinity);
  let lastEnd = -Infinity;
  for (const job of ordered) {
    let best = 0;
    for (let i = 1; i < slots; i++) if (freeAt[i]! < freeAt[best]!) best = i;
    const end = Math.max(job.readyNs, freeAt[best]!) + job.costNs;
    freeAt[best] = end;
    lastEnd = Math.max(lastEnd, end);
  }
  return lastEnd - ordered[0]!.readyNs;
}
