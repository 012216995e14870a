// Per-device dumbbell chart of a BootDiff (Vega-Lite): one row per device, the before and after
// median probe cost joined by a line, the interquartile range over boots as a bar behind each end,
// and every boot's own cost as a faint dot, so the reader sees the noise next to the change.

import type { TopLevelSpec } from 'vega-lite';
import type { BootDiff, DeviceSide } from '../../compare/boot-diff.js';

const SIDE_COLORS = { before: '#c0392b', after: '#2471a3' };

export function dumbbellSpec(diff: BootDiff): TopLevelSpec {
  const label = (d: BootDiff['devices'][number]) =>
    d.matchedBy === 'driver-order' && d.after ? `${d.device} → ${d.after.device}` : d.device;
  const pairs = diff.devices
    .filter((d) => d.before?.cost && d.after?.cost)
    .map((d) => ({ device: label(d), beforeMs: d.before!.cost!.medianNs / 1e6, afterMs: d.after!.cost!.medianNs / 1e6 }));
  const ends = diff.devices.flatMap((d) =>
    ([['before', d.before], ['after', d.after]] as const).flatMap(([side, s]) => (s?.cost ? [endRow(label(d), side, s)] : [])),
  );
  const boots = diff.devices.flatMap((d) =>
    ([['before', d.before], ['after', d.after]] as const).flatMap(([side, s]) =>
      (s?.cost?.valuesNs ?? []).map((v, i) => ({ device: label(d), side, boot: i + 1, costMs: v / 1e6 })),
    ),
  );
  const y = { field: 'device', type: 'nominal' as const, title: null, sort: diff.devices.map(label) };
  const color = {
    field: 'side',
    type: 'nominal' as const,
    title: null,
    scale: { domain: ['before', 'after'], range: [SIDE_COLORS.before, SIDE_COLORS.after] },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Probe cost per device, before → after (median, IQR over boots, each boot a dot)',
    width: 560,
    height: { step: 28 },
    layer: [
      {
        data: { values: pairs },
        mark: { type: 'rule', strokeWidth: 2, color: '#888' },
        encoding: { y, x: { field: 'beforeMs', type: 'quantitative', title: 'probe cost (ms)' }, x2: { field: 'afterMs' } },
      },
      {
        data: { values: ends },
        mark: { type: 'rule', strokeWidth: 8, opacity: 0.25 },
        encoding: { y, x: { field: 'q1Ms', type: 'quantitative' }, x2: { field: 'q3Ms' }, color },
      },
      {
        data: { values: boots },
        mark: { type: 'circle', size: 30, opacity: 0.35 },
        encoding: { y, x: { field: 'costMs', type: 'quantitative' }, color, tooltip: [{ field: 'side' }, { field: 'boot' }, { field: 'costMs', format: '.3f', title: 'ms' }] },
      },
      {
        data: { values: ends },
        mark: { type: 'point', filled: true, size: 110 },
        encoding: {
          y,
          x: { field: 'medianMs', type: 'quantitative' },
          color,
          tooltip: [{ field: 'device' }, { field: 'side' }, { field: 'medianMs', format: '.3f', title: 'median ms' }, { field: 'placement' }, { field: 'boots' }],
        },
      },
    ],
  };
}

function endRow(device: string, side: 'before' | 'after', s: DeviceSide) {
  const cost = s.cost!;
  return {
    device,
    side,
    medianMs: cost.medianNs / 1e6,
    q1Ms: cost.q1Ns / 1e6,
    q3Ms: cost.q3Ns / 1e6,
    boots: s.boots,
    placement: `CPU ${s.cpus.join(',') || '?'} ${s.workerKinds.join('/')}`.trim(),
  };
}
