// Task names for the TASK column, from the trace.dat's copy of tracefs saved_cmdlines (`pid comm` per line,
// kernel/trace/trace.c saved_cmdlines_show), the table the kernel itself uses when it prints /sys/kernel/tracing/trace:
// pid 0 is `<idle>`, a pid missing from the table `<...>` (kernel trace_find_cmdline; libtraceevent
// tep_data_comm_from_pid prints the same).

export class Cmdlines {
  private readonly comms = new Map<number, string>();

  constructor(text: string) {
    const line = /^\s*(\d+) (.*)$/gm;
    for (let m = line.exec(text); m !== null; m = line.exec(text)) this.comms.set(Number(m[1]), m[2]!.replace(/\0+$/, ''));
  }

  get size(): number {
    return this.comms.size;
  }

  comm(pid: number): string {
    if (pid === 0) return '<idle>';
    return this.comms.get(pid) ?? '<...>';
  }
}
