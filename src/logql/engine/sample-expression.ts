// Evaluates a sample (metric) expression tree over the step grid: dispatches each node to its
// evaluator and wires Loki's pushdown of `sum by` grouping into range aggregations. No I/O of its
// own; data comes only through the query source in range aggregations.
import type { RangeOp, SampleExpr, VectorAggregationExpr } from '../ast.js';
import type { EvalContext } from './context.js';
import { unsupportedExprError } from './errors.js';
import { combineVectors, combineWithScalar, scalarValue } from './binary-operation.js';
import { replaceLabels } from './label-replace.js';
import { evalRangeAggregation } from './range-aggregation.js';
import { aggregateVectors } from './vector-aggregation.js';
import { EMPTY_SERIES } from './vector.js';
import type { StepVectors, Vector } from './vector.js';

/** Range operations whose samples may be merged by an enclosing `sum`'s grouping (ast.go canInjectVectorGrouping). */
const PUSHDOWN_OPS = new Set<RangeOp>(['bytes_over_time', 'bytes_rate', 'sum_over_time', 'rate', 'count_over_time']);

export async function evalSampleExpr(expr: SampleExpr, ctx: EvalContext): Promise<StepVectors> {
  switch (expr.kind) {
    case 'rangeAggregation':
      return evalRangeAggregation(expr, ctx);
    case 'vectorAggregation':
      return aggregateVectors(expr, await evalAggregated(expr, ctx));
    case 'binaryOp': {
      const l = scalarValue(expr.lhs);
      const r = scalarValue(expr.rhs);
      if (l !== undefined && r !== undefined) throw unsupportedExprError('*syntax.LiteralExpr');
      if (l !== undefined) return combineWithScalar(expr, await evalSampleExpr(expr.rhs, ctx), l, true);
      if (r !== undefined) return combineWithScalar(expr, await evalSampleExpr(expr.lhs, ctx), r, false);
      const rhs = await evalSampleExpr(expr.rhs, ctx);
      const lhs = await evalSampleExpr(expr.lhs, ctx);
      return combineVectors(expr, lhs, rhs);
    }
    case 'labelReplace':
      return replaceLabels(expr, await evalSampleExpr(expr.expr, ctx));
    case 'vector':
      return constant(expr.value, ctx);
    case 'literal':
      throw unsupportedExprError('*syntax.LiteralExpr');
  }
}

/**
 * A `sum` directly over a pushdown-capable range aggregation without its own grouping hands its
 * grouping to the extractor. An empty label list drops every label, even with `without ()`, as
 * Loki's extractor does (noLabels).
 */
function evalAggregated(expr: VectorAggregationExpr, ctx: EvalContext): Promise<StepVectors> {
  const inner = expr.expr;
  if (expr.op === 'sum' && inner.kind === 'rangeAggregation' && !inner.grouping && PUSHDOWN_OPS.has(inner.op)) {
    const g = expr.grouping;
    return evalRangeAggregation(inner, ctx, g && g.labels.length > 0 ? g : { without: false, labels: [] });
  }
  return evalSampleExpr(inner, ctx);
}

/** A label-less sample of the same value at every step: vector(x), and folded literal legs. */
function constant(value: number, ctx: EvalContext): StepVectors {
  const steps: Vector[] = [];
  for (let k = 0; k < ctx.grid.count; k++) steps.push([{ series: EMPTY_SERIES, value }]);
  return { steps };
}
