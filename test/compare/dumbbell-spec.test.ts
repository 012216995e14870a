import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { diffBoots } from '../../src/compare/boot-diff.js';
import { dumbbellSpec } from '../../src/render/html/dumbbell-spec.js';
import { AFTER_V1_LINES, BEFORE_LINES, bootOf } from './patch-mail-boots.js';

const MAIL = 'fixtures/sim'; // verbatim copies of ../shared/examples/epyc9a64-patch-mail/

describe('dumbbellSpec (patch mail, before vs v1)', () => {
  const spec = dumbbellSpec(diffBoots([bootOf(`${MAIL}/before.log`, BEFORE_LINES)], [bootOf(`${MAIL}/after-v1.log`, AFTER_V1_LINES)]));

  it('compiles to Vega without errors or warnings', () => {
    const messages: unknown[][] = [];
    const logger = {
      level: () => 2,
      error: (...m: unknown[]) => (messages.push(['error', ...m]), logger),
      warn: (...m: unknown[]) => (messages.push(['warn', ...m]), logger),
      info: () => logger,
      debug: () => logger,
    };
    const vg = compile(spec, { logger: logger as never }).spec;
    expect(messages).toEqual([]);
    expect(vg.marks?.length).toBeGreaterThanOrEqual(4);
  });

  it('joins each device’s before and after medians', () => {
    const layers = (spec as { layer: Array<{ data: { values: Array<Record<string, unknown>> } }> }).layer;
    expect(layers[0]!.data.values).toEqual([
      { device: '0000:01:00.0', beforeMs: 53.372612, afterMs: 34.76589 },
      { device: '0000:02:00.0', beforeMs: 49.532941, afterMs: 34.696433 },
      { device: '0000:03:00.0', beforeMs: 47.315175, afterMs: 33.233323 },
    ]);
    expect(layers[3]!.data.values[0]).toMatchObject({ device: '0000:01:00.0', side: 'before', placement: 'CPU 0 bound', boots: 1 });
    expect(layers[3]!.data.values[1]).toMatchObject({ side: 'after', placement: 'CPU 5 unbound' });
  });
});
