// The names of the input formats ingest/ recognises: the `format` field of a Boot's `inputs`.

/** The kernel-log presentations ingest/ recognises (one module each, see kernel-log-reader.ts). */
export const KERNEL_LOG_FORMATS = [
  'dmesg',
  'dmesg-raw',
  'dmesg-decode',
  'dmesg-ctime',
  'dmesg-iso',
  'dmesg-reltime',
  'dmesg-delta',
  'dmesg-notime',
  'dmesg-json',
  'kmsg',
  'journal-short',
  'journal-short-precise',
  'journal-short-iso',
  'journal-short-monotonic',
  'journal-json',
  'journal-export',
  'syslog',
  'console',
  'patch-mail',
] as const;
export type KernelLogFormat = (typeof KERNEL_LOG_FORMATS)[number];

/** The trace formats ingest/ recognises (see trace-reader.ts): three text forms and trace-cmd's binary trace.dat. */
export const TRACE_FORMATS = ['ftrace', 'trace-cmd', 'function-graph', 'trace-dat'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** Names of the input formats ingest/ recognises (the `format` field of `inputs`). */
export type InputFormat = KernelLogFormat | TraceFormat | 'lscpu' | 'cpulist' | 'pci-numa' | 'boot-json' | 'sim-json';
