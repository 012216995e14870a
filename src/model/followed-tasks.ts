// Which tasks' scheduling a boot's model can need, found before a long trace is read in full (parallel-trace-read.ts
// leaves out the scheduler events about every other task: nearly every line of a trace is one).
//
// A superset of the tasks the builders ever ask about, from the workqueue events alone (WorkItemBuilder keeps an
// item by its function or its worker; TaskOccupancy keeps only the tasks WorkItemBuilder follows):
//   - the probe callers the kernel log names (probeTasks);
//   - the workers of kept items: tasks that start an item of a kept function, or of a work struct queued or
//     activated with one (an item keeps the function it was queued with);
//   - the queuers of kept items whose queuer matters (a probe body's queuer waits for it in flush_work());
//   - the queuers that may wait for a kept item they queued (WorkItemBuilder's flush relation: a worker that queues
//     an item while it runs one): tasks that queue a kept item and run some item anywhere in the trace. Kept items
//     are those of a kept function and those a probe caller starts.
// A task outside the set is never asked about, so its scheduler events change nothing but the counts and times the
// reader hands over (SkippedSchedEvents).

import type { WorkqueueFact } from '../ingest/trace-events.types.js';
import { workFunctionName } from './work-items.js';

export interface KeptFunctions {
  /** Items of these functions are kept (WorkItemOptions.keepItem without its worker test). */
  keep: (fn: string) => boolean;
  /** The queuer of a kept item of these functions is followed (WorkItemOptions.queuerMatters). */
  queuerMatters: (fn: string) => boolean;
}

export function tasksToFollow(facts: Iterable<WorkqueueFact>, functions: KeptFunctions, probeTasks: ReadonlySet<number>): Set<number> {
  const tasks = new Set<number>(probeTasks);
  const keptWorks = new Set<string>();
  const workers = new Set<number>();
  const queues: WorkqueueFact[] = [];
  const starts: WorkqueueFact[] = [];
  for (const fact of facts) {
    const fn = fact.function === null ? null : workFunctionName(fact.function);
    if (fn !== null && functions.keep(fn)) {
      keptWorks.add(fact.work);
      if (fact.kind === 'queue' && functions.queuerMatters(fn)) tasks.add(fact.pid);
    }
    if (fact.kind === 'start') {
      workers.add(fact.pid);
      starts.push(fact);
      if (probeTasks.has(fact.pid)) keptWorks.add(fact.work);
    } else if (fact.kind === 'queue') queues.push(fact);
  }
  for (const start of starts) if (keptWorks.has(start.work)) tasks.add(start.pid);
  for (const queue of queues) if (keptWorks.has(queue.work) && workers.has(queue.pid)) tasks.add(queue.pid);
  return tasks;
}
