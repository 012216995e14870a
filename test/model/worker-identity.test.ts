import { describe, expect, it } from 'vitest';
import { parseWorkerComm, workerFromPid } from '../../src/model/worker-identity.js';

describe('parseWorkerComm', () => {
  it('bound per-CPU worker (patch mail, before)', () => {
    expect(parseWorkerComm('kworker/0:1', null)).toEqual({
      comm: 'kworker/0:1', pid: null, kind: 'bound', cpu: 0, pool: null, workerId: 1, rescuerOf: null, maybeTruncated: false,
    });
  });

  it('unbound pool worker: the number after u is a pool id (patch mail, after v1)', () => {
    expect(parseWorkerComm('kworker/u1025:5', 4711)).toEqual({
      comm: 'kworker/u1025:5', pid: 4711, kind: 'unbound', cpu: null, pool: 1025, workerId: 5, rescuerOf: null, maybeTruncated: true,
    });
    expect(parseWorkerComm('kworker/u17:0', null)).toMatchObject({ kind: 'unbound', pool: 17, workerId: 0, maybeTruncated: false });
  });

  it('highpri, rescuer, dying and /proc comm suffixes (captured 6.18 names, formats §10)', () => {
    expect(parseWorkerComm('kworker/1:0H-events_highpri', null)).toMatchObject({ kind: 'highpri', cpu: 1, workerId: 0 });
    expect(parseWorkerComm('kworker/0:0-events', null)).toMatchObject({ kind: 'bound', cpu: 0, workerId: 0 });
    expect(parseWorkerComm('kworker/u8:1-writeback', null)).toMatchObject({ kind: 'unbound', pool: 8, workerId: 1 });
    expect(parseWorkerComm('kworker/R-rcu_g', null)).toMatchObject({ kind: 'rescuer', rescuerOf: 'rcu_g', maybeTruncated: true });
    expect(parseWorkerComm('kworker/dying', null)).toMatchObject({ kind: null, cpu: null, pool: null });
  });

  it('anything else is a plain task, comm kept verbatim', () => {
    expect(parseWorkerComm('(udev-worker)', 812)).toMatchObject({ kind: 'task', comm: '(udev-worker)', pid: 812 });
    expect(parseWorkerComm('kblockd', null)).toMatchObject({ kind: 'task' });
  });

  it('a pid-only identity has no comm and no kind', () => {
    expect(workerFromPid(8)).toEqual({ comm: null, pid: 8, kind: null, cpu: null, pool: null, workerId: null, rescuerOf: null, maybeTruncated: false });
  });
});
