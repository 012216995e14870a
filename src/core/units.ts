// Branded units and ids every layer shares: time is integer nanoseconds everywhere inside trace-probe; inputs
// in µs or s.µs are converted at the edges (ingest), outputs convert in render/.

/** Integer nanoseconds (a duration or a timestamp on the boot's printk clock). */
export type Ns = number & { readonly __unit: 'ns' };
/** A logical CPU number as the kernel prints it. */
export type Cpu = number & { readonly __id: 'cpu' };
/** A task id (PID/TID) as the kernel prints it. */
export type Pid = number & { readonly __id: 'pid' };
/** A NUMA node id. */
export type NodeId = number & { readonly __id: 'node' };

export const ns = (value: number): Ns => value as Ns;
export const cpuId = (value: number): Cpu => value as Cpu;
export const pidOf = (value: number): Pid => value as Pid;
export const nodeId = (value: number): NodeId => value as NodeId;

/** Converts whole microseconds (dmesg, initcall_debug) to ns. */
export const usToNs = (us: number): Ns => ns(us * 1000);
