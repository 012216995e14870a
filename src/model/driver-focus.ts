// A boot narrowed to some drivers (`--drivers LIST` on analyze, report, simulate and diff): the probes of
// those drivers, the findings about them (or about the whole boot), and the initcalls of their modules.
// Everything else of the boot (topology, kernel, inputs, diagnostics) is kept, so every view drawn from the
// narrowed boot (tables, charts, zooms, JSON) shows the same focus. Driver names compare case-insensitively.

import type { Boot, Finding, InitcallSpan, ProbeSpan } from './types.js';

/** The drivers a boot's probes name, sorted, each once (in the boot's own spelling). */
export function driversOf(boot: Boot): string[] {
  const seen = new Map<string, string>();
  for (const p of boot.probes) if (p.driver !== null && !seen.has(p.driver.toLowerCase())) seen.set(p.driver.toLowerCase(), p.driver);
  return [...seen.values()].sort((a, b) => a.localeCompare(b));
}

/** The probes of these drivers (all probes when the list is empty). */
export function probesOfDrivers(probes: readonly ProbeSpan[], drivers: readonly string[]): ProbeSpan[] {
  if (drivers.length === 0) return [...probes];
  const wanted = new Set(drivers.map((d) => d.toLowerCase()));
  return probes.filter((p) => p.driver !== null && wanted.has(p.driver.toLowerCase()));
}

/**
 * A finding concerns the focus when it names one of the drivers or one of the focused devices, or when it
 * names neither a device nor a driver (it is about the whole boot).
 */
export function findingConcerns(f: Finding, drivers: readonly string[], devices: ReadonlySet<string>): boolean {
  if (drivers.length === 0) return true;
  if (f.devices.length === 0 && f.drivers.length === 0) return true;
  const wanted = new Set(drivers.map((d) => d.toLowerCase()));
  return f.drivers.some((d) => wanted.has(d.toLowerCase())) || f.devices.some((d) => devices.has(d));
}

/**
 * An initcall belongs to a driver when it is in the driver's module (`nvme_init [nvme]`) or, built in, when
 * its function carries the driver's name as prefix (`nvme_core_init`, `pcieport_init`).
 */
export function initcallOfDrivers(i: InitcallSpan, drivers: readonly string[]): boolean {
  if (drivers.length === 0) return true;
  const fn = i.fn.toLowerCase();
  return drivers.some((d) => {
    const name = d.toLowerCase().replace(/-/g, '_');
    return (i.module !== null && i.module.toLowerCase().replace(/-/g, '_') === name) || fn.startsWith(`${name}_`);
  });
}

/** The boot narrowed to these drivers; the boot itself when the list is empty. */
export function focusBoot(boot: Boot, drivers: readonly string[]): Boot {
  if (drivers.length === 0) return boot;
  const probes = probesOfDrivers(boot.probes, drivers);
  const devices = new Set(probes.map((p) => p.device));
  return {
    ...boot,
    probes,
    initcalls: boot.initcalls.filter((i) => initcallOfDrivers(i, drivers)),
    findings: boot.findings.filter((f) => findingConcerns(f, drivers, devices)),
  };
}
