// Strings cut from the bytes of a line (lines.ts readLineBytes). Node's Buffer has latin1Slice/utf8Slice (what
// toString('latin1' | 'utf8', ...) calls after its encoding switch); @types/node does not declare them.

interface SliceMethods {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** The text of `buf[start, end)`: latin1 when the bytes are known to be ASCII (the same text, no validation), else UTF-8. */
export function textOf(buf: Buffer, start: number, end: number, ascii: boolean): string {
  const b = buf as unknown as SliceMethods;
  return ascii ? b.latin1Slice(start, end) : b.utf8Slice(start, end);
}

/** Whether `buf[at, …)` holds the ASCII text `s` (and it fits before `end`). */
export function bytesStartWith(buf: Uint8Array, at: number, end: number, s: string): boolean {
  if (at + s.length > end) return false;
  for (let k = 0; k < s.length; k++) if (buf[at + k] !== s.charCodeAt(k)) return false;
  return true;
}

/** The first index ≥ `from` (< `end`) of the ASCII text `s` in `buf`, or -1. */
export function bytesIndexOf(buf: Uint8Array, s: string, from: number, end: number): number {
  const first = s.charCodeAt(0);
  const last = end - s.length;
  for (let i = from; i <= last; i++) {
    if (buf[i] !== first) continue;
    let k = 1;
    while (k < s.length && buf[i + k] === s.charCodeAt(k)) k++;
    if (k === s.length) return i;
  }
  return -1;
}

/** The last index ≥ `from` of the ASCII text `s` wholly inside `buf[from, end)`, or -1. */
export function bytesLastIndexOf(buf: Uint8Array, s: string, from: number, end: number): number {
  const first = s.charCodeAt(0);
  for (let i = end - s.length; i >= from; i--) {
    if (buf[i] !== first) continue;
    let k = 1;
    while (k < s.length && buf[i + k] === s.charCodeAt(k)) k++;
    if (k === s.length) return i;
  }
  return -1;
}
