// Checks a Boot read from JSON (`analyze --json`, a run of `simulate --json`) against the fields of
// trace-probe.boot/1 (types.ts, docs/json-schemas.md) before any command uses it, so a hand-edited or
// foreign file gives one line naming the file and the first bad field instead of a crash or NaN output.
// Fields added later by newer writers are allowed; the ones the commands read are required.

import { InputError } from '../ingest/input-error.js';

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'object';
/** A field's kind; `?` allows null. */
type Spec = Record<string, `${Kind}` | `${Kind}?`>;

const WORKER: Spec = { comm: 'string?', pid: 'number?', kind: 'string?', cpu: 'number?', pool: 'number?' };
const SOURCE: Spec = { file: 'string', line: 'number?' };
const PROBE: Spec = {
  device: 'string', driver: 'string?', node: 'number?', startNs: 'number?', endNs: 'number?', durationNs: 'number',
  ret: 'number?', status: 'string', deferred: 'boolean', cpu: 'number?', worker: 'object?', queuedBy: 'object?',
  queueDelayNs: 'number?', onCpuNs: 'number?', runnableWaitNs: 'number?', sleepNs: 'number?', origin: 'string',
  source: 'object', evidence: 'array',
};
const PROBE_TIMES = ['startNs', 'endNs', 'durationNs', 'queueDelayNs', 'onCpuNs', 'runnableWaitNs', 'sleepNs', 'bodyStartNs', 'bodyEndNs'];
const INITCALL: Spec = { fn: 'string', module: 'string?', startNs: 'number?', endNs: 'number?', durationNs: 'number?', ret: 'number?', source: 'object' };
const CPU: Spec = { cpu: 'number', node: 'number?', online: 'boolean' };
const FINDING: Spec = {
  kind: 'string', severity: 'string', title: 'string', detail: 'string', node: 'number?', cpu: 'number?', devices: 'array',
  drivers: 'array', lostNs: 'number?', evidence: 'array', warnings: 'array', data: 'object',
};
const DIAGNOSTIC: Spec = { file: 'string', line: 'number?', severity: 'string', message: 'string' };
const INPUT: Spec = { path: 'string', format: 'string', lines: 'number', diagnostics: 'number' };
const BOOT: Spec = {
  inputs: 'array', kernel: 'object', topology: 'object', probes: 'array', initcalls: 'array', findings: 'array', diagnostics: 'array',
};

/** Throws an InputError on `file` naming the first field that is missing or of the wrong kind. */
export function checkBootJson(value: unknown, file: string, at = ''): void {
  const fail = (path: string, what: string) => {
    throw new InputError(file, null, `not a trace-probe.boot/1 Boot: ${path} ${what}`);
  };
  const object = (v: unknown, path: string, spec: Spec) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path || 'the document', 'is not an object');
    const o = v as Record<string, unknown>;
    for (const [key, want] of Object.entries(spec)) {
      const field = path ? `${path}.${key}` : key;
      const nullable = want.endsWith('?');
      const kind = (nullable ? want.slice(0, -1) : want) as Kind;
      const got = o[key];
      if (got === undefined) fail(field, 'is missing');
      if (got === null) {
        if (!nullable) fail(field, `is null (expected ${kind})`);
        continue;
      }
      const actual = Array.isArray(got) ? 'array' : typeof got;
      if (actual !== kind) fail(field, `is ${actual === 'object' ? 'an object' : `a ${actual}`} (expected ${kind})`);
      if (kind === 'number' && !Number.isFinite(got)) fail(field, 'is not a finite number');
      if (kind === 'number' && key === 'durationNs' && (got as number) < 0) fail(field, 'is negative');
    }
    return o;
  };
  const each = (list: unknown, path: string, spec: Spec, inner?: (o: Record<string, unknown>, p: string) => void) => {
    (list as unknown[]).forEach((item, i) => {
      const o = object(item, `${path}[${i}]`, spec);
      inner?.(o, `${path}[${i}]`);
    });
  };
  const boot = object(value, at, BOOT);
  const p = (name: string) => (at ? `${at}.${name}` : name);
  each(boot.inputs, p('inputs'), INPUT, (o, path) => {
    const offset = o.clockOffsetNs;
    if (offset !== undefined && (typeof offset !== 'number' || !Number.isFinite(offset))) fail(`${path}.clockOffsetNs`, 'is not a finite number');
  });
  object(boot.kernel, p('kernel'), { release: 'string?', banner: 'string?', cmdline: 'string?' });
  const topology = object(boot.topology, p('topology'), { cpus: 'array', isolated: 'array', source: 'object?' });
  each(topology.cpus, p('topology.cpus'), CPU);
  // Times are integer ns, and a span does not end before it starts unless it is marked invalid (impossible-times.ts).
  const times = (o: Record<string, unknown>, path: string, keys: readonly string[]) => {
    for (const key of keys) {
      const v = o[key];
      if (typeof v === 'number' && !Number.isSafeInteger(v)) fail(`${path}.${key}`, 'is not an integer number of ns');
    }
    if (o.invalid === undefined && typeof o.startNs === 'number' && typeof o.endNs === 'number' && o.endNs < o.startNs) {
      fail(`${path}.endNs`, `is before its startNs (${o.startNs}) and the span is not marked invalid`);
    }
  };
  each(boot.probes, p('probes'), PROBE, (o, path) => {
    times(o, path, PROBE_TIMES);
    if (o.worker !== null) object(o.worker, `${path}.worker`, WORKER);
    if (o.queuedBy !== null) object(o.queuedBy, `${path}.queuedBy`, WORKER);
    object(o.source, `${path}.source`, SOURCE);
  });
  each(boot.initcalls, p('initcalls'), INITCALL, (o, path) => times(o, path, ['startNs', 'endNs', 'durationNs']));
  each(boot.findings, p('findings'), FINDING);
  each(boot.diagnostics, p('diagnostics'), DIAGNOSTIC);
}
