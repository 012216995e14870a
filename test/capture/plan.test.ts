// `capture plan`: the parameters for a kernel release and a CPU count (src/capture/plan.ts).

import { describe, expect, it } from 'vitest';
import { CAPTURE_TRACE_EVENTS, capturePlan, logBufferLength, renderPlan, traceBufferPerCpu } from '../../src/capture/plan.js';
import { KNOWN_EVENT_NAMES } from '../../src/ingest/trace-event-names.js';
import { parseKernelRelease } from '../../src/kernel-release/release.js';

const MiB = 1024 * 1024;
const texts = (release: string, cpus: number) => capturePlan(parseKernelRelease(release), 'given', cpus).parameters.map((p) => p.text);

describe('capture plan', () => {
  it('asks for every trace event the model reads, and only those', () => {
    for (const e of CAPTURE_TRACE_EVENTS) expect(KNOWN_EVENT_NAMES as readonly string[]).toContain(e.split(':')[1]);
  });

  it('adds dyndbg only where the probe lines are pr_debug()', () => {
    expect(texts('6.12.9', 8)).not.toContain('dyndbg="file drivers/base/dd.c +p"');
    expect(texts('5.15.80', 8)).toContain('dyndbg="file drivers/base/dd.c +p"');
    expect(texts('6.1.0-50-amd64', 8)).toContain('dyndbg="file drivers/base/dd.c +p"');
    expect(texts('6.12.9', 8).slice(0, 1)).toEqual(['initcall_debug']);
    // 4.18 has no really_probe_debug(): no dyndbg, and the plan says the probe times come from the trace.
    const old = capturePlan(parseKernelRelease('4.18.20'), 'given', 8);
    expect(old.parameters.map((p) => p.text)).not.toContain('dyndbg="file drivers/base/dd.c +p"');
    expect(old.parameters[0]!.why).toMatch(/no `probe of` line at all; probe times only from a trace/);
  });

  it('sizes the trace buffer per CPU from the CPU count, and log_buf_len', () => {
    expect([1, 2, 8, 16, 64, 256].map((n) => traceBufferPerCpu(n) / MiB)).toEqual([32, 32, 16, 8, 4, 4]);
    expect(texts('6.12', 8)).toEqual(expect.arrayContaining(['trace_buf_size=16M', 'trace_clock=global', 'log_buf_len=16M']));
    expect(logBufferLength(1024) / MiB).toBe(64);
    const event = texts('6.12', 8).find((t) => t.startsWith('trace_event='));
    expect(event).toBe(`trace_event=${CAPTURE_TRACE_EVENTS.join(',')}`);
  });

  it('says how to make them persistent (GRUB, bootconfig) and what collect gathers', () => {
    const text = renderPlan(capturePlan(parseKernelRelease('5.15.80'), 'given', 4));
    expect(text).toMatch(/^trace-probe capture plan for Linux 5\.15\.80 \(given with --kernel\), 4 CPUs\n/);
    expect(text).toContain('/etc/default/grub');
    expect(text).toContain('update-grub');
    expect(text).toContain('grub2-mkconfig -o /boot/grub2/grub.cfg');
    expect(text).toContain('kernel.initcall_debug\n');
    expect(text).toContain('kernel.dyndbg = "file drivers/base/dd.c +p"');
    expect(text).toContain('trace-probe capture collect -o DIR');
    for (const f of ['kmsg.txt', 'lscpu.csv', 'node-cpulist.txt', 'cpus.txt', 'pci-numa.txt']) expect(text).toContain(f);
  });
});
