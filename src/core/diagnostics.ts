// Where a record came from and what went wrong reading it: shared by every layer, from the readers in ingest/
// to the renderers.

/** Where a record came from, so a finding can quote its evidence and a user can jump to it. */
export interface SourceRef {
  file: string;
  line: number;
}

export type Severity = 'warning' | 'error';

/** A line that did not parse inside a known format, or data the analysis had to doubt. */
export interface Diagnostic {
  file: string;
  /** 1-based line number, or null when the diagnostic is about the whole file. */
  line: number | null;
  message: string;
  severity: Severity;
}

/** Where a reader reports what it could not read. */
export type DiagnosticSink = (diagnostic: Diagnostic) => void;
