// Exposure from plain logs (fixtures/dmesg/server_nvme_numa) and the advice about missing probe lines
// (issue 14, items 4 and 5). Synthetic logs are built from the kernel's format strings.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOUND_QUEUE_EXPOSURE } from '../../src/findings/probe-exposure.js';
import { INSUFFICIENT_DATA } from '../../src/findings/insufficient-data.js';
import { loadBoot } from '../../src/pipeline/load-boot.js';
import { isFindingOf } from '../../src/findings/index.js';
import type { Boot, BoundQueueExposureFinding, ExposedNodeData, NotExposedData } from '../../src/model/types.js';

const DIR = 'fixtures/dmesg/server_nvme_numa';

function exposures(boot: Boot): BoundQueueExposureFinding[] {
  return boot.findings.filter(isFindingOf(BOUND_QUEUE_EXPOSURE));
}

/** The data of a finding about an exposed node, or of the one about groups that are not exposed. */
const exposedData = (f: BoundQueueExposureFinding) => f.data as ExposedNodeData;
const notExposedData = (f: BoundQueueExposureFinding) => f.data as NotExposedData;

/** The lines as dmesg prints them, 1 ms apart from `startS` seconds after boot. */
function writeLog(lines: string[], startS = 0): string {
  const dir = mkdtempSync(join(tmpdir(), 'tp-exposure-'));
  const path = join(dir, 'dmesg.txt');
  writeFileSync(path, lines.map((l, i) => `[${(startS + i / 1000).toFixed(6).padStart(12)}] ${l}`).join('\n') + '\n');
  return path;
}

/** A 2-node machine, CPUs 0,2 on node 0 and 1,3 on node 1, two root bridges, four NVMe on node 1. */
function serverLines(release: string, cmdline: string): string[] {
  return [
    `Linux version ${release} (builder@host) (gcc 12) #1 SMP`,
    `Command line: ${cmdline}`,
    'NODE_DATA(0) allocated [mem 0x27ffd5000-0x27fffffff]',
    'NODE_DATA(1) allocated [mem 0x47ffd4000-0x47fffefff]',
    'smpboot: x86: Booting SMP configuration:',
    '.... node  #1, CPUs:      #1',
    '.... node  #0, CPUs:   #2',
    '.... node  #1, CPUs:   #3',
    'smp: Brought up 2 nodes, 4 CPUs',
    'ACPI: PCI Root Bridge [PC00] (domain 0000 [bus 00-7f])',
    'pci_bus 0000:00: on NUMA node 0',
    'ACPI: PCI Root Bridge [PC01] (domain 0000 [bus 80-ff])',
    'pci_bus 0000:80: on NUMA node 1',
    'pci 0000:81:00.0: [144d:a808] type 00 class 0x010802 PCIe Endpoint',
    'nvme nvme0: pci function 0000:81:00.0',
    'nvme nvme1: pci function 0000:82:00.0',
    'nvme nvme2: pci function 0000:83:00.0',
    'nvme nvme3: pci function 0000:84:00.0',
  ];
}

describe('bound-queue-exposure from a plain log', () => {
  it('Dell R640, 6.8: 4 nvme on node 1 would run their probe bodies on CPU 1 one at a time (evidence lines quoted)', async () => {
    const boot = await loadBoot([`${DIR}/dell-poweredge-r640_2S-40cpu_5nvme_6.8.0-rc3_vmcore.dmesg.txt`]);
    const [exposed, ...rest] = exposures(boot).filter((f) => f.severity === 'warning');
    expect(rest).toHaveLength(0);
    expect(exposed!.title).toBe('exposed: 4 nvme on node 1 would run their probe bodies on CPU 1 one at a time; this log cannot show how long.');
    expect([exposed!.node, exposed!.cpu, exposed!.lostNs]).toEqual([1, 1, null]);
    expect(exposed!.devices).toEqual(['0000:af:00.0', '0000:b0:00.0', '0000:b1:00.0', '0000:b2:00.0']);
    // smp line, the node #1 announce line, the PC08 node line and the four `pci function` lines.
    const lines = exposed!.evidence.map((r) => r.line);
    for (const line of [442, 400, 955, 1764, 1765, 1766, 1768]) expect(lines).toContain(line);
    expect(exposed!.detail).toContain('nvme sets PROBE_PREFER_ASYNCHRONOUS since 6.2, eac3ef262941');
    expect(exposed!.detail).toContain('root bridge PC08 [bus ae-d6] holds af:00.0, b0:00.0, b1:00.0, b2:00.0');
    // 6.8 prints probe lines at KERN_DEBUG with initcall_debug alone (6.4+).
    expect(exposed!.data.measureWith).toBe('initcall_debug trace_event=workqueue:*,sched:sched_switch,sched:sched_wakeup trace_clock=global');
  });

  it('Dell XE9680, 6.5: node 0 (5 nvme, CPU 0 placed by inference) and node 1 (4 nvme, CPU 1)', async () => {
    const boot = await loadBoot([`${DIR}/dell-poweredge-xe9680_2S-256cpu_9nvme_6.5.0-18-generic.dmesg.txt`]);
    const warnings = exposures(boot).filter((f) => f.severity === 'warning');
    expect(warnings.map((f) => [f.node, f.cpu, f.devices.length])).toEqual([[0, 0, 5], [1, 1, 4]]);
    expect(warnings[0]!.warnings.join(' ')).toContain('by inference');
    expect(warnings[1]!.warnings).toEqual([]);
  });

  it('EMC, SLES 5.14: nvme is synchronous before 6.2, so nothing is exposed; the advice needs dyndbg on 5.8–6.3', async () => {
    const boot = await loadBoot([`${DIR}/emc_2S-64cpu_13nvme_sles15sp5_5.14.21_async.head2500.dmesg.txt`]);
    const found = exposures(boot);
    expect(found.filter((f) => f.severity === 'warning')).toEqual([]);
    const info = found.find((f) => 'exposure' in f.data && f.data.exposure === 'not-exposed')!;
    const sync = notExposedData(info).synchronous;
    expect(sync.filter((g) => g.driver === 'nvme').map((g) => [g.node, g.devices.length]).sort()).toEqual([[0, 6], [1, 7]]);
    expect(info.data.measureWith).toContain('dyndbg="file drivers/base/dd.c +p"');
  });

  it('with probe durations in the log, estimates the cost of one CPU against the node\'s CPUs', async () => {
    const lines = serverLines('6.8.0', 'root=/dev/sda initcall_debug');
    const costs = [100_000, 200_000, 300_000, 400_000];
    lines.push(...costs.map((us, i) => `probe of 0000:8${i + 1}:00.0 returned 0 after ${us} usecs`));
    // Printed 5 s into the boot: a probe that returned at 0.02 s after 400 ms would have started before boot (invalid).
    const boot = await loadBoot([writeLog(lines, 5)]);
    const [exposed] = exposures(boot).filter((f) => f.severity === 'warning');
    expect([exposed!.node, exposed!.cpu]).toEqual([1, 1]);
    // Serial 1000 ms on CPU 1; spread over node 1's CPUs {1, 3}: 100+300 | 200+400 → 600 ms.
    expect(exposedData(exposed!).serialNs).toBe(1_000_000_000);
    expect(exposedData(exposed!).spreadNs).toBe(600_000_000);
    expect(exposed!.lostNs).toBe(400_000_000);
    expect(exposed!.title).toContain('about 400.0 ms lost');
  });

  it('a release before 6.2 or a driver that is not async: not exposed, and driver_async_probe= makes it so', async () => {
    const sync = await loadBoot([writeLog(serverLines('6.1.0', 'root=/dev/sda'))]);
    expect(exposures(sync).filter((f) => f.severity === 'warning')).toEqual([]);
    const forced = await loadBoot([writeLog(serverLines('6.1.0', 'root=/dev/sda driver_async_probe=nvme'))]);
    const [exposed] = exposures(forced).filter((f) => f.severity === 'warning');
    expect(exposed!.detail).toContain('driver_async_probe=nvme on the command line');
    expect(exposed!.devices).toHaveLength(4);
  });

  it('no platform lines: no exposure finding, no crash', async () => {
    const boot = await loadBoot([writeLog(['Linux version 6.8.0 (b@h) #1 SMP', 'nvme nvme0: pci function 0000:01:00.0'])]);
    expect(exposures(boot)).toEqual([]);
  });
});

describe('why a log has no probe lines (item 5)', () => {
  const insufficient = (boot: Boot) => boot.findings.find((f) => f.kind === INSUFFICIENT_DATA)!;

  it('initcall_debug on in 5.8–6.3: pr_debug, add dyndbg for drivers/base/dd.c', async () => {
    const boot = await loadBoot([writeLog(['Linux version 6.3.0-rc1 (b@h) #1 SMP', 'Command line: root=/dev/sda initcall_debug', 'calling  pci_driver_init+0x0/0x20 @ 1', 'initcall pci_driver_init+0x0/0x20 returned 0 after 5 usecs'])]);
    const f = insufficient(boot);
    expect(f.detail).toContain('pr_debug()');
    expect(f.detail).toContain('initcall_debug dyndbg="file drivers/base/dd.c +p"');
    expect(f.detail).not.toContain('initcall_debug is off');
  });

  it('initcall_debug on in 6.4+: the lines are printk(KERN_DEBUG), so they were filtered out', async () => {
    const boot = await loadBoot([writeLog(['Linux version 6.8.0 (b@h) #1 SMP', 'Command line: initcall_debug', 'calling  pci_driver_init+0x0/0x20 @ 1'])]);
    expect(insufficient(boot).detail).toContain('at KERN_DEBUG whenever initcall_debug is on');
  });

  it('initcall_debug off: says so, and only then', async () => {
    const boot = await loadBoot([writeLog(['Linux version 6.8.0 (b@h) #1 SMP', 'Command line: root=/dev/sda'])]);
    expect(insufficient(boot).detail).toContain('initcall_debug is off');
  });

  it('a failure line without a probe line: "initcall_debug off?" only when it is off', async () => {
    const on = await loadBoot([writeLog(['Linux version 6.5.0 (b@h) #1 SMP', 'Command line: initcall_debug', 'nvme: probe of 0000:01:00.0 failed with error -12'])]);
    const diagOn = on.diagnostics.find((d) => d.message.includes('failed (-12)'))!;
    expect(diagOn.message).not.toContain('initcall_debug off?');
    expect(diagOn.message).toContain('initcall_debug is on');
    const off = await loadBoot([writeLog(['Linux version 6.5.0 (b@h) #1 SMP', 'Command line: quiet', 'nvme: probe of 0000:01:00.0 failed with error -12'])]);
    expect(off.diagnostics.find((d) => d.message.includes('failed (-12)'))!.message).toContain('initcall_debug off?');
  });
});
