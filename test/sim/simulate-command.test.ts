// `trace-probe simulate` end to end: the JSON contract on a real capture, and one-line errors with exit 2
// for invalid input. Runs the built command (`npm test` builds first).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const MAIL = join(process.cwd(), 'fixtures', 'sim', 'after-v1.log');
const BEFORE = join(process.cwd(), 'fixtures', 'captures', 'before-n0x3');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'simulate', ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(result: ReturnType<typeof run>, pattern: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('simulate', () => {
  it('prints the trace-probe.sim/2 JSON with one simulated Boot per policy and the self-check', () => {
    const r = run(BEFORE, '--drivers', 'nvme', '--policy', 'work-on-cpu,skip-in-worker', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.schema).toBe('trace-probe.sim/2');
    // The self-check: the boot replayed under the policy it ran (work-on-cpu), observed vs replayed.
    expect(json.calibration.policy).toBe('work-on-cpu');
    expect(Object.keys(json.calibration)).toEqual(expect.arrayContaining(['policy', 'observed', 'replayed', 'errors', 'perDevice', 'status', 'summary', 'why']));
    expect(json.calibration.observed).toEqual({ windowNs: 9_772_000, meanProbeNs: 3_864_333, maxProbeNs: 6_140_000 });
    expect(json.calibration.perDevice.map((d: { device: string; observedNs: number }) => [d.device, d.observedNs])).toEqual([['0000:21:00.0', 3_208_000], ['0000:22:00.0', 2_245_000], ['0000:23:00.0', 6_140_000]]);
    // Replayed with the worker creations its trace measured (kworker/u17:3 in the node 0 unbound pool): within 25 %.
    expect(json.calibration.status).toBe('checked');
    for (const r of json.runs) expect(r.confidence.level).toBe('checked');
    expect(json.machine.kernel.version).toBe('6.1');
    expect(json.workload.probes.map((p: { device: string }) => p.device)).toEqual(['0000:21:00.0', '0000:22:00.0', '0000:23:00.0']);
    expect(json.runs.map((x: { policy: string }) => x.policy)).toEqual(['work-on-cpu', 'skip-in-worker']);
    const [woc, skip] = json.runs;
    expect(woc.boot.schema).toBe('trace-probe.boot/1');
    expect(woc.boot.probes.every((p: { origin: string; cpu: number }) => p.origin === 'simulated' && p.cpu === 0)).toBe(true);
    expect(woc.boot.findings.map((f: { kind: string }) => f.kind)).toContain('bound-queue-serialization');
    expect(skip.boot.findings.map((f: { kind: string }) => f.kind)).not.toContain('bound-queue-serialization');
    expect(woc.meanProbeNs).toBeGreaterThan(skip.meanProbeNs);
    // Worker creation measured in the trace during the probes (sim/trace-calibration.ts) and used.
    expect(json.machine.kernel.workerCreateSource).toBe('trace');
    expect([json.machine.kernel.workerCreateCpuNs, json.machine.kernel.workerCreateLatencyNs]).toEqual([1_977_500, 3_653_500]);
    expect(json.machine.derived.workerCreation.workers.map((w: { comm: string }) => w.comm)).toEqual(['kworker/u17:3', 'kworker/u17:4', 'kworker/u17:5']);
    // The async probes arrive when their async_run_entry_fn items were queued (4.057568, .057633, .057639 s).
    expect(json.workload.probes.map((p: { arrivalNs: number }) => p.arrivalNs)).toEqual([4_057_568_000, 4_057_633_000, 4_057_639_000]);
    expect([woc.windowNs, woc.meanProbeNs, skip.windowNs, skip.meanProbeNs]).toEqual([9_234_375, 4_149_083, 6_666_000, 3_279_333]);
    expect(woc.replicas.count).toBe(7);
    // The policy the boot ran reuses the boot's creations; skip-in-worker needed none here.
    expect(woc.replayObserved).toBe(true);
    expect(woc.creations).toEqual([{ role: 'n0.0', count: 1, observed: 1 }]);
    expect(skip.replayObserved).toBeUndefined();
    expect(skip.creations).toEqual([{ role: 'n0.0', count: 1, observed: 0 }]);
    // Before the boot's first probe entry (0.402 ms after the first queueing) no policy has acted: every policy replays
    // that prefix's wake-up as measured (kworker/u17:0, 141 µs, trace line 3533).
    expect(json.machine.derived.latencies.prefix).toEqual([{ role: 'n0.0', comm: 'kworker/u17:0', latencyNs: 141_000, line: 3533 }]);
    expect(json.machine.derived.latencies.prefixEndNs - json.workload.probes[0].arrivalNs).toBe(402_000);
    // Where the mean probe cost goes (sim/cost-parts.ts): observed and replayed in the self-check, and per run; the parts add up.
    type Parts = { meanNs: number; beforeBodyNs: number; waitNs: number; bodyNs: number; runnableNs: number; afterBodyNs: number; probes: number };
    const sum = (p: Parts) => p.beforeBodyNs + p.waitNs + p.bodyNs + p.afterBodyNs;
    const obs: Parts = json.calibration.parts.observed;
    expect(obs).toEqual({ probes: 3, meanNs: 3_864_333, beforeBodyNs: 64_000, waitNs: 94_000, bodyNs: 2_818_333, runnableNs: 491_000, afterBodyNs: 888_000 });
    for (const p of [obs, json.calibration.parts.replayed, woc.parts, skip.parts] as Parts[]) expect(Math.abs(sum(p) - p.meanNs)).toBeLessThanOrEqual(2);
    expect(woc.parts.meanNs).toBe(Math.round(woc.meanProbeNs));
    // skip-in-worker: no hop, so no wait for another worker; the body runs uncontended.
    expect([skip.parts.waitNs, skip.parts.runnableNs]).toEqual([0, 0]);
  });

  it('prints the measured worker creation, and --worker-create-us overrides it', () => {
    const measured = run(BEFORE, '--drivers', 'nvme', '--policy', 'work-on-cpu');
    expect(measured.stdout).toMatch(/worker creation 3\.65 ms \(1\.98 ms on the manager's CPU, then waiting\) \(measured in the input's trace\)/);
    expect(measured.stdout).toMatch(/^  replayed as measured on the boot's own machine: by every policy, what preceded the boot's first probe entry \(402 µs after the first queueing\): kworker\/u17:0 start 141 µs \(line 3533\); by the policy the boot ran, its 3 creations during the probes in order: kworker\/u17:3 3\.43 ms \(line 3566\), kworker\/u17:4 441 µs \(line 3615\), kworker\/u17:5 5\.25 ms \(line 3633\)$/m);
    expect(measured.stdout).toMatch(/^  measured in the trace: worker creation \(manager starts → new kworker woken\) median 3\.43 ms, range 441 µs–5\.25 ms;.* 3 samples during the probes \(kworker\/u17:3 3\.43 ms, /m);
    const given = run(BEFORE, '--drivers', 'nvme', '--policy', 'work-on-cpu', '--worker-create-us', '100');
    expect(given.stdout).toMatch(/worker creation 100 µs on the manager's CPU \(--worker-create-us\)/);
    expect(given.stdout).toMatch(/43 in the whole trace; not used: --worker-create-us given$/m);
    expect(given.stdout).toMatch(/^work-on-cpu\s+8\.201\s+4\.823\s/m);
  });

  it('shows the assumed workload and machine in the text output', () => {
    const r = run(MAIL, '--topology', '2x128', '--node-of', '*=0', '--policy', 'work-on-cpu,queue-node');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Machine: 2 nodes × 128 CPUs/);
    expect(r.stdout).toMatch(/on-CPU fraction 0\.5 \(assumed, --cpu-fraction\)/);
    expect(r.stdout).toMatch(/Kernel profile 6\.12 \(default: the input names no kernel\)/);
    expect(r.stdout).toMatch(/^work-on-cpu\s+53\.725\s+51\.578\s+53\.525\s+0\s/m);
  });

  it('names each finding kind once with its count in the policy table (a scaled run has many findings)', () => {
    const r = run(join(process.cwd(), 'fixtures', 'captures', 'sync'), '--policy', 'sync', '--devices', '2000');
    expect(r.code).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.startsWith('sync '))!;
    const kinds = row.match(/[a-z-]+-[a-z-]+(?= ×\d+|,|$)/g) ?? [];
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(row).toMatch(/bound-queue-serialization ×\d+/);
  });

  it('prints the self-check before the predictions, and says when they are low-confidence', () => {
    const r = run(BEFORE, '--drivers', 'nvme', '--policy', 'skip-in-worker');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Self-check: this boot replayed under the policy it ran \(work-on-cpu\)/m);
    expect(r.stdout).toMatch(/^  mean probe cost\s+3\.864\s+4\.149\s+\+7 %$/m);
    expect(r.stdout).toMatch(/^  CHECKED: replaying work-on-cpu/m);
    expect(r.stdout).toMatch(/^  confidence: checked against the boot: /m);
    expect(r.stdout).toMatch(/^  mean parts, observed \/ replayed ms: before the hop 0\.064 \/ 0\.000, wait for the body's worker 0\.094 \/ 0\.339, body 2\.818 \/ 2\.858/m);
    expect(r.stdout).toMatch(/^Where the mean probe cost goes \(ms; the parts add up to the mean\):\n.*\n  observed \(work-on-cpu\)\s+3\.864\s+0\.064\s+0\.094\s+2\.818\s+0\.491\s+0\.888\n  skip-in-worker\s+3\.279\s+0\.000\s+0\.000\s+2\.327\s+0\.000\s+0\.952\n  A policy changes the wait for the body's worker/m);
    // A user-given 20 ms worker creation replaces the measured ones: after-v2-n0x3's chain of creations then misses.
    const low = run(join(process.cwd(), 'fixtures', 'captures', 'after-v2-n0x3'), '--drivers', 'nvme', '--policy', 'skip-in-worker', '--worker-create-us', '20000');
    expect(low.stdout).toMatch(/^Self-check: this boot replayed under the policy it ran \(queue-node\)/m);
    expect(low.stdout).toMatch(/^  mean probe cost\s+27\.911\s+57\.403\s+\+106 %$/m);
    expect(low.stdout).toMatch(/^  LOW CONFIDENCE: replaying queue-node/m);
    expect(low.stdout).toMatch(/^  confidence: LOW: /m);
    const json = run(BEFORE, '--drivers', 'nvme', '--policy', 'skip-in-worker', '--json');
    expect(run(BEFORE, '--drivers', 'nvme', '--policy', 'skip-in-worker', '--json').stdout).toBe(json.stdout);
  });

  it('says what a what-if policy could not take from the trace: the creations it needed, drawn from the boot\'s samples', () => {
    const r = run(BEFORE, '--drivers', 'nvme', '--policy', 'work-on-cpu,queue-node');
    expect(r.stdout).not.toMatch(/^  work-on-cpu: worker creations/m);
    expect(r.stdout).toMatch(/^  queue-node: worker creations 3 in the node 0 unbound pool \(the boot measured 3 there during its probes; 3 drawn from the boot's 3 unbound-pool creation samples \(probe window, 441 µs–5\.25 ms\)\); woken-worker starts drawn from 5 samples \(13 µs–803 µs\)\. These latencies were measured while the boot ran work-on-cpu; how long creation and wake-ups take under queue-node on this machine is not in the trace/m);
    const json = JSON.parse(run(BEFORE, '--drivers', 'nvme', '--policy', 'queue-node', '--json').stdout);
    expect(json.runs[0].creations).toEqual([{ role: 'n0.0', count: 3, observed: 0 }]);
    expect(json.runs[0].caveats[0]).toMatch(/^queue-node: worker creations 3 in the node 0 unbound pool/);
  });

  it('rejects an unknown policy, a topology without CPUs and a device on a node without CPUs (exit 2)', () => {
    expectOneLineError(run(MAIL, '--policy', 'fastest'), /^trace-probe: unknown policy "fastest"/);
    expectOneLineError(run(MAIL, '--policy', 'sync', '--topology', '0x8'), /topology "0x8" has no CPUs/);
    expectOneLineError(run(MAIL, '--policy', 'sync', '--topology', '2x4', '--node-of', '*=3'), /device 0000:01:00\.0 is on node 3, which has no online CPUs/);
    expectOneLineError(run(MAIL, '--policy', 'sync'), /no CPU topology: give --topology/);
    expectOneLineError(run(MAIL, '--policy', 'sync', '--topology', '2x4', '--cpu-fraction', '0'), /--cpu-fraction takes a number in \(0, 1\]/);
  });
});
