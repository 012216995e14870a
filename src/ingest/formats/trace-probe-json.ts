// trace-probe's own JSON: a Boot (`analyze --json`, schema trace-probe.boot/1) and a simulation (`simulate
// --json`, trace-probe.sim/1). Read whole by pipeline/boot-json.ts, which checks them against the model.

import { jsonHeadKind } from '../sniff-head.js';
import type { BootJsonFormatModule } from './format-module.js';

export const bootJson: BootJsonFormatModule<'boot-json'> = {
  format: 'boot-json',
  role: 'boot-json',
  sniff: (head) => (jsonHeadKind(head) === 'boot-json' ? 'certain' : null),
};

export const simJson: BootJsonFormatModule<'sim-json'> = {
  format: 'sim-json',
  role: 'boot-json',
  sniff: (head) => (jsonHeadKind(head) === 'sim-json' ? 'certain' : null),
};
