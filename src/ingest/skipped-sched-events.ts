// Runs of scheduler events a reader checked and left out (SkippedSchedEvents): what the builders and the collector
// need of them, summed up line by line in the order they were read.

import type { SkippedSchedEvents } from './trace-events.types.js';

export function noSkippedEvents(): SkippedSchedEvents {
  return { count: 0, switches: 0, firstLine: 0, firstTimeNs: 0, lastTimeNs: 0, maxTimeNs: 0, backwards: 0, firstBackwardsLine: 0, firstNsLine: 0, firstCountLine: 0 };
}

/** Adds one left-out event (line `lineNo`, time `t` in the form `timeIsCount`) to the run `s`. */
export function countSkipped(s: SkippedSchedEvents, t: number, timeIsCount: boolean, lineNo: number, isSwitch: boolean): void {
  if (s.count === 0) {
    s.firstLine = lineNo;
    s.firstTimeNs = t;
    s.maxTimeNs = t;
  } else {
    if (t < s.lastTimeNs) {
      s.backwards++;
      if (s.firstBackwardsLine === 0) s.firstBackwardsLine = lineNo;
    }
    if (t > s.maxTimeNs) s.maxTimeNs = t;
  }
  s.lastTimeNs = t;
  s.count++;
  if (isSwitch) s.switches++;
  if (timeIsCount) {
    if (s.firstCountLine === 0) s.firstCountLine = lineNo;
  } else if (s.firstNsLine === 0) s.firstNsLine = lineNo;
}
