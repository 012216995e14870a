// A 200,000-line initcall_debug kernel log with 28,571 probes, the size of log the HTML report must still
// handle (issue 15): 7 lines per device, in the plain dmesg format of the captures (`[%5lu.%06lu] `), each
// device announced by the PCI core, claimed by its driver, probed (`probe of DEV returned 0 after N usecs`,
// drivers/base/dd.c up to 5.7, as in fixtures/captures/*/dmesg.log) and followed by one initcall (`calling`
// / `initcall ... returned`, init/main.c). Drivers, costs and gaps are deterministic pseudo-random; probes
// come in bursts of one driver at a time, as a boot attaches a bus. Synthetic, to measure size and speed only.

import { writeFileSync } from 'node:fs';

export const LOG_LINES = 200_000;
export const LOG_PROBES = 28_571;
const DRIVERS = ['nvme', 'mlx5_core', 'ahci', 'xhci_hcd', 'ixgbe', 'i40e', 'megaraid_sas', 'pcieport', 'virtio-pci', 'ehci-pci', 'igb', 'bnxt_en'];

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the log to `path` and returns its line count. */
export function writeInitcallLog(path: string): number {
  const rand = random(15);
  const lines: string[] = ['[    0.000000] Linux version 6.1.0-bench (bench@trace-probe) #1 SMP PREEMPT_DYNAMIC', '[    0.000000] Command line: initcall_debug log_buf_len=64M', '[    0.100000] smp: Brought up 8 nodes, 512 CPUs'];
  let us = 1_000_000;
  const stamp = () => {
    const s = Math.floor(us / 1e6);
    return `[${String(s).padStart(5)}.${String(us % 1e6).padStart(6, '0')}] `;
  };
  let driver = DRIVERS[0]!;
  for (let i = 0; i < LOG_PROBES; i++) {
    if (i % 200 === 0) driver = DRIVERS[Math.floor(rand() * DRIVERS.length)]!;
    const dev = `${(i >> 16).toString(16).padStart(4, '0')}:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${((i >> 3) & 0x1f).toString(16).padStart(2, '0')}.${i & 7}`;
    const cost = 50 + Math.floor(rand() * rand() * 40_000);
    const fn = `${driver.replace(/[^a-z0-9_]/g, '_')}_init_${i}`;
    lines.push(`${stamp()}pci ${dev}: [8086:${(0x1000 + (i % 4096)).toString(16)}] type 00 class 0x010802`);
    us += 3;
    lines.push(`${stamp()}pci ${dev}: BAR 0 [mem 0x${(0xf0000000 + i * 0x4000).toString(16)}-0x${(0xf0003fff + i * 0x4000).toString(16)} 64bit]`);
    us += 5 + Math.floor(rand() * 20);
    lines.push(`${stamp()}${driver} ${dev}: enabling device (0000 -> 0002)`);
    us += cost;
    lines.push(`${stamp()}probe of ${dev} returned 0 after ${cost} usecs`);
    us += 2;
    lines.push(`${stamp()}${driver} ${dev}: ready`);
    us += 4 + Math.floor(rand() * (i % 500 === 499 ? 200_000 : 100));
    const initUs = Math.floor(rand() * 300);
    lines.push(`${stamp()}calling  ${fn}+0x0/0x40 @ 1`);
    us += initUs;
    lines.push(`${stamp()}initcall ${fn}+0x0/0x40 returned 0 after ${initUs} usecs`);
    us += 3;
  }
  writeFileSync(path, lines.join('\n') + '\n');
  return lines.length;
}
