// When does `initcall_debug` alone print drivers/base/dd.c's `probe of %s returned %d after %lld usecs`?
// really_probe_debug() first appears in 4.19 (absent in 4.18 by DepSurf's per-release symbol lists, as
// helper h14b checked; absent in 4.4 by the shared docs/kernel-log-formats.md). It printed the line with printk(KERN_DEBUG ...) until eb7fbc9fb118 ("driver core: Add missing
// '\n' in log messages", 5.8 merge window) turned it into pr_debug(): from 5.8 the line needs dynamic debug
// (CONFIG_DYNAMIC_DEBUG and `dyndbg="file drivers/base/dd.c +p"` on the command line), or it is compiled out.
// e2f06aa88508 ("driver core: Don't require dynamic_debug for initcall_debug probe timing", Stephen Boyd)
// restored printk for 6.4 and was backported to the stable lines still maintained in April/May 2023.
// Checked against the stable release announcements (shortlog "Stephen Boyd (1): driver core: Don't require
// dynamic_debug for initcall_debug probe timing"): 6.3.1, 6.2.14, 6.1.27, 5.15.110 (all 2023-05-01) and
// 5.10.180 (2023-05-17). 5.4 and older never had the pr_debug(). Lines that were end-of-life before the
// backport (5.8, 5.9, 5.11–5.14, 5.16–6.0) keep pr_debug() for good.
// See docs/kernel-log-formats.md §3.2 in the shared docs.

import { atLeast, type KernelRelease } from './release.js';

/** The first stable release of each line that has the printk() back (e2f06aa88508 backported). */
export const PROBE_TIMING_BACKPORTS: ReadonlyArray<readonly [major: number, minor: number, sublevel: number]> = [
  [5, 10, 180],
  [5, 15, 110],
  [6, 1, 27],
  [6, 2, 14],
  [6, 3, 1],
];

/** The kernel parameter that makes the pr_debug() print (with CONFIG_DYNAMIC_DEBUG). */
export const PROBE_TIMING_DYNDBG = 'dyndbg="file drivers/base/dd.c +p"';

export interface ProbeTimingNeed {
  /** How the release prints the line: not at all (before 4.19), printk, pr_debug, or unknown (a backport line without its sublevel). */
  printed: 'absent' | 'printk' | 'pr_debug' | 'unknown';
  /** true: the line needs dynamic debug; false: initcall_debug is enough; null: cannot tell from the release. */
  needsDynamicDebug: boolean | null;
  /** One sentence with the reason (the release range or backport that decides). */
  why: string;
}

/** Whether `probe of ... returned` lines need dynamic debug on this release (besides initcall_debug). */
export function probeTimingNeed(r: KernelRelease): ProbeTimingNeed {
  const v = `${r.major}.${r.minor}`;
  if (atLeast(r, 4, 19) === false) {
    return { printed: 'absent', needsDynamicDebug: false, why: `${v} predates really_probe_debug() (4.19): no \`probe of\` line at all; probe times only from a trace` };
  }
  if (atLeast(r, 5, 8) === false) return { printed: 'printk', needsDynamicDebug: false, why: `${v} predates 5.8: really_probe_debug() prints the \`probe of\` line with printk(KERN_DEBUG)` };
  if (atLeast(r, 6, 4) === true) return { printed: 'printk', needsDynamicDebug: false, why: `${v} prints the \`probe of\` line with printk(KERN_DEBUG) again (e2f06aa88508, 6.4)` };
  const line = PROBE_TIMING_BACKPORTS.find(([major, minor]) => major === r.major && minor === r.minor);
  if (!line) {
    return { printed: 'pr_debug', needsDynamicDebug: true, why: `${v} prints the \`probe of\` line with pr_debug() (5.8–6.3; this stable line ended before the 2023 backport of e2f06aa88508)` };
  }
  const fixed = `${line[0]}.${line[1]}.${line[2]}`;
  const has = atLeast(r, line[0], line[1], line[2]);
  if (has === null) {
    return { printed: 'unknown', needsDynamicDebug: null, why: `${v} prints the \`probe of\` line with pr_debug() before ${fixed} and printk() from ${fixed} on, and the release "${r.text}" does not say its stable sublevel` };
  }
  return has
    ? { printed: 'printk', needsDynamicDebug: false, why: `${v}.${r.sublevel} prints the \`probe of\` line with printk() (e2f06aa88508 backported in ${fixed})` }
    : { printed: 'pr_debug', needsDynamicDebug: true, why: `${v}.${r.sublevel} prints the \`probe of\` line with pr_debug() (the printk() came back in ${fixed})` };
}

/** How a release prints the `probe of ... returned ... after N usecs` lines (model/kernel-release-facts.ts decides it). */
export type ProbeLineVisibility = 'absent' | 'printk' | 'pr_debug' | 'unknown';
