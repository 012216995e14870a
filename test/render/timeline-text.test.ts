import { describe, expect, it } from 'vitest';
import { joinProbesWithTrace } from '../../src/model/probe-trace-join.js';
import { TaskOccupancyBuilder } from '../../src/model/task-occupancy.js';
import { BOOT_SCHEMA, type Boot, type ProbeSpan } from '../../src/model/types.js';
import { ns } from '../../src/core/units.js';
import { WorkItemBuilder } from '../../src/model/work-items.js';
import { renderTimelines } from '../../src/render/timeline-text.js';
import { kernelLog, runBuilders, traceEvents } from '../model/trace-lines.helper.js';

function bootOf(probes: ProbeSpan[]): Boot {
  return { schema: BOOT_SCHEMA, inputs: [], kernel: { release: null, banner: null, cmdline: null },
    topology: { cpus: [], isolated: [], source: null }, probes, initcalls: [], findings: [], diagnostics: [] };
}

async function joinedPciProbes(dir: string): Promise<ProbeSpan[]> {
  const work = new WorkItemBuilder();
  const occ = new TaskOccupancyBuilder();
  runBuilders((await traceEvents(`fixtures/captures/${dir}/trace.txt`)).events, work, occ);
  const { probes } = await kernelLog(`fixtures/captures/${dir}/dmesg.log`);
  const joined = joinProbesWithTrace(probes, { workItems: work.data().workItems, occupancy: occ.data() }).probes;
  return joined.filter((p) => /^0000:2\d:0\d\.0$/.test(p.device));
}

const beforeN0x3 = await joinedPciProbes('before-n0x3');
const afterN0x3 = await joinedPciProbes('after-n0x3');

describe('renderTimelines', () => {
  const text = renderTimelines(bootOf(beforeN0x3));
  const lines = text.trimEnd().split('\n');

  it('draws the NVMe burst apart from the boot-time pcieport burst, per CPU and per task', () => {
    const second = lines.slice(lines.indexOf('Probe timeline 2 of 2: 4.057885 to 4.067657 s (9.772 ms); one column = 0.129 ms'));
    expect(second.slice(0, 10)).toEqual([
      'Probe timeline 2 of 2: 4.057885 to 4.067657 s (9.772 ms); one column = 0.129 ms',
      'Per CPU (the CPU that ran each probe body, while it ran):',
      'CPU 0                 | DDDDDDDDDDDDDDDDDDDDDD      FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF                |',
      '                      |        EEEEEEEEEEEEEEEEE                                                   |',
      "Per task (the task that ran each probe body; '.' = the caller that queued it, whole probe):",
      'kworker/0:1-16        | DDDDDDDDDDDDDDDDDDDDDD                                                     |',
      'kworker/0:2-96        |        EEEEEEEEEEEEEEEEE    FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF                |',
      'kworker/u17:0-8       |.........................                                                   |',
      'kworker/u17:1-55      |        ..................                                                  |',
      'kworker/u17:2-58      |                            ................................................|',
    ]);
    expect(second).toContain('  E 0000:22:00.0 (nvme)  4.058920 s +2.245 ms  CPU 0  kworker/0:2-96');
    expect(second).toContain('      queued by kworker/u17:1-55 (0.055 ms in queue); on CPU 0.372, runnable 1.461, asleep 0.164 ms');
  });

  it('starts with the pcieport burst that init waited for, and fits 100 columns', () => {
    expect(lines[0]).toBe('Probe timeline 1 of 2: 2.529378 to 3.044641 s (515.263 ms); one column = 6.780 ms');
    expect(lines).toContain('init-1                |............................................................................|');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it('says what it cannot draw (synthetic spans)', () => {
    const untimed: ProbeSpan = { ...afterN0x3[0]!, startNs: null, endNs: null };
    expect(renderTimelines(bootOf([untimed]))).toBe('Probe timelines: no probe span has a start and an end time.\n');
    const one: ProbeSpan = { ...untimed, device: 'x', startNs: ns(1_000_000), endNs: ns(2_000_000), durationNs: ns(1_000_000), worker: null, driver: null,
      queuedBy: null, cpu: null, bodyStartNs: null, bodyEndNs: null, onCpuNs: null, runnableWaitNs: null, sleepNs: null };
    const out = renderTimelines(bootOf([one, untimed]));
    const waited = renderTimelines(bootOf([{ ...one, queuedBy: afterN0x3[0]!.queuedBy, queueDelayNs: null }]));
    expect(waited).toContain('      queued by init-1\n');
    expect(out).toContain('CPU ?                 |' + 'A'.repeat(76) + '|');
    expect(out).toContain('(task unknown)        |' + 'A'.repeat(76) + '|');
    expect(out).toContain('  A x  0.001000 s +1.000 ms  CPU ?  (task unknown)\n');
    expect(out.trimEnd().endsWith('(1 probe span(s) without start/end times are not drawn)')).toBe(true);
  });
});
