// The CPUSTAT options of a trace.dat: each CPU's `per_cpu/cpuN/stats` text as trace-cmd read it at the end of the
// recording (`CPU: 0`, `entries:`, `overrun:`, ..., `dropped events:`), the top buffer's first, then each instance's
// after a CPUSTAT holding only `\nBuffer: NAME\n\n` (trace-cmd tracecmd/trace-record.c add_options / record_stats).
// `overrun` counts events overwritten in overwrite mode: those are also flagged in the pages (lost events, read by
// ring-buffer.ts). `dropped events` counts events the kernel discarded because the buffer was full without
// overwrite: nothing in the pages says where they were.

export interface DroppedEvents {
  /** The buffer: '' for the top one, else the instance's name. */
  buffer: string;
  cpu: number;
  count: number;
}

/** The CPUs whose stats say events were dropped (buffer full, no overwrite), per buffer. */
export function droppedEvents(cpuStats: readonly string[]): DroppedEvents[] {
  const out: DroppedEvents[] = [];
  let buffer = '';
  for (const text of cpuStats) {
    const marker = /^\s*Buffer: (.*\S)\s*$/.exec(text);
    if (marker !== null) {
      buffer = marker[1]!;
      continue;
    }
    const cpu = /^CPU: (\d+)$/m.exec(text);
    const dropped = /^dropped events: (\d+)$/m.exec(text);
    if (cpu !== null && dropped !== null && Number(dropped[1]) > 0) out.push({ buffer, cpu: Number(cpu[1]), count: Number(dropped[1]) });
  }
  return out;
}
