// Reads a long ftrace file on every core, for a model that follows only some tasks' scheduling (FollowPlan). Nearly
// every line of a trace is a scheduler event, and most are about tasks no builder asks about; the sequential reader
// parses each into an object on one thread. Here worker threads (trace-scan-worker.ts) read ranges of whole lines:
//   1. facts: each range's workqueue events reduced to WorkqueueFacts, from which the plan names the tasks to
//      follow (model/followed-tasks.ts); the same pass finds what only the sequential reader handles (the errors
//      readLineBytes reports), and then nothing has been delivered and null is returned;
//   2. lines: each range's scheduler events about no followed task are left out and summed up in runs, every other
//      line comes back as bytes; the main thread hands the lines to the FtraceParser and the runs to the collector
//      and the plan, in file order. The parser sees every line it would see in a sequential read but those events.
// The result equals the sequential read's (the tests compare the two on every capture and fixture): the same
// events but the left-out ones, the same counts, clock and time-order warnings, line numbers and diagnostics.

import { openSync, closeSync, readSync, statSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_MAX_LINE_BYTES, type ReadLinesResult } from './lines.js';
import type { FtraceParser } from './ftrace.js';
import type { SkippedSchedEvents, WorkqueueFact } from './trace-events.types.js';
import { RECORD_LINE, readSkipped, SKIPPED_RECORD_LENGTH, type FactsAnswer, type LinesAnswer, type ScanAnswer, type ScanRequest } from './trace-scan-protocol.js';

/** What the model follows of a trace read in parallel (see model/followed-tasks.ts). */
export interface FollowPlan {
  /** The tasks whose scheduler events are delivered, given the workqueue facts of the whole trace. */
  tasksFor(facts: WorkqueueFact[]): ReadonlySet<number>;
  /** Each run of left-out scheduler events, in file order, after the collector has taken it. */
  onSkipped(skipped: SkippedSchedEvents): void;
}

export interface ParallelReadSettings {
  /** Files smaller than this are read sequentially (starting the workers costs ~50 ms). */
  minBytes: number;
  /** Bytes per range handed to a worker (cut at a line end). */
  rangeBytes: number;
  /** Worker threads (at least 1). */
  workers: number;
}

/** Defaults; TRACE_PROBE_PARALLEL_MIN_BYTES / TRACE_PROBE_RANGE_BYTES / TRACE_PROBE_WORKERS override them (tests, tuning). */
export function parallelReadSettings(env: NodeJS.ProcessEnv = process.env): ParallelReadSettings {
  const number = (name: string, fallback: number): number => {
    const value = Number(env[name]);
    return env[name] !== undefined && Number.isInteger(value) && value >= 0 ? value : fallback;
  };
  return {
    minBytes: number('TRACE_PROBE_PARALLEL_MIN_BYTES', 32 << 20),
    rangeBytes: Math.max(1, number('TRACE_PROBE_RANGE_BYTES', 4 << 20)),
    workers: Math.max(1, number('TRACE_PROBE_WORKERS', Math.min(4, availableParallelism()))),
  };
}

const WORKER_URL = new URL('./trace-scan-worker.js', import.meta.url);

/** Whether the worker script exists (it does in the build; not when the sources run untranspiled, as under vitest). */
export function canReadInParallel(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

/**
 * Reads `path` into `parser` in parallel, following `plan`. Returns null when the file must be read sequentially
 * (then nothing was delivered to the parser).
 */
export async function readFtraceInParallel(path: string, parser: FtraceParser, plan: FollowPlan, settings: ParallelReadSettings): Promise<ReadLinesResult | null> {
  const size = statSync(path).size;
  const ranges = lineRanges(path, size, settings.rangeBytes, DEFAULT_MAX_LINE_BYTES);
  if (ranges === null) return null;
  const pool = new WorkerPool(Math.min(settings.workers, ranges.length));
  try {
    const facts: WorkqueueFact[] = [];
    let sequentialOnly = false;
    await pool.inOrder<FactsAnswer>(
      ranges.map(([start, end]) => (id) => ({ type: 'facts', id, path, start, end, maxLineBytes: DEFAULT_MAX_LINE_BYTES })),
      (answer) => {
        if (answer.sequentialOnly !== null) sequentialOnly = true;
        for (const fact of answer.facts) facts.push(fact);
      },
    );
    if (sequentialOnly) return null;
    pool.broadcast({ type: 'follow', tasks: [...plan.tasksFor(facts)] });
    let lineBase = 0;
    let graphEvents = 0;
    await pool.inOrder<LinesAnswer>(
      ranges.map(([start, end], k) => (id) => ({ type: 'lines', id, path, start, end, last: k === ranges.length - 1 })),
      (answer) => {
        const bytes = Buffer.from(answer.bytes.buffer, answer.bytes.byteOffset, answer.bytes.byteLength);
        const r = answer.records;
        for (let at = 0; at < r.length; ) {
          if (r[at] === RECORD_LINE) {
            const lineNo = r[at + 1]! + lineBase;
            parser.line(bytes, r[at + 2]!, r[at + 3]!, lineNo, answer.ascii);
            at += 4;
          } else {
            const skipped = readSkipped(r, at, lineBase);
            parser.collector.skippedEvents(skipped);
            plan.onSkipped(skipped);
            at += SKIPPED_RECORD_LENGTH;
          }
        }
        lineBase += answer.lines;
        graphEvents += answer.graphEvents;
      },
    );
    if (graphEvents > 0) {
      // Not in a trace the kernel writes (its function_graph output is another format, FuncgraphParser's).
      parser.collector.warn(null, `${graphEvents} funcgraph_entry/funcgraph_exit events in an ftrace file read in parallel: the scheduling of the tasks in their probe calls was not followed; read it as function-graph or trace-cmd input`);
    }
    return { lines: lineBase, bytes: size, unterminated: size > 0 && lastByte(path, size) !== 0x0a };
  } finally {
    await pool.close();
  }
}

/**
 * Ranges of whole lines of about `rangeBytes` covering the file, each starting at a line start; null when a line
 * is longer than `maxLineBytes` (the sequential reader reports it).
 */
function lineRanges(path: string, size: number, rangeBytes: number, maxLineBytes: number): Array<[number, number]> | null {
  const fd = openSync(path, 'r');
  try {
    const window = Buffer.allocUnsafe(64 * 1024);
    const ranges: Array<[number, number]> = [];
    for (let start = 0; start < size; ) {
      let end = start + rangeBytes;
      if (end >= size) end = size;
      else {
        // The next line start at or after `end`: after the first LF at or after end - 1.
        let at = end - 1;
        for (;;) {
          const n = readSync(fd, window, 0, window.length, at);
          const lf = window.subarray(0, n).indexOf(0x0a);
          if (lf >= 0) {
            end = at + lf + 1;
            break;
          }
          at += n;
          if (n === 0 || at >= size) {
            end = size;
            break;
          }
          if (at - (start + rangeBytes) > maxLineBytes) return null;
        }
      }
      ranges.push([start, end]);
      start = end;
    }
    return ranges;
  } finally {
    closeSync(fd);
  }
}

function lastByte(path: string, size: number): number {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0]!;
  } finally {
    closeSync(fd);
  }
}

/** Worker threads answering requests; a few requests in flight per worker, answers taken in request order. */
class WorkerPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (answer: ScanAnswer) => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;

  constructor(count: number) {
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(WORKER_URL);
      worker.on('message', (answer: ScanAnswer) => {
        const w = this.waiting.get(answer.id);
        this.waiting.delete(answer.id);
        w?.resolve(answer);
      });
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`trace reader worker exited (code ${code})`));
      });
      return worker;
    });
  }

  broadcast(request: ScanRequest): void {
    for (const w of this.workers) w.postMessage(request);
  }

  /** Sends the requests round robin (at most 2 per worker in flight) and passes their answers to `take` in order. */
  async inOrder<A extends ScanAnswer>(requests: Array<(id: number) => ScanRequest>, take: (answer: A) => void): Promise<void> {
    const inFlight: Array<Promise<ScanAnswer>> = [];
    const limit = 2 * this.workers.length;
    let sent = 0;
    const send = (): void => {
      const id = this.nextId++;
      const worker = this.workers[sent % this.workers.length]!;
      const request = requests[sent]!(id);
      sent++;
      inFlight.push(
        new Promise<ScanAnswer>((resolve, reject) => {
          if (this.failure !== null) return reject(this.failure);
          this.waiting.set(id, { resolve, reject });
          worker.postMessage(request);
        }),
      );
    };
    while (sent < requests.length && inFlight.length < limit) send();
    while (inFlight.length > 0) {
      const answer = (await inFlight.shift()!) as A;
      if (sent < requests.length) send();
      take(answer);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
