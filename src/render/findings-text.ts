// The findings in plain words, for the top of `analyze`: one numbered block per finding with its
// title, the explanation, the key numbers, the warnings about missing data, and the evidence lines
// (file:line) a reader can open. Wrapped to 100 columns. No analysis happens here.

import type { Finding, SourceRef } from '../model/types.js';
import { formatMs } from './text-table.js';

const WIDTH = 100;
const MAX_EVIDENCE = 12;

export function renderFindings(findings: Finding[]): string {
  if (findings.length === 0) return 'No findings.\n';
  return findings.map((f, i) => renderOne(f, i + 1)).join('\n');
}

function renderOne(f: Finding, index: number): string {
  const head = `${index}. [${f.severity}] ${f.kind}`;
  const lines: string[] = [head, ...wrap(f.title, '   '), ...wrap(f.detail, '   ')];
  const facts: string[] = [];
  if (f.node !== null) facts.push(`node ${f.node}`);
  if (f.cpu !== null) facts.push(`CPU ${f.cpu}`);
  if (f.devices.length > 0) facts.push(`devices ${f.devices.join(', ')}`);
  if (f.drivers.length > 0) facts.push(`driver${f.drivers.length > 1 ? 's' : ''} ${f.drivers.join(', ')}`);
  if (f.lostNs !== null) facts.push(`time lost ≈ ${formatMs(f.lostNs)} ms`);
  if (f.kind === 'bound-queue-serialization' && f.factor !== undefined) facts.push(`serialization factor ${f.factor}`);
  if (facts.length > 0) lines.push(...wrapTokens(facts.map((x, i) => (i < facts.length - 1 ? `${x};` : x)), '   ', '   '));
  for (const w of f.warnings) lines.push(...wrap(`note: ${w}`, '   ', '         '));
  if (f.evidence.length > 0) lines.push(...wrap(`evidence: ${formatEvidence(f.evidence)}`, '   ', '             '));
  return lines.join('\n') + '\n';
}

/** `dmesg.log:1219, 1220; trace.txt:3536, 3542` — grouped by file, in input order, capped. */
function formatEvidence(refs: SourceRef[]): string {
  const shown = refs.slice(0, MAX_EVIDENCE);
  const byFile = new Map<string, number[]>();
  for (const r of shown) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r.line]);
  const text = [...byFile].map(([file, ls]) => `${file}:${ls.join(',')}`).join('; ');
  return refs.length > shown.length ? `${text} (+${refs.length - shown.length} more in --json)` : text;
}

function wrap(text: string, indent: string, hangingIndent = indent): string[] {
  return wrapTokens(text.split(/\s+/).filter((w) => w !== ''), indent, hangingIndent);
}

/** Fills lines with tokens (never split inside one) separated by single spaces. */
function wrapTokens(tokens: string[], indent: string, hangingIndent: string): string[] {
  const out: string[] = [];
  let line = indent;
  let lineHasWord = false;
  for (const word of tokens) {
    if (lineHasWord && line.length + 1 + word.length > WIDTH) {
      out.push(line);
      line = hangingIndent + word;
    } else {
      line += (lineHasWord ? ' ' : '') + word;
    }
    lineHasWord = true;
  }
  if (lineHasWord) out.push(line);
  return out;
}
