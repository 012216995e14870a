// `capture collect` on this very machine's kernel, then `analyze` of what it wrote (issue 15 item 1).
// The events come from a private tracefs instance this test creates (workqueue and sched events enabled,
// some activity made, tracing stopped) and removes afterwards: the top-level buffer and every other
// instance stay as they were. Without root or tracefs the test is skipped and says why.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatModule, type TraceFormat } from '../../src/ingest/formats.js';
import { sniffFile } from '../../src/ingest/detect.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const TRACEFS = '/sys/kernel/tracing';
const INSTANCE = `trace-probe-test-${process.pid}`;
const EVENTS = ['workqueue/workqueue_queue_work', 'workqueue/workqueue_execute_start', 'workqueue/workqueue_execute_end',
  'sched/sched_switch', 'sched/sched_wakeup', 'sched/sched_wakeup_new'];

/** Why the machine cannot run this test, or null when it can (mounting tracefs if it is not mounted). */
function unavailable(): { reason: string | null; mounted: boolean } {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return { reason: 'not root', mounted: false };
  if (existsSync(join(TRACEFS, 'trace'))) return { reason: null, mounted: false };
  if (!existsSync(TRACEFS)) return { reason: `${TRACEFS} does not exist (kernel without tracefs)`, mounted: false };
  const m = spawnSync('mount', ['-t', 'tracefs', 'nodev', TRACEFS], { encoding: 'utf8' });
  if (m.status !== 0 || !existsSync(join(TRACEFS, 'trace'))) return { reason: `tracefs cannot be mounted (${m.stderr.trim() || `exit ${m.status}`})`, mounted: false };
  return { reason: null, mounted: true };
}

const machine = unavailable();
if (machine.reason !== null) process.stderr.write(`test/capture/collect.test.ts: skipped: ${machine.reason}\n`);
const inst = join(TRACEFS, 'instances', INSTANCE);
const nproc = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim());

describe.skipIf(machine.reason !== null)(`capture collect on this machine's kernel${machine.reason ? ` (skipped: ${machine.reason})` : ''}`, () => {
  const work = mkdtempSync(join(tmpdir(), 'tp-collect-'));

  /** Records some events in the instance: processes started, files written and synced (work items, switches). */
  const record = () => {
    writeFileSync(join(inst, 'tracing_on'), '1');
    // Until both kinds of events are in the buffer (reading `trace` does not consume it), at most 200 rounds.
    for (let i = 0; i < 200; i++) {
      spawnSync('sh', ['-c', `echo ${i} > ${join(work, 'activity')} && sync`]);
      if (i % 10 === 9) {
        const text = readFileSync(join(inst, 'trace'), 'utf8');
        if (text.includes('workqueue_execute_start') && text.includes('sched_switch')) break;
      }
    }
    writeFileSync(join(inst, 'tracing_on'), '0');
  };

  beforeAll(() => {
    // A run killed before its afterAll (a CI timeout) leaves its instance behind: remove those of dead pids.
    for (const name of readdirSync(join(TRACEFS, 'instances'))) {
      const pid = /^trace-probe-test-(\d+)$/.exec(name)?.[1];
      if (pid === undefined || Number(pid) === process.pid) continue;
      let alive = true;
      try {
        process.kill(Number(pid), 0);
      } catch {
        alive = false;
      }
      if (!alive) rmdirSync(join(TRACEFS, 'instances', name));
    }
    mkdirSync(inst);
    writeFileSync(join(inst, 'trace_clock'), 'global');
    writeFileSync(join(inst, 'tracing_on'), '0');
    for (const e of EVENTS) writeFileSync(join(inst, 'events', e, 'enable'), '1');
  });

  afterAll(() => {
    for (const e of EVENTS) {
      try {
        writeFileSync(join(inst, 'events', e, 'enable'), '0');
      } catch {
        // the instance may already be gone
      }
    }
    try {
      rmdirSync(inst);
    } catch {
      // removed already
    }
    if (machine.mounted) spawnSync('umount', [TRACEFS]);
  });

  const traceCmd = spawnSync('trace-cmd', ['--version']).error === undefined;
  for (const [how, flags] of [['the tracefs trace text', ['--no-trace-cmd']], [traceCmd ? 'trace-cmd extract' : 'the trace text (trace-cmd is not installed)', []]] as const) {
  it(`collect -o DIR (${how}) writes what analyze reads; analyze DIR sees every CPU and the trace events`, async () => {
    record();
    const dir = join(work, `cap${flags.length}`);
    const collect = run('capture', 'collect', '-o', dir, '--instance', INSTANCE, ...flags);
    expect(collect.stderr).toContain(`wrote ${dir}: kmsg.txt, `);
    expect(collect.status).toBe(0);
    const files = readdirSync(dir);
    for (const f of ['kmsg.txt', 'lscpu.csv', 'cpus.txt', 'pci-numa.txt', 'cmdline.txt', 'uname.txt', 'trace-stats.txt', 'set_event.txt']) expect(files).toContain(f);
    expect(readFileSync(join(dir, 'cmdline.txt'), 'utf8')).toBe(readFileSync('/proc/cmdline', 'utf8'));
    expect(readFileSync(join(dir, 'set_event.txt'), 'utf8')).toContain('sched:sched_switch');
    // The PCI listing has every device of sysfs.
    expect(readFileSync(join(dir, 'pci-numa.txt'), 'utf8').trim().split('\n')).toHaveLength(readdirSync('/sys/bus/pci/devices').length);

    const analyze = run('analyze', dir, '--json');
    expect(analyze.stderr).toBe('');
    expect(analyze.status).toBe(0);
    const boot = JSON.parse(analyze.stdout) as { topology: { cpus: unknown[] }; inputs: Array<{ path: string; format: string; lines: number }> };
    expect(boot.topology.cpus).toHaveLength(nproc);
    const kernelLog = boot.inputs.find((i) => i.path.endsWith('kmsg.txt'));
    expect(kernelLog?.format).toBe('kmsg');
    const trace = boot.inputs.find((i) => /trace(-cmd)?\.(txt|dat)$/.test(i.path));
    expect(trace, `trace input among ${boot.inputs.map((i) => i.path).join(', ')}`).toBeDefined();

    // The same reader analyze used finds the events enabled above.
    const format = (await sniffFile(trace!.path)) as TraceFormat;
    const seen = new Map<string, number>();
    await formatModule(format).read(trace!.path, (e) => seen.set(e.type, (seen.get(e.type) ?? 0) + 1), () => {});
    expect(seen.get('sched_switch') ?? 0).toBeGreaterThan(0);
    expect(seen.get('workqueue_execute_start') ?? 0).toBeGreaterThan(0);
    if (flags.length === 0 && traceCmd) expect(files).toContain('trace.dat');
    else expect(trace!.path).toBe(join(dir, 'trace.txt'));
  });
  }

  it('--tar writes DIR.tar.gz, which analyze reads like the directory and names as TARBALL:file', () => {
    const dir = join(work, 'packed');
    record();
    // `-o packed.tar.gz --tar` and `-o packed --tar` both write packed.tar.gz holding packed/.
    const collect = run('capture', 'collect', '-o', `${dir}.tar.gz`, '--tar', '--instance', INSTANCE);
    expect(collect.status).toBe(0);
    expect(existsSync(`${dir}.tar.gz`)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    const analyze = run('analyze', `${dir}.tar.gz`, '--json');
    expect(analyze.status).toBe(0);
    const boot = JSON.parse(analyze.stdout) as { topology: { cpus: unknown[] }; inputs: Array<{ path: string }> };
    expect(boot.topology.cpus).toHaveLength(nproc);
    expect(boot.inputs.map((i) => i.path)).toContain(`${dir}.tar.gz:packed/kmsg.txt`);
  });

  it('a non-empty DIR is refused (exit 2), nothing overwritten', () => {
    const dir = join(work, 'used');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine\n');
    const r = run('capture', 'collect', '-o', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`trace-probe: ${dir} is not empty: collect writes a new capture directory\n`);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });
});
