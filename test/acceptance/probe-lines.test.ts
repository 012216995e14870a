// Acceptance (issue 2): every `probe of X returned N after M usecs` line of every capture and every
// corpus file yields a probe span whose duration is exactly M µs. The expected values come from a
// plain grep of each file, independent of the parsers under test.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoot } from '../../src/pipeline/load-boot.js';

const PROBE_LINE = /probe of (\S+) returned (-?\d+) after (\d+) usecs/;
const SHARED_CORPUS = join(process.cwd(), '..', 'shared', 'corpus');

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

function expectedProbes(path: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = PROBE_LINE.exec(line);
    if (m) out.push(`${m[1]} ${Number(m[3]) * 1000}`);
  }
  return out.sort();
}

async function actualProbes(path: string): Promise<string[]> {
  const boot = await loadBoot([path]);
  return boot.probes.filter((p) => p.origin === 'probe-line').map((p) => `${p.device} ${p.durationNs}`).sort();
}

const captureLogs = filesUnder('fixtures/captures').filter((f) => f.endsWith('/dmesg.log'));

describe('every probe line of every capture yields an exact span', () => {
  it.each(captureLogs)('%s', async (path) => {
    const expected = expectedProbes(path);
    expect(expected.length).toBeGreaterThan(0);
    expect(await actualProbes(path)).toEqual(expected);
  });
});

const corpusPresent = existsSync(SHARED_CORPUS);
const corpusFiles = corpusPresent ? filesUnder(SHARED_CORPUS).filter((f) => !f.endsWith('MANIFEST.md') && expectedProbes(f).length > 0) : [];

describe('every probe line of every corpus file (../shared/corpus) yields an exact span', () => {
  if (!corpusPresent) {
    // Said, not silent: a clone without the shared corpus next to it runs the fixture tests only.
    it.skip(`skipped: ${SHARED_CORPUS} is absent (the corpus is not part of the repository)`, () => {});
    return;
  }
  it('finds corpus files with probe lines', () => {
    expect(corpusFiles.length).toBeGreaterThan(0);
  });
  it.each(corpusFiles)('%s', async (path) => {
    expect(await actualProbes(path)).toEqual(expectedProbes(path));
  });
});
