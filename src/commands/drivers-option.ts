// `--drivers LIST`, the one focus flag of analyze, report, simulate and diff: the same wording, parsing and
// validation everywhere. A name no probe of the input carries (a typo such as `nvm`) is a usage error that
// lists the drivers the input has, so a focus can never silently show an empty boot.

import { Option, type Command } from 'commander';
import { driversOf, focusBoot } from '../model/driver-focus.js';
import type { Boot } from '../model/types.js';
import { collectList } from './list-option.js';
import { UsageError } from './usage-error.js';

/** Adds `--drivers <names>` (repeatable, comma-separated); `--driver` stays as a hidden alias of diff's old flag. */
export function addDriversOption(command: Command, what: string): Command {
  return command
    .option('--drivers <names>', `${what} only the probes of these drivers (comma-separated, e.g. nvme)`, collectList, [])
    .addOption(new Option('--driver <names>').argParser(collectList).default([]).hideHelp());
}

/** The requested names from the parsed options (`--drivers` and its alias together). */
export function requestedDrivers(options: { drivers?: string[]; driver?: string[] }): string[] {
  return [...(options.drivers ?? []), ...(options.driver ?? [])];
}

/**
 * Checks the requested drivers against every boot of the input and returns them in the boots' own spelling
 * (each once). Throws a UsageError naming the unknown one and the drivers the input has.
 */
export function checkDrivers(requested: readonly string[], boots: readonly Boot[]): string[] {
  if (requested.length === 0) return [];
  const known = new Map<string, string>();
  for (const boot of boots) for (const d of driversOf(boot)) if (!known.has(d.toLowerCase())) known.set(d.toLowerCase(), d);
  const out: string[] = [];
  for (const name of requested) {
    const canonical = known.get(name.toLowerCase());
    if (canonical === undefined) {
      const has = [...known.values()].sort((a, b) => a.localeCompare(b));
      throw new UsageError(`--drivers: no probe of driver "${name}" in the input (${has.length > 0 ? `its drivers: ${has.join(', ')}` : 'it names no driver'})`);
    }
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

/** Validates the focus against one boot and returns the boot narrowed to it (the boot itself without a focus). */
export function focusOn(boot: Boot, options: { drivers?: string[]; driver?: string[] }): { boot: Boot; drivers: string[] } {
  const drivers = checkDrivers(requestedDrivers(options), [boot]);
  return { boot: focusBoot(boot, drivers), drivers };
}
