// The Boot the browser test and the example report show: the real before-n0x3 capture.
// Until the pipeline (src/model/load-boot.ts) is committed, the capture's values from before-n0x3-boot.ts.

import type { Boot } from '../../../src/model/types.js';
import { beforeN0x3Boot } from './before-n0x3-boot.js';

export async function reportBoot(): Promise<Boot> {
  return beforeN0x3Boot();
}
