// Probe spans from kernel log records: one per drivers/base/dd.c `probe of X returned R after N usecs`
// line (end = line time, start = end − N µs) and per out-of-tree `CPU: c, COMM: w, probe cost: n ns`
// line (docs/kernel-log-formats.md §3.2, §5); when both describe the same probe they become one span.
// The driver is recovered from the lines around the probe (formats §4): the custom line's own driver,
// the failure line, driver-core dynamic-debug lines, the dev_printk owner of the device's messages,
// and `nvme nvmeN: pci function BDF`. The NUMA node comes from `pci_bus D:B: on NUMA node N` for
// devices on that root bus or on a bus number inside its `root bus resource [bus a-b]` range.
//
// Order facts used for pairing (drivers/base/dd.c really_probe / really_probe_debug, 4.19–7.1):
// the probe's own messages and the custom line come first, then the failure/deferral lines, then
// the `probe of` line (printed after really_probe() returns, by the same task).

import { UNBOUND_OWNERS } from '../ingest/kernel-records.js';
import type { KernelRecord } from '../ingest/kernel-records.types.js';
import type { Builder } from './builder.js';
import { probeReturnsOneOnSuccess, type KernelInfoBuilder } from './kernel-info.js';
import { initcallDebugOn, missingProbeLinesAdvice } from './kernel-release-facts.js';
import type { Diagnostic, NodeId, Ns, ProbeSpan, ProbeStatus, SourceRef, WorkerIdentity } from './types.js';
import { cpuId, nodeId, ns, pidOf, usToNs } from './types.js';
import { parseWorkerComm, workerFromPid } from './worker-identity.js';

export interface ProbeSpanData {
  probes: ProbeSpan[];
  diagnostics: Diagnostic[];
}

type Rec<T extends KernelRecord['type']> = Extract<KernelRecord, { type: T }>;
type DeviceEvent = Rec<'probe-return'> | Rec<'custom-probe-cost'> | Rec<'probe-failed'> | Rec<'probe-deferral'>;

interface Ordered<T> {
  order: number;
  record: T;
}

interface DriverHint {
  order: number;
  driver: string;
  source: SourceRef;
}

interface Draft {
  order: number;
  device: string;
  probe: Ordered<Rec<'probe-return'>> | null;
  custom: Ordered<Rec<'custom-probe-cost'>> | null;
  failure: Rec<'probe-failed'> | null;
  deferRequested: boolean;
  evidence: SourceRef[];
}

const BDF = /^([0-9a-f]{4,}):([0-9a-f]{2}):[0-9a-f]{2}\.[0-7]$/;
const EPROBE_DEFER = 517;
const ENODEV = 19;
const ENXIO = 6;

export class ProbeSpanBuilder implements Builder<KernelRecord, ProbeSpanData> {
  readonly name = 'probe-spans';
  /** The boot's kernel release (the pass's KernelInfoBuilder): read when finalizing. */
  constructor(private readonly kernel: KernelInfoBuilder) {}

  deps(): readonly string[] {
    return ['kernel-info'];
  }

  private order = 0;
  private events = new Map<string, Array<Ordered<DeviceEvent>>>();
  private ownerHints = new Map<string, DriverHint[]>();
  private coreHints = new Map<string, DriverHint[]>();
  private nvmeFunctions = new Map<string, SourceRef>();
  private busNodes = new Map<string, { node: NodeId; source: SourceRef }>();
  private rootRanges: Array<{ bus: string; domain: string; first: number; last: number }> = [];
  private comms = new Map<number, { comm: string; source: SourceRef }>();
  private initcallLinesSeen = false;
  private result: ProbeSpanData = { probes: [], diagnostics: [] };

  reset(): void {
    this.order = 0;
    this.events.clear();
    this.ownerHints.clear();
    this.coreHints.clear();
    this.nvmeFunctions.clear();
    this.busNodes.clear();
    this.rootRanges = [];
    this.comms.clear();
    this.initcallLinesSeen = false;
    this.result = { probes: [], diagnostics: [] };
  }

  handle(record: KernelRecord): void {
    const order = this.order++;
    switch (record.type) {
      case 'probe-return':
      case 'custom-probe-cost':
      case 'probe-failed':
      case 'probe-deferral':
        push(this.events, record.device, { order, record });
        if (record.type === 'custom-probe-cost' && !UNBOUND_OWNERS.has(record.driver)) {
          push(this.ownerHints, record.device, { order, driver: record.driver, source: record.line.source });
        } else if ((record.type === 'probe-failed' || record.type === 'probe-deferral') && record.driver !== null) {
          push(this.coreHints, record.device, { order, driver: record.driver, source: record.line.source });
        }
        break;
      case 'driver-core':
        if (record.driver !== null) push(this.coreHints, record.device, { order, driver: record.driver, source: record.line.source });
        break;
      case 'device-message':
        if (!UNBOUND_OWNERS.has(record.owner)) push(this.ownerHints, record.device, { order, driver: record.owner, source: record.line.source });
        break;
      case 'nvme-pci-function':
        if (!this.nvmeFunctions.has(record.device)) this.nvmeFunctions.set(record.device, record.line.source);
        break;
      case 'pci-bus-node':
        this.busNodes.set(record.bus, { node: nodeId(record.node), source: record.line.source });
        break;
      case 'initcall-start':
      case 'initcall-return':
        if (record.asyncCookie === null) this.initcallLinesSeen = true;
        break;
      case 'task-comm':
        // kworker pids are stable for the worker's life; the first name seen is kept.
        if (!this.comms.has(record.pid)) this.comms.set(record.pid, { comm: record.comm, source: record.line.source });
        break;
      case 'pci-root-bus-range':
        this.rootRanges.push({ bus: record.bus, domain: record.bus.split(':')[0]!, first: record.first, last: record.last });
        break;
      default:
        break;
    }
  }

  finalize(): void {
    const diagnostics: Diagnostic[] = [];
    const drafts: Draft[] = [];
    for (const [device, events] of this.events) drafts.push(...this.draftsFor(device, events, diagnostics));
    drafts.sort((a, b) => a.order - b.order);

    const oneOnSuccess = probeReturnsOneOnSuccess(this.kernel.version()) ?? drafts.some((d) => d.probe?.record.ret === 1);
    const swallowed: SourceRef[] = [];
    // A device's driver hints count for the span between its previous and its next span.
    const windows = new Map<Draft, { after: number; before: number }>();
    const last = new Map<string, Draft>();
    for (const d of drafts) {
      const prev = last.get(d.device);
      windows.set(d, { after: prev ? prev.order : -1, before: Infinity });
      if (prev) windows.get(prev)!.before = d.order;
      last.set(d.device, d);
    }

    const probes = drafts.map((d) => {
      const window = windows.get(d)!;
      const span = this.spanOf(d, window, oneOnSuccess);
      if (oneOnSuccess && span.ret === 0 && d.failure === null && !d.deferRequested) swallowed.push(span.source);
      return span;
    });
    if (swallowed.length > 0) {
      diagnostics.push({
        file: swallowed[0]!.file,
        line: swallowed[0]!.line,
        severity: 'warning',
        message:
          `${swallowed.length} probe line(s) returned 0 on a kernel where 1 means success (≤ 5.14) and no failure line names the error: ` +
          'marked rejected (-ENODEV/-ENXIO print nothing at the default level; a driver-requested deferral also returns 0 there)',
      });
    }
    this.result = { probes, diagnostics };
  }

  data(): ProbeSpanData {
    return this.result;
  }

  /** Walks one device's probe/custom/failure/deferral lines in order and pairs them into drafts. */
  private draftsFor(device: string, events: Array<Ordered<DeviceEvent>>, diagnostics: Diagnostic[]): Draft[] {
    const drafts: Draft[] = [];
    let custom: Ordered<Rec<'custom-probe-cost'>> | null = null;
    let failure: Rec<'probe-failed'> | null = null;
    let deferRequested = false;
    let evidence: SourceRef[] = [];
    const flushCustom = () => {
      if (!custom) return;
      drafts.push({ order: custom.order, device, probe: null, custom, failure, deferRequested, evidence });
      custom = null;
      failure = null;
      deferRequested = false;
      evidence = [];
    };
    const dropFailure = () => {
      if (!failure) return;
      diagnostics.push({
        ...lineOf(failure.line.source),
        severity: 'warning',
        message: `probe of ${device} by ${failure.driver} ${failure.rejectsMatch ? 'rejected the match' : 'failed'} (${failure.errno}) but no probe timing line or cost line describes it (${this.missingTimingReason()})`,
      });
      failure = null;
    };
    for (const event of events) {
      const r = event.record;
      if (r.type === 'custom-probe-cost') {
        flushCustom();
        dropFailure();
        custom = { order: event.order, record: r };
      } else if (r.type === 'probe-failed') {
        dropFailure();
        failure = r;
      } else if (r.type === 'probe-deferral') {
        if (r.event === 'pending') {
          const last = drafts[drafts.length - 1];
          if (last) last.evidence.push(r.line.source);
          diagnostics.push({
            ...lineOf(r.line.source),
            severity: 'warning',
            message: `${device}: deferred probe still pending at the deferred-probe timeout${r.reason ? `: ${r.reason}` : ''}`,
          });
          continue;
        }
        if (r.event === 'requests' || r.event === 'added') deferRequested = true;
        evidence.push(r.line.source);
      } else {
        const probeEvent = { order: event.order, record: r };
        const pending = custom as Ordered<Rec<'custom-probe-cost'>> | null;
        if (pending && !customInsideProbe(pending.record, r)) flushCustom();
        drafts.push({ order: event.order, device, probe: probeEvent, custom, failure, deferRequested, evidence });
        custom = null;
        failure = null;
        deferRequested = false;
        evidence = [];
      }
    }
    flushCustom();
    dropFailure();
    for (const source of evidence) {
      diagnostics.push({ ...lineOf(source), severity: 'warning', message: `deferral line for ${device} with no later probe line` });
    }
    return drafts;
  }

  private spanOf(d: Draft, window: { after: number; before: number }, oneOnSuccess: boolean): ProbeSpan {
    const probe = d.probe?.record ?? null;
    const custom = d.custom?.record ?? null;
    const source = (probe ?? custom)!.line.source;
    const evidence = [...d.evidence];
    if (d.failure) evidence.push(d.failure.line.source);
    if (probe && custom) evidence.push(custom.line.source);

    let durationNs: Ns;
    let endNs: Ns | null = null;
    let startNs: Ns | null = null;
    if (probe) {
      durationNs = usToNs(probe.usecs);
      endNs = probe.line.timeNs;
      startNs = endNs === null ? null : ns(endNs - durationNs);
    } else {
      // The cost line is printed when the probe body ends: with a timestamp it dates the span.
      durationNs = ns(custom!.costNs);
      endNs = custom!.line.timeNs;
      startNs = endNs === null ? null : ns(endNs - durationNs);
    }

    let worker: WorkerIdentity | null = null;
    let queuedBy: WorkerIdentity | null = null;
    const probeCaller = probe?.line.caller?.kind === 'T' ? probe.line.caller.id : null;
    if (custom) {
      const customCaller = custom.line.caller?.kind === 'T' ? custom.line.caller.id : null;
      worker = parseWorkerComm(custom.comm, customCaller);
      // The custom line is printed by the task that ran the probe body, the `probe of` line by the
      // really_probe() caller: they differ when the body went through work_on_cpu().
      if (probeCaller !== null && customCaller !== null && probeCaller !== customCaller) queuedBy = this.workerOf(probeCaller, evidence);
    } else if (probeCaller !== null) {
      worker = this.workerOf(probeCaller, evidence);
    }

    const { status, deferred } = statusOf(probe?.ret ?? null, d.failure, d.deferRequested, oneOnSuccess);
    // Later lines naming the device (pm callbacks, shutdown) come from the driver bound to it: right for a probe that
    // bound it, wrong for a rejected attempt (they name the driver that bound it next, e.g. sd after st declined a disk).
    const hintWindow = status === 'rejected' ? { after: window.after, before: Math.min(window.before, d.order) } : window;
    const driver = this.driverOf(d, hintWindow, evidence);
    const node = this.nodeOf(d.device, evidence);
    return {
      device: d.device,
      driver,
      node,
      startNs,
      endNs,
      durationNs,
      ret: probe ? probe.ret : null,
      status,
      deferred,
      cpu: custom ? cpuId(custom.cpu) : null,
      worker,
      queuedBy,
      queueDelayNs: null,
      onCpuNs: null,
      runnableWaitNs: null,
      sleepNs: null,
      origin: probe ? 'probe-line' : 'custom-line',
      callerPid: probeCaller === null ? null : pidOf(probeCaller),
      source,
      evidence,
    };
  }

  /** Why a probe has no timing line, for this log: initcall_debug off, or what this release needs besides it. */
  private missingTimingReason(): string {
    const info = this.kernel.data();
    if (!initcallDebugOn(info.cmdline, this.initcallLinesSeen)) return 'initcall_debug off?';
    const advice = missingProbeLinesAdvice(this.kernel.version(), info.release, true, info.banner);
    return `initcall_debug is on: ${advice.why}; add ${advice.add}`;
  }

  /** The task with this pid: its comm when a dump_stack header names it, else pid only. */
  private workerOf(pid: number, evidence: SourceRef[]): WorkerIdentity {
    const named = this.comms.get(pid);
    if (!named) return workerFromPid(pid);
    evidence.push(named.source);
    return parseWorkerComm(named.comm, pid);
  }

  private driverOf(d: Draft, window: { after: number; before: number }, evidence: SourceRef[]): string | null {
    if (d.custom && !UNBOUND_OWNERS.has(d.custom.record.driver)) return d.custom.record.driver;
    if (d.failure) return d.failure.driver;
    for (const hints of [this.coreHints.get(d.device), this.ownerHints.get(d.device)]) {
      const hint = hints ? nearest(hints, d.order, window) : null;
      if (hint) {
        evidence.push(hint.source);
        return hint.driver;
      }
    }
    const nvme = this.nvmeFunctions.get(d.device);
    if (nvme) {
      evidence.push(nvme);
      return 'nvme';
    }
    return null;
  }

  private nodeOf(device: string, evidence: SourceRef[]): NodeId | null {
    const m = BDF.exec(device);
    if (!m) return null;
    const domain = m[1]!;
    const busNumber = parseInt(m[2]!, 16);
    let known = this.busNodes.get(`${domain}:${m[2]!}`);
    if (!known) {
      const root = this.rootRanges.find((r) => r.domain === domain && busNumber >= r.first && busNumber <= r.last && this.busNodes.has(r.bus));
      if (root) known = this.busNodes.get(root.bus);
    }
    if (!known) return null;
    evidence.push(known.source);
    return known.node;
  }
}

/** The status a probe's return value alone gives (a function_graph exit with funcgraph-retval). */
export function statusOfReturn(ret: number | null): { status: ProbeStatus; deferred: boolean } {
  return statusOf(ret, null, false, false);
}

function statusOf(
  ret: number | null,
  failure: Rec<'probe-failed'> | null,
  deferRequested: boolean,
  oneOnSuccess: boolean,
): { status: ProbeStatus; deferred: boolean } {
  if (ret === EPROBE_DEFER || ret === -EPROBE_DEFER || deferRequested || failure?.errno === -EPROBE_DEFER) return { status: 'deferred', deferred: true };
  if (failure) return { status: failure.rejectsMatch ? 'rejected' : 'failed', deferred: false };
  if (ret === null) return { status: 'ok', deferred: false };
  if (oneOnSuccess) {
    if (ret === 1) return { status: 'ok', deferred: false };
    // ≤ 5.14 really_probe() swallowed ->probe() errors into 0; a failure prints a warning, so a
    // 0 without one is a -ENODEV/-ENXIO rejection (or an invisible deferral).
    if (ret === 0) return { status: 'rejected', deferred: false };
    return { status: 'failed', deferred: false };
  }
  if (ret === 0) return { status: 'ok', deferred: false };
  if (ret === ENODEV || ret === ENXIO || ret === -ENODEV || ret === -ENXIO) return { status: 'rejected', deferred: false };
  return { status: 'failed', deferred: false };
}

/** The custom line is printed inside the probe, so its time lies within [end − usecs, end] of the `probe of` line. */
function customInsideProbe(custom: Rec<'custom-probe-cost'>, probe: Rec<'probe-return'>): boolean {
  const at = custom.line.timeNs;
  const end = probe.line.timeNs;
  if (at === null || end === null) return true;
  const start = end - probe.usecs * 1000;
  return at >= start - 1000 && at <= end;
}

/** The hint closest before `order` inside the window, else the first after it inside the window. */
function nearest(hints: DriverHint[], order: number, window: { after: number; before: number }): DriverHint | null {
  // Hints are in input order: binary-search the window's start, then scan only the window.
  let lo = 0;
  let hi = hints.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (hints[mid]!.order <= window.after) lo = mid + 1;
    else hi = mid;
  }
  let best: DriverHint | null = null;
  for (let i = lo; i < hints.length && hints[i]!.order < window.before; i++) {
    const h = hints[i]!;
    if (h.order < order) best = h;
    else return best ?? h;
  }
  return best;
}

function lineOf(source: SourceRef): { file: string; line: number } {
  return { file: source.file, line: source.line };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
