// Progress of long inputs on stderr, only when stderr is a terminal: one line rewritten in place with the
// file, bytes read, size and speed, cleared when the file is done. Nothing at all when stderr is a file or a
// pipe (CI logs, `2> log`), so scripts see the same bytes as before. Hand-written: one line of text and a
// throttle; a progress-bar package would add a dependency for less control over the non-terminal case.

import { basename } from 'node:path';
import { onReadProgress, type ReadProgress } from '../ingest/read-progress.js';

export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Inputs smaller than this are never shown (they read in a blink). */
  minBytes?: number;
  /** Time between two updates of the line. */
  intervalMs?: number;
  now?: () => number;
}

const MB = 1024 * 1024;

/** Shows read progress on `stream` if it is a terminal; returns the function that stops it. */
export function showReadProgress(stream: ProgressStream, options: ProgressOptions = {}): () => void {
  if (!stream.isTTY) return () => {};
  // TRACE_PROBE_PROGRESS_MIN_BYTES lowers the threshold (the tests show progress on small files).
  const fromEnv = Number(process.env['TRACE_PROBE_PROGRESS_MIN_BYTES']);
  const minBytes = options.minBytes ?? (Number.isFinite(fromEnv) && process.env['TRACE_PROBE_PROGRESS_MIN_BYTES'] !== undefined ? fromEnv : 16 * MB);
  const intervalMs = options.intervalMs ?? 200;
  const now = options.now ?? (() => performance.now());
  let shown = false;
  let lastDraw = -Infinity;
  /** Per file: time and bytes of its first report (the speed is measured from there). */
  const started = new Map<string, { t: number; bytes: number }>();
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = false;
  };
  const stop = onReadProgress((p: ReadProgress) => {
    if (p.totalBytes < minBytes) return;
    const t = now();
    if (!started.has(p.path)) started.set(p.path, { t, bytes: p.bytes });
    if (p.done) {
      started.delete(p.path);
      clear();
      return;
    }
    if (t - lastDraw < intervalMs) return;
    lastDraw = t;
    const first = started.get(p.path)!;
    const seconds = (t - first.t) / 1000;
    const speed = seconds > 0 ? `, ${((p.bytes - first.bytes) / MB / seconds).toFixed(1)} MB/s` : '';
    const pct = p.totalBytes > 0 ? ` (${Math.floor((p.bytes / p.totalBytes) * 100)} %)` : '';
    const line = `reading ${basename(p.path)}: ${(p.bytes / MB).toFixed(1)} of ${(p.totalBytes / MB).toFixed(1)} MB${pct}${speed}`;
    const width = stream.columns ?? 100;
    stream.write(`\r${line.length >= width ? line.slice(0, width - 1) : line}\x1b[K`);
    shown = true;
  });
  return () => {
    stop();
    clear();
  };
}
