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

// The searched texts are byte arrays made once (`asciiBytes`): reading a key's bytes from a Uint8Array is about
// twice as fast here as charCodeAt on a key string (a sched_switch field scanner: ~240 against ~500 ns a line).

/** An ASCII text as bytes, for the functions below. */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Whether `buf[at, …)` holds the bytes of `key` (and they fit before `end`). */
export function bytesStartWith(buf: Uint8Array, at: number, end: number, key: Uint8Array): boolean {
  if (at + key.length > end) return false;
  for (let k = 0; k < key.length; k++) if (buf[at + k] !== key[k]) return false;
  return true;
}

/** The first index ≥ `from` of `key` wholly inside `buf[from, end)`, or -1. */
export function bytesIndexOf(buf: Uint8Array, key: Uint8Array, from: number, end: number): number {
  const first = key[0];
  const last = end - key.length;
  for (let i = from; i <= last; i++) {
    if (buf[i] !== first) continue;
    let k = 1;
    while (k < key.length && buf[i + k] === key[k]) k++;
    if (k === key.length) return i;
  }
  return -1;
}

/** The last index ≥ `from` of `key` wholly inside `buf[from, end)`, or -1. */
export function bytesLastIndexOf(buf: Uint8Array, key: Uint8Array, from: number, end: number): number {
  const first = key[0];
  for (let i = end - key.length; i >= from; i--) {
    if (buf[i] !== first) continue;
    let k = 1;
    while (k < key.length && buf[i + k] === key[k]) k++;
    if (k === key.length) return i;
  }
  return -1;
}
