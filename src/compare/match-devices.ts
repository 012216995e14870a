// Which device of the after boots is which device of the before boots. Devices are matched by bus id
// (`0000:21:00.0`); devices whose ids changed between the sides (re-enumerated buses, another slot)
// are matched by driver and probe order (the n-th nvme probed before ↔ the n-th nvme probed after).
// Whatever is left appears on one side only.

import { median } from 'simple-statistics';
import type { ProbeSpan } from '../model/types.js';

/** One device on one side: its probe spans in every boot of that side (empty where it was not probed). */
export interface DeviceSamples {
  device: string;
  driver: string | null;
  /** Index = boot of the side; a device probed twice in a boot (deferral, re-probe) has several spans. */
  perBoot: ProbeSpan[][];
  /** Median position of the device's first probe among the side's probes (by start time), for ordering. */
  order: number;
}

export type MatchKind = 'bus-id' | 'driver-order' | 'only-before' | 'only-after';

export interface DeviceMatch {
  before: DeviceSamples | null;
  after: DeviceSamples | null;
  matchedBy: MatchKind;
}

/** Groups the probes of each boot of one side by device, ordered by when the device is probed. */
export function collectDevices(probesPerBoot: readonly (readonly ProbeSpan[])[]): DeviceSamples[] {
  const byDevice = new Map<string, { driver: string | null; perBoot: ProbeSpan[][]; ranks: number[] }>();
  probesPerBoot.forEach((probes, bootIndex) => {
    const ordered = [...probes].sort(probeOrder);
    const seenThisBoot = new Set<string>();
    ordered.forEach((probe) => {
      let entry = byDevice.get(probe.device);
      if (!entry) {
        entry = { driver: null, perBoot: probesPerBoot.map(() => []), ranks: [] };
        byDevice.set(probe.device, entry);
      }
      entry.driver ??= probe.driver;
      entry.perBoot[bootIndex]!.push(probe);
      if (!seenThisBoot.has(probe.device)) {
        seenThisBoot.add(probe.device);
        entry.ranks.push(seenThisBoot.size - 1);
      }
    });
  });
  const devices = [...byDevice].map(([device, e]) => ({ device, driver: e.driver, perBoot: e.perBoot, order: median(e.ranks) }));
  return devices.sort((a, b) => a.order - b.order || a.device.localeCompare(b.device));
}

/** Pairs devices across sides: by bus id first, then by driver and probe order. Keeps the before side's order. */
export function matchDevices(before: readonly DeviceSamples[], after: readonly DeviceSamples[]): DeviceMatch[] {
  const afterById = new Map(after.map((d) => [d.device, d]));
  const matches: DeviceMatch[] = [];
  const pendingBefore: DeviceSamples[] = [];
  const usedAfter = new Set<string>();
  for (const b of before) {
    const a = afterById.get(b.device);
    if (a) {
      matches.push({ before: b, after: a, matchedBy: 'bus-id' });
      usedAfter.add(a.device);
    } else {
      pendingBefore.push(b);
    }
  }
  const pendingAfter = after.filter((a) => !usedAfter.has(a.device));
  const afterByDriver = new Map<string, DeviceSamples[]>();
  for (const a of pendingAfter) {
    if (a.driver === null) continue;
    const list = afterByDriver.get(a.driver) ?? [];
    list.push(a);
    afterByDriver.set(a.driver, list);
  }
  for (const b of pendingBefore) {
    const candidate = b.driver !== null ? afterByDriver.get(b.driver)?.shift() : undefined;
    if (candidate) {
      matches.push({ before: b, after: candidate, matchedBy: 'driver-order' });
      usedAfter.add(candidate.device);
    } else {
      matches.push({ before: b, after: null, matchedBy: 'only-before' });
    }
  }
  for (const a of pendingAfter) if (!usedAfter.has(a.device)) matches.push({ before: null, after: a, matchedBy: 'only-after' });
  return matches;
}

function probeOrder(a: ProbeSpan, b: ProbeSpan): number {
  const ka = a.startNs ?? a.endNs;
  const kb = b.startNs ?? b.endNs;
  if (ka !== null && kb !== null && ka !== kb) return ka - kb;
  if (a.source.file === b.source.file) return a.source.line - b.source.line;
  return 0;
}
