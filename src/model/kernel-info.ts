// The kernel release and command line of a boot, from the `Linux version` banner (init/version.c
// linux_banner; else the release a lib/dump_stack.c WARN/oops header prints) and `Kernel command line:` (init/main.c) / `Command line:` (arch/x86/kernel/setup.c),
// plus the version facts the other builders need to read version-dependent lines
// (docs/kernel-log-formats.md §3.1, §3.2), and the machine and host the log names (ingest/machine-records.ts).

import type { KernelRecord } from '../ingest/kernel-records.types.js';
import type { Builder } from './builder.js';
import type { KernelInfo, MachineIdentity } from './types.js';

export interface KernelVersion {
  major: number;
  minor: number;
}

/** `6.1.0-50-amd64` → {6, 1}; null when the release does not start with `major.minor`. */
export function kernelVersionOf(release: string | null): KernelVersion | null {
  const m = release === null ? null : /^(\d+)\.(\d+)/.exec(release);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

function before(v: KernelVersion, major: number, minor: number): boolean {
  return v.major < major || (v.major === major && v.minor < minor);
}

/**
 * initcall_debug "usecs" were `ns >> 10` until "init: use ktime_us_delta() to make initcall_debug
 * log more precise" (posted Feb 2022, after the 5.17 merge window; `>> 10` in 5.15.215, exact in
 * 6.1). So every release before 5.18 printed ns/1024; the corpus agrees (5.4, 5.9, 5.12 and 5.17.0-rc2
 * logs show call/return stamps ≥ 1.024 × the printed usecs, a next-20220428 log and every 6.x log
 * ≈ 1.0). null when the release is unknown.
 */
export function initcallUsecsAreShifted(v: KernelVersion | null): boolean | null {
  return v === null ? null : before(v, 5, 18);
}

/** really_probe()'s printed return: 1 = success up to 5.14, 0 = success from 5.15 (null when unknown). */
export function probeReturnsOneOnSuccess(v: KernelVersion | null): boolean | null {
  return v === null ? null : before(v, 5, 15);
}

/** Names systemd sets when the machine has none of its own (src/basic/hostname-util.c fallback, `(none)` of the kernel). */
const PLACEHOLDER_HOSTNAMES: ReadonlySet<string> = new Set(['', 'localhost', 'localhost.localdomain', 'localhost6', '(none)']);

export class KernelInfoBuilder implements Builder<KernelRecord, KernelInfo> {
  readonly name = 'kernel-info';
  private release: string | null = null;
  private banner: string | null = null;
  private kernelCmdline: string | null = null;
  private setupCmdline: string | null = null;
  private stackRelease: string | null = null;
  /** By preference: the boot's DMI line, a WARN header's Hardware name, the device tree's model (first of each). */
  private machines: { dmi: MachineIdentity | null; 'hardware-name': MachineIdentity | null; devicetree: MachineIdentity | null } = { dmi: null, 'hardware-name': null, devicetree: null };
  private hostname: string | null = null;

  reset(): void {
    this.machines = { dmi: null, 'hardware-name': null, devicetree: null };
    this.hostname = null;
    this.release = null;
    this.banner = null;
    this.kernelCmdline = null;
    this.setupCmdline = null;
    this.stackRelease = null;
  }

  handle(record: KernelRecord): void {
    if (record.type === 'kernel-banner') {
      // The first banner is the boot's own; a later one (kexec, a second log) does not replace it.
      if (this.banner === null) {
        this.banner = record.banner;
        this.release = record.release;
      }
    } else if (record.type === 'task-comm') {
      // A WARN/oops header names the release too: the fallback when the banner is not in the log.
      this.stackRelease ??= record.release;
    } else if (record.type === 'cmdline') {
      // init/main.c's line is what the kernel parsed (it includes bootconfig additions); prefer it.
      if (record.line.text.startsWith('Kernel ')) this.kernelCmdline ??= record.cmdline;
      else this.setupCmdline ??= record.cmdline;
    } else if (record.type === 'dmi-ids') {
      this.machines[record.from] ??= { model: record.model, board: record.board, bios: record.bios, from: record.from, source: record.line.source };
    } else if (record.type === 'dt-model') {
      this.machines.devicetree ??= { model: record.model, board: null, bios: null, from: 'devicetree', source: record.line.source };
    } else if (record.type === 'hostname') {
      // The initrd's systemd may set a placeholder before the real root sets the name: the last real one counts.
      if (!PLACEHOLDER_HOSTNAMES.has(record.hostname.toLowerCase())) this.hostname = record.hostname;
    }
  }

  finalize(): void {}

  data(): KernelInfo {
    const m = this.machines;
    return {
      release: this.release ?? this.stackRelease, banner: this.banner, cmdline: this.kernelCmdline ?? this.setupCmdline,
      machine: m.dmi ?? m['hardware-name'] ?? m.devicetree, hostname: this.hostname,
    };
  }

  version(): KernelVersion | null {
    return kernelVersionOf(this.release ?? this.stackRelease);
  }
}
