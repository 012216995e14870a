// The `TASK-PID [TGID] [CPU] FLAGS TIMESTAMP: event: ` prefix of ftrace text lines and `trace-cmd report`
// lines, parsed by hand from the line's bytes (no regex, no allocation, no string) into a reused scratch object.
// Formats: kernel/trace/trace_output.c trace_print_context() (`%16s-%-7d ` (≤4.19 `%-5d`), TGID `(%7d) ` /
// `(-------) `, `[%03d] `, 4/5 flag characters or none with irq-info off, ` %5lu.%06lu: ` or ` %12llu: ` for
// counter clocks), lat_print_generic()/lat_print_timestamp() (latency format `%8.8s-%-7d %3d` + flags +
// ` %4lldus%c: `), and trace-cmd tracecmd/trace-read.c + libtraceevent print_event_time() (`%16s-%-5d [%03d]`,
// optional flags (3.3+), `-l` layout `%8.8s-%-5d %3d` + flags, `-t` ns times, ` (+delta)` with --ts-diff).
// Checked against Linux 3.15, 4.6, 5.x, 6.1 and 6.18 traces and trace-cmd 3.1.6 output.

export interface EventPrefix {
  /** The comm is `buf[commStart, commEnd)`. */
  commStart: number;
  commEnd: number;
  pid: number;
  tgid: number | null;
  cpu: number;
  /** ns for s.fraction timestamps, raw count for integer timestamps (see `timeIsCount`), µs×1000 for latency format. */
  time: number;
  timeIsCount: boolean;
  /** The event name is `buf[nameStart, nameEnd)`; the fields are `buf[fieldsStart, end)`. */
  nameStart: number;
  nameEnd: number;
  fieldsStart: number;
  /** Scratch of the readers below: where the last number read stopped. */
  digitsEnd: number;
}

export function newEventPrefix(): EventPrefix {
  return { commStart: 0, commEnd: 0, pid: 0, tgid: null, cpu: 0, time: 0, timeIsCount: false, nameStart: 0, nameEnd: 0, fieldsStart: 0, digitsEnd: 0 };
}

/** ns per unit of a fraction with N digits (`.123456` → ×1000). */
const NS_SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];
const SPACE = 32;

// Every reader below takes the line as `b[from, end)` and never looks at `b[end]` or beyond.

/** Index after a dmesg `[ 280.863946] ` prefix at `from` (ftrace_dump_on_oops output inside a kernel log), else `from`. */
export function skipDmesgPrefix(b: Uint8Array, from: number, end: number): number {
  if (from >= end || b[from] !== 91 /* [ */) return from;
  let i = from + 1;
  while (i < end && b[i] === SPACE) i++;
  const digits = i;
  while (i < end && isDigit(b[i]!)) i++;
  if (i === digits || i >= end || b[i] !== 46) return from;
  i++;
  while (i < end && isDigit(b[i]!)) i++;
  if (i + 1 >= end || b[i] !== 93 || b[i + 1] !== SPACE) return from;
  return i + 2;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The decimal digits at `b[i, end)` as a number (0 if none: then out.digitsEnd === i); sets out.digitsEnd. */
function digitsAt(b: Uint8Array, i: number, end: number, out: EventPrefix): number {
  let value = 0;
  while (i < end && isDigit(b[i]!)) {
    value = value * 10 + (b[i]! - 48);
    i++;
  }
  out.digitsEnd = i;
  return value;
}

/**
 * Parses `comm-pid [(tgid)] [cpu] [flags] time: name: ` from `from`. Returns false if the line has no such
 * prefix. The comm is greedy: the last `-digits` before the CPU bracket is the pid.
 */
export function parseBracketPrefix(b: Uint8Array, from: number, end: number, out: EventPrefix): boolean {
  // The CPU bracket: `[` digits `]`.
  let cpu = 0;
  let cpuEnd = -1;
  let open = from;
  for (; open < end; open++) {
    if (b[open] !== 91 /* [ */) continue;
    cpu = digitsAt(b, open + 1, end, out);
    const i = out.digitsEnd;
    if (i > open + 1 && i < end && b[i] === 93) {
      cpuEnd = i;
      break;
    }
  }
  if (cpuEnd < 0) return false;
  if (!readTaskBackwards(b, from, open - 1, out)) return false;
  out.cpu = cpu;
  return readTimeAndName(b, cpuEnd + 1, end, true, out);
}

/** `comm-pid [(tgid)]` ending at `j` (inclusive, trailing spaces allowed). */
function readTaskBackwards(b: Uint8Array, from: number, j: number, out: EventPrefix): boolean {
  while (j >= from && b[j] === SPACE) j--;
  out.tgid = null;
  if (j >= from && b[j] === 41 /* ) */) {
    let open = j - 1;
    while (open >= from && b[open] !== 40 /* ( */) open--;
    if (open < from) return false;
    let tgid = 0;
    let digits = 0;
    for (let k = open + 1; k < j; k++) {
      const c = b[k]!;
      if (isDigit(c)) {
        tgid = tgid * 10 + (c - 48);
        digits++;
      } else if (c !== SPACE && c !== 45) return false;
    }
    out.tgid = digits > 0 ? tgid : null;
    j = open - 1;
    while (j >= from && b[j] === SPACE) j--;
  }
  const pidEnd = j;
  while (j >= from && isDigit(b[j]!)) j--;
  if (j === pidEnd || j < from || b[j] !== 45 /* - */) return false;
  let pid = 0;
  for (let k = j + 1; k <= pidEnd; k++) pid = pid * 10 + (b[k]! - 48);
  out.pid = pid;
  let commStart = from;
  while (commStart < j && b[commStart] === SPACE) commStart++;
  out.commStart = commStart;
  out.commEnd = j;
  return true;
}

/**
 * After the CPU: spaces, optional flags, the timestamp (`s.frac`, integer, or latency `NNNus` + delay mark),
 * optional ` (+delta)`, `: `, then the event name up to `: ` (or the end of the line).
 */
function readTimeAndName(b: Uint8Array, i: number, end: number, flagsMayFollow: boolean, out: EventPrefix): boolean {
  while (i < end && b[i] === SPACE) i++;
  if (flagsMayFollow && i < end && !isDigit(b[i]!)) {
    // flags: d/D/b/X/. first, never a digit
    while (i < end && b[i] !== SPACE) i++;
    while (i < end && b[i] === SPACE) i++;
  }
  const whole = digitsAt(b, i, end, out);
  if (out.digitsEnd === i) return false;
  i = out.digitsEnd;
  if (i < end && b[i] === 46 /* . */) {
    const fraction = digitsAt(b, i + 1, end, out);
    const digits = out.digitsEnd - (i + 1);
    i = out.digitsEnd;
    out.time = whole * 1e9 + (digits <= 9 ? fraction * (NS_SCALE[digits] ?? 1) : Math.round(fraction / 10 ** (digits - 9)));
    out.timeIsCount = false;
  } else if (i + 1 < end && b[i] === 117 /* u */ && b[i + 1] === 115 /* s */) {
    // latency format: µs since the buffer start, then a delay mark character or a space (one character: skip
    // the continuation bytes of a UTF-8 sequence too, though the kernel prints ASCII marks)
    out.time = whole * 1000;
    out.timeIsCount = false;
    i += 3;
    while (i < end && (b[i]! & 0xc0) === 0x80) i++;
  } else {
    out.time = whole;
    out.timeIsCount = true;
  }
  if (i + 1 < end && b[i] === SPACE && b[i + 1] === 40 /* ( */) {
    // trace-cmd --ts-diff ` (+delta)`
    while (i < end && b[i] !== 41 /* ) */) i++;
    if (i === end) return false;
    i++;
  }
  if (i >= end || b[i] !== 58 /* : */) return false;
  i++;
  while (i < end && b[i] === SPACE) i++;
  out.nameStart = i;
  let colon = i;
  while (colon < end && b[colon] !== 58) colon++;
  if (colon < end && (colon + 1 === end || b[colon + 1] === SPACE)) {
    out.nameEnd = colon;
    // trace-cmd pads `name:` to 20 columns; the kernel prints one space.
    let fields = colon + 1;
    while (fields < end && b[fields] === SPACE) fields++;
    out.fieldsStart = fields;
  } else {
    out.nameEnd = end;
    out.fieldsStart = end;
  }
  return true;
}

/**
 * The bracket-less layouts: latency format (`%8.8s-%-7d %3d` + flags glued to the CPU, ` %4lldus%c: `) and
 * trace-cmd report -l before 3.3 (`%8.8s-%-5d %3d` + flags, ` %5lu.%06lu: `).
 */
export function parseGluedCpuPrefix(b: Uint8Array, from: number, end: number, out: EventPrefix): boolean {
  // Find `-pid<spaces>cpu<flags>`: the first `-digits ` candidate followed by a CPU, flags and a time wins.
  for (let dash = from; dash < end; dash++) {
    if (b[dash] !== 45 /* - */) continue;
    const pid = digitsAt(b, dash + 1, end, out);
    let i = out.digitsEnd;
    if (i === dash + 1 || i >= end || b[i] !== SPACE) continue;
    while (i < end && b[i] === SPACE) i++;
    const cpuStart = i;
    const cpu = digitsAt(b, cpuStart, end, out);
    i = out.digitsEnd;
    if (i === cpuStart || i >= end || b[i] === SPACE) continue;
    let commStart = from;
    while (commStart < dash && b[commStart] === SPACE) commStart++;
    out.commStart = commStart;
    out.commEnd = dash;
    out.pid = pid;
    out.tgid = null;
    out.cpu = cpu;
    while (i < end && b[i] !== SPACE) i++;
    if (readTimeAndName(b, i, end, false, out)) return true;
  }
  return false;
}
