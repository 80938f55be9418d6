// The unit every pipeline step implements: one call per entry, returning the (possibly rewritten)
// line or undefined to drop the entry. Stages never keep per-entry state between calls.
import type { LabelsBuilder } from './labels-builder.js';

export interface Stage {
  process(ts: bigint, line: string, lbs: LabelsBuilder): string | undefined;
}
