// The Boot as versioned JSON (schema trace-probe.boot/1, documented in docs/json-schemas.md). Stable key order
// (schema first), two-space indentation, a final newline.

import type { Boot } from '../model/types.js';

export function renderBootJson(boot: Boot): string {
  const { schema, ...rest } = boot;
  return JSON.stringify({ schema, ...rest }, null, 2) + '\n';
}
