// Initcall spans from initcall_debug (init/main.c) and async-domain entries (kernel/async.c):
// `calling  fn @ pid` opens a span, `initcall fn returned R after N usecs` closes it. Pairs are
// keyed by (async cookie, fn, module) and, when several are open under one key, by the caller pid.
// Printed usecs were ns>>10 before 5.18 (see kernel-info.ts): durationNs is the printed value × 1024 then
// (`usecsAreShifted` true), × 1000 otherwise, so it is nanoseconds either way.

import type { KernelRecord } from '../ingest/kernel-records.types.js';
import type { Builder } from './builder.js';
import { initcallUsecsAreShifted, type KernelInfoBuilder } from './kernel-info.js';
import type { Diagnostic, InitcallSpan } from './types.js';
import { ns, pidOf, usToNs } from './types.js';

export interface InitcallData {
  initcalls: InitcallSpan[];
  diagnostics: Diagnostic[];
}

type StartRecord = Extract<KernelRecord, { type: 'initcall-start' }>;
type ReturnRecord = Extract<KernelRecord, { type: 'initcall-return' }>;

interface OpenCall {
  record: StartRecord;
  level: string | null;
}

export class InitcallBuilder implements Builder<KernelRecord, InitcallData> {
  readonly name = 'initcalls';
  /** The boot's kernel release (the pass's KernelInfoBuilder): read when finalizing. */
  constructor(private readonly kernel: KernelInfoBuilder) {}

  deps(): readonly string[] {
    return ['kernel-info'];
  }

  private open = new Map<string, OpenCall[]>();
  private level: string | null = null;
  private spans: Array<{ order: number; span: InitcallSpan }> = [];
  private diagnostics: Diagnostic[] = [];
  private result: InitcallData = { initcalls: [], diagnostics: [] };
  private firstSwitch: Extract<KernelRecord, { type: 'clocksource-switch' }> | null = null;

  reset(): void {
    this.open.clear();
    this.level = null;
    this.spans = [];
    this.diagnostics = [];
    this.result = { initcalls: [], diagnostics: [] };
    this.firstSwitch = null;
  }

  handle(record: KernelRecord): void {
    switch (record.type) {
      case 'initcall-level':
        this.level = record.level;
        break;
      case 'initcall-start': {
        const key = keyOf(record);
        const list = this.open.get(key);
        const call = { record, level: record.asyncCookie === null ? this.level : null };
        if (list) list.push(call);
        else this.open.set(key, [call]);
        break;
      }
      case 'initcall-return':
        this.close(record);
        break;
      case 'clocksource-switch':
        // The first switch ends the jiffies clocksource that ktime (and so initcall_debug's durations) used.
        this.firstSwitch ??= record;
        break;
      default:
        break;
    }
  }

  finalize(): void {
    for (const list of this.open.values()) {
      for (const { record, level } of list) {
        const { file, line } = record.line.source;
        this.diagnostics.push({
          file,
          line,
          severity: 'warning',
          message: `initcall ${record.fn} was called but never returned before the end of the input (it may have hung)`,
        });
        this.spans.push({
          order: line,
          span: {
            fn: record.fn,
            module: record.module,
            asyncCookie: record.asyncCookie,
            callerPid: pidOf(record.pid),
            startNs: record.line.timeNs,
            endNs: null,
            durationNs: null,
            usecsAreShifted: false,
            ret: null,
            level,
            source: record.line.source,
          },
        });
      }
    }
    this.open.clear();
    const shifted = initcallUsecsAreShifted(this.kernel.version());
    const spans = this.spans.sort((a, b) => a.order - b.order).map((s) => s.span);
    if (shifted === null && spans.some((s) => s.durationNs !== null)) {
      this.diagnostics.push({
        file: spans[0]!.source.file,
        line: null,
        severity: 'warning',
        message: 'kernel release unknown (no "Linux version" line): initcall usecs are taken as exact, but kernels before 5.18 printed ns/1024',
      });
    }
    for (const span of spans) {
      span.usecsAreShifted = span.durationNs !== null && shifted === true;
      // The printed "usecs" were ns >> 10: ×1024 gives the ns (within 1 µs), as the Boot JSON promises ns.
      if (span.usecsAreShifted) span.durationNs = ns((span.durationNs! / 1000) * 1024);
    }
    this.jiffyResolution(spans);
    this.result = { initcalls: spans, diagnostics: this.diagnostics };
  }

  /**
   * Before the first clocksource switch ktime runs on jiffies, so the durations initcall_debug prints are whole
   * ticks (4 ms at HZ=250: 6.1's acpi_init 236 ms, pci_subsys_init 8 ms); their calling/returned printk times are finer.
   */
  private jiffyResolution(spans: InitcallSpan[]): void {
    const sw = this.firstSwitch;
    if (sw === null || sw.line.timeNs === null) return;
    const early = spans.filter((s) => s.endNs !== null && s.endNs < sw.line.timeNs! && s.durationNs !== null);
    if (early.length === 0) return;
    this.diagnostics.push({ file: sw.line.source.file, line: sw.line.source.line, severity: 'warning',
      message: `${early.length} initcall(s) returned before this switch from the jiffies clocksource: their printed durations have tick resolution (whole jiffies, e.g. 4 ms at HZ=250); the calling/returned line times (startNs, endNs) are finer` });
  }

  data(): InitcallData {
    return this.result;
  }

  private close(record: ReturnRecord): void {
    const key = keyOf(record);
    const list = this.open.get(key);
    const caller = record.line.caller;
    let index = -1;
    if (list && list.length > 0) {
      if (caller?.kind === 'T') index = list.findIndex((c) => c.record.pid === caller.id);
      if (index < 0) index = list.length - 1;
    }
    const call = index >= 0 ? list!.splice(index, 1)[0]! : null;
    if (list && list.length === 0) this.open.delete(key);
    const durationNs = usToNs(record.usecs);
    const endNs = record.line.timeNs;
    if (!call) {
      this.diagnostics.push({
        file: record.line.source.file,
        line: record.line.source.line,
        severity: 'warning',
        message: `initcall ${record.fn} returned without a matching "calling" line; its start is taken as end − duration`,
      });
    }
    this.spans.push({
      order: (call?.record ?? record).line.source.line,
      span: {
        fn: record.fn,
        module: record.module,
        asyncCookie: record.asyncCookie,
        callerPid: call ? pidOf(call.record.pid) : caller?.kind === 'T' ? pidOf(caller.id) : null,
        startNs: call ? call.record.line.timeNs : endNs === null ? null : ns(endNs - durationNs),
        endNs,
        durationNs,
        usecsAreShifted: false,
        ret: record.ret,
        level: call ? call.level : null,
        source: (call?.record ?? record).line.source,
      },
    });
  }
}

function keyOf(record: StartRecord | ReturnRecord): string {
  return `${record.asyncCookie ?? ''}|${record.fn}|${record.module ?? ''}`;
}
