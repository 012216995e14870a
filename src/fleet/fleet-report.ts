// The answers `fleet report` gives, computed from the store with SQL and the diff's statistics: which kernel
// releases and machine models serialize their probes (share of boots and hosts), how much time it costs per
// boot, the slowest drivers across the fleet, and the release-to-release change of each driver's probe time
// with a significance test (compare/significance.ts, the same test `diff` uses). Pure data: rendering is in
// fleet-text.ts and fleet-html.ts.

import { median } from 'simple-statistics';
import { compareSamples, type Significance } from '../compare/significance.js';
import { INSUFFICIENT_DATA } from '../findings/index.js';
import { sqlString, type FleetStore } from './fleet-store.js';

export const FLEET_REPORT_SCHEMA = 'trace-probe.fleet-report/1';

export interface FleetOverview {
  boots: number;
  hosts: number;
  releases: number;
  models: number;
  serializedBoots: number;
  serializedHosts: number;
  failedInputs: number;
}

export interface ExposureRow {
  release: string;
  model: string;
  boots: number;
  hosts: number;
  /** Boots whose data could show serialization (no insufficient-data finding): the only ones that can say "no". */
  observableBoots: number;
  serializedBoots: number;
  serializedHosts: number;
  /** serializedBoots / observableBoots, in percent; null when no boot could show it. */
  sharePercent: number | null;
  medianLostNs: number | null;
  /**
   * Boots that could not show serialization but whose plain log shows exposure (a bound-queue-exposure warning:
   * async-probed PCI functions of one node whose bodies would queue on one CPU): the boots worth timing next.
   */
  exposedUntimedBoots: number;
}

export interface LostDistribution {
  release: string;
  boots: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  maxNs: number;
  totalNs: number;
}

export interface DriverRow {
  driver: string;
  probes: number;
  boots: number;
  medianNs: number;
  p90Ns: number;
  maxNs: number;
  meanPerBootNs: number;
}

/**
 * A host with at least one serialized boot: the hosts to act on (patch, or move its devices' probes), and which of
 * its releases still serialize and which no longer do (a roll-out of the fix shows as a host in both lists).
 */
export interface SerializingHost {
  host: string;
  /** Releases in which a boot of this host serialized, in version order. */
  serializedReleases: string[];
  /** Releases in which this host's boots could show serialization (no insufficient-data finding) and none did. */
  clearReleases: string[];
  models: string[];
  boots: number;
  serializedBoots: number;
  /** Time lost over the host's serialized boots (null when none has a cost). */
  totalLostNs: number | null;
  medianLostNs: number | null;
}

export interface DriverChange {
  driver: string;
  from: string;
  to: string;
  bootsBefore: number;
  bootsAfter: number;
  medianBeforeNs: number;
  medianAfterNs: number;
  changePercent: number;
  significance: Significance;
}

export interface FleetReport {
  schema: typeof FLEET_REPORT_SCHEMA;
  overview: FleetOverview;
  exposure: ExposureRow[];
  lostPerBoot: LostDistribution[];
  /** Per-boot lost time of every serialized boot, for the histogram. */
  lostSamplesNs: Array<{ release: string; lostNs: number }>;
  /** Every host with a serialized boot, the most time lost first. */
  serializingHosts: SerializingHost[];
  slowestDrivers: DriverRow[];
  releaseChanges: DriverChange[];
  releaseOrder: string[];
}

/**
 * Bootstrap resamples of each release-to-release change: fewer than `diff`'s 2000, since a fleet compares thousands
 * of boots per side for every driver (the verdict comes from the U test, not from the interval).
 */
const CHANGE_RESAMPLES = 400;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Kernel releases in version order: `6.1.0-50-amd64` < `6.1.176` < `6.12.19`; non-numeric parts compare as text. */
export function compareReleases(a: string, b: string): number {
  const pa = a.split(/[^0-9A-Za-z]+/);
  const pb = b.split(/[^0-9A-Za-z]+/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : null;
    const ny = /^\d+$/.test(y) ? Number(y) : null;
    if (nx !== null && ny !== null) {
      if (nx !== ny) return nx - ny;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

export async function buildFleetReport(store: FleetStore, options: { topDrivers?: number } = {}): Promise<FleetReport> {
  const [o] = await store.rows(`SELECT count(*), count(DISTINCT host), count(DISTINCT kernel_release), count(DISTINCT machine_model),
      count(*) FILTER (WHERE serialized), count(DISTINCT host) FILTER (WHERE serialized), (SELECT count(*) FROM failures) FROM boots`);
  const overview: FleetOverview = {
    boots: num(o![0]), hosts: num(o![1]), releases: num(o![2]), models: num(o![3]),
    serializedBoots: num(o![4]), serializedHosts: num(o![5]), failedInputs: num(o![6]),
  };
  const exposure = (await store.rows(`WITH b AS (SELECT *, boot_id NOT IN (SELECT boot_id FROM findings WHERE kind = ${sqlString(INSUFFICIENT_DATA)}) AS observable FROM boots)
      SELECT coalesce(kernel_release, 'unknown') AS r, coalesce(machine_model, 'unknown') AS m,
      count(*), count(DISTINCT host), count(*) FILTER (WHERE serialized), count(DISTINCT host) FILTER (WHERE serialized),
      median(serialization_lost_ns) FILTER (WHERE serialized), count(*) FILTER (WHERE observable),
      count(*) FILTER (WHERE exposed AND NOT observable)
      FROM b GROUP BY r, m`)).map((r): ExposureRow => ({
    release: String(r[0]), model: String(r[1]), boots: num(r[2]), hosts: num(r[3]), observableBoots: num(r[7]),
    serializedBoots: num(r[4]), serializedHosts: num(r[5]),
    sharePercent: num(r[7]) === 0 ? null : (100 * num(r[4])) / num(r[7]), medianLostNs: numOrNull(r[6]),
    exposedUntimedBoots: num(r[8]),
  }));
  const releaseOrder = [...new Set(exposure.map((e) => e.release))].sort(compareReleases);
  const rank = new Map(releaseOrder.map((r, i) => [r, i]));
  exposure.sort((a, b) => rank.get(a.release)! - rank.get(b.release)! || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));

  const lostPerBoot = (await store.rows(`SELECT coalesce(kernel_release, 'unknown') AS r, count(*),
      quantile_cont(serialization_lost_ns, 0.5), quantile_cont(serialization_lost_ns, 0.9), quantile_cont(serialization_lost_ns, 0.99),
      max(serialization_lost_ns), sum(serialization_lost_ns)
      FROM boots WHERE serialized AND serialization_lost_ns IS NOT NULL GROUP BY r`)).map((r): LostDistribution => ({
    release: String(r[0]), boots: num(r[1]), p50Ns: num(r[2]), p90Ns: num(r[3]), p99Ns: num(r[4]), maxNs: num(r[5]), totalNs: num(r[6]),
  })).sort((a, b) => rank.get(a.release)! - rank.get(b.release)!);
  const lostSamplesNs = (await store.rows(`SELECT coalesce(kernel_release, 'unknown'), serialization_lost_ns FROM boots
      WHERE serialized AND serialization_lost_ns IS NOT NULL ORDER BY 1, 2`)).map((r) => ({ release: String(r[0]), lostNs: num(r[1]) }));

  const serializingHosts = (await store.rows(`WITH b AS (SELECT *, coalesce(kernel_release, 'unknown') AS r,
        boot_id NOT IN (SELECT boot_id FROM findings WHERE kind = ${sqlString(INSUFFICIENT_DATA)}) AS observable FROM boots),
      per_release AS (SELECT host, r, bool_or(serialized) AS s, bool_or(observable) AS o FROM b GROUP BY host, r),
      h AS (SELECT host, list(r) FILTER (WHERE s) AS serialized_releases, list(r) FILTER (WHERE o AND NOT s) AS clear_releases
        FROM per_release GROUP BY host HAVING bool_or(s))
      SELECT h.host, any_value(h.serialized_releases), any_value(h.clear_releases), list(DISTINCT coalesce(b.machine_model, 'unknown')),
        count(*), count(*) FILTER (WHERE b.serialized), sum(b.serialization_lost_ns) FILTER (WHERE b.serialized),
        median(b.serialization_lost_ns) FILTER (WHERE b.serialized)
      FROM h JOIN b USING (host) GROUP BY h.host ORDER BY 7 DESC NULLS LAST, 1`)).map((r): SerializingHost => ({
    host: String(r[0]),
    serializedReleases: ((r[1] as unknown[] | null) ?? []).map(String).sort(compareReleases),
    clearReleases: ((r[2] as unknown[] | null) ?? []).map(String).sort(compareReleases),
    models: ((r[3] as unknown[] | null) ?? []).map(String).sort(),
    boots: num(r[4]), serializedBoots: num(r[5]), totalLostNs: numOrNull(r[6]), medianLostNs: numOrNull(r[7]),
  }));

  const slowestDrivers = (await store.rows(`SELECT driver, count(*), count(DISTINCT boot_id), median(duration_ns), quantile_cont(duration_ns, 0.9),
      max(duration_ns), sum(duration_ns) / count(DISTINCT boot_id) AS per_boot
      FROM probes WHERE driver IS NOT NULL GROUP BY driver ORDER BY per_boot DESC, driver LIMIT ${Math.max(1, Math.floor(options.topDrivers ?? 15))}`)).map(
    (r): DriverRow => ({ driver: String(r[0]), probes: num(r[1]), boots: num(r[2]), medianNs: num(r[3]), p90Ns: num(r[4]), maxNs: num(r[5]), meanPerBootNs: num(r[6]) }),
  );

  // Per boot and driver, the time its probes took (their sum): the sample a release contributes per boot.
  const perBoot = await store.rows(`SELECT coalesce(b.kernel_release, 'unknown'), p.driver, sum(p.duration_ns)
      FROM probes p JOIN boots b USING (boot_id) WHERE p.driver IS NOT NULL GROUP BY b.kernel_release, p.driver, p.boot_id ORDER BY ALL`);
  const samples = new Map<string, Map<string, number[]>>();
  for (const [release, driver, total] of perBoot) {
    const byDriver = samples.get(String(release)) ?? new Map<string, number[]>();
    samples.set(String(release), byDriver);
    const list = byDriver.get(String(driver)) ?? [];
    byDriver.set(String(driver), list);
    list.push(num(total));
  }
  const releaseChanges: DriverChange[] = [];
  for (let i = 0; i + 1 < releaseOrder.length; i++) {
    const from = releaseOrder[i]!;
    const to = releaseOrder[i + 1]!;
    const before = samples.get(from);
    const after = samples.get(to);
    if (!before || !after) continue;
    for (const driver of [...before.keys()].filter((d) => after.has(d)).sort()) {
      const b = before.get(driver)!;
      const a = after.get(driver)!;
      const significance = compareSamples(b, a, { resamples: CHANGE_RESAMPLES });
      const mb = median(b);
      const ma = median(a);
      releaseChanges.push({
        driver, from, to, bootsBefore: b.length, bootsAfter: a.length, medianBeforeNs: mb, medianAfterNs: ma,
        changePercent: mb === 0 ? 0 : (100 * (ma - mb)) / mb, significance,
      });
    }
  }
  releaseChanges.sort((x, y) => rank.get(x.from)! - rank.get(y.from)! || (x.significance.pValue ?? 1) - (y.significance.pValue ?? 1) || (x.driver < y.driver ? -1 : 1));
  return { schema: FLEET_REPORT_SCHEMA, overview, exposure, lostPerBoot, lostSamplesNs, serializingHosts, slowestDrivers, releaseChanges, releaseOrder };
}
