import { describe, expect, it } from 'vitest';
import { diffBoots } from '../../src/compare/boot-diff.js';
import { renderDiffHtml } from '../../src/render/html/diff-report.js';
import { AFTER_V1_LINES, BEFORE_LINES, bootOf } from './patch-mail-boots.js';

const MAIL = 'fixtures/sim'; // verbatim copies of ../shared/examples/epyc9a64-patch-mail/

describe('renderDiffHtml (patch mail, before vs v1)', () => {
  it('puts the dumbbell chart and the diff table first, then the report lanes of both sides', async () => {
    const before = { label: 'before.log', boot: bootOf(`${MAIL}/before.log`, BEFORE_LINES) };
    const after = { label: 'after-v1.log', boot: bootOf(`${MAIL}/after-v1.log`, AFTER_V1_LINES) };
    const html = await renderDiffHtml(diffBoots([before.boot], [after.boot]), [before], [after]);
    const diffAt = html.indexOf('<section id="diff">');
    expect(diffAt).toBeGreaterThan(html.indexOf('<main>'));
    expect(diffAt).toBeLessThan(html.indexOf('<section id="findings">'));
    expect(html).toContain('<figure class="chart" data-spec="spec-dumbbell" data-renderer="svg"><div class="static"><svg');
    const spec = /<script type="application\/json" id="spec-dumbbell">([^<]*)<\/script>/.exec(html);
    expect(JSON.parse(spec![1]!).layer[0].data.values[0]).toEqual({ device: '0000:01:00.0', beforeMs: 53.372612, afterMs: 34.76589 });
    expect(html).toContain('0000:01:00.0  nvme    53.373  34.766  -18.607  0.65×');
    expect(html).toContain('before: before.log');
    expect(html).toContain('after: after-v1.log');
  });
});
