// An input file with the format it was sniffed as.

import type { InputFormat } from '../ingest/formats.js';

export interface ResolvedInput {
  path: string;
  format: InputFormat;
  /** The argument it came from (the file itself, or its capture directory). */
  arg: string;
}
