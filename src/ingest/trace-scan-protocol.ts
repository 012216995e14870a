// Messages between parallel-trace-read.ts (main thread) and trace-scan-worker.ts.

import type { SkippedSchedEvents, WorkqueueFact } from './trace-events.types.js';

export type ScanRequest =
  /** The tasks whose scheduler events `lines` answers hand back (all others are left out). */
  | { type: 'follow'; tasks: number[] }
  | { type: 'facts'; id: number; path: string; start: number; end: number; maxLineBytes: number }
  /** `last`: the range ends the file (its last line may lack a newline). */
  | { type: 'lines'; id: number; path: string; start: number; end: number; last: boolean };

export interface FactsAnswer {
  type: 'facts';
  id: number;
  facts: WorkqueueFact[];
  /** Why the file must be read by the sequential reader (it reports the error, or reads function_graph events), or null. */
  sequentialOnly: string | null;
}

export interface LinesAnswer {
  type: 'lines';
  id: number;
  /** Lines in the range. */
  lines: number;
  /** Whether the range's bytes are all ASCII (as readLineBytes' `ascii`). */
  ascii: boolean;
  /** The range's bytes (the handed-back lines are ranges of them). */
  bytes: Uint8Array;
  /** In file order: RECORD_LINE, line, start, end (a line, `bytes[start, end)`), and skipped runs (RecordList). */
  records: Float64Array;
  /** funcgraph_entry / funcgraph_exit events among the lines (their tasks' scheduling was not followed). */
  graphEvents: number;
}

export type ScanAnswer = FactsAnswer | LinesAnswer;

export const RECORD_LINE = 1;
export const RECORD_SKIPPED = 2;

/** The records of a LinesAnswer, written in file order. */
export class RecordList {
  private records = new Float64Array(4096);
  private used = 0;

  line(lineNo: number, start: number, end: number): void {
    const r = this.room(4);
    r[this.used] = RECORD_LINE;
    r[this.used + 1] = lineNo;
    r[this.used + 2] = start;
    r[this.used + 3] = end;
    this.used += 4;
  }

  skipped(s: SkippedSchedEvents): void {
    const r = this.room(SKIPPED_RECORD_LENGTH);
    const at = this.used;
    r[at] = RECORD_SKIPPED;
    r[at + 1] = s.count;
    r[at + 2] = s.switches;
    r[at + 3] = s.firstLine;
    r[at + 4] = s.firstTimeNs;
    r[at + 5] = s.lastTimeNs;
    r[at + 6] = s.maxTimeNs;
    r[at + 7] = s.backwards;
    r[at + 8] = s.firstBackwardsLine;
    r[at + 9] = s.firstNsLine;
    r[at + 10] = s.firstCountLine;
    this.used += SKIPPED_RECORD_LENGTH;
  }

  /** The records written (a copy of its own length, to be transferred). */
  done(): Float64Array {
    return this.records.slice(0, this.used);
  }

  private room(n: number): Float64Array {
    if (this.used + n > this.records.length) {
      const grown = new Float64Array(2 * this.records.length + n);
      grown.set(this.records.subarray(0, this.used));
      this.records = grown;
    }
    return this.records;
  }
}
export const SKIPPED_RECORD_LENGTH = 11;

/** The run RecordList.skipped wrote at `records[at]` (at its RECORD_SKIPPED), its line numbers moved by `lineBase`. */
export function readSkipped(records: Float64Array, at: number, lineBase: number): SkippedSchedEvents {
  const line = (k: number): number => (records[at + k] === 0 ? 0 : records[at + k]! + lineBase);
  return {
    count: records[at + 1]!,
    switches: records[at + 2]!,
    firstLine: line(3),
    firstTimeNs: records[at + 4]!,
    lastTimeNs: records[at + 5]!,
    maxTimeNs: records[at + 6]!,
    backwards: records[at + 7]!,
    firstBackwardsLine: line(8),
    firstNsLine: line(9),
    firstCountLine: line(10),
  };
}
