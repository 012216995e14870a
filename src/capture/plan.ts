// `trace-probe capture plan`: what to add to the kernel command line so that the next boot records what the
// analysis reads, how to make it persistent, and what `capture collect` will gather afterwards.
// Sources: Documentation/admin-guide/kernel-parameters.txt (initcall_debug, log_buf_len, trace_event,
// trace_buf_size, trace_clock, dyndbg), Documentation/admin-guide/bootconfig.rst (`kernel.*` keys are given
// to the kernel command line), Documentation/admin-guide/dynamic-debug-howto.rst, drivers/base/dd.c
// (src/kernel-release/probe-timing.ts).

import { PROBE_TIMING_DYNDBG, probeTimingNeed, type ProbeTimingNeed } from '../kernel-release/probe-timing.js';
import type { KernelRelease } from '../kernel-release/release.js';

/**
 * The trace events the model reads (src/ingest/trace-event-fields.ts KNOWN_EVENT_NAMES): workqueue item
 * queueing and execution (which worker ran a probe body, on which CPU, queued by whom) and the scheduler
 * events that tell on-CPU, runnable and sleeping time of those tasks.
 */
export const CAPTURE_TRACE_EVENTS = [
  'workqueue:workqueue_queue_work',
  'workqueue:workqueue_activate_work',
  'workqueue:workqueue_execute_start',
  'workqueue:workqueue_execute_end',
  'sched:sched_switch',
  'sched:sched_wakeup',
  'sched:sched_wakeup_new',
  'sched:sched_migrate_task',
  'sched:sched_process_exec',
] as const;

export interface PlanParameter {
  /** As written on the kernel command line. */
  text: string;
  why: string;
}

export interface CapturePlan {
  release: KernelRelease | null;
  /** Where the release came from: the running kernel or --kernel. */
  releaseSource: 'running' | 'given';
  cpus: number;
  probeTiming: ProbeTimingNeed | null;
  parameters: PlanParameter[];
}

const MiB = 1024 * 1024;

/**
 * Per-CPU trace buffer: a boot's scheduler and workqueue events add up to some 10^5–10^6 events of 40–60
 * bytes, spread over the CPUs (idle ones write little). About 96 MiB in all, at least 4 MiB and at most
 * 32 MiB per CPU, rounded up to a power of two: 2 CPUs → 32 MiB each, 8 → 16 MiB, 64 and more → 4 MiB.
 * `capture collect` reports ring-buffer overruns, which say when it was too small.
 */
export function traceBufferPerCpu(cpus: number): number {
  const wanted = Math.min(32 * MiB, Math.max(4 * MiB, (96 * MiB) / Math.max(1, cpus)));
  return 2 ** Math.ceil(Math.log2(wanted));
}

/** The printk ring: initcall_debug adds two lines per initcall and one per probe; per-CPU bring-up lines grow with CPUs. */
export function logBufferLength(cpus: number): number {
  return cpus <= 128 ? 16 * MiB : cpus <= 512 ? 32 * MiB : 64 * MiB;
}

function size(bytes: number): string {
  return bytes % MiB === 0 ? `${bytes / MiB}M` : `${Math.ceil(bytes / 1024)}K`;
}

export function capturePlan(release: KernelRelease | null, releaseSource: 'running' | 'given', cpus: number): CapturePlan {
  const probeTiming = release ? probeTimingNeed(release) : null;
  const parameters: PlanParameter[] = [
    probeTiming?.printed === 'absent'
      ? { text: 'initcall_debug', why: `prints \`calling\`/\`initcall ... returned\` for every initcall; ${probeTiming.why}` }
      : { text: 'initcall_debug', why: 'prints `calling`/`initcall ... returned` for every initcall and `probe of DEV returned ... after N usecs` for every driver probe (the probe spans)' },
  ];
  if (probeTiming === null || probeTiming.needsDynamicDebug !== false) {
    parameters.push({
      text: PROBE_TIMING_DYNDBG,
      why: probeTiming === null
        ? 'the kernel release is unknown: on 5.8–6.3 kernels without the 2023 backport the `probe of` lines are pr_debug() and need this (CONFIG_DYNAMIC_DEBUG); harmless elsewhere'
        : `${probeTiming.why}; ${probeTiming.needsDynamicDebug === null ? 'add it to be sure (harmless when not needed; ' : 'it needs '}CONFIG_DYNAMIC_DEBUG${probeTiming.needsDynamicDebug === null ? ')' : ''}. It also prints dd.c's "bus: 'pci': really_probe: probing driver nvme with device ..." lines, which name each device's driver`,
    });
  }
  const perCpu = traceBufferPerCpu(cpus);
  parameters.push(
    { text: `trace_event=${CAPTURE_TRACE_EVENTS.join(',')}`, why: 'records from early boot which kworker ran each probe body, on which CPU, who queued it, and when each task ran, waited or slept' },
    { text: `trace_buf_size=${size(perCpu)}`, why: `ring buffer per CPU: ${cpus} CPU${cpus === 1 ? '' : 's'} × ${size(perCpu)} = ${size(perCpu * cpus)} of memory while tracing; collect reports overruns if it was too small` },
    { text: 'trace_clock=global', why: 'one clock for all CPUs, so events of different CPUs order correctly (the default `local` clock may drift between CPUs)' },
    { text: `log_buf_len=${size(logBufferLength(cpus))}`, why: 'a printk ring large enough that the first initcall lines are still there when collect reads it' },
  );
  return { release, releaseSource, cpus, probeTiming, parameters };
}

/** What `capture collect -o DIR` writes, and what the analysis loses without it. */
export const COLLECTED = [
  ['kmsg.txt', 'the kernel log, read from /dev/kmsg without blocking (else dmesg-raw.log from `dmesg -r`)', 'no probe or initcall spans'],
  ['trace.dat, trace-cmd.txt / trace.txt', 'the trace buffer: `trace-cmd extract` when trace-cmd is installed (plus its `trace-cmd report` text while this trace-probe does not read trace.dat), else the tracefs `trace` text', 'no worker, CPU or queueing identity for the probes'],
  ['lscpu.csv', '`lscpu -p` (CPU, core, socket, node)', 'topology from node-cpulist.txt only'],
  ['node-cpulist.txt', 'each NUMA node\'s CPUs (/sys/devices/system/node/node*/cpulist)', 'no NUMA nodes: bound-queue findings cannot name the idle CPUs of a node'],
  ['cpus.txt', 'possible, online, isolated, nohz_full CPUs and the unbound workqueue cpumask', 'isolated CPUs are not excluded from the housekeeping set'],
  ['pci-numa.txt', 'every PCI device\'s numa_node, ids, class and bound driver (/sys/bus/pci/devices)', 'device nodes only from kernel log lines'],
  ['cmdline.txt, uname.txt', '/proc/cmdline and uname -a', 'the kernel version facts come from the log banner only'],
  ['trace_clock.txt, buffer_size_kb.txt, set_event.txt, trace-stats.txt', 'the tracing set-up and per-CPU ring-buffer statistics (overruns)', 'lost events go unnoticed'],
] as const;

export function renderPlan(plan: CapturePlan): string {
  const out: string[] = [];
  const rel = plan.release ? `Linux ${plan.release.text}` : 'an unknown kernel release';
  out.push(`trace-probe capture plan for ${rel} (${plan.releaseSource === 'running' ? 'the running kernel' : 'given with --kernel'}), ${plan.cpus} CPU${plan.cpus === 1 ? '' : 's'}`);
  out.push('');
  out.push('1. Add these kernel parameters (one line):');
  out.push('');
  out.push(`   ${plan.parameters.map((p) => p.text).join(' ')}`);
  out.push('');
  for (const p of plan.parameters) out.push(`   ${p.text.split('=')[0]}: ${p.why}`);
  out.push('');
  const line = plan.parameters.map((p) => p.text).join(' ');
  const grubLine = line.replace(/"/g, '\\"');
  out.push('2. Make them persistent (or type them once at the boot loader prompt for a single boot):');
  out.push('');
  out.push('   GRUB, Debian/Ubuntu: add them inside GRUB_CMDLINE_LINUX="..." in /etc/default/grub, then');
  out.push('     update-grub');
  out.push('   GRUB, Fedora/RHEL/SUSE: the same edit of /etc/default/grub, then');
  out.push('     grub2-mkconfig -o /boot/grub2/grub.cfg        (or: grubby --update-kernel=ALL --args="' + grubLine + '")');
  out.push('   bootconfig (CONFIG_BOOT_CONFIG=y; `kernel.*` keys are given to the kernel command line):');
  out.push('     write a file with:');
  for (const p of plan.parameters) {
    const [key, ...rest] = p.text.split('=');
    out.push(rest.length === 0 ? `       kernel.${key}` : `       kernel.${key} = ${JSON.stringify(rest.join('=').replace(/^"(.*)"$/, '$1'))}`);
  }
  out.push('     then: bootconfig -a FILE /boot/initrd.img-$(uname -r)   and add `bootconfig` to the command line');
  out.push('   Check after the reboot: cat /proc/cmdline');
  out.push('');
  out.push('3. After that boot, as root: trace-probe capture collect -o DIR   (add --tar for one DIR.tar.gz file)');
  out.push('   then: trace-probe analyze DIR');
  out.push('   collect gathers:');
  for (const [file, what] of COLLECTED) out.push(`     ${file}: ${what}`);
  out.push('   Collect before anything else reads the trace buffer: trace-cmd extract consumes what it reads.');
  return out.join('\n') + '\n';
}
