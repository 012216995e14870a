// CPU topology: lscpu (util-linux sys-utils/lscpu.c: `lscpu -p` CSV, with or without its `# CPU,...` header, and
// the human output) and sysfs cpulists (lib/vsprintf.c %*pbl, alone or keyed as node-cpulist.txt / cpus.txt).
// Read by topology.ts.

import { readTopology } from '../topology.js';
import type { SniffHead } from '../sniff-head.js';
import type { TopologyFormatModule } from './format-module.js';

/** Most lines are CSV rows of numbers: `lscpu -p` output, unless a single unnamed row (a cpulist such as `0,2`). */
function csvRows(head: SniffHead): 'lscpu' | 'cpulist' | null {
  const rows = head.count('csv-row');
  if (rows === 0 || rows < 0.8 * head.content) return null;
  return rows === 1 && !head.nameSays('.csv', 'lscpu', 'topology') ? 'cpulist' : 'lscpu';
}

export const lscpu: TopologyFormatModule<'lscpu'> = {
  format: 'lscpu',
  role: 'topology',
  sniff: (head) => {
    if (head.lines.some((l) => /^#\s*CPU,/.test(l))) return 'certain';
    return head.count('lscpu-human') >= 2 || csvRows(head) === 'lscpu' ? 'likely' : null;
  },
  read: (path, onDiagnostic) => readTopology(path, 'lscpu', onDiagnostic),
};

export const cpulist: TopologyFormatModule<'cpulist'> = {
  format: 'cpulist',
  role: 'topology',
  sniff: (head) => {
    const cpulists = head.count('cpulist');
    return csvRows(head) === 'cpulist' || (cpulists > 0 && cpulists + head.count('csv-row') >= 0.8 * head.content) ? 'likely' : null;
  },
  read: (path, onDiagnostic) => readTopology(path, 'cpulist', onDiagnostic),
};
