// Reading the numbers and short texts of tracepoint fields from a line's bytes without allocating: the scanner
// keeps where the last number ended (`end`), the short texts (sched_switch prev_state) are made once per reader.

import { bytesIndexOf, textOf } from './byte-text.js';
import type { CommCache } from './comm-cache.js';

/** What the field parsers of one reader share: its scanner, comm cache and short texts. */
export interface FieldState {
  readonly scan: FieldScanner;
  readonly comms: CommCache;
  readonly shortTexts: ShortTexts;
}

export class FieldScanner {
  /** Where the last intAt / intAfter stopped. */
  end = 0;

  /** Parses a (possibly negative) decimal integer at `b[pos, end)`; NaN if there is none. Sets `this.end`. */
  intAt(b: Uint8Array, pos: number, end: number): number {
    let i = pos;
    let negative = false;
    if (i < end && b[i] === 45) {
      negative = true;
      i++;
    }
    const digitsStart = i;
    let value = 0;
    while (i < end) {
      const c = b[i]!;
      if (!(c >= 48 && c <= 57)) break;
      value = value * 10 + (c - 48);
      i++;
    }
    this.end = i;
    if (i === digitsStart) return NaN;
    return negative ? -value : value;
  }

  /**
   * The integer after `key` in `b[from, end)`. The kernel prints its fields in a fixed order, so the search (which
   * tries `from` first) usually ends at its first step.
   */
  intAfter(b: Uint8Array, key: Uint8Array, from: number, end: number): number {
    const at = bytesIndexOf(b, key, from, end);
    if (at < 0) {
      this.end = from;
      return NaN;
    }
    return this.intAt(b, at + key.length, end);
  }
}

const ONE_CHAR_TEXTS: readonly string[] = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

/** Short texts (sched_switch prev_state: `R`, `R+`, `S`, `D`, `I`, `D|K`, ...) made once. */
export class ShortTexts {
  private readonly texts = new Map<number, string>();

  text(b: Buffer, start: number, end: number, ascii: boolean): string {
    const length = end - start;
    if (length === 1 && b[start]! < 128) return ONE_CHAR_TEXTS[b[start]!]!;
    if (length > 3 || !ascii) return textOf(b, start, end, ascii);
    let key = length;
    for (let k = start; k < end; k++) key = key * 256 + b[k]!;
    let text = this.texts.get(key);
    if (text === undefined) {
      text = textOf(b, start, end, ascii);
      // A real trace has a handful of states; damaged input must not grow the table without bound.
      if (this.texts.size >= 4096) this.texts.clear();
      this.texts.set(key, text);
    }
    return text;
  }
}
