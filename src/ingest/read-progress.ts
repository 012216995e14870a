// How far the reading of each input has got, for a progress display (the CLI shows one on a terminal).
// Readers report after every chunk they read; with no listener this is one check per chunk (64 KiB or
// more). A listener is registered for the duration of a command by the command layer.

export interface ReadProgress {
  path: string;
  /** Bytes read so far and the file's size at open. */
  bytes: number;
  totalBytes: number;
  done: boolean;
}

export type ReadProgressListener = (progress: ReadProgress) => void;

const listeners = new Set<ReadProgressListener>();

/** Calls `listener` as inputs are read, until the returned function is called. */
export function onReadProgress(listener: ReadProgressListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function reportReadProgress(progress: ReadProgress): void {
  if (listeners.size === 0) return;
  for (const l of listeners) l(progress);
}
