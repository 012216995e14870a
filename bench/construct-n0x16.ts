// A constructed 16-NVMe boot for the report screenshots and the episode tests (issue 15): the real n0x3
// capture (Debian 6.1, 3 async NVMe on node 0 serialized on CPU 0's bound kworkers, 3 synchronous
// pcieport probes) scaled to the shape of the servers the issue is about:
//   - the pcieport stretch (3 root ports and their port services, 537 ms in init-1) repeated 6 times one
//     after another: 18 root ports, about 3.2 s of synchronous probes;
//   - the probes that followed it in the capture (platform devices, 0.13 s) moved after the last copy;
//   - the 3 nvme probes repeated to 16 (0000:21:00.0 ... 0000:30:00.0), each keeping its real body (on-CPU,
//     runnable, asleep, worker, queue-to-start offset), arriving 0.1 ms apart right after those probes (nvme
//     built in), each attached by its own async worker and run on CPU 0 one body after another, as the
//     bound pool does;
//   - initcalls after the pcieport stretch shifted by the time added, pcie_portdrv_init stretched over it.
// Every span keeps the source line of the real span it copies. The findings are detected on the result.
// `node dist/bench/construct-n0x16.js OUT.json` writes it as a Boot JSON (analyze and report read it).

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { detectFindings } from '../src/findings/index.js';
import { loadBoot } from '../src/pipeline/load-boot.js';
import { type Boot, ns, pidOf, type ProbeSpan } from '../src/model/types.js';

export const N0X16_SOURCE = 'fixtures/captures/n0x3';
const PCIE_COPIES = 6;
const NVME_DEVICES = 16;

export async function constructN0x16(capture = N0X16_SOURCE): Promise<Boot> {
  const real = await loadBoot([capture]);
  const isPcie = (p: ProbeSpan) => /^0000:20:0[0-2]\.0(:pcie\d+)?$/.test(p.device);
  const pcie = real.probes.filter(isPcie);
  const nvme = real.probes.filter((p) => p.driver === 'nvme' && p.startNs !== null).sort((a, b) => a.startNs! - b.startNs!);
  if (pcie.length === 0 || nvme.length === 0) throw new Error(`${capture}: no pcieport or nvme probes to construct from`);
  const pcieStart = Math.min(...pcie.map((p) => p.startNs!));
  const pcieEnd = Math.max(...pcie.map((p) => p.endNs!));
  const groupNs = pcieEnd - pcieStart + 400_000;
  const addedNs = (PCIE_COPIES - 1) * groupNs;
  const shift = (t: number | null | undefined, by: number) => (t === null || t === undefined ? (t as null) : ns(t + by));
  const moved = (p: ProbeSpan, by: number, device = p.device): ProbeSpan => ({
    ...p, device, startNs: shift(p.startNs, by), endNs: shift(p.endNs, by), bodyStartNs: shift(p.bodyStartNs, by), bodyEndNs: shift(p.bodyEndNs, by),
  });

  const probes: ProbeSpan[] = [];
  for (let k = 0; k < PCIE_COPIES; k++) {
    for (const p of pcie) {
      // Root port 0000:20:0X.0 of copy k is 0000:20:(3k+X).0, its port services follow it.
      const renamed = p.device.replace(/^0000:20:0([0-2])\.0/, (_, x: string) => `0000:20:${(3 * k + Number(x)).toString(16).padStart(2, '0')}.0`);
      probes.push(moved(p, k * groupNs, renamed));
    }
  }
  const after = real.probes.filter((p) => !isPcie(p) && p.driver !== 'nvme' && p.startNs !== null && p.startNs >= pcieStart);
  for (const p of after) probes.push(moved(p, addedNs));
  probes.push(...real.probes.filter((p) => !isPcie(p) && p.driver !== 'nvme' && (p.startNs === null || p.startNs < pcieStart)));

  // The nvme probes right after the platform probes that followed the pcieport stretch.
  const platformEnd = Math.max(pcieEnd + addedNs, ...after.map((p) => p.endNs! + addedNs));
  const arrival0 = platformEnd + 2_000_000;
  let cpuFree = 0;
  const workers = [...new Map(nvme.filter((p) => p.worker?.pid != null).map((p) => [p.worker!.pid, p.worker!])).values()];
  for (let j = 0; j < NVME_DEVICES; j++) {
    const base = nvme[j % nvme.length]!;
    const bodyNs = base.bodyEndNs! - base.bodyStartNs!;
    const queuedAfterStart = base.bodyStartNs! - base.queueDelayNs! - base.startNs!;
    const tailNs = base.endNs! - base.bodyEndNs!;
    const start = arrival0 + j * 100_000;
    const queued = start + queuedAfterStart;
    const bodyStart = Math.max(queued + 50_000, cpuFree);
    const bodyEnd = bodyStart + bodyNs;
    cpuFree = bodyEnd;
    const end = bodyEnd + Math.max(tailNs, 0);
    probes.push({
      ...base,
      device: `0000:${(0x21 + j).toString(16)}:00.0`,
      startNs: ns(start), endNs: ns(end), durationNs: ns(end - start),
      bodyStartNs: ns(bodyStart), bodyEndNs: ns(bodyEnd), queueDelayNs: ns(bodyStart - queued),
      // The capture's two bound kworkers of CPU 0 take turns.
      worker: workers[j % workers.length] ?? base.worker,
      queuedBy: base.queuedBy ? { ...base.queuedBy, comm: `kworker/u17:${j}`, pid: pidOf(300 + j), workerId: j } : null,
    });
  }
  probes.sort((a, b) => (a.startNs ?? 0) - (b.startNs ?? 0));

  const initcalls = real.initcalls.map((i) => {
    if (i.fn === 'pcie_portdrv_init') return { ...i, endNs: shift(i.endNs, addedNs), durationNs: i.durationNs === null ? null : ns(i.durationNs + addedNs) };
    return i.startNs !== null && i.startNs > pcieStart ? { ...i, startNs: shift(i.startNs, addedNs), endNs: shift(i.endNs, addedNs) } : i;
  });
  const boot: Boot = {
    ...real,
    inputs: [{ path: `constructed: 16 nvme, 18 pcieport from ${capture} (bench/construct-n0x16.ts)`, format: 'boot-json', lines: 0, diagnostics: 0 }],
    probes,
    initcalls,
    findings: [],
    diagnostics: [],
  };
  boot.findings = detectFindings(boot);
  return boot;
}

const out = process.argv[2];
if (out && import.meta.url === pathToFileURL(resolve(process.argv[1]!)).href) {
  writeFileSync(out, JSON.stringify(await constructN0x16(), null, 1));
  console.error(`wrote ${out}`);
}
