// Public API of the LogQL log pipeline: compile once per query (Loki's build-time errors), apply per
// entry. Also the leading line filters alone, for storage to filter before building labels.
import type { Stage as StageExpr } from '../ast.js';
import { compileLineFilters, type LinePredicate } from './line-filter.js';

export { buildPipeline } from './pipeline.js';
export { buildSampleExtractor } from './sample-extractor.js';
export { PipelineBuildError } from './errors.js';
export type { LinePredicate };

/** Stages that may rewrite the line: line filters after them see a different line. */
const REWRITES_LINE = new Set<StageExpr['kind']>(['lineFormat', 'decolorize', 'unpack']);

/**
 * A predicate for the line filters that see the raw line (every line filter before the first stage
 * that can rewrite the line), or undefined when there are none. Entries it rejects would be dropped
 * by the pipeline anyway, so storage may apply it first; the pipeline still applies them.
 */
export function extractLineFilters(stages: readonly StageExpr[]): LinePredicate | undefined {
  const filters = [];
  for (const s of stages) {
    if (REWRITES_LINE.has(s.kind)) break;
    if (s.kind === 'lineFilters') filters.push(...s.filters);
  }
  return filters.length > 0 ? compileLineFilters(filters) : undefined;
}
