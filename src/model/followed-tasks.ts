// Which tasks' scheduler events the builders of a trace can ever use, found before the trace is read in full: the
// probe callers the kernel log names, every worker that runs a work item (WorkItemBuilder follows any running
// worker that queues work, for flush detection), and every task the work-item builder's interest ever names (the
// workers and queuers of the items it keeps, task-interest.ts) — the occupancy builder follows only tasks of that
// interest. Found by a first read of the trace that leaves out every scheduler event (ReadTraceOptions.followTasks),
// which only a binary trace.dat can do cheaply (a record's type is read before it is decoded); for text traces
// there is no such read and every task is followed.

import { formatModule, type TraceFormat } from '../ingest/formats.js';
import { WorkItemBuilder, type WorkItemOptions } from './work-items.js';

/** The followed tasks of a trace whose reader can leave tasks out (trace.dat), or null (follow every task) for other formats. */
export async function followedTasks(path: string, format: TraceFormat, probeTasks: ReadonlySet<number>, workItemOptions: WorkItemOptions): Promise<Set<number> | null> {
  const reader = formatModule(format);
  if (!reader.filtersTasks) return null;
  const items = new WorkItemBuilder(workItemOptions);
  items.reset();
  const followed = new Set<number>(probeTasks);
  const named = new Set<number>();
  await reader.read(path, (event) => {
    if (!event.type.startsWith('workqueue_')) return;
    items.handle(event);
    named.add(event.pid);
    if (event.type === 'workqueue_execute_start') followed.add(event.pid);
  }, () => {}, { followTasks: new Set(), lineNumbers: false });
  items.finalize();
  for (const pid of named) if (items.taskInterestUntil(pid) !== -Infinity) followed.add(pid);
  return followed;
}
