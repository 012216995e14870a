// An input file with the format it was sniffed as, and which role each format plays in one boot.

import { KERNEL_LOG_FORMATS, TRACE_FORMATS, type InputFormat, type KernelLogFormat, type TraceFormat } from '../ingest/formats.js';

export interface ResolvedInput {
  path: string;
  format: InputFormat;
  /** The argument it came from (the file itself, or its capture directory). */
  arg: string;
}

const KERNEL_LOG_FORMAT_SET: ReadonlySet<InputFormat> = new Set(KERNEL_LOG_FORMATS);
const TRACE_FORMAT_SET: ReadonlySet<InputFormat> = new Set(TRACE_FORMATS);

export function isKernelLogFormat(format: InputFormat): format is KernelLogFormat {
  return KERNEL_LOG_FORMAT_SET.has(format);
}

export function isTraceFormat(format: InputFormat): format is TraceFormat {
  return TRACE_FORMAT_SET.has(format);
}
