// The worker thread of parallel-trace-read.ts: reads byte ranges of an ftrace file (whole lines, cut by the main
// thread) and answers, per range, in one of two ways.
//   facts: whether the range holds what only the sequential reader handles (NUL bytes, invalid UTF-8, an over-long
//     line: the errors readLineBytes reports), and its workqueue events reduced to WorkqueueFacts (found with
//     Buffer#indexOf, parsed by FtraceParser itself);
//   lines: its lines, with the scheduler events about no followed task left out (bracketEventAt, then
//     isUnfollowedSchedEvent) and summed up in runs (SkippedSchedEvents); the others are handed back as ranges of the
//     range's bytes (transferred, not copied) for the main thread's FtraceParser.
// Line numbers in the answers count from the range's first line (1); the main thread adds the lines before it.

import { isAscii, isUtf8 } from 'node:buffer';
import { openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { bracketEventAt, FtraceParser } from './ftrace.js';
import { isUnfollowedSchedEvent } from './trace-event-fields.js';
import { countSkipped, noSkippedEvents } from './skipped-sched-events.js';
import { newEventPrefix } from './trace-line-prefix.js';
import type { WorkqueueFact } from './trace-events.types.js';
import { RecordList, type FactsAnswer, type LinesAnswer, type ScanRequest } from './trace-scan-protocol.js';

const LF = 0x0a;
const CR = 0x0d;
const WORKQUEUE = Buffer.from('workqueue_');
const EXECUTE_END = Buffer.from('execute_end:');

let followed: ReadonlySet<number> = new Set();
/** Reused for `facts` requests; a `lines` request reads into a buffer of its own, handed to the main thread. */
let area = Buffer.allocUnsafe(0);
/** Open files by path (closed when the worker ends). */
const files = new Map<string, number>();

parentPort!.on('message', (request: ScanRequest) => {
  if (request.type === 'follow') {
    followed = new Set(request.tasks);
    return;
  }
  const length = request.end - request.start;
  if (request.type === 'facts') {
    if (area.length < length) area = Buffer.allocUnsafe(length);
    const buf = readRange(request.path, request.start, area.subarray(0, length));
    parentPort!.postMessage(factsOf(buf, request.start === 0, request.maxLineBytes, request.id));
  } else {
    // A buffer of its own (not from Buffer's pool, byteOffset 0): its ArrayBuffer is handed over.
    const buf = readRange(request.path, request.start, Buffer.allocUnsafeSlow(length));
    const answer = linesOf(buf, request.start === 0, request.last, request.id);
    parentPort!.postMessage(answer, [answer.bytes.buffer as ArrayBuffer, answer.records.buffer as ArrayBuffer]);
  }
});

/** Reads the file's bytes from `start` into `into`; the bytes read. */
function readRange(path: string, start: number, into: Buffer): Buffer {
  let fd = files.get(path);
  if (fd === undefined) files.set(path, (fd = openSync(path, 'r')));
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, start + done);
    if (n === 0) break;
    done += n;
  }
  return into.subarray(0, done);
}

/** The first byte of line 1's text: after a UTF-8 BOM (as readLineBytes strips it). */
function textStart(buf: Buffer, atFileStart: boolean): number {
  return atFileStart && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}

function factsOf(buf: Buffer, atFileStart: boolean, maxLineBytes: number, id: number): FactsAnswer {
  const sequentialOnly =
    buf.indexOf(0) >= 0 ? 'NUL byte' : !isUtf8(buf) ? 'invalid UTF-8' : hasLongLine(buf, maxLineBytes) ? 'over-long line' : null;
  if (sequentialOnly !== null) return { type: 'facts', id, facts: [], sequentialOnly };
  const facts = new Map<string, WorkqueueFact>();
  const add = (fact: WorkqueueFact): void => {
    const key = `${fact.kind} ${fact.pid} ${fact.work} ${fact.function ?? ''}`;
    if (!facts.has(key)) facts.set(key, fact);
  };
  const parser = new FtraceParser('', (event) => {
    if (event.type === 'workqueue_queue_work') add({ kind: 'queue', pid: event.pid, work: event.work, function: event.function });
    else if (event.type === 'workqueue_activate_work') add({ kind: 'activate', pid: event.pid, work: event.work, function: event.function });
    else if (event.type === 'workqueue_execute_start') add({ kind: 'start', pid: event.pid, work: event.work, function: event.function });
  }, () => {});
  const ascii = isAscii(buf);
  const first = textStart(buf, atFileStart);
  for (let from = first; from < buf.length; ) {
    const hit = buf.indexOf(WORKQUEUE, from);
    if (hit < 0) break;
    // execute_end says nothing the facts need (a quarter of the workqueue events); the search goes on in its line.
    if (buf.compare(EXECUTE_END, 0, EXECUTE_END.length, hit + WORKQUEUE.length, hit + WORKQUEUE.length + EXECUTE_END.length) === 0) {
      from = hit + 1;
      continue;
    }
    let start = hit;
    while (start > first && buf[start - 1] !== LF) start--;
    let end = buf.indexOf(LF, hit);
    if (end < 0) end = buf.length;
    parser.line(buf, start, end > start && buf[end - 1] === CR ? end - 1 : end, 0, ascii);
    from = end + 1;
  }
  parser.collector.finish({ lines: 0, bytes: 0, unterminated: false });
  return { type: 'facts', id, facts: [...facts.values()], sequentialOnly: null };
}

/** Whether a line of `buf` (whole lines) is longer than `max` bytes: a stretch of more than `max` bytes without LF. */
function hasLongLine(buf: Buffer, max: number): boolean {
  let p = 0;
  while (buf.length - p > max) {
    const lf = buf.lastIndexOf(LF, p + max);
    if (lf < p) return true;
    p = lf + 1;
  }
  return false;
}

function linesOf(buf: Buffer, atFileStart: boolean, last: boolean, id: number): LinesAnswer {
  const records = new RecordList();
  const prefix = newEventPrefix();
  let run = noSkippedEvents();
  let lineNo = 0;
  let graphEvents = 0;
  const n = buf.length;
  let start = textStart(buf, atFileStart);
  while (start < n || (start === n && lineNo === 0 && n > 0)) {
    let end = buf.indexOf(LF, start);
    const terminated = end >= 0;
    if (!terminated) end = n;
    lineNo++;
    const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
    // The file's unterminated last line is always handed back: the collector decides whether its event is used.
    const name = bracketEventAt(buf, start, stop, prefix);
    if (name !== null && (terminated || !last) && isUnfollowedSchedEvent(name, buf, prefix.fieldsStart, stop, followed)) {
      countSkipped(run, prefix.time, prefix.timeIsCount, lineNo, name === 'sched_switch');
    } else {
      if (run.count !== 0) {
        records.skipped(run);
        run = noSkippedEvents();
      }
      if (name === 'funcgraph_entry' || name === 'funcgraph_exit') graphEvents++;
      records.line(lineNo, start, stop);
    }
    start = end + 1;
  }
  if (run.count !== 0) records.skipped(run);
  return { type: 'lines', id, lines: lineNo, ascii: isAscii(buf), bytes: buf, records: records.done(), graphEvents };
}
