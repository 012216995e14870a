// The bottom line as text: one line per NUMA node with the time its findings measured as lost, and under
// it what the simulated fix gained on the serialized probes, then the simulator's self-check when there
// is one. No analysis here: sim/bottom-line.ts computes every number.

import type { BottomLine, NodeBottomLine, SelfCheck } from '../sim/bottom-line.js';

export type { BottomLine } from '../sim/bottom-line.js';

const WIDTH = 100;

/** Milliseconds short enough for a headline: 2 decimals below 10 ms, 1 above. */
export function headlineMs(ns: number): string {
  const ms = ns / 1e6;
  return `${Math.abs(ms) < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
}

export function renderBottomLine(line: BottomLine): string {
  const out: string[] = [];
  if (line.nodes.length === 0) out.push('No time lost that a finding can estimate.');
  for (const node of line.nodes) out.push(...nodeLines(node));
  if (line.simulationNote) out.push(...wrap(`(${line.simulationNote})`, ''));
  if (line.selfCheck) out.push(...wrap(selfCheckText(line.selfCheck), ''));
  return out.join('\n');
}

/** The first sentence of the node's line (also the HTML's). */
export function nodeHeadline(node: NodeBottomLine): string {
  const where = node.node === null ? 'no NUMA node' : `node ${node.node}`;
  const kinds = node.kinds.map((k) => `${k.kind}${k.count > 1 ? ` ×${k.count}` : ''} ${headlineMs(k.lostNs)}`).join(', ');
  return `${where}: ${headlineMs(node.lostNs)} lost (measured: ${kinds})`;
}

/** What the replay says the fix gains on the node, or null without a replay. */
export function fixSentence(node: NodeBottomLine): string | null {
  const s = node.simulated;
  if (!s) return null;
  const measured = s.measuredNs === null ? '' : ` (measured ${headlineMs(s.measuredNs)})`;
  const n = s.devices.length;
  return `fix ${s.fixPolicy}, simulated: the ${n} serialized probe${n === 1 ? '' : 's'} take ${headlineMs(s.fixNs)} instead of ` +
    `${headlineMs(s.baselineNs)} replayed as run${measured}, ${headlineMs(s.gainNs)} gained`;
}

export function selfCheckText(check: SelfCheck): string {
  const sign = check.errorPercent >= 0 ? '+' : '';
  return `self-check: replaying ${check.policy} gives ${headlineMs(check.replayedNs)} for the ${check.what} measured as ` +
    `${headlineMs(check.observedNs)} (${sign}${check.errorPercent.toFixed(0)} %)`;
}

function nodeLines(node: NodeBottomLine): string[] {
  const fix = fixSentence(node);
  return [...wrap(nodeHeadline(node), ''), ...(fix === null ? [] : wrap(fix, '  '))];
}

/** Fills words into lines of at most 100 characters; every line starts with `indent`, continuations with two more spaces. */
function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = `${indent}  ${word}`;
    } else line = line === '' ? `${indent}${word}` : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
