// CPU topology inputs (docs/kernel-log-formats.md §11):
// - `lscpu -p` / `lscpu --parse[=cols]` CSV (util-linux sys-utils/lscpu.c print_cpus_parsable, checked
//   against util-linux 2.38.1 output and the util-linux test expectations in ../shared/corpus/lscpu_numa):
//   `# CPU,Core,Socket,Node,,L1d,L1i,L2,L3` header, columns mapped by name, unknown columns ignored;
//   files may hold the human output and several parse blocks (`--parse`, then `--parse --physical`):
//   the first block that names a CPU wins.
// - human `lscpu` output: `CPU(s):`, `On-line CPU(s) list:`, `Off-line CPU(s) list:`,
//   `NUMA nodeN CPU(s): 0-5,48-53` (util-linux prints strided runs as `0-62:2`).
// - sysfs cpulist text (lib/vsprintf.c bitmap_list_string, `%*pbl`): a bare list, `nodeN: list` /
//   `online: list` / `isolated: list` lines (the captures' node-cpulist.txt and cpus.txt), or a
//   `/sys/devices/system/node/nodeN/cpulist` file (the node comes from the path).

import { parse as parseCsv } from 'csv-parse/sync';
import type { Cpu } from '../core/units.js';
import type { Diagnostic } from '../core/diagnostics.js';
import type { Topology, TopologyCpu } from './topology.types.js';
import { cpuId, nodeId } from '../core/units.js';
import type { DiagnosticSink } from './kernel-log.js';
import { readLines } from './lines.js';
import { tryParseCpuList } from '../core/cpu-list.js';

interface PartialCpu {
  node: number | null;
  core: number | null;
  socket: number | null;
  llc: number | null;
  online: boolean | null;
}

class TopologyCollector {
  readonly cpus = new Map<number, PartialCpu>();
  readonly nodeLists = new Map<number, { cpus: number[]; line: number }>();
  readonly isolated = new Set<number>();
  online: number[] | null = null;
  offline: number[] | null = null;
  firstLine: number | null = null;

  constructor(
    readonly path: string,
    private readonly onDiagnostic: DiagnosticSink,
  ) {}

  warn(line: number | null, message: string): void {
    const d: Diagnostic = { file: this.path, line, message, severity: 'warning' };
    this.onDiagnostic(d);
  }

  mark(line: number): void {
    this.firstLine ??= line;
  }

  cpu(n: number): PartialCpu {
    let c = this.cpus.get(n);
    if (!c) {
      c = { node: null, core: null, socket: null, llc: null, online: null };
      this.cpus.set(n, c);
    }
    return c;
  }

  /** Applies the node lists, online/offline lists and builds the result. `nodeListsDefineCpus`: a CPU named only by a node list exists. */
  finish(nodeListsDefineCpus: boolean): Topology {
    const online = this.online === null ? null : new Set(this.online);
    if (this.cpus.size === 0) {
      for (const n of this.online ?? []) this.cpu(n);
      for (const n of this.offline ?? []) this.cpu(n);
    }
    const known = this.cpus.size > 0;
    for (const [node, { cpus, line }] of this.nodeLists) {
      let unknown = 0;
      for (const n of cpus) {
        if (known && !nodeListsDefineCpus && !this.cpus.has(n)) {
          unknown++;
          continue;
        }
        const c = this.cpu(n);
        if (c.node === null) c.node = node;
        else if (c.node !== node) this.warn(line, `CPU ${n} is listed on node ${node} but on node ${c.node} elsewhere in the file`);
      }
      if (unknown > 0) this.warn(line, `node ${node} lists ${unknown} CPU(s) the file does not otherwise report; ignored`);
    }
    const offline = new Set(this.offline ?? []);
    const cpus: TopologyCpu[] = [...this.cpus.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([n, c]) => ({
        cpu: cpuId(n),
        node: c.node === null ? null : nodeId(c.node),
        core: c.core,
        socket: c.socket,
        llc: c.llc,
        online: c.online ?? (offline.has(n) ? false : online ? online.has(n) : true),
      }));
    if (cpus.length === 0) this.warn(null, 'no CPU found in this topology file');
    return {
      cpus,
      isolated: [...this.isolated].sort((a, b) => a - b).map((n) => cpuId(n)) as Cpu[],
      source: this.firstLine === null ? null : { file: this.path, line: this.firstLine },
    };
  }
}

/** Reads an `lscpu` (parse CSV and/or human output) or a `cpulist` (sysfs lists) topology file. */
export async function readTopology(path: string, format: 'lscpu' | 'cpulist', onDiagnostic: DiagnosticSink): Promise<Topology> {
  const collector = new TopologyCollector(path, onDiagnostic);
  if (format === 'lscpu') {
    await readLscpu(path, collector);
    return collector.finish(false);
  }
  await readCpulist(path, collector);
  return collector.finish(true);
}

const HUMAN_LINE = /^\s*([^:]+?):\s*(.*?)\s*$/;
const HUMAN_NODE = /^NUMA node(\d+) CPU\(s\)$/;

async function readLscpu(path: string, collector: TopologyCollector): Promise<void> {
  let block: { header: string[]; rows: Array<{ text: string; line: number }>; line: number } | null = null;
  const flush = () => {
    if (block) applyParseBlock(block.header, block.rows, block.line, collector);
    block = null;
  };
  await readLines(path, (text, line) => {
    if (text.startsWith('#')) {
      const header = /^#\s*(CPU(?:,.*)?)$/i.exec(text.trim());
      if (header) {
        flush();
        collector.mark(line);
        block = { header: header[1]!.split(',').map((h) => h.trim().toLowerCase()), rows: [], line };
      }
      return;
    }
    if (block && /^\d/.test(text)) {
      block.rows.push({ text, line });
      return;
    }
    flush();
    if (text.trim() === '') return;
    const m = HUMAN_LINE.exec(text);
    if (!m) return;
    const key = m[1]!.trim();
    const value = m[2]!;
    const node = HUMAN_NODE.exec(key);
    if (node) {
      collector.mark(line);
      const list = tryParseCpuList(value);
      if (list === null) collector.warn(line, `not a CPU list: "${value}"`);
      else collector.nodeLists.set(Number(node[1]), { cpus: list, line });
    } else if (key === 'On-line CPU(s) list' || key === 'Off-line CPU(s) list') {
      collector.mark(line);
      const list = tryParseCpuList(value);
      if (list === null) collector.warn(line, `not a CPU list: "${value}"`);
      else if (key.startsWith('On')) collector.online = list;
      else collector.offline = list;
    }
  });
  flush();
}

/** One `lscpu --parse` block: rows parsed by csv-parse, columns mapped by header name. */
function applyParseBlock(header: string[], rows: Array<{ text: string; line: number }>, headerLine: number, collector: TopologyCollector): void {
  const column = (name: string) => header.indexOf(name);
  const cpuCol = column('cpu');
  const nodeCol = column('node');
  const coreCol = column('core');
  const socketCol = column('socket');
  const onlineCol = column('online');
  // The last-level cache: the highest unified cache level the header names.
  const llcCol = ['l4', 'l3', 'l2'].map(column).find((i) => i >= 0) ?? -1;
  if (rows.length === 0) {
    collector.warn(headerLine, 'lscpu parse header without CPU rows');
    return;
  }
  // `lscpu -p` without the Node column (it is printed only when asked, or on kernels without NUMA): say so,
  // since every node-based finding and the simulator then see one node.
  if (nodeCol < 0) collector.warn(headerLine, 'no Node column: the NUMA node of each CPU is unknown (use `lscpu -p=CPU,Core,Socket,Node,Cache`)');
  let records: string[][];
  try {
    records = parseCsv(rows.map((r) => r.text).join('\n'), { relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (err) {
    collector.warn(headerLine, `lscpu parse block is not CSV: ${(err as Error).message}`);
    return;
  }
  records.forEach((fields, i) => {
    const line = rows[i]?.line ?? headerLine;
    if (fields.length !== header.length) {
      collector.warn(line, `${fields.length} fields where the header names ${header.length}`);
    }
    const cpu = idField(fields[cpuCol]);
    if (cpu === null) {
      collector.warn(line, 'row without a CPU number');
      return;
    }
    if (collector.cpus.has(cpu)) return; // a later block (`--physical`) repeats the CPUs with other ids
    const c = collector.cpu(cpu);
    c.node = idField(fields[nodeCol]);
    c.core = idField(fields[coreCol]);
    c.socket = idField(fields[socketCol]);
    c.llc = llcCol >= 0 ? idField(fields[llcCol]) : null;
    if (onlineCol >= 0) {
      const v = fields[onlineCol]?.trim().toUpperCase();
      c.online = v === 'Y' ? true : v === 'N' ? false : null;
    }
  });
}

function idField(value: string | undefined): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  return /^\d+$/.test(v) ? Number(v) : null;
}

const KEYED_LIST = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/;
const NODE_KEY = /^node(\d+)$/;
const NODE_PATH = /node(\d+)\/cpulist$/;
const IGNORED_KEYS = new Set(['nproc', 'unbound_wq_cpumask', 'kernel_max']);

async function readCpulist(path: string, collector: TopologyCollector): Promise<void> {
  const pathNode = NODE_PATH.exec(path);
  const present = new Set<number>();
  let online: number[] | null = null;
  await readLines(path, (text, line) => {
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const keyed = KEYED_LIST.exec(trimmed);
    if (!keyed) {
      const list = tryParseCpuList(trimmed);
      if (list === null) {
        collector.warn(line, `not a CPU list: "${trimmed}"`);
        return;
      }
      collector.mark(line);
      if (pathNode) collector.nodeLists.set(Number(pathNode[1]), { cpus: list, line });
      else for (const n of list) present.add(n);
      return;
    }
    const key = keyed[1]!;
    const value = keyed[2]!;
    if (IGNORED_KEYS.has(key)) return;
    // sysfs prints a NULL cpumask (e.g. nohz_full without nohz_full=) as `(null)`.
    const list = value.trim() === '(null)' ? [] : tryParseCpuList(value);
    if (list === null) {
      collector.warn(line, `"${key}:" is not followed by a CPU list: "${value}"`);
      return;
    }
    collector.mark(line);
    const node = NODE_KEY.exec(key);
    if (node) collector.nodeLists.set(Number(node[1]), { cpus: list, line });
    else if (key === 'online') online = list;
    else if (key === 'offline') collector.offline = list;
    else if (key === 'possible' || key === 'present') for (const n of list) present.add(n);
    else if (key === 'isolated' || key === 'nohz_full') for (const n of list) collector.isolated.add(n);
    else collector.warn(line, `unknown cpulist key "${key}"; ignored`);
  });
  collector.online = online;
  for (const n of present) collector.cpu(n);
  for (const n of online ?? []) collector.cpu(n);
}

