import { describe, expect, it } from 'vitest';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

// Synthetic: the corpus holds no `dmesg -J` output. Built from util-linux's jsonwrt layout (formats doc §1.2).
describe('dmesg -J', () => {
  it('reads pretty-printed records with numeric pri and padded time', async () => {
    const path = synthetic('dmesg.json', [
      '{',
      '   "dmesg": [',
      '      {',
      '         "pri": 5,',
      '         "time":     0.000000,',
      '         "msg": "Linux version 6.18.44 (builder@buildhost)"',
      '      },{',
      '         "pri": 14,',
      '         "time":     6.483005,',
      '         "caller": "T220",',
      '         "msg": "lab: insmod \\"nvme\\", done"',
      '      }',
      '   ]',
      '}',
    ].join('\n'));
    const r = await readBack(path, 'dmesg-json');
    expect(r.diagnostics).toEqual([]);
    expect(r.lines.map((l) => [l.text, l.timeNs, l.level, l.facility, l.caller, l.source.line])).toEqual([
      ['Linux version 6.18.44 (builder@buildhost)', 0, 5, 0, null, 6],
      ['lab: insmod "nvme", done', 6_483_005_000, 6, 1, { kind: 'T', id: 220 }, 11],
    ]);
  });

  it('reads -J -x string fac/pri and objects written on one line; reports junk', async () => {
    const path = synthetic('dmesg-x.json', [
      '{"dmesg": [',
      '{"fac": "kern", "pri": "info", "time": 1.5, "msg": "one line"},',
      '   {',
      '      "fac": "kern",',
      '      "pri": "warn",',
      '      "time":     2.000001,',
      '      "msg": "pretty"',
      '   }',
      'junk',
      ']}',
    ].join('\n'));
    const r = await readBack(path, 'dmesg-json');
    expect(r.lines.map((l) => [l.text, l.timeNs, l.level, l.facility])).toEqual([
      ['one line', 1_500_000_000, 6, 0],
      ['pretty', 2_000_001_000, 4, 0],
    ]);
    expect(r.diagnostics).toMatchObject([{ line: 9, severity: 'warning' }]);
  });
});
