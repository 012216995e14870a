// The Boot the browser test shows: the real before-n0x3 capture (unpatched 6.1.176, 3 NVMe on node 0),
// loaded through the whole pipeline from its committed copy under fixtures/captures.

import { loadBoot } from '../../../src/pipeline/load-boot.js';
import type { Boot } from '../../../src/model/types.js';

export const REPORT_CAPTURE = 'fixtures/captures/before-n0x3';

export function reportBoot(): Promise<Boot> {
  return loadBoot([REPORT_CAPTURE]);
}
