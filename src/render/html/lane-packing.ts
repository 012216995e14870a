// Packs intervals into rows so overlapping bars of one lane (probes on one CPU, parallel initcalls)
// do not hide each other: each interval takes the lowest row free at its start. Rows are kept in a
// min-heap by end time, so packing is n log n.

export interface Interval {
  start: number;
  end: number;
}

/** Row index (0-based) for each interval, in input order; the number of rows is max + 1. */
export function packRows(intervals: readonly Interval[]): number[] {
  const order = intervals.map((_, i) => i).sort((a, b) => intervals[a]!.start - intervals[b]!.start || a - b);
  const rows = new Array<number>(intervals.length).fill(0);
  // Free rows (by index, lowest first) and busy rows (by end time).
  const free = new MinHeap<number>((a, b) => a - b);
  const busy = new MinHeap<{ end: number; row: number }>((a, b) => a.end - b.end || a.row - b.row);
  let rowCount = 0;
  for (const i of order) {
    const { start, end } = intervals[i]!;
    while (busy.size > 0 && busy.peek()!.end <= start) free.push(busy.pop()!.row);
    const row = free.size > 0 ? free.pop()! : rowCount++;
    rows[i] = row;
    busy.push({ end: Math.max(end, start), row });
  }
  return rows;
}

class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.less(a[i]!, a[parent]!) >= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
