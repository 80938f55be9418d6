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

/** Substrings a line must contain (all of `include`) or must not contain (any of `exclude`) to pass. */
export interface LineNeedles {
  include: string[];
  exclude: string[];
}

/**
 * The plain substring tests among the line filters that see the raw line (`|= "x"` without `or`,
 * and every alternative of `!= "x" or "y"`), or undefined when there are none. Storage may test
 * them on line bytes before decoding lines; the pipeline still applies every filter.
 */
export function extractLineNeedles(stages: readonly StageExpr[]): LineNeedles | undefined {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const s of stages) {
    if (REWRITES_LINE.has(s.kind)) break;
    if (s.kind !== 'lineFilters') continue;
    for (const f of s.filters) {
      const alternatives = [f.match, ...f.or];
      if (alternatives.some((m) => m.ip || m.value === '')) continue;
      if (f.op === '|=' && f.or.length === 0) include.push(f.match.value);
      else if (f.op === '!=') for (const m of alternatives) exclude.push(m.value);
    }
  }
  return include.length > 0 || exclude.length > 0 ? { include, exclude } : undefined;
}
