// Loki's post-parse validation (parser.go validateExpr): node errors in tree order, sort grouping,
// and the "at least one non-empty matcher" rule for every selector. Returns a message; never throws.
import type { Expr, LogSelectorExpr, Matcher, SampleExpr } from '../ast.js';
import { compileMatcher } from '../../model/matchers.js';
import { nodeErrors } from './construct.js';

export const ERR_EMPTY_COMPATIBLE =
  'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

function matchesEmpty(m: Matcher): boolean {
  try {
    return compileMatcher(m)('');
  } catch {
    return false;
  }
}

function validateSelector(e: LogSelectorExpr): string | undefined {
  return e.matchers.some((m) => !matchesEmpty(m)) ? undefined : ERR_EMPTY_COMPATIBLE;
}

function validateSample(e: SampleExpr): string | undefined {
  const own = nodeErrors.get(e);
  if (own !== undefined) return own;
  switch (e.kind) {
    case 'binaryOp':
      return validateSample(e.lhs) ?? validateSample(e.rhs);
    case 'literal':
    case 'vector':
      return undefined;
    case 'vectorAggregation':
      if ((e.op === 'sort' || e.op === 'sort_desc') && e.grouping && e.grouping.labels.length > 0)
        return "sort and sort_desc doesn't allow grouping by ";
      return validateSample(e.expr);
    case 'labelReplace':
      return validateSample(e.expr);
    case 'rangeAggregation':
      return validateSelector(e.range.selector);
  }
}

/** The first validation error Loki reports for a parsed expression, if any. */
export function validationError(e: Expr): string | undefined {
  return e.kind === 'logSelector' ? validateSelector(e) : validateSample(e);
}
