// `trace-probe report`: runs the built command (`npm test` builds first) on the committed capture.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'tp-report-cli-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('trace-probe report', () => {
  it('writes one self-contained HTML file of the capture, with simulated policies side by side', () => {
    const out = join(dir, 'sub', 'before.html');
    const r = run('report', 'fixtures/captures/before-n0x3', '-o', out, '--simulate', 'work-on-cpu,queue-node');
    expect(r.stderr).toMatch(/^wrote .*before\.html \(\d+ KiB, 24 probes, 3 boot\(s\)\)\n$/);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<b>measured: before-n0x3</b>, <b>simulated: work-on-cpu</b>, <b>simulated: queue-node</b>');
    expect(html).toContain('id="comparison"');
    expect(html).toContain('data-spec="spec-timeline-2"');
    expect(html).toContain('<td>0000:23:00.0</td><td>nvme</td><td class="num">6.140</td>');
    // The self-check section says what the queue-node prediction drew from samples (issue 16).
    expect(html).toMatch(/<p>What the predictions cannot know:<\/p><ul><li>queue-node: worker creations \d+ in the node 0 unbound pool \(the boot measured \d+ there during its probes/);
    // Where each mean probe cost goes: the observed boot, its self-check replay and every prediction, with what a policy changes.
    expect(html).toContain('<p>Where the mean probe cost goes (ms; the parts add up to the mean):</p>');
    for (const row of ['observed (work-on-cpu)', 'self-check replay (work-on-cpu)', 'simulated: work-on-cpu', 'simulated: queue-node']) expect(html).toContain(`<tr><td>${row}</td>`);
    expect(html).toContain('A policy changes the wait for the body&#39;s worker');
  });

  it('shows every run of a simulation JSON side by side', () => {
    const sim = spawnSync(process.execPath, [CLI, 'simulate', 'fixtures/captures/before-n0x3', '--policy', 'work-on-cpu,skip-in-worker', '--json'], { encoding: 'utf8' });
    expect(sim.status).toBe(0);
    const simFile = join(dir, 'sim.json');
    writeFileSync(simFile, sim.stdout);
    const out = join(dir, 'sim.html');
    const r = run('report', simFile, '-o', out);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<b>simulated: work-on-cpu</b>, <b>simulated: skip-in-worker</b>');
    expect(html).toContain('data-spec="spec-timeline-1"');
    expect(run('report', simFile, '-o', out, '--simulate', 'queue-node').stderr).toMatch(/^trace-probe: --simulate replays a measured boot/);
  });

  it('replays the boot as `simulate` does (calibrated from its trace): the same simulated probe costs', () => {
    const sim = spawnSync(process.execPath, [CLI, 'simulate', 'fixtures/captures/before-n0x3', '--policy', 'queue-node', '--json'], { encoding: 'utf8' });
    expect(sim.status).toBe(0);
    const simFile = join(dir, 'queue-node.json');
    writeFileSync(simFile, sim.stdout);
    const fromJson = join(dir, 'from-json.html');
    const direct = join(dir, 'direct.html');
    expect(run('report', simFile, '-o', fromJson).code).toBe(0);
    expect(run('report', 'fixtures/captures/before-n0x3', '-o', direct, '--simulate', 'queue-node').code).toBe(0);
    const nvmeCosts = (file: string) => [...readFileSync(file, 'utf8').matchAll(/<td>(0000:2\d:00\.0)<\/td><td>nvme<\/td><td class="num">([\d.]+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
    const simulated = nvmeCosts(fromJson);
    expect(simulated).toHaveLength(3);
    expect(nvmeCosts(direct)).toEqual(expect.arrayContaining(simulated));
  });

  it('says what is missing in one line, exit 2: no -o, an unknown policy', () => {
    const noOut = run('report', 'fixtures/captures/before-n0x3');
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toBe('trace-probe: report needs -o FILE (the HTML file to write)\n');
    const out = join(dir, 'never.html');
    const badPolicy = run('report', 'fixtures/captures/before-n0x3', '-o', out, '--simulate', 'fastest');
    expect(badPolicy.code).toBe(2);
    expect(badPolicy.stderr).toMatch(/^trace-probe: unknown policy "fastest" for --simulate \(expected work-on-cpu, /);
    expect(existsSync(out)).toBe(false);
  });
});
