// Plain-text tables for terminal output and patch mails: columns padded to their widest cell,
// numbers right-aligned, two spaces between columns, no trailing spaces.

export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
}

export function renderTable(columns: Column[], rows: string[][]): string {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (columns[i]?.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map((r) => line(columns.map((_, i) => r[i] ?? '')))].join('\n');
}

/** Milliseconds with 3 decimals from ns ("53.373"), or "-" when unknown. */
export function formatMs(ns: number | null | undefined): string {
  return ns === null || ns === undefined ? '-' : (ns / 1e6).toFixed(3);
}

/** Seconds with 6 decimals from ns, as dmesg prints them ("4.061093"), or "-" when unknown. */
export function formatSeconds(ns: number | null | undefined): string {
  return ns === null || ns === undefined ? '-' : (ns / 1e9).toFixed(6);
}
