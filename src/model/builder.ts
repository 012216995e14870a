// The shape every model builder has (after Chrome DevTools' trace handlers, `handlers/types.ts` and
// `Processor.ts`): consume records in input order during one pass, then expose a read-only result. Several
// builders are fed by the same pass (BuilderPass), so no input is read twice. A builder that reads another's
// state names it in deps(): the pass orders builders so that a dependency sees every record first and is
// finalized first (sortBuilders, as DevTools' sortHandlers()).

export interface Builder<R, D> {
  /** Unique within a pass: what other builders name in deps(). */
  readonly name: string;
  /** The builders whose state this one reads while handling a record or finalizing. */
  deps?(): readonly string[];
  reset(): void;
  handle(record: R): void;
  finalize(): void;
  data(): D;
}

/**
 * The builders in an order where each comes after everything it depends on; otherwise in the order given (a
 * depth-first topological sort, stable). Throws on a dependency that is not in the pass, or on a cycle: both are
 * wiring mistakes, not input problems.
 */
export function sortBuilders<B extends Builder<never, unknown>>(builders: readonly B[]): B[] {
  const byName = new Map<string, B>();
  for (const b of builders) {
    if (byName.has(b.name)) throw new Error(`two builders named "${b.name}" in one pass`);
    byName.set(b.name, b);
  }
  const sorted: B[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (b: B, path: string[]) => {
    const s = state.get(b.name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`builder dependency cycle: ${[...path, b.name].join(' -> ')}`);
    state.set(b.name, 'visiting');
    for (const dep of b.deps?.() ?? []) {
      const d = byName.get(dep);
      if (d === undefined) throw new Error(`builder "${b.name}" depends on "${dep}", which is not in the pass`);
      visit(d, [...path, b.name]);
    }
    state.set(b.name, 'done');
    sorted.push(b);
  };
  for (const b of builders) visit(b, []);
  return sorted;
}

/** One pass over records of type R: its builders in dependency order, fed by one function. */
export class BuilderPass<R> {
  readonly builders: ReadonlyArray<Builder<R, unknown>>;
  /** Feeds a record to every builder, in order. */
  readonly handle: (record: R) => void;

  constructor(builders: ReadonlyArray<Builder<R, unknown>>) {
    this.builders = sortBuilders(builders);
    this.handle = dispatcher(this.builders);
  }

  reset(): void {
    for (const b of this.builders) b.reset();
  }

  finalize(): void {
    for (const b of this.builders) b.finalize();
  }
}

/**
 * One function that calls every builder's handle(). For up to six builders each call has its own call site, so
 * each stays monomorphic on the hot path of a trace (millions of events); a loop over the array would make one
 * megamorphic site.
 */
function dispatcher<R>(bs: ReadonlyArray<Builder<R, unknown>>): (record: R) => void {
  const [a, b, c, d, e, f] = bs;
  switch (bs.length) {
    case 0: return () => {};
    case 1: return (r) => a!.handle(r);
    case 2: return (r) => { a!.handle(r); b!.handle(r); };
    case 3: return (r) => { a!.handle(r); b!.handle(r); c!.handle(r); };
    case 4: return (r) => { a!.handle(r); b!.handle(r); c!.handle(r); d!.handle(r); };
    case 5: return (r) => { a!.handle(r); b!.handle(r); c!.handle(r); d!.handle(r); e!.handle(r); };
    case 6: return (r) => { a!.handle(r); b!.handle(r); c!.handle(r); d!.handle(r); e!.handle(r); f!.handle(r); };
    default: return (r) => { for (const x of bs) x.handle(r); };
  }
}
