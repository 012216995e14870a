// A Boot holding the real values of fixtures/captures/before-n0x3 (unpatched 6.1.176, 3 NVMe on
// node 0): the three `probe of` lines of dmesg.log and the work_for_cpu_fn items of trace.txt that
// ran their bodies on CPU 0 (kworker/0:1-16, kworker/0:2-96), queued by the async workers.
// Used where a test must not depend on the whole pipeline; the browser test loads the capture itself.

import { BOOT_SCHEMA, type Boot, type InitcallSpan, type ProbeSpan, type WorkerIdentity } from '../../../src/model/types.js';
import { cpuId, nodeId, ns, pidOf } from '../../../src/core/units.js';

const DMESG = 'fixtures/captures/before-n0x3/dmesg.log';
const TRACE = 'fixtures/captures/before-n0x3/trace.txt';

function worker(comm: string, pid: number, kind: 'bound' | 'unbound', cpuOrPool: number, id: number): WorkerIdentity {
  return {
    comm,
    pid: pidOf(pid),
    kind,
    cpu: kind === 'bound' ? cpuId(cpuOrPool) : null,
    pool: kind === 'unbound' ? cpuOrPool : null,
    workerId: id,
    rescuerOf: null,
    maybeTruncated: false,
  };
}

function probe(device: string, endUs: number, costUs: number, line: number, body: WorkerIdentity, queuedBy: WorkerIdentity, queueDelayUs: number): ProbeSpan {
  return {
    device,
    driver: 'nvme',
    node: nodeId(0),
    startNs: ns((endUs - costUs) * 1000),
    endNs: ns(endUs * 1000),
    durationNs: ns(costUs * 1000),
    ret: 0,
    status: 'ok',
    deferred: false,
    cpu: cpuId(0),
    worker: body,
    queuedBy,
    queueDelayNs: ns(queueDelayUs * 1000),
    onCpuNs: null,
    runnableWaitNs: null,
    sleepNs: null,
    callerPid: queuedBy.pid,
    origin: 'probe-line',
    source: { file: DMESG, line },
    evidence: [{ file: TRACE, line: 3536 }],
  };
}

function initcall(fn: string, module: string, startUs: number, costUs: number, line: number, pid: number): InitcallSpan {
  return {
    fn,
    module,
    asyncCookie: null,
    callerPid: pidOf(pid),
    startNs: ns(startUs * 1000),
    endNs: ns((startUs + costUs) * 1000),
    durationNs: ns(costUs * 1000),
    usecsAreShifted: false,
    ret: 0,
    level: null,
    source: { file: DMESG, line },
  };
}

export function beforeN0x3Boot(): Boot {
  const k01 = worker('kworker/0:1', 16, 'bound', 0, 1);
  const k02 = worker('kworker/0:2', 96, 'bound', 0, 2);
  return {
    schema: BOOT_SCHEMA,
    inputs: [{ path: DMESG, format: 'dmesg', lines: 1300, diagnostics: 0 }],
    kernel: { release: '6.1.176-lab', banner: null, cmdline: 'driver_async_probe=nvme labkernel=before' },
    topology: {
      cpus: [0, 1, 2, 3, 4, 5, 6, 7].map((c) => ({ cpu: cpuId(c), node: nodeId(c < 4 ? 0 : 1), core: c, socket: c < 4 ? 0 : 1, llc: null, online: true })),
      isolated: [],
      source: null,
    },
    probes: [
      // 4.061093 [T8] probe of 0000:21:00.0 ... after 3208 usecs; queued 4.057970, ran 4.058109 on kworker/0:1-16.
      probe('0000:21:00.0', 4_061_093, 3208, 1219, k01, worker('kworker/u17:0', 8, 'unbound', 17, 0), 139),
      // 4.061165 [T55] ... after 2245 usecs; queued 4.058964, ran 4.059019 on kworker/0:2-96.
      probe('0000:22:00.0', 4_061_165, 2245, 1220, k02, worker('kworker/u17:1', 55, 'unbound', 17, 1), 55),
      // 4.067657 [T58] ... after 6140 usecs; queued 4.061580, ran 4.061668 on kworker/0:2-96.
      probe('0000:23:00.0', 4_067_657, 6140, 1222, k02, worker('kworker/u17:2', 58, 'unbound', 17, 2), 88),
    ],
    initcalls: [
      initcall('nvme_core_init', 'nvme_core', 4_033_635, 2243, 1212, 159),
      initcall('nvme_init', 'nvme', 4_057_058, 428, 1215, 164),
    ],
    findings: [],
    diagnostics: [],
  };
}
