// A small trace.dat writer for edge cases no real recording here covers: big-endian files, 4-byte kernel longs,
// every ring-buffer event header type (small and large data, time extend, absolute time stamp, padding), lost-event
// page flags, and damaged pages. It writes the v6 layout of trace-cmd Documentation/trace-cmd/trace-cmd.dat.v6.5.txt
// with format texts as the kernel writes them. Synthetic by design: the real files are in fixtures/captures/dat-n0x3.

export interface SynthOptions {
  bigEndian: boolean;
  longSize: 4 | 8;
  pageSize?: number;
  clock?: string;
}

export type SynthRecord =
  | { kind: 'switch'; delta: number; pid: number; prevComm: string; prevPid: number; prevState: number; nextComm: string; nextPid: number }
  | { kind: 'wakeup'; delta: number; pid: number; comm: string; targetPid: number; targetCpu: number }
  | { kind: 'execute_start'; delta: number; pid: number; work: bigint; fn: bigint }
  | { kind: 'marker'; delta: number; pid: number; text: string }
  | { kind: 'extend'; delta: number }
  | { kind: 'absolute'; ts: number }
  | { kind: 'pad'; delta: number; length: number };

export interface SynthPage {
  ts: number;
  records: SynthRecord[];
  /** Lost events before this page: a count (stored), or 'unknown' (flag only). */
  lost?: number | 'unknown';
  /** Overrides the page's commit size (damaged page). */
  commitOverride?: number;
}

const IDS = { print: 5, sched_switch: 319, sched_wakeup: 321, workqueue_execute_start: 262 } as const;
const COMMON = [
  '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
  '\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;',
  '\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;',
  '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
  '',
];

function format(name: string, id: number, fields: string[], printFmt: string): string {
  return `name: ${name}\nID: ${id}\nformat:\n${[...COMMON, ...fields].join('\n')}\n\nprint fmt: ${printFmt}\n`;
}

function formats(L: 4 | 8) {
  const switchFmt = format('sched_switch', IDS.sched_switch, [
    '\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:1;',
    '\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;',
    '\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;',
    `\tfield:long prev_state;\toffset:32;\tsize:${L};\tsigned:1;`,
    `\tfield:char next_comm[16];\toffset:${32 + L};\tsize:16;\tsigned:1;`,
    `\tfield:pid_t next_pid;\toffset:${48 + L};\tsize:4;\tsigned:1;`,
    `\tfield:int next_prio;\toffset:${52 + L};\tsize:4;\tsigned:1;`,
  ], '"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d", REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), "|", { 0x00000001, "S" }, { 0x00000002, "D" }, { 0x00000004, "T" }, { 0x00000008, "t" }, { 0x00000010, "X" }, { 0x00000020, "Z" }, { 0x00000040, "P" }, { 0x00000080, "I" }) : "R", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? "+" : "", REC->next_comm, REC->next_pid, REC->next_prio');
  const wakeupFmt = format('sched_wakeup', IDS.sched_wakeup, [
    '\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:1;',
    '\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;',
    '\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;',
    '\tfield:int target_cpu;\toffset:32;\tsize:4;\tsigned:1;',
  ], '"comm=%s pid=%d prio=%d target_cpu=%03d", REC->comm, REC->pid, REC->prio, REC->target_cpu');
  const startFmt = format('workqueue_execute_start', IDS.workqueue_execute_start, [
    `\tfield:void * work;\toffset:8;\tsize:${L};\tsigned:0;`,
    `\tfield:void * function;\toffset:${8 + L};\tsize:${L};\tsigned:0;`,
  ], '"work struct %p: function %ps", REC->work, REC->function');
  const printFmt = format('print', IDS.print, [
    `\tfield:unsigned long ip;\toffset:8;\tsize:${L};\tsigned:0;`,
    `\tfield:char buf[];\toffset:${8 + L};\tsize:0;\tsigned:1;`,
  ], '"%ps: %s", (void *)REC->ip, REC->buf');
  return { switchFmt, wakeupFmt, startFmt, printFmt };
}

class Writer {
  parts: Buffer[] = [];
  length = 0;
  constructor(readonly big: boolean) {}
  bytes(b: Buffer | Uint8Array): this {
    const buf = Buffer.from(b);
    this.parts.push(buf);
    this.length += buf.length;
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    if (this.big) b.writeUInt16BE(v);
    else b.writeUInt16LE(v);
    return this.bytes(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    if (this.big) b.writeUInt32BE(v >>> 0);
    else b.writeUInt32LE(v >>> 0);
    return this.bytes(b);
  }
  u64(v: number | bigint): this {
    const b = Buffer.alloc(8);
    if (this.big) b.writeBigUInt64BE(BigInt(v));
    else b.writeBigUInt64LE(BigInt(v));
    return this.bytes(b);
  }
  str(s: string): this {
    return this.bytes(Buffer.from(`${s}\0`, 'latin1'));
  }
  sized8(text: string): this {
    return this.u64(Buffer.byteLength(text)).bytes(Buffer.from(text));
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A record's data (common fields + payload) in the file's byte order. */
function payload(r: SynthRecord, big: boolean, L: 4 | 8): Buffer | null {
  const put = (b: Buffer, at: number, v: number | bigint, size: number) => {
    if (size === 8) (big ? b.writeBigUInt64BE(BigInt.asUintN(64, BigInt(v)), at) : b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), at));
    else if (size === 4) (big ? b.writeUInt32BE(Number(v) >>> 0, at) : b.writeUInt32LE(Number(v) >>> 0, at));
    else if (size === 2) (big ? b.writeUInt16BE(Number(v), at) : b.writeUInt16LE(Number(v), at));
  };
  const common = (b: Buffer, id: number, pid: number) => {
    put(b, 0, id, 2);
    put(b, 4, pid, 4);
  };
  switch (r.kind) {
    case 'switch': {
      const b = Buffer.alloc(56 + L);
      common(b, IDS.sched_switch, r.pid);
      b.write(r.prevComm, 8, 'latin1');
      put(b, 24, r.prevPid, 4);
      put(b, 28, 120, 4);
      put(b, 32, r.prevState, L);
      b.write(r.nextComm, 32 + L, 'latin1');
      put(b, 48 + L, r.nextPid, 4);
      put(b, 52 + L, 120, 4);
      return b;
    }
    case 'wakeup': {
      const b = Buffer.alloc(36);
      common(b, IDS.sched_wakeup, r.pid);
      b.write(r.comm, 8, 'latin1');
      put(b, 24, r.targetPid, 4);
      put(b, 28, 120, 4);
      put(b, 32, r.targetCpu, 4);
      return b;
    }
    case 'execute_start': {
      const b = Buffer.alloc(8 + 2 * L);
      common(b, IDS.workqueue_execute_start, r.pid);
      // A 32-bit kernel's pointers: the low halves.
      put(b, 8, L === 8 ? r.work : Number(r.work & 0xffffffffn), L);
      put(b, 8 + L, L === 8 ? r.fn : Number(r.fn & 0xffffffffn), L);
      return b;
    }
    case 'marker': {
      const text = Buffer.from(`${r.text}\n\0`, 'latin1');
      const b = Buffer.alloc(8 + L + text.length);
      common(b, IDS.print, r.pid);
      put(b, 8, L === 8 ? MARK_WRITE : Number(MARK_WRITE & 0xffffffffn), L);
      text.copy(b, 8 + L);
      return b;
    }
    default:
      return null;
  }
}

export const MARK_WRITE = 0xffffffff81200010n;
export const WORK_FN = 0xffffffff81100020n;

function page(p: SynthPage, o: Required<SynthOptions>): Buffer {
  const L = o.longSize;
  const w = new Writer(o.bigEndian);
  const header = (typeLen: number, delta: number) => w.u32(o.bigEndian ? ((typeLen << 27) | delta) >>> 0 : (typeLen | (delta << 5)) >>> 0);
  for (const r of p.records) {
    if (r.kind === 'extend') {
      header(30, r.delta % 2 ** 27);
      w.u32(Math.floor(r.delta / 2 ** 27));
    } else if (r.kind === 'absolute') {
      header(31, r.ts % 2 ** 27);
      w.u32(Math.floor(r.ts / 2 ** 27));
    } else if (r.kind === 'pad') {
      header(29, r.delta);
      w.u32(r.length);
      w.bytes(Buffer.alloc(r.length - 4));
    } else {
      const data = payload(r, o.bigEndian, L)!;
      const padded = Buffer.alloc((data.length + 3) & ~3);
      data.copy(padded);
      if (padded.length <= 112) {
        header(padded.length / 4, r.delta);
      } else {
        header(0, r.delta);
        w.u32(padded.length + 4);
      }
      w.bytes(padded);
    }
  }
  const events = w.done();
  const out = new Writer(o.bigEndian);
  out.u64(p.ts);
  let commit = p.commitOverride ?? events.length;
  if (p.lost !== undefined) commit |= p.lost === 'unknown' ? 0x80000000 : 0xc0000000;
  if (L === 8) out.u64(commit >>> 0);
  else out.u32(commit);
  out.bytes(events);
  if (typeof p.lost === 'number') (L === 8 ? out.u64(p.lost) : out.u32(p.lost));
  const bytes = out.done();
  const full = Buffer.alloc(o.pageSize);
  bytes.copy(full, 0, 0, Math.min(bytes.length, o.pageSize));
  return full;
}

/** A v6 trace.dat with one page list per CPU. */
export function synthTraceDat(options: SynthOptions, cpus: SynthPage[][]): Buffer {
  const o: Required<SynthOptions> = { pageSize: 4096, clock: 'global', ...options };
  const L = o.longSize;
  const f = formats(L);
  const w = new Writer(o.bigEndian);
  w.bytes(Buffer.from([0x17, 0x08, 0x44])).bytes(Buffer.from('tracing', 'latin1')).str('6');
  w.bytes(Buffer.from([o.bigEndian ? 1 : 0, L])).u32(o.pageSize);
  w.str('header_page').sized8(
    `\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:${L};\tsigned:1;\n\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:${8 + L};\tsize:${o.pageSize - 8 - L};\tsigned:1;\n`,
  );
  w.str('header_event').sized8('# compressed entry header\n\ttype_len    :    5 bits\n\ttime_delta  :   27 bits\n\tarray       :   32 bits\n');
  w.u32(1).sized8(f.printFmt);
  w.u32(2).str('sched').u32(2).sized8(f.switchFmt).sized8(f.wakeupFmt).str('workqueue').u32(1).sized8(f.startFmt);
  const kallsyms = `${MARK_WRITE.toString(16)} T tracing_mark_write\n${WORK_FN.toString(16)} T async_run_entry_fn\n${(WORK_FN + 0x100n).toString(16)} t nvme_reset_work\t[nvme]\n`;
  w.u32(kallsyms.length).bytes(Buffer.from(kallsyms, 'latin1'));
  w.u32(0);
  w.sized8('1 init\n42 kworker/0:1\n77 modprobe\n');
  w.u32(cpus.length);
  w.bytes(Buffer.from('options  \0', 'latin1'));
  w.u16(4).u32(0); // TRACECLOCK: the text follows the CPU table
  w.u16(0);
  w.bytes(Buffer.from('flyrecord\0', 'latin1'));
  const tableAt = w.length;
  const clockText = `local [${o.clock}] counter\n`;
  const headerEnd = tableAt + cpus.length * 16 + 8 + clockText.length;
  let at = Math.ceil(headerEnd / o.pageSize) * o.pageSize;
  const datas = cpus.map((pages) => Buffer.concat(pages.map((p) => page(p, o))));
  for (const d of datas) {
    w.u64(at).u64(d.length);
    at += d.length;
  }
  w.sized8(clockText);
  w.bytes(Buffer.alloc(Math.ceil(headerEnd / o.pageSize) * o.pageSize - w.length));
  for (const d of datas) w.bytes(d);
  return w.done();
}
