// dmesg -T in other locales (util-linux translations, strftime names): read by structure (dmesg-localized-time.ts).
import { describe, expect, it } from 'vitest';
import { isLocalizedCtime, parseLocalizedCtime } from '../../src/ingest/dmesg-localized-time.js';
import { detectFormat } from '../../src/ingest/detect.js';
import { readBack, synthetic } from './kernel-log-reader.helper.js';

const at = (stamp: string) => {
  const s = parseLocalizedCtime(`[${stamp}] Linux version 6.1.0`);
  return s && [s.year, s.month, s.day, s.hour, s.minute, s.second];
};

describe('localized dmesg -T stamps', () => {
  it.each([
    ['de (util-linux de.po "%a, %e. %b %Y, %H:%M:%S")', 'Do, 29. Feb 2024, 07:43:02'],
    ['fr (fr.po "%a %e %b %H:%M:%S %Y")', 'jeu. 29 févr. 07:43:02 2024'],
    ['es', 'jue 29 feb 2024 07:43:02'],
    ['es, weekday "mar" before the month', 'mar 29 feb 2024 07:43:02'],
    ['it', 'gio 29 feb 2024, 07:43:02'],
    ['pl', 'czw, 29 lut 2024, 07:43:02'],
    ['ru', 'Чт 29 фев 2024 07:43:02'],
    ['pt_BR', 'qui 29 fev 2024 07:43:02'],
    ['ja', '2024年02月29日 07時43分02秒'],
    ['zh_CN', '2024年2月29日 星期四 07:43:02'],
    ['ISO-like', 'Thu 2024-02-29 07:43:02'],
  ])('%s', (_, stamp) => {
    expect(isLocalizedCtime(`[${stamp}] Linux version 6.1.0`)).toBe(true);
    expect(at(stamp)).toEqual([2024, 1, 29, 7, 43, 2]);
  });

  it('a month no table knows is numbered by order of appearance, and times still advance across it', async () => {
    const path = synthetic('unknown-month.log', [
      '[xq 31 zzmonth 23:59:58 2024] Linux version 6.1.0 (x@y) #1 SMP',
      '[xq 31 zzmonth 23:59:59 2024] second line',
      '[yq 1 yymonth 00:00:01 2024] after midnight, next month',
    ].join('\n'));
    expect(detectFormat(path, ['[xq 31 zzmonth 23:59:58 2024] Linux version 6.1.0 (x@y) #1 SMP', '[xq 31 zzmonth 23:59:59 2024] a', '[yq 1 yymonth 00:00:01 2024] b'])).toBe('dmesg-ctime');
    const r = await readBack(path, 'dmesg-ctime');
    expect(r.lines.map((l) => l.timeNs)).toEqual([0, 1e9, 3e9]);
    expect(r.diagnostics).toEqual([]);
  });

  it('not a stamp: a bracket without a year or without a time of day', () => {
    expect(isLocalizedCtime('[    8.925] (II) Loading')).toBe(false);
    expect(isLocalizedCtime('[Do, 29. Feb, 07:43:02] no year')).toBe(false);
    expect(isLocalizedCtime('[2024 edition] no time')).toBe(false);
  });
});
