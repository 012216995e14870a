// Which tasks' scheduling a boot's model needs, found before the trace is read in full: the probe callers the
// kernel log names, and the tasks that queue or run a work item the WorkItemBuilder keeps (probe bodies and
// their carriers). Nearly every line of a trace is a scheduler event, most of them about other tasks; with this
// set the reader leaves those out (readTrace's SchedFilter) and the occupancy model follows only these tasks.
//
// The set is exact, not a guess: which items are kept depends only on the workqueue events (their function and
// worker), never on scheduler events, so a WorkItemBuilder fed the workqueue events alone keeps the same items
// as the full read. Those events are found by searching the file for `workqueue_` (readTraceEventsOnLinesWith).

import { readTraceEventsOnLinesWith, type TraceFormat } from '../ingest/trace-reader.js';
import { WorkItemBuilder, type WorkItemOptions } from './work-items.js';

/** Trace formats whose readers can leave scheduler events out (function_graph probes are found while reading). */
export const FOLLOWING_FORMATS: ReadonlySet<TraceFormat> = new Set(['ftrace', 'trace-cmd']);

/**
 * The tasks to follow in `traces` (read in this order, as the full read will): `probeTasks` and the queuers and
 * workers of the items a WorkItemBuilder with `options` keeps.
 */
export async function tasksToFollow(traces: ReadonlyArray<{ path: string; format: TraceFormat }>, options: WorkItemOptions, probeTasks: ReadonlySet<number>): Promise<Set<number>> {
  const items = new WorkItemBuilder(options);
  for (const trace of traces) await readTraceEventsOnLinesWith(trace.path, trace.format, 'workqueue_', (event) => items.handle(event));
  items.finalize();
  const tasks = new Set<number>(probeTasks);
  for (const item of items.data().workItems) {
    if (item.queuedBy !== null) tasks.add(item.queuedBy.pid);
    if (item.worker?.pid != null) tasks.add(item.worker.pid);
  }
  return tasks;
}
