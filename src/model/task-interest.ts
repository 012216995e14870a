// Which tasks' scheduling a model builder needs, and until when: a task is of interest while it has something
// live (a kept work item it runs or waits for, an open probe call) and for `afterNs` after the last of them
// ended. TaskOccupancyBuilder asks through taskInterestUntil() and keeps only those tasks' intervals, so memory
// follows the work of interest, not the trace.

export class TaskInterest {
  private readonly byPid = new Map<number, { live: number; lastEndNs: number }>();
  /** Counts the calls that may change an answer of until(): callers cache answers while it stays the same. */
  changes = 0;

  constructor(private readonly afterNs: number) {}

  clear(): void {
    this.byPid.clear();
    this.changes++;
  }

  /** +Infinity while something is live in `pid`, its last end + afterNs afterwards, -Infinity if never. */
  until(pid: number): number {
    const interest = this.byPid.get(pid);
    if (interest === undefined) return -Infinity;
    return interest.live > 0 ? Infinity : interest.lastEndNs + this.afterNs;
  }

  begin(pid: number): void {
    this.changes++;
    const interest = this.byPid.get(pid);
    if (interest === undefined) this.byPid.set(pid, { live: 1, lastEndNs: -Infinity });
    else interest.live++;
  }

  /** Something live in `pid` ended at `t` (null: time unknown, only the count drops). */
  end(pid: number, t: number | null): void {
    this.changes++;
    const interest = this.byPid.get(pid);
    if (interest === undefined) return;
    if (interest.live > 0) interest.live--;
    if (t !== null && t > interest.lastEndNs) interest.lastEndNs = t;
  }

  /** What was recorded under `from` (a placeholder pid) belongs to `to`. */
  move(from: number, to: number): void {
    this.changes++;
    const moved = this.byPid.get(from);
    if (moved === undefined) return;
    this.byPid.delete(from);
    const known = this.byPid.get(to);
    if (known === undefined) this.byPid.set(to, moved);
    else {
      known.live += moved.live;
      known.lastEndNs = Math.max(known.lastEndNs, moved.lastEndNs);
    }
  }
}
