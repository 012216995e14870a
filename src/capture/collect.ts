// `trace-probe capture collect -o DIR`: gathers, from the running system after a boot made with the plan's
// parameters, the files `trace-probe analyze DIR` reads. Every piece that cannot be had is a warning that
// says what the analysis loses; nothing here analyses.
// Sources: Documentation/ABI/testing/dev-kmsg (one record per read(), EAGAIN at the end with O_NONBLOCK,
// EPIPE when records were overwritten), Documentation/trace/ftrace.rst (tracefs files, per_cpu/cpuN/stats,
// instances/), Documentation/ABI/testing/sysfs-devices-system-cpu (possible, online, isolated, nohz_full),
// Documentation/ABI/stable/sysfs-devices-node (nodeN/cpulist), Documentation/ABI/testing/sysfs-bus-pci
// (numa_node, vendor, device, class, driver link), trace-cmd-extract(1).

import { spawnSync } from 'node:child_process';
import { closeSync, constants, createWriteStream, existsSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { availableParallelism, machine, release as osRelease, version as osVersion, hostname } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createReadStream } from 'node:fs';

export interface CollectOptions {
  /** The directory to write (created; must be empty if it exists). */
  dir: string;
  /** A tracefs instance (instances/NAME) instead of the top-level buffer. */
  instance?: string;
  /** Read the tracefs `trace` text even when trace-cmd is installed (it does not consume the buffer). */
  noTraceCmd?: boolean;
  /** Decides whether this trace-probe reads a trace.dat file (else trace-cmd report text is written too). */
  readsTraceDat: (path: string) => Promise<boolean>;
  /** Root of the system files (tests of the pure parts use another one); default `/`. */
  root?: string;
}

export interface CollectResult {
  dir: string;
  files: Array<{ name: string; what: string }>;
  warnings: string[];
}

const TRACEFS_MOUNTS = ['sys/kernel/tracing', 'sys/kernel/debug/tracing'];

/** Gathers everything; throws only when DIR cannot be made. */
export async function collectCapture(options: CollectOptions): Promise<CollectResult> {
  const root = options.root ?? '/';
  const dir = options.dir;
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new CollectError(`${dir} is not empty: collect writes a new capture directory`);
  const result: CollectResult = { dir, files: [], warnings: [] };
  const wrote = (name: string, what: string) => result.files.push({ name, what });
  const warn = (text: string) => result.warnings.push(text);
  if (typeof process.getuid === 'function' && process.getuid() !== 0 && root === '/') {
    warn('not running as root: /dev/kmsg (with dmesg_restrict), tracefs and some sysfs files may be unreadable');
  }

  // The kernel log first: it is the boot's record, and the trace reading below does not touch it.
  collectKernelLog(root, dir, wrote, warn);
  await collectTrace(root, dir, options, wrote, warn);
  collectTopology(root, dir, wrote, warn);
  collectPci(root, dir, wrote, warn);
  const cmdline = readText(join(root, 'proc/cmdline'));
  if (cmdline !== null) {
    writeFileSync(join(dir, 'cmdline.txt'), cmdline.endsWith('\n') ? cmdline : `${cmdline}\n`);
    wrote('cmdline.txt', '/proc/cmdline');
    const missing = ['initcall_debug', 'trace_event='].filter((p) => !cmdline.split(/\s+/).some((w) => w === p || (p.endsWith('=') && w.startsWith(p))));
    if (missing.length > 0) warn(`this boot's command line lacks ${missing.join(' and ')}: see \`trace-probe capture plan\` (without initcall_debug no probe or initcall spans; without trace_event= the trace holds no boot-time events)`);
  } else warn('/proc/cmdline unreadable: the boot parameters are not recorded');
  const uname = spawnSync('uname', ['-a'], { encoding: 'utf8' });
  const unameText = uname.status === 0 ? uname.stdout : `Linux ${hostname()} ${osRelease()} ${osVersion()} ${machine()}\n`;
  writeFileSync(join(dir, 'uname.txt'), unameText);
  wrote('uname.txt', uname.status === 0 ? 'uname -a' : 'kernel release and version (uname not found)');
  writeFileSync(join(dir, 'collect.log'), [
    `trace-probe capture collect, ${new Date().toISOString()}`,
    ...result.files.map((f) => `wrote ${f.name}: ${f.what}`),
    ...result.warnings.map((w) => `warning: ${w}`),
  ].join('\n') + '\n');
  return result;
}

export class CollectError extends Error {}

type Wrote = (name: string, what: string) => void;
type Warn = (text: string) => void;

/** /dev/kmsg read without blocking, one record per read(); `dmesg -r` when /dev/kmsg cannot be read. */
function collectKernelLog(root: string, dir: string, wrote: Wrote, warn: Warn): void {
  const records = readKmsg(join(root, 'dev/kmsg'));
  if (records !== null && records.count > 0) {
    writeFileSync(join(dir, 'kmsg.txt'), records.text);
    wrote('kmsg.txt', `the kernel log from /dev/kmsg (${records.count} records${records.lost > 0 ? `, ${records.lost} overwritten before they could be read` : ''})`);
    if (records.lost > 0) warn(`/dev/kmsg: ${records.lost} records were overwritten while reading (the printk ring is full): raise log_buf_len`);
    if (records.firstSeq !== null && records.firstSeq > 0) {
      warn(`the kernel log starts at record ${records.firstSeq}: the first ${records.firstSeq} records of the boot were overwritten (printk ring too small: raise log_buf_len); the earliest probes and initcalls are missing`);
    }
    return;
  }
  if (root === '/') {
    const dmesg = spawnSync('dmesg', ['-r'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (dmesg.status === 0 && dmesg.stdout.length > 0) {
      writeFileSync(join(dir, 'dmesg-raw.log'), dmesg.stdout);
      wrote('dmesg-raw.log', `the kernel log from \`dmesg -r\` (/dev/kmsg unreadable${records === null ? '' : ': empty'})`);
      return;
    }
  }
  warn('no kernel log: /dev/kmsg and `dmesg -r` could not be read; the analysis has no probe or initcall spans (only what the trace shows)');
}

export interface KmsgRead {
  text: string;
  count: number;
  lost: number;
  firstSeq: number | null;
}

/** Reads every record /dev/kmsg holds now, without waiting for new ones; null when it cannot be opened. */
export function readKmsg(path: string): KmsgRead | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  const chunks: string[] = [];
  let count = 0;
  let lost = 0;
  let firstSeq: number | null = null;
  // A record is at most PRINTKRB_RECORD_MAX (1 KiB text) plus its prefix and dictionary: 16 KiB is plenty.
  const buf = Buffer.alloc(16 * 1024);
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        if (code === 'EPIPE') {
          lost++;
          continue;
        }
        if (count === 0) return null;
        break;
      }
      if (n === 0) break;
      const record = buf.toString('utf8', 0, n);
      if (firstSeq === null) {
        const seq = /^\d+,(\d+),/.exec(record);
        if (seq) firstSeq = Number(seq[1]);
      }
      chunks.push(record.endsWith('\n') ? record : `${record}\n`);
      count++;
    }
  } finally {
    closeSync(fd);
  }
  return { text: chunks.join(''), count, lost, firstSeq };
}

/** The tracefs directory of the buffer to read (mounting tracefs when it is not mounted yet). */
function findTracefs(root: string, instance: string | undefined, warn: Warn): string | null {
  let base = TRACEFS_MOUNTS.map((m) => join(root, m)).find((d) => existsSync(join(d, 'trace'))) ?? null;
  if (base === null && root === '/' && existsSync('/sys/kernel/tracing')) {
    // What trace-cmd does too: tracefs is often not mounted until someone needs it.
    const mount = spawnSync('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { encoding: 'utf8' });
    if (mount.status === 0 && existsSync('/sys/kernel/tracing/trace')) base = '/sys/kernel/tracing';
    else warn(`tracefs is not mounted and mounting it failed (${(mount.stderr || mount.error?.message || '').trim() || `exit ${mount.status}`})`);
  }
  if (base === null) return null;
  if (instance === undefined) return base;
  const inst = join(base, 'instances', instance);
  if (!existsSync(join(inst, 'trace'))) {
    warn(`tracefs instance "${instance}" does not exist (${inst})`);
    return null;
  }
  return inst;
}

async function collectTrace(root: string, dir: string, options: CollectOptions, wrote: Wrote, warn: Warn): Promise<void> {
  const tracefs = findTracefs(root, options.instance, warn);
  if (tracefs === null) {
    warn('no tracefs: no trace; the analysis has no worker, CPU or queueing identity for the probes (kernel log only)');
    return;
  }
  // The set-up and the ring-buffer statistics first (extract below consumes the buffer).
  const setup: Array<[string, string]> = [['trace_clock', 'trace_clock.txt'], ['buffer_size_kb', 'buffer_size_kb.txt'], ['set_event', 'set_event.txt']];
  for (const [file, name] of setup) {
    const text = readText(join(tracefs, file));
    if (text !== null) {
      writeFileSync(join(dir, name), text);
      wrote(name, `tracefs ${file}`);
    }
  }
  const events = (readText(join(tracefs, 'set_event')) ?? '').split('\n').filter((l) => l.trim() !== '');
  const wanted = ['workqueue:workqueue_execute_start', 'sched:sched_switch'];
  const absent = wanted.filter((e) => !events.includes(e));
  if (absent.length > 0) {
    warn(`the trace buffer does not record ${absent.join(', ')} now (set_event): unless they were enabled during the boot, the trace has no ${absent.some((e) => e.startsWith('workqueue')) ? 'worker/CPU identity' : 'on-CPU/runnable time'} for the probes (boot with the plan's trace_event=)`);
  }
  const stats = perCpuStats(tracefs);
  if (stats.text !== '') {
    writeFileSync(join(dir, 'trace-stats.txt'), stats.text);
    wrote('trace-stats.txt', 'per-CPU ring-buffer statistics (tracefs per_cpu/cpuN/stats)');
    if (stats.overrunCpus.length > 0) {
      warn(`the trace ring buffer overflowed on CPU ${stats.overrunCpus.join(', ')} (${stats.overruns} events overwritten): the earliest events are gone, the first probes may lack their worker identity; raise trace_buf_size`);
    }
  }

  const traceCmd = root === '/' && options.noTraceCmd !== true ? spawnSync('trace-cmd', ['--version'], { encoding: 'utf8' }) : null;
  if (traceCmd !== null && traceCmd.error === undefined) {
    const datPath = join(dir, 'trace.dat');
    // -k keeps the tracing state: without it trace-cmd turns tracing off when done and removes a -B instance.
    const args = ['extract', '-k', '-o', datPath, ...(options.instance !== undefined ? ['-B', options.instance] : [])];
    const extract = spawnSync('trace-cmd', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (extract.status === 0 && existsSync(datPath) && statSync(datPath).size > 0) {
      wrote('trace.dat', `trace-cmd ${args.join(' ').replace(datPath, 'trace.dat')}`);
      if (await options.readsTraceDat(datPath)) return;
      // This trace-probe does not read trace.dat: the same events as `trace-cmd report` text (a format it reads).
      const out = join(dir, 'trace-cmd.txt');
      const report = spawnSync('sh', ['-c', 'exec trace-cmd report -i "$1" > "$2"', 'sh', datPath, out], { encoding: 'utf8' });
      if (report.status === 0 && existsSync(out) && statSync(out).size > 0) {
        wrote('trace-cmd.txt', 'trace-cmd report -i trace.dat (the text this trace-probe reads)');
        return;
      }
      warn(`trace-cmd report failed (${(report.stderr || '').trim().split('\n')[0] || `exit ${report.status}`}): the trace is only in trace.dat, which this trace-probe does not read`);
      return;
    }
    warn(`trace-cmd extract failed (${(extract.stderr || extract.error?.message || '').trim().split('\n').pop() || `exit ${extract.status}`}): reading the tracefs trace text instead`);
  }
  const out = join(dir, 'trace.txt');
  try {
    await pipeline(createReadStream(join(tracefs, 'trace')), createWriteStream(out));
    const why = options.noTraceCmd === true ? ' (--no-trace-cmd)' : traceCmd?.error !== undefined ? ' (trace-cmd is not installed)' : '';
    wrote('trace.txt', `tracefs ${options.instance !== undefined ? `instances/${options.instance}/` : ''}trace${why}`);
  } catch (err) {
    warn(`the tracefs trace could not be read (${(err as Error).message}): no trace`);
  }
}

function perCpuStats(tracefs: string): { text: string; overruns: number; overrunCpus: number[] } {
  const dir = join(tracefs, 'per_cpu');
  let cpus: string[] = [];
  try {
    cpus = readdirSync(dir).filter((d) => /^cpu\d+$/.test(d)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  } catch {
    return { text: '', overruns: 0, overrunCpus: [] };
  }
  const parts: string[] = [];
  let overruns = 0;
  const overrunCpus: number[] = [];
  for (const cpu of cpus) {
    const text = readText(join(dir, cpu, 'stats'));
    if (text === null) continue;
    parts.push(`${cpu}:\n${text}`);
    const m = /^overrun: (\d+)/m.exec(text);
    if (m && Number(m[1]) > 0) {
      overruns += Number(m[1]);
      overrunCpus.push(Number(cpu.slice(3)));
    }
  }
  return { text: parts.join(''), overruns, overrunCpus };
}

function collectTopology(root: string, dir: string, wrote: Wrote, warn: Warn): void {
  const lscpu = root === '/' ? spawnSync('lscpu', ['-p'], { encoding: 'utf8' }) : null;
  if (lscpu !== null && lscpu.status === 0 && lscpu.stdout.length > 0) {
    writeFileSync(join(dir, 'lscpu.csv'), lscpu.stdout);
    wrote('lscpu.csv', 'lscpu -p');
  } else if (root === '/') warn('lscpu -p failed: the topology comes from sysfs node cpulists only (no cores or sockets)');

  const nodeDir = join(root, 'sys/devices/system/node');
  const nodes = listDir(nodeDir).filter((d) => /^node\d+$/.test(d)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const lines = nodes.flatMap((n) => {
    const list = readText(join(nodeDir, n, 'cpulist'));
    return list === null ? [] : [`${n}: ${list.trim()}`];
  });
  if (lines.length > 0) {
    writeFileSync(join(dir, 'node-cpulist.txt'), `${lines.join('\n')}\n`);
    wrote('node-cpulist.txt', `${lines.length} NUMA node${lines.length === 1 ? '' : 's'} (sysfs nodeN/cpulist)`);
  } else warn('no NUMA node cpulists in sysfs (kernel without CONFIG_NUMA?): every CPU counts as node 0');

  const cpuDir = join(root, 'sys/devices/system/cpu');
  const cpuLines: string[] = [];
  for (const key of ['possible', 'present', 'online', 'offline', 'isolated', 'nohz_full']) {
    const text = readText(join(cpuDir, key));
    if (text !== null) cpuLines.push(`${key}: ${text.trim()}`);
  }
  const mask = readText(join(root, 'sys/devices/virtual/workqueue/cpumask'));
  if (mask !== null) cpuLines.push(`unbound_wq_cpumask: ${mask.trim()}`);
  if (root === '/') cpuLines.push(`nproc: ${availableParallelism()}`);
  if (cpuLines.length > 0) {
    writeFileSync(join(dir, 'cpus.txt'), `${cpuLines.join('\n')}\n`);
    wrote('cpus.txt', 'possible/present/online/offline/isolated/nohz_full CPUs and the unbound workqueue cpumask');
  } else warn('no CPU lists in sysfs: isolated and nohz_full CPUs are unknown');
}

function collectPci(root: string, dir: string, wrote: Wrote, warn: Warn): void {
  const pciDir = join(root, 'sys/bus/pci/devices');
  const devices = listDir(pciDir).filter((d) => /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/.test(d)).sort();
  if (devices.length === 0) {
    warn('no PCI devices in sysfs: device NUMA nodes come from kernel log lines only');
    return;
  }
  const lines = devices.map((d) => {
    const at = (f: string) => (readText(join(pciDir, d, f)) ?? '?').trim();
    let driver = '-';
    try {
      driver = basename(readlinkSync(join(pciDir, d, 'driver')));
    } catch {
      // no driver bound
    }
    return `${d} numa_node=${at('numa_node')} vendor=${at('vendor')} device=${at('device')} class=${at('class')} driver=${driver}`;
  });
  writeFileSync(join(dir, 'pci-numa.txt'), `${lines.join('\n')}\n`);
  wrote('pci-numa.txt', `${devices.length} PCI devices: numa_node, ids, class, bound driver`);
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
