// trace-cmd's binary trace.dat (v6 and v7, tracecmd/trace-output.c), recognised by its magic number and read by
// trace-dat/read-trace-dat.ts.

import { isTraceDat, readTraceDat } from '../trace-dat/read-trace-dat.js';
import type { TraceFormatModule } from './format-module.js';

export const traceDat: TraceFormatModule<'trace-dat'> = {
  format: 'trace-dat',
  role: 'trace',
  sniff: (head) => (isTraceDat(head.bytes) ? 'certain' : null),
  binaryHead: true,
  filtersTasks: true,
  captureFiles: ['trace.dat'],
  read: async (path, onEvent, onDiagnostic, options) => readTraceDat(path, onEvent, onDiagnostic, options),
};
