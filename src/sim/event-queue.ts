// The simulator's time-ordered event queue: a binary min-heap on (time, sequence number), so events at
// the same instant run in the order they were scheduled (FIFO tie-break, docs/workqueue-model.md §8.3).
// Deterministic: no clocks, no randomness.

export interface QueuedEvent<T> {
  time: number;
  seq: number;
  payload: T;
}

export class EventQueue<T> {
  private heap: Array<QueuedEvent<T>> = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, payload: T): void {
    const heap = this.heap;
    const item = { time, seq: this.nextSeq++, payload };
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(item, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = item;
  }

  pop(): QueuedEvent<T> | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && before(heap[r]!, heap[l]!) ? r : l;
        if (!before(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function before<T>(a: QueuedEvent<T>, b: QueuedEvent<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
