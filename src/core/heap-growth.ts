// How far V8 lets the heap grow between full collections. By default it sizes the next limit at up to
// 4× what survived the last one when allocation is fast, and reading a trace allocates fast (a short-lived
// string and event per line): on a 1 GB trace whose live model is ~55 MB the heap reached ~200 MB of
// mostly dead lines before it was collected (318 MB peak RSS). A 1.5× limit keeps the peak near the
// live data (214 MB) at no measurable cost in speed (bench/ftrace.bench.ts, docs/performance.md).
// `--heap-growing-percent` is read at every full collection, so setting it at start-up is enough.

import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Called once by the CLI (and the benchmark's child, so it measures what the CLI does) before reading input. */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
