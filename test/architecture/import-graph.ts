// The import graph of src/ and the layering rule it must follow (docs/architecture.md): imports point one way,
// core (and kernel-release) → ingest → model → findings → sim / compare → pipeline / render → commands → cli, and
// no file imports itself through a chain of other files. Type-only imports count: a type cycle is a cycle.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Layers and the layers each may import (besides itself). */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  // Facts about kernel releases (which release prints what), usable from every layer.
  'kernel-release': ['core'],
  ingest: ['core', 'kernel-release'],
  model: ['core', 'kernel-release', 'ingest'],
  findings: ['core', 'kernel-release', 'ingest', 'model'],
  sim: ['core', 'kernel-release', 'ingest', 'model', 'findings'],
  compare: ['core', 'kernel-release', 'ingest', 'model', 'findings'],
  pipeline: ['core', 'kernel-release', 'ingest', 'model', 'findings', 'sim', 'compare'],
  render: ['core', 'kernel-release', 'ingest', 'model', 'findings', 'sim', 'compare'],
  // `trace-probe capture`: what to record on the machine under test, and recording it.
  capture: ['core', 'kernel-release'],
  // `trace-probe fleet`: many boots loaded through the pipeline into one store.
  fleet: ['core', 'kernel-release', 'ingest', 'model', 'findings', 'sim', 'compare', 'pipeline', 'render'],
  commands: ['core', 'kernel-release', 'ingest', 'model', 'findings', 'sim', 'compare', 'pipeline', 'render', 'capture', 'fleet'],
  cli: ['core', 'kernel-release', 'ingest', 'model', 'findings', 'sim', 'compare', 'pipeline', 'render', 'capture', 'fleet', 'commands'],
};

/** A file's layer: its first folder under src/ (files directly in src/ are the cli layer). */
export function layerOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1]! : 'cli';
}

/** file (relative to the repository, `src/...ts`) → the src files it imports. */
export type ImportGraph = Map<string, string[]>;

export function readImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) files.push(relative(root, p));
    }
  };
  walk(join(root, 'src'));
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets: string[] = [];
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue; // packages and node: builtins
      const target = relative(root, resolve(root, dirname(file), ref.fileName)).replace(/\.js$/, '.ts');
      targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Imports that go against the layering: `from → to` with the layers named. */
export function upwardImports(graph: ImportGraph): string[] {
  const out = new Set<string>();
  for (const [from, targets] of graph) {
    const layer = layerOf(from);
    const allowed = ALLOWED[layer];
    for (const to of targets) {
      const target = layerOf(to);
      if (target === layer) continue;
      if (!allowed) out.add(`${from} is in an unknown layer "${layer}" (add it to ALLOWED in test/architecture/import-graph.ts)`);
      else if (!allowed.includes(target)) out.add(`${from} (${layer}) imports ${to} (${target})`);
    }
  }
  return [...out];
}

/** Cycles of files (strongly connected components of more than one file, or a file importing itself). */
export function fileCycles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm, iterative over the sorted file list so the result is stable.
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const strongConnect = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indexOf.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indexOf.has(v)) strongConnect(v);
  return cycles;
}

/** Imports of files that do not exist (a moved file left behind, a typo): the graph would miss an edge. */
export function unresolvedImports(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) for (const to of targets) if (!graph.has(to)) out.push(`${from} imports ${to}, which is not a file of src/`);
  return out;
}
