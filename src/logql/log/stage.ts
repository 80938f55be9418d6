// The unit every pipeline step implements: one call per entry, returning the (possibly rewritten)
// line or undefined to drop the entry. Stages never keep per-entry state between calls.
import type { LabelsBuilder } from './labels-builder.js';
import type { EarlyLabelFilter } from './parser-hints.js';

export interface Stage {
  process(ts: bigint, line: string, lbs: LabelsBuilder): string | undefined;
  /**
   * The labels the stage reads (Loki's RequiredLabelNames), for parser hints. A stage without the
   * method reads none; one returning undefined may read any label.
   */
  requiredLabels?(): readonly string[] | undefined;
  /** A filter on exactly one label: parsers may apply it as soon as they set that label. */
  readonly earlyFilter?: EarlyLabelFilter;
  /** Under parser hints, the stage is faster on lines its reader marks printable ASCII (LabelsBuilder.printableLine). */
  readonly usesPrintableLines?: boolean;
  /** The stage reads the entry's timestamp (templates); others are handed any timestamp. */
  readonly readsTimestamp?: boolean;
}
