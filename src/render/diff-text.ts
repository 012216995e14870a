// The BootDiff as plain text, ready to paste in a patch mail: per device the cost before and after
// (median ± MAD over boots), delta, ratio, placement and verdict; per side the probe window, total
// probe time, mean and slowest probe cost and CPUs used; the findings resolved, new and persisting;
// then how the statistics were made and what limits them. No analysis happens here.

import type { BootDiff, CostChange, DeviceDiff, DeviceSide, FindingChange, MetricDiff } from '../compare/boot-diff.js';
import type { SampleStats } from '../compare/side-stats.js';
import type { Significance } from '../compare/significance.js';
import { formatMs, renderTable } from './text-table.js';

export function renderDiffText(diff: BootDiff): string {
  const out: string[] = [];
  out.push(header(diff));
  out.push(section('Devices (probe cost in ms, median ± MAD over boots)', devices(diff.devices)));
  out.push(section('Per side (ms, median ± MAD over boots)', perSide(diff)));
  out.push(section('Findings (same finding = same kind, node and CPU)', findings(diff)));
  out.push(section('Statistics', statistics(diff)));
  if (diff.warnings.length > 0) out.push(section('Warnings', diff.warnings.map((w) => `- ${w}`).join('\n')));
  return out.join('\n\n') + '\n';
}

function header(diff: BootDiff): string {
  const lines = [`trace-probe diff: ${plural(diff.before.boots, 'boot')} before, ${plural(diff.after.boots, 'boot')} after` +
    (diff.drivers ? ` (drivers: ${diff.drivers.join(', ')})` : ' (all probes)')];
  lines.push(`before: ${diff.before.labels.join(', ')}`);
  lines.push(`after:  ${diff.after.labels.join(', ')}`);
  return lines.join('\n');
}

function devices(list: DeviceDiff[]): string {
  if (list.length === 0) return 'no probes to compare';
  const rows = list.map((d) => [
    d.matchedBy === 'driver-order' ? `${d.device} → ${d.after!.device}` : d.device,
    d.driver ?? '-',
    costCell(d.before),
    costCell(d.after),
    signedMs(d.deltaNs),
    ratioCell(d.ratio),
    placement(d.before),
    placement(d.after),
    d.matchedBy === 'only-before' ? 'only before' : d.matchedBy === 'only-after' ? 'only after' : shortVerdict(d.significance),
  ]);
  return renderTable(
    [
      { header: 'device' }, { header: 'driver' }, { header: 'before', align: 'right' }, { header: 'after', align: 'right' },
      { header: 'delta', align: 'right' }, { header: 'ratio', align: 'right' }, { header: 'before on' }, { header: 'after on' },
      { header: 'verdict' },
    ],
    rows,
  );
}

function perSide(diff: BootDiff): string {
  const metricRow = (name: string, m: MetricDiff) => [
    name, statsCell(m.before), statsCell(m.after), signedMs(m.deltaNs), changeCell(m.deltaNs, m.before?.medianNs ?? null),
    m.significance ? shortVerdict(m.significance) : 'no data',
  ];
  const costRow = (name: string, c: CostChange | null) =>
    c ? [name, formatMs(c.beforeNs), formatMs(c.afterNs), signedMs(c.deltaNs), `${signed(c.changePercent.toFixed(1))} %`, `over ${plural(c.devices, 'device')}`]
      : [name, '-', '-', '-', '-', 'no device on both sides'];
  const rows = [
    metricRow('probe window', diff.window),
    metricRow('total probe time', diff.totalProbe),
    costRow('mean device cost', diff.meanCost),
    costRow('slowest device', diff.maxCost),
    ['CPUs used', diff.before.cpusUsed.join(',') || '-', diff.after.cpusUsed.join(',') || '-', '', '', ''],
    ['CPUs per boot', diff.before.cpusPerBoot.join(', ') || '-', diff.after.cpusPerBoot.join(', ') || '-', '', '', ''],
    ['worker kinds', diff.before.workerKinds.join(', ') || '-', diff.after.workerKinds.join(', ') || '-', '', '', ''],
  ];
  return renderTable(
    [
      { header: '' }, { header: 'before', align: 'right' }, { header: 'after', align: 'right' }, { header: 'delta', align: 'right' },
      { header: 'change', align: 'right' }, { header: 'verdict' },
    ],
    rows,
  );
}

function findings(diff: BootDiff): string {
  const describe = (f: FindingChange) => {
    const where = [f.node !== null ? `node ${f.node}` : null, f.cpu !== null ? `CPU ${f.cpu}` : null].filter((s) => s !== null).join(' ');
    const head = `${f.kind}${where ? ` (${where})` : ''}: in ${f.beforeBoots} of ${diff.before.boots} before and ${f.afterBoots} of ${diff.after.boots} after boots`;
    // One boot: its own title. Several: what varies over them, not the first boot's numbers for all.
    if (f.perBoot.length <= 1) return `${head} — ${f.title}`;
    const range = (values: number[], unit: (v: number) => string) => {
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      return lo === hi ? unit(lo) : `${unit(lo)}–${unit(hi)}`;
    };
    const lost = f.perBoot.map((b) => b.lostNs).filter((v): v is NonNullable<typeof v> => v !== null);
    const parts = [`${range(f.perBoot.map((b) => b.devices), String)} devices per boot`];
    if (lost.length > 0) parts.push(`${range(lost, (v) => (v / 1e6).toFixed(1))} ms lost per boot`);
    return `${head} — ${parts.join(', ')} (${f.devices.length} devices in all)`;
  };
  const group = (name: string, list: FindingChange[]) => `${name}:${list.length === 0 ? ' none' : list.map((f) => `\n  ${describe(f)}`).join('')}`;
  const groups = [group('resolved', diff.findings.resolved), group('new', diff.findings.new), group('persisting', diff.findings.persisting)];
  if (diff.findings.unverifiable.length > 0) groups.push(group('not visible after (the after boots lack the data)', diff.findings.unverifiable));
  return groups.join('\n');
}

function statistics(diff: BootDiff): string {
  const lines = [
    'Spread is the median absolute deviation over boots. Verdicts: exact two-sided Mann-Whitney U test at 5 % (rank sums,',
    'midranks for ties), never from one boot per side, each device tested on its own (no multiple-comparison',
    'correction); intervals: percentile bootstrap of the median change.',
  ];
  const describe = (name: string, s: Significance | null) => {
    if (!s) return;
    const ci = s.medianChange
      ? `; ${Math.round(s.medianChange.level * 100)} % CI of the median change ${signedMs(s.medianChange.lowNs)} … ${signedMs(s.medianChange.highNs)} ms (${s.medianChange.resamples} resamples, seed ${s.medianChange.seed})`
      : '';
    lines.push(`${name}: ${s.words}${ci}`);
  };
  if (diff.before.boots < 2 || diff.after.boots < 2) {
    lines.push(`${diff.before.boots} vs ${diff.after.boots} boots: no verdict (one boot per side cannot separate a change from boot-to-boot noise).`);
    return lines.join('\n');
  }
  describe('probe window', diff.window.significance);
  describe('total probe time', diff.totalProbe.significance);
  for (const d of diff.devices) describe(d.device, d.significance);
  return lines.join('\n');
}

function costCell(side: DeviceSide | null): string {
  return side ? statsCell(side.cost) : '-';
}

function statsCell(s: SampleStats | null): string {
  if (!s) return '-';
  return s.n > 1 ? `${formatMs(s.medianNs)} ±${formatMs(s.madNs)}` : formatMs(s.medianNs);
}

function placement(side: DeviceSide | null): string {
  if (!side) return '-';
  const cpus = side.cpus.length > 0 ? `CPU ${side.cpus.join(',')}` : 'CPU ?';
  return side.workerKinds.length > 0 ? `${cpus} ${side.workerKinds.join('/')}` : cpus;
}

function shortVerdict(s: Significance | null): string {
  if (!s) return '-';
  const p = s.pValue !== null ? ` (p ${s.pValue >= 0.01 ? s.pValue.toFixed(2) : s.pValue.toPrecision(1)})` : '';
  switch (s.verdict) {
    case 'faster':
      return `faster${p}`;
    case 'slower':
      return `slower${p}`;
    case 'no-detectable-change':
      return `no detectable change${p}`;
    case 'needs-more-boots':
      return s.pValue === null ? `needs more boots (${s.nBefore} vs ${s.nAfter})` : `needs more boots${p}`;
  }
}

function signedMs(value: number | null): string {
  return value === null ? '-' : signed(formatMs(value));
}

function signed(text: string): string {
  return text.startsWith('-') ? text : `+${text}`;
}

function ratioCell(ratio: number | null): string {
  return ratio === null ? '-' : `${ratio.toFixed(2)}×`;
}

function changeCell(delta: number | null, base: number | null): string {
  return delta === null || base === null || base === 0 ? '-' : `${signed(((delta / base) * 100).toFixed(1))} %`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function section(title: string, body: string): string {
  return `${title}\n${'-'.repeat(title.length)}\n${body}`;
}
