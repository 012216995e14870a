// Test support: ProbeSpans built from real lines of the bundled captures (fixtures/captures/), by
// file and line number, the way the dmesg builder and the trace join describe them (types.ts). The
// times are read from the cited lines themselves, so every number comes from the capture. Used
// until the whole pipeline (loadBoot) can be run on the capture directories in these tests.

import { readFileSync } from 'node:fs';
import { BOOT_SCHEMA, type Boot, type ProbeSpan, type WorkerIdentity } from '../../src/model/types.js';
import { cpuId, nodeId, ns, pidOf, type Cpu, type NodeId, type Pid } from '../../src/core/units.js';
import type { SourceRef } from '../../src/core/diagnostics.js';
import type { Topology } from '../../src/ingest/topology.types.js';

const cache = new Map<string, string[]>();

export function lineOf(file: string, line: number): string {
  let lines = cache.get(file);
  if (!lines) {
    lines = readFileSync(file, 'utf8').split('\n');
    cache.set(file, lines);
  }
  const text = lines[line - 1];
  if (text === undefined) throw new Error(`${file} has no line ${line}`);
  return text;
}

/** ns of an ftrace line's timestamp (`... [000] .....     6.560050: workqueue_...`). */
export function traceTimeNs(file: string, line: number): number {
  const m = /\]\s+\S+\s+(\d+)\.(\d{6}): /.exec(lineOf(file, line));
  if (!m) throw new Error(`${file}:${line} is not an ftrace event line`);
  return Number(m[1]) * 1e9 + Number(m[2]) * 1e3;
}

/** A worker as the trace line of `line` names it (`kworker/0:1-18`), with its pool CPU or kind. */
export function workerOfTraceLine(file: string, line: number): WorkerIdentity {
  const m = /^\s*(.+)-(\d+)\s+(?:\(.*?\)\s+)?\[(\d+)\]/.exec(lineOf(file, line));
  if (!m) throw new Error(`${file}:${line} has no task column`);
  return worker(m[1]!, Number(m[2]));
}

export function worker(comm: string, pid: number | null): WorkerIdentity {
  const bound = /^kworker\/(\d+):(\d+)(H?)$/.exec(comm);
  const unbound = /^kworker\/u(\d+):(\d+)$/.exec(comm);
  return {
    comm,
    pid: pid === null ? null : pidOf(pid),
    kind: bound ? (bound[3] ? 'highpri' : 'bound') : unbound ? 'unbound' : 'task',
    cpu: bound ? cpuId(Number(bound[1])) : null,
    pool: unbound ? Number(unbound[1]) : null,
    workerId: bound ? Number(bound[2]) : unbound ? Number(unbound[2]) : null,
    rescuerOf: null,
    maybeTruncated: comm.length === 15,
  };
}

export interface TraceRefs {
  queue: number;
  start: number;
  end: number;
}

/**
 * A probe span from a dmesg `probe of` line; with `trace`, joined to the work item whose queue /
 * execute_start / execute_end lines are given (worker, CPU, queuedBy, queue delay, evidence).
 */
export function probeFromDmesg(dir: string, line: number, opts: { driver?: string | null; node?: number | null; trace?: TraceRefs; callerIds?: boolean } = {}): ProbeSpan {
  const file = `${dir}/dmesg.log`;
  const text = lineOf(file, line);
  const m = /^\[\s*(\d+)\.(\d{6})\](?:\[\s*([TC])(\d+)\])? probe of (\S+) returned (-?\d+) after (\d+) usecs/.exec(text);
  if (!m) throw new Error(`${file}:${line} is not a probe line: ${text}`);
  const endNs = Number(m[1]) * 1e9 + Number(m[2]) * 1e3;
  const durationNs = Number(m[7]) * 1000;
  const callerPid = opts.callerIds && m[3] === 'T' ? pidOf(Number(m[4])) : null;
  const span: ProbeSpan = {
    device: m[5]!,
    driver: opts.driver === undefined ? 'nvme' : opts.driver,
    node: opts.node === undefined ? nodeId(0) : opts.node === null ? null : nodeId(opts.node),
    startNs: ns(endNs - durationNs),
    endNs: ns(endNs),
    durationNs: ns(durationNs),
    ret: Number(m[6]),
    status: 'ok',
    deferred: false,
    cpu: null,
    worker: callerPid === null ? null : { comm: null, pid: callerPid, kind: null, cpu: null, pool: null, workerId: null, rescuerOf: null, maybeTruncated: false },
    queuedBy: null,
    queueDelayNs: null,
    onCpuNs: null,
    runnableWaitNs: null,
    sleepNs: null,
    callerPid,
    origin: 'probe-line',
    source: { file, line },
    evidence: [],
  };
  if (!opts.trace) return span;
  const tfile = `${dir}/trace.txt`;
  const t = opts.trace;
  const ran = workerOfTraceLine(tfile, t.start);
  const refs: SourceRef[] = [t.queue, t.start, t.end].map((l) => ({ file: tfile, line: l }));
  return {
    ...span,
    cpu: traceCpu(tfile, t.start),
    worker: ran,
    queuedBy: workerOfTraceLine(tfile, t.queue),
    queueDelayNs: ns(traceTimeNs(tfile, t.start) - traceTimeNs(tfile, t.queue)),
    evidence: refs,
  };
}

/** A probe span from a dmesg `probe of` line whose body ran in the worker of a trace execute_start line (no hand-off). */
export function probeInWorker(dir: string, line: number, startLine: number, opts: { driver?: string | null; node?: number | null } = {}): ProbeSpan {
  const tfile = `${dir}/trace.txt`;
  return {
    ...probeFromDmesg(dir, line, opts),
    cpu: traceCpu(tfile, startLine),
    worker: workerOfTraceLine(tfile, startLine),
    evidence: [{ file: tfile, line: startLine }],
  };
}

/** A probe span from the patch-mail instrumentation line (no timestamps). */
export function probeFromCustomLine(file: string, line: number): ProbeSpan {
  const text = lineOf(file, line);
  const m = /^(\S+) (\S+): CPU:\s*(\d+), COMM: (.+?),?\s+(?:probe )?cost:?\s*(\d+) ns\s*$/.exec(text);
  if (!m) throw new Error(`${file}:${line} is not a custom probe line`);
  return {
    device: m[2]!, driver: m[1]!, node: null, startNs: null, endNs: null, durationNs: ns(Number(m[5])), ret: null,
    status: 'ok', deferred: false, cpu: cpuId(Number(m[3])), worker: worker(m[4]!, null), queuedBy: null,
    queueDelayNs: null, onCpuNs: null, runnableWaitNs: null, sleepNs: null, origin: 'custom-line',
    source: { file, line }, evidence: [],
  };
}

function traceCpu(file: string, line: number): Cpu {
  const m = /\[(\d+)\]/.exec(lineOf(file, line));
  return cpuId(Number(m![1]));
}

/** The captures' two-node topology (node-cpulist.txt: `node0: 0-3`, `node1: 4-7`), isolated as given. */
export function twoNodeTopology(isolated: number[] = []): Topology {
  return {
    cpus: [0, 1, 2, 3, 4, 5, 6, 7].map((c) => ({ cpu: cpuId(c), node: nodeId(c < 4 ? 0 : 1) as NodeId, core: null, socket: null, llc: null, online: true })),
    isolated: isolated.map(cpuId),
    source: null,
  };
}

/** No topology input (the patch mail names no machine layout). */
export function noTopology(): Topology {
  return { cpus: [], isolated: [], source: null };
}

export function bootOf(probes: ProbeSpan[], topology: Topology, release: string | null = '6.1.0-50-amd64'): Boot {
  return {
    schema: BOOT_SCHEMA,
    inputs: [],
    kernel: { release, banner: null, cmdline: null },
    topology,
    probes,
    initcalls: [],
    findings: [],
    diagnostics: [],
  };
}

export type { Pid };
