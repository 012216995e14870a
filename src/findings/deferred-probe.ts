// Deferred probes (drivers/base/dd.c: a probe returning -EPROBE_DEFER is retried later from the
// deferred-probe work, docs/workqueue-model.md §5.2). Reported apart from the serialization findings, one
// finding per driver: which devices deferred, how often, the time the deferred attempts took, and
// whether a later attempt in the same boot bound the device.

import type { Boot, ProbeSpan, DeferredProbeFinding } from '../model/types.js';
import { ns } from '../model/types.js';
import { probeEvidence } from './probe-body.js';
import { deferredProbeWords } from './wording/deferred-probe.js';

export const DEFERRED_PROBE = 'deferred-probe' as const;

export function detectDeferredProbes(boot: Boot): DeferredProbeFinding[] {
  const byDriver = new Map<string, ProbeSpan[]>();
  for (const p of boot.probes) {
    if (!p.deferred && p.status !== 'deferred') continue;
    const key = p.driver ?? '';
    const group = byDriver.get(key);
    if (group) group.push(p);
    else byDriver.set(key, [p]);
  }
  const boundDevices = new Set(boot.probes.filter((p) => p.status === 'ok' && !p.deferred).map((p) => p.device));
  const findings: DeferredProbeFinding[] = [];
  for (const [driver, probes] of byDriver) {
    const devices = [...new Set(probes.map((p) => p.device))];
    const spentNs = probes.reduce((s, p) => s + p.durationNs, 0);
    const boundLater = devices.filter((d) => boundDevices.has(d));
    const neverBound = devices.filter((d) => !boundLater.includes(d));
    findings.push({
      kind: DEFERRED_PROBE,
      severity: 'info',
      ...deferredProbeWords({ driver, devices, attempts: probes.length, spentNs, boundLater, neverBound }),
      node: null,
      cpu: null,
      devices,
      drivers: driver === '' ? [] : [driver],
      lostNs: ns(spentNs),
      evidence: probeEvidence(probes),
      warnings: [],
      data: { attempts: probes.length, boundLater, neverBound, spentNs },
    });
  }
  return findings;
}
