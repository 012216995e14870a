// The builder pass: builders ordered by their declared dependencies (DevTools' sortHandlers), fed in that order.

import { describe, expect, it } from 'vitest';
import { type Builder, BuilderPass, sortBuilders } from '../../src/model/builder.js';

/** A builder that records, in a shared log, when it handled a record and when it was finalized. */
function recorder(name: string, log: string[], deps: string[] = []): Builder<number, null> {
  return {
    name,
    deps: () => deps,
    reset: () => log.push(`${name}:reset`),
    handle: (r) => log.push(`${name}:${r}`),
    finalize: () => log.push(`${name}:final`),
    data: () => null,
  };
}

describe('sortBuilders', () => {
  it('keeps the given order when nothing depends on anything', () => {
    const log: string[] = [];
    expect(sortBuilders([recorder('a', log), recorder('b', log), recorder('c', log)]).map((b) => b.name)).toEqual(['a', 'b', 'c']);
  });

  it('puts a dependency before the builder that reads it, otherwise keeping the given order', () => {
    const log: string[] = [];
    const order = sortBuilders([recorder('spans', log, ['kernel']), recorder('platform', log), recorder('kernel', log), recorder('occupancy', log, ['items', 'graph']), recorder('graph', log), recorder('items', log)]);
    expect(order.map((b) => b.name)).toEqual(['kernel', 'spans', 'platform', 'items', 'graph', 'occupancy']);
  });

  it('refuses a cycle, an unknown dependency and two builders of one name', () => {
    const log: string[] = [];
    expect(() => sortBuilders([recorder('a', log, ['b']), recorder('b', log, ['a'])])).toThrow('builder dependency cycle: a -> b -> a');
    expect(() => sortBuilders([recorder('a', log, ['nope'])])).toThrow('builder "a" depends on "nope", which is not in the pass');
    expect(() => sortBuilders([recorder('a', log), recorder('a', log)])).toThrow('two builders named "a" in one pass');
  });
});

describe('BuilderPass', () => {
  it.each([1, 4, 6, 7, 9])('feeds every record to its %i builders in dependency order, then finalizes them in that order', (n) => {
    const log: string[] = [];
    // The last builder is the dependency of all the others: it must come first.
    const names = Array.from({ length: n }, (_, i) => `b${i}`);
    const last = names[n - 1]!;
    const pass = new BuilderPass<number>(names.map((name) => recorder(name, log, name === last ? [] : [last])));
    const order = [last, ...names.slice(0, n - 1)];
    pass.reset();
    pass.handle(1);
    pass.handle(2);
    pass.finalize();
    expect(log).toEqual([
      ...order.map((b) => `${b}:reset`),
      ...order.map((b) => `${b}:1`),
      ...order.map((b) => `${b}:2`),
      ...order.map((b) => `${b}:final`),
    ]);
  });
});
