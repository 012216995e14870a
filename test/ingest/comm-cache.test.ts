import { describe, expect, it } from 'vitest';
import { CommCache } from '../../src/ingest/comm-cache.js';

describe('CommCache (one string per task comm, checked byte for byte)', () => {
  it('keeps its own copy of the bytes: the reader overwrites its buffer with the next chunk', () => {
    const cache = new CommCache();
    const buf = Buffer.from('alpha');
    const first = cache.text(5, 0, buf, 0, 5, true);
    expect(first).toBe('alpha');
    expect(cache.text(5, 0, buf, 0, 5, true)).toBe(first);
    buf.write('omega');
    expect(cache.text(5, 0, buf, 0, 5, true)).toBe('omega');
  });

  it('holds two comms per task (`<...>` and the name), keys the idle task by CPU, and does not reuse across pids', () => {
    const cache = new CommCache();
    const at = (text: string, pid: number, cpu = 0) => {
      const buf = Buffer.from(`xx${text}yy`);
      return cache.text(pid, cpu, buf, 2, 2 + Buffer.byteLength(text), /^[\x00-\x7f]*$/.test(text));
    };
    expect([at('<...>', 7), at('kworker/0:1', 7), at('<...>', 7), at('kworker/0:1', 7)]).toEqual(['<...>', 'kworker/0:1', '<...>', 'kworker/0:1']);
    expect([at('swapper/0', 0, 0), at('swapper/1', 0, 1), at('<idle>', 0, 1), at('swapper/1', 0, 1)]).toEqual(['swapper/0', 'swapper/1', '<idle>', 'swapper/1']);
    expect([at('bash', 8), at('bash', 9), at('zsh', 8)]).toEqual(['bash', 'bash', 'zsh']);
    expect([at('wörker', 10), at('wörker', 10)]).toEqual(['wörker', 'wörker']);
  });
});
