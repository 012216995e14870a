import { describe, expect, it } from 'vitest';
import { probeDataLevel } from '../../src/findings/data-level.js';
import { parseWorkerComm } from '../../src/model/worker-identity.js';
import { probeFromCustomLine, probeFromDmesg } from './capture-probes.js';

describe('probeDataLevel', () => {
  it('a caller id whose comm is known from elsewhere (e.g. an oops header `CPU: 0 PID: 7 Comm: kworker/0:0`) stays caller-id', () => {
    const line = probeFromDmesg('fixtures/captures/before-n0x3', 1219, { callerIds: true });
    expect(probeDataLevel(line)).toBe('caller-id');
    expect(probeDataLevel({ ...line, worker: parseWorkerComm('kworker/0:0', 8) })).toBe('caller-id');
  });

  it('the patch-mail instrumentation line (CPU, COMM, cost) is custom-line', () => {
    expect(probeDataLevel(probeFromCustomLine('fixtures/sim/before.log', 1))).toBe('custom-line');
  });
});
