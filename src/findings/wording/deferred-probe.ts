// The words of a deferred-probe finding (findings/deferred-probe.ts computes the numbers).

export interface DeferredProbeFacts {
  /** The driver, or '' when the log does not name it. */
  driver: string;
  devices: string[];
  attempts: number;
  spentNs: number;
  boundLater: string[];
  neverBound: string[];
}

export function deferredProbeWords(f: DeferredProbeFacts): { title: string; detail: string } {
  const who = f.driver === '' ? 'a driver the log does not name' : f.driver;
  const ms = (f.spentNs / 1e6).toFixed(1);
  return {
    title: `${who} deferred the probe of ${f.devices.length} device${f.devices.length > 1 ? 's' : ''} ${f.attempts} time${f.attempts > 1 ? 's' : ''} (-EPROBE_DEFER), spending ${ms} ms in attempts that were retried later.`,
    detail: [
      `Devices: ${f.devices.join(', ')}.`,
      f.boundLater.length > 0 ? `Bound by a later attempt: ${f.boundLater.join(', ')}.` : '',
      f.neverBound.length > 0 ? `No successful probe in this input: ${f.neverBound.join(', ')}.` : '',
      'Deferred probes are retried from the deferred-probe work one device at a time, after another driver registers; they are not part of the bound-queue serialization analysis.',
    ].filter((s) => s !== '').join(' '),
  };
}
