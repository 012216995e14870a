// Function names for the function pointers of events (workqueue_queue_work / _execute_start's `function`, printed
// `%ps`), from the trace.dat's copy of /proc/kallsyms (`ffffffff81234560 T name\t[module]` lines). Like libtraceevent
// (src/event-parse.c tep_find_function / __find_func) an address resolves to the symbol with the greatest address
// not above it; the name is printed as the kernel's own `%ps` prints it (lib/vsprintf.c symbol_string →
// sprint_symbol_no_offset: `name`, and `name [module]` for a module's symbol), so it equals the kernel's text trace
// (trace-cmd report leaves the module out). Addresses are 64-bit: kept as two 32-bit halves (doubles cannot hold
// them exactly). The text (often 100k lines, 4-8 MB) is scanned once by hand into typed arrays; a name is cut from
// it only when an address resolves to it, and cached per address.

export class Kallsyms {
  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  /** Per symbol: where its `name[\t[module]]` starts and ends in the text. */
  private readonly nameStart: Uint32Array;
  private readonly nameEnd: Uint32Array;
  private readonly cache = new Map<number, Array<{ hi: number; name: string }>>();

  constructor(private readonly text: string) {
    const n0 = text.length;
    let capacity = 1024;
    let hi: Uint32Array = new Uint32Array(capacity);
    let lo: Uint32Array = new Uint32Array(capacity);
    let ns: Uint32Array = new Uint32Array(capacity);
    let ne: Uint32Array = new Uint32Array(capacity);
    let count = 0;
    let sorted = true;
    let i = 0;
    while (i < n0) {
      // `<hex address> <type letter> <name>[\t[<module>]]\n`
      let h = 0;
      let l = 0;
      let digits = 0;
      let c = text.charCodeAt(i);
      for (;;) {
        let v: number;
        if (c >= 48 && c <= 57) v = c - 48;
        else if (c >= 97 && c <= 102) v = c - 87;
        else if (c >= 65 && c <= 70) v = c - 55;
        else break;
        h = ((h << 4) | (l >>> 28)) >>> 0;
        l = ((l << 4) | v) >>> 0;
        digits++;
        c = text.charCodeAt(++i);
      }
      let lineEnd = text.indexOf('\n', i);
      if (lineEnd < 0) lineEnd = n0;
      if (digits > 0 && digits <= 16 && c === 32 && text.charCodeAt(i + 2) === 32 && (h !== 0 || l !== 0)) {
        let end = lineEnd;
        while (end > i + 3 && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 0)) end--;
        if (count === capacity) {
          capacity *= 2;
          hi = grow(hi, capacity);
          lo = grow(lo, capacity);
          ns = grow(ns, capacity);
          ne = grow(ne, capacity);
        }
        if (count > 0 && (hi[count - 1]! > h || (hi[count - 1] === h && lo[count - 1]! > l))) sorted = false;
        hi[count] = h;
        lo[count] = l;
        ns[count] = i + 3;
        ne[count] = end;
        count++;
      }
      i = lineEnd + 1;
    }
    if (!sorted) {
      const order = Array.from({ length: count }, (_, k) => k);
      order.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]!);
      const take = (src: Uint32Array) => Uint32Array.from(order, (k) => src[k]!);
      [hi, lo, ns, ne] = [take(hi), take(lo), take(ns), take(ne)];
    }
    this.hi = hi.subarray(0, count);
    this.lo = lo.subarray(0, count);
    this.nameStart = ns.subarray(0, count);
    this.nameEnd = ne.subarray(0, count);
  }

  get size(): number {
    return this.hi.length;
  }

  /** `%ps` of the address hi:lo: the symbol's name, or `0x…` when no symbol is at or below it. */
  name(hi: number, lo: number): string {
    let bucket = this.cache.get(lo);
    if (bucket !== undefined) for (const e of bucket) if (e.hi === hi) return e.name;
    const found = this.lookup(hi, lo);
    const name = found < 0 ? hexAddress(hi, lo) : this.nameAt(found);
    if (bucket === undefined) this.cache.set(lo, (bucket = []));
    if (this.cache.size < 1 << 16) bucket.push({ hi, name });
    return name;
  }

  private nameAt(k: number): string {
    const raw = this.text.slice(this.nameStart[k], this.nameEnd[k]);
    // `name\t[module]` → `name [module]`
    const tab = raw.indexOf('\t');
    return tab < 0 ? raw : `${raw.slice(0, tab)} ${raw.slice(tab + 1).trim()}`;
  }

  private lookup(hi: number, lo: number): number {
    let a = 0;
    let b = this.hi.length - 1;
    let found = -1;
    while (a <= b) {
      const m = (a + b) >>> 1;
      const mh = this.hi[m]!;
      if (mh < hi || (mh === hi && this.lo[m]! <= lo)) {
        found = m;
        a = m + 1;
      } else b = m - 1;
    }
    return found;
  }
}

function grow(a: Uint32Array, capacity: number): Uint32Array {
  const b = new Uint32Array(capacity);
  b.set(a);
  return b;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Eight hex digits (Number#toString(16) is slow for values of 2^31 and more: kernel addresses). */
const hex8 = (v: number) => HEX_BYTES[v >>> 24]! + HEX_BYTES[(v >>> 16) & 255]! + HEX_BYTES[(v >>> 8) & 255]! + HEX_BYTES[v & 255]!;
const hex = (v: number) => (v < 0x80000000 ? v.toString(16) : hex8(v));

/** libtraceevent's `0x%llx` of a pointer (hi, lo: its 32-bit halves). */
export function hexAddress(hi: number, lo: number): string {
  return hi === 0 ? `0x${hex(lo)}` : `0x${hex(hi)}${hex8(lo)}`;
}
