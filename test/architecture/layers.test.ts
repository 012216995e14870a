// The layering rule, checked on the real import graph of src/ and shown to fail on planted violations.

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCycles, readImportGraph, unresolvedImports, upwardImports, type ImportGraph } from './import-graph.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('the import graph of src/', () => {
  const graph = readImportGraph(ROOT);

  it('is read from every file (sanity: the parser sees imports, type-only ones included)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/cli.ts')).toContain('src/commands/analyze.ts');
    // A type-only import is an edge too.
    expect(graph.get('src/render/html/timeline-spec.ts')).toContain('src/model/types.ts');
    expect(unresolvedImports(graph)).toEqual([]);
  });

  it('has no upward import', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('has no file cycle', () => {
    expect(fileCycles(graph)).toEqual([]);
  });
});

describe('the checks fail on planted violations', () => {
  const planted = (): ImportGraph =>
    new Map([
      ['src/core/units.ts', []],
      ['src/ingest/dmesg.ts', ['src/core/units.ts']],
      ['src/model/types.ts', ['src/core/units.ts']],
      ['src/findings/index.ts', ['src/model/types.ts']],
      ['src/cli.ts', ['src/findings/index.ts']],
    ]);

  it('a clean graph passes', () => {
    expect(upwardImports(planted())).toEqual([]);
    expect(fileCycles(planted())).toEqual([]);
  });

  it('an ingest file importing model/ is reported', () => {
    const g = planted();
    g.get('src/ingest/dmesg.ts')!.push('src/model/types.ts');
    expect(upwardImports(g)).toEqual(['src/ingest/dmesg.ts (ingest) imports src/model/types.ts (model)']);
  });

  it('model importing findings and core importing anything are reported', () => {
    const g = planted();
    g.get('src/model/types.ts')!.push('src/findings/index.ts');
    g.get('src/core/units.ts')!.push('src/ingest/dmesg.ts');
    expect(upwardImports(g)).toEqual([
      'src/core/units.ts (core) imports src/ingest/dmesg.ts (ingest)',
      'src/model/types.ts (model) imports src/findings/index.ts (findings)',
    ]);
  });

  it('a file in a folder the rule does not know is reported', () => {
    const g = planted();
    g.set('src/utils/x.ts', ['src/core/units.ts']);
    expect(upwardImports(g)).toEqual(['src/utils/x.ts is in an unknown layer "utils" (add it to ALLOWED in test/architecture/import-graph.ts)']);
  });

  it('a cycle inside one layer is reported, with every file in it', () => {
    const g = planted();
    g.set('src/sim/a.ts', ['src/sim/b.ts']);
    g.set('src/sim/b.ts', ['src/sim/c.ts']);
    g.set('src/sim/c.ts', ['src/sim/a.ts']);
    g.set('src/sim/d.ts', ['src/sim/a.ts']);
    expect(upwardImports(g)).toEqual([]);
    expect(fileCycles(g)).toEqual([['src/sim/a.ts', 'src/sim/b.ts', 'src/sim/c.ts']]);
  });

  it('a file importing itself is a cycle', () => {
    const g = planted();
    g.get('src/findings/index.ts')!.push('src/findings/index.ts');
    expect(fileCycles(g)).toEqual([['src/findings/index.ts']]);
  });

  it('an import of a missing file is reported', () => {
    const g = planted();
    g.get('src/cli.ts')!.push('src/commands/gone.ts');
    expect(unresolvedImports(g)).toEqual(['src/cli.ts imports src/commands/gone.ts, which is not a file of src/']);
  });
});
