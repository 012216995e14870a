// Splits the spans of one track into lanes on which every two spans are either disjoint or nested, never
// partially overlapping: what a thread track of the Chrome trace-event format may hold (Perfetto's slice
// tracker spills a complete event that starts inside an open slice and ends after it onto an overflow track
// and logs an import error). First fit in (start ascending, end descending) order: a span goes to the
// lowest lane whose innermost open span contains it (and is of its group) or has ended by its start.
//
// Boundaries follow Perfetto's rule (SliceTracker::MaybeCloseStack): a span that ends exactly when another
// starts has ended, so [a, b] then [b, c] share a lane.

export interface LaneSpan {
  startNs: number;
  endNs: number;
  /**
   * Spans may nest only inside spans of the same group (a CPU track: the task that ran them, since two tasks
   * sharing a CPU do not call each other); absent: one group.
   */
  group?: string;
}

/** Lane index (0-based) of each span, in input order; the number of lanes is max + 1. */
export function nestedLanes(spans: readonly LaneSpan[]): number[] {
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]!.startNs - spans[b]!.startNs || spans[b]!.endNs - spans[a]!.endNs || a - b);
  const lanes: Array<Array<{ endNs: number; group: string | undefined }>> = []; // per lane: open spans, innermost last
  const out = new Array<number>(spans.length).fill(0);
  for (const i of order) {
    const { startNs, endNs, group } = spans[i]!;
    let lane = 0;
    for (; lane < lanes.length; lane++) {
      const open = lanes[lane]!;
      while (open.length > 0 && open[open.length - 1]!.endNs <= startNs) open.pop();
      const top = open[open.length - 1];
      if (top === undefined || (endNs <= top.endNs && top.group === group)) break;
    }
    if (lane === lanes.length) lanes.push([]);
    lanes[lane]!.push({ endNs, group });
    out[i] = lane;
  }
  return out;
}
