import { describe, expect, it } from 'vitest';
import { formatMs, formatSeconds, renderTable } from '../../src/render/text-table.js';

describe('renderTable', () => {
  it('pads columns to the widest cell and right-aligns numbers', () => {
    const text = renderTable(
      [{ header: 'device' }, { header: 'cost(ms)', align: 'right' }],
      [
        ['0000:21:00.0', '3.208'],
        ['0000:23:00.0', '53.373'],
      ],
    );
    expect(text.split('\n')).toEqual(['device        cost(ms)', '0000:21:00.0     3.208', '0000:23:00.0    53.373']);
  });
});

describe('time formatting', () => {
  it('formats ns as ms and dmesg-style seconds', () => {
    expect(formatMs(53372612)).toBe('53.373');
    expect(formatSeconds(4061093000)).toBe('4.061093');
    expect(formatMs(null)).toBe('-');
  });
});
