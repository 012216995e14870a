// The `TASK-PID [TGID] [CPU] FLAGS TIMESTAMP: event: ` prefix of ftrace text lines and `trace-cmd report`
// lines, parsed by hand (no regex, no allocation) into a reused scratch object.
// Formats: kernel/trace/trace_output.c trace_print_context() (`%16s-%-7d ` (≤4.19 `%-5d`), TGID `(%7d) ` /
// `(-------) `, `[%03d] `, 4/5 flag characters or none with irq-info off, ` %5lu.%06lu: ` or ` %12llu: ` for
// counter clocks), lat_print_generic()/lat_print_timestamp() (latency format `%8.8s-%-7d %3d` + flags +
// ` %4lldus%c: `), and trace-cmd tracecmd/trace-read.c + libtraceevent print_event_time() (`%16s-%-5d [%03d]`,
// optional flags (3.3+), `-l` layout `%8.8s-%-5d %3d` + flags, `-t` ns times, ` (+delta)` with --ts-diff).
// Checked against Linux 3.15, 4.6, 5.x, 6.1 and 6.18 traces and trace-cmd 3.1.6 output.

export interface EventPrefix {
  /** The comm is `line.slice(commStart, commEnd)`. */
  commStart: number;
  commEnd: number;
  pid: number;
  tgid: number | null;
  cpu: number;
  /** ns for s.fraction timestamps, raw count for integer timestamps (see `timeIsCount`), µs×1000 for latency format. */
  time: number;
  timeIsCount: boolean;
  /** The event name is `line.slice(nameStart, nameEnd)`; the fields start at `fieldsStart`. */
  nameStart: number;
  nameEnd: number;
  fieldsStart: number;
}

export function newEventPrefix(): EventPrefix {
  return { commStart: 0, commEnd: 0, pid: 0, tgid: null, cpu: 0, time: 0, timeIsCount: false, nameStart: 0, nameEnd: 0, fieldsStart: 0 };
}

/** ns per unit of a fraction with N digits (`.123456` → ×1000). */
const NS_SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];
const SPACE = 32;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Index after a dmesg `[ 280.863946] ` prefix at `from` (ftrace_dump_on_oops output inside a kernel log), else `from`. */
export function skipDmesgPrefix(line: string, from: number): number {
  if (line.charCodeAt(from) !== 91 /* [ */) return from;
  let i = from + 1;
  while (line.charCodeAt(i) === SPACE) i++;
  const digits = i;
  while (isDigit(line.charCodeAt(i))) i++;
  if (i === digits || line.charCodeAt(i) !== 46) return from;
  i++;
  while (isDigit(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 93 || line.charCodeAt(i + 1) !== SPACE) return from;
  return i + 2;
}

/**
 * Parses `comm-pid [(tgid)] [cpu] [flags] time: name: ` from `from`. Returns false if the line has no such
 * prefix. The comm is greedy: the last `-digits` before the CPU bracket is the pid.
 */
export function parseBracketPrefix(line: string, from: number, out: EventPrefix): boolean {
  // The CPU bracket: `[` digits `]`.
  let b = line.indexOf('[', from);
  let cpu = 0;
  let cpuEnd = 0;
  while (b >= 0) {
    let i = b + 1;
    cpu = 0;
    while (isDigit(line.charCodeAt(i))) {
      cpu = cpu * 10 + (line.charCodeAt(i) - 48);
      i++;
    }
    if (i > b + 1 && line.charCodeAt(i) === 93) {
      cpuEnd = i;
      break;
    }
    b = line.indexOf('[', b + 1);
  }
  if (b < 0) return false;
  if (!readTaskBackwards(line, from, b - 1, out)) return false;
  out.cpu = cpu;
  return readTimeAndName(line, cpuEnd + 1, true, out);
}

/** `comm-pid [(tgid)]` ending at `j` (inclusive, trailing spaces allowed). */
function readTaskBackwards(line: string, from: number, j: number, out: EventPrefix): boolean {
  while (j >= from && line.charCodeAt(j) === SPACE) j--;
  out.tgid = null;
  if (line.charCodeAt(j) === 41 /* ) */) {
    const open = line.lastIndexOf('(', j);
    if (open < from) return false;
    let tgid = 0;
    let digits = 0;
    for (let k = open + 1; k < j; k++) {
      const c = line.charCodeAt(k);
      if (isDigit(c)) {
        tgid = tgid * 10 + (c - 48);
        digits++;
      } else if (c !== SPACE && c !== 45) return false;
    }
    out.tgid = digits > 0 ? tgid : null;
    j = open - 1;
    while (j >= from && line.charCodeAt(j) === SPACE) j--;
  }
  const pidEnd = j;
  while (j >= from && isDigit(line.charCodeAt(j))) j--;
  if (j === pidEnd || line.charCodeAt(j) !== 45 /* - */) return false;
  let pid = 0;
  for (let k = j + 1; k <= pidEnd; k++) pid = pid * 10 + (line.charCodeAt(k) - 48);
  out.pid = pid;
  let commStart = from;
  while (commStart < j && line.charCodeAt(commStart) === SPACE) commStart++;
  out.commStart = commStart;
  out.commEnd = j;
  return true;
}

/**
 * After the CPU: spaces, optional flags, the timestamp (`s.frac`, integer, or latency `NNNus` + delay mark),
 * optional ` (+delta)`, `: `, then the event name up to `: ` (or the end of the line).
 */
function readTimeAndName(line: string, i: number, flagsMayFollow: boolean, out: EventPrefix): boolean {
  while (line.charCodeAt(i) === SPACE) i++;
  if (flagsMayFollow && !isDigit(line.charCodeAt(i))) {
    // flags: d/D/b/X/. first, never a digit
    while (i < line.length && line.charCodeAt(i) !== SPACE) i++;
    while (line.charCodeAt(i) === SPACE) i++;
  }
  let whole = 0;
  const digitsStart = i;
  for (;;) {
    const c = line.charCodeAt(i);
    if (!isDigit(c)) break;
    whole = whole * 10 + (c - 48);
    i++;
  }
  if (i === digitsStart) return false;
  if (line.charCodeAt(i) === 46 /* . */) {
    i++;
    let fraction = 0;
    const fractionStart = i;
    for (;;) {
      const c = line.charCodeAt(i);
      if (!isDigit(c)) break;
      fraction = fraction * 10 + (c - 48);
      i++;
    }
    const digits = i - fractionStart;
    out.time = whole * 1e9 + (digits <= 9 ? fraction * (NS_SCALE[digits] ?? 1) : Math.round(fraction / 10 ** (digits - 9)));
    out.timeIsCount = false;
  } else if (line.charCodeAt(i) === 117 /* u */ && line.charCodeAt(i + 1) === 115 /* s */) {
    // latency format: µs since the buffer start, then a delay mark character or a space
    out.time = whole * 1000;
    out.timeIsCount = false;
    i += 3;
  } else {
    out.time = whole;
    out.timeIsCount = true;
  }
  if (line.charCodeAt(i) === SPACE && line.charCodeAt(i + 1) === 40 /* ( */) {
    // trace-cmd --ts-diff ` (+delta)`
    const close = line.indexOf(')', i);
    if (close < 0) return false;
    i = close + 1;
  }
  if (line.charCodeAt(i) !== 58 /* : */) return false;
  i++;
  while (line.charCodeAt(i) === SPACE) i++;
  out.nameStart = i;
  const colon = line.indexOf(':', i);
  if (colon >= 0 && (colon + 1 === line.length || line.charCodeAt(colon + 1) === SPACE)) {
    out.nameEnd = colon;
    // trace-cmd pads `name:` to 20 columns; the kernel prints one space.
    let fields = colon + 1;
    while (line.charCodeAt(fields) === SPACE) fields++;
    out.fieldsStart = fields;
  } else {
    out.nameEnd = line.length;
    out.fieldsStart = line.length;
  }
  return true;
}

/**
 * The bracket-less layouts: latency format (`%8.8s-%-7d %3d` + flags glued to the CPU, ` %4lldus%c: `) and
 * trace-cmd report -l before 3.3 (`%8.8s-%-5d %3d` + flags, ` %5lu.%06lu: `).
 */
export function parseGluedCpuPrefix(line: string, from: number, out: EventPrefix): boolean {
  // Find `-pid<spaces>cpu<flags>`: the first `-digits ` candidate followed by a CPU, flags and a time wins.
  let dash = line.indexOf('-', from);
  while (dash >= 0) {
    let i = dash + 1;
    let pid = 0;
    while (isDigit(line.charCodeAt(i))) {
      pid = pid * 10 + (line.charCodeAt(i) - 48);
      i++;
    }
    if (i > dash + 1 && line.charCodeAt(i) === SPACE) {
      while (line.charCodeAt(i) === SPACE) i++;
      let cpu = 0;
      const cpuStart = i;
      while (isDigit(line.charCodeAt(i))) {
        cpu = cpu * 10 + (line.charCodeAt(i) - 48);
        i++;
      }
      const flag = line.charCodeAt(i);
      if (i > cpuStart && flag !== SPACE && !Number.isNaN(flag)) {
        let commStart = from;
        while (commStart < dash && line.charCodeAt(commStart) === SPACE) commStart++;
        out.commStart = commStart;
        out.commEnd = dash;
        out.pid = pid;
        out.tgid = null;
        out.cpu = cpu;
        while (i < line.length && line.charCodeAt(i) !== SPACE) i++;
        if (readTimeAndName(line, i, false, out)) return true;
      }
    }
    dash = line.indexOf('-', dash + 1);
  }
  return false;
}
