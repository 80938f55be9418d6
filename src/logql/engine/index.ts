// The LogQL evaluation engine: runs a parsed query against a QuerySource and assembles Loki's
// result shapes (streams, matrix, vector, scalar). Pure logic; data arrives only through the source.
import { isLogExpr } from '../ast.js';
import type { Expr, SampleExpr } from '../ast.js';
import type { QuerySource } from '../contracts.js';
import type { Labels } from '../../model/index.js';
import { scalarValue } from './binary-operation.js';
import type { EngineDeps, EngineLimits, EvalContext } from './context.js';
import { approxTopkRangeError, instantLogQueryError, seriesLimitError } from './errors.js';
import { evalLogQuery } from './log-query.js';
import type { ResultStream } from './log-query.js';
import { evalSampleExpr } from './sample-expression.js';
import { instantGrid, rangeGrid, splitIntoSubqueries } from './step-grid.js';
import type { StepGrid } from './step-grid.js';
import { compareGoStrings, compareLabels } from './vector.js';
import type { StepVectors, Vector } from './vector.js';

export type { EngineDeps, EngineLimits } from './context.js';
export type { ResultEntry, ResultStream } from './log-query.js';
export { formatSampleValue } from './format.js';

export interface QueryParams {
  expr: Expr;
  /** ns; for instant queries start === end === time. */
  start: bigint;
  end: bigint;
  /** ns; 0 for instant queries. */
  step: bigint;
  /** ns; log queries only, 0 = off. */
  interval: bigint;
  direction: 'forward' | 'backward';
  limit: number;
  instant: boolean;
  /** Log queries: group by stream labels only; structured metadata and parsed labels go per entry. */
  categorizeLabels?: boolean;
}

export interface MatrixSeries {
  metric: Labels;
  /** [milliseconds since the epoch, value] */
  values: [number, number][];
}

export interface VectorSample {
  metric: Labels;
  ms: number;
  value: number;
}

export type QueryResult =
  | { type: 'streams'; streams: ResultStream[] }
  | { type: 'matrix'; series: MatrixSeries[] }
  | { type: 'vector'; samples: VectorSample[] }
  | { type: 'scalar'; ms: number; value: number };

/**
 * Evaluates a query. Log queries return streams sorted by labels; range metric queries a matrix
 * sorted by labels (Loki sorts promql.Matrix); instant metric queries a vector sorted by labels unless
 * the query contains sort/sort_desc; a literal-only query a scalar (instant) or a constant matrix.
 */
export async function evaluate(
  params: QueryParams,
  source: QuerySource,
  deps: EngineDeps,
  limits: EngineLimits,
  signal?: AbortSignal,
): Promise<QueryResult> {
  const { expr } = params;
  if (isLogExpr(expr)) {
    if (params.instant) throw instantLogQueryError();
    const streams = await evalLogQuery(
      expr,
      {
        start: params.start,
        end: params.end,
        direction: params.direction,
        limit: params.limit,
        interval: params.interval,
        categorizeLabels: params.categorizeLabels ?? false,
      },
      source,
      deps,
      signal,
    );
    return { type: 'streams', streams };
  }

  const grid = params.instant ? instantGrid(params.start) : rangeGrid(params.start, params.end, params.step);
  const scalar = scalarValue(expr);
  if (scalar !== undefined) {
    if (params.instant) return { type: 'scalar', ms: grid.ms[0], value: scalar };
    return { type: 'matrix', series: [{ metric: [], values: grid.ms.map((ms) => [ms, scalar]) }] };
  }
  if (!params.instant && containsOperation(expr, 'approx_topk')) throw approxTopkRangeError();

  const ctx: EvalContext = { grid, source, deps, signal };
  const result = await evalSampleExpr(expr, ctx);
  if (params.instant) return instantVector(expr, result.steps, result.failure, grid, limits);
  const byLabelsString = splitIntoSubqueries(grid, limits.splitQueriesByInterval ?? 0n, maxRange(expr));
  return matrix(result.steps, result.failure, grid, limits, byLabelsString);
}

type Failure = StepVectors['failure'];

function instantVector(
  expr: SampleExpr,
  steps: Vector[],
  failure: Failure,
  grid: StepGrid,
  limits: EngineLimits,
): QueryResult {
  if (failure && failure.step === 0) throw failure.error;
  const vec = steps[0] ?? [];
  if (vec.length > limits.maxQuerySeries) throw seriesLimitError(limits.maxQuerySeries);
  const ordered = containsOperation(expr, 'sort') || containsOperation(expr, 'sort_desc');
  const samples = vec.map((s) => ({ metric: s.series.labels, ms: grid.ms[0], value: s.value }));
  if (!ordered) samples.sort((a, b) => compareLabels(a.metric, b.metric));
  return { type: 'vector', samples };
}

/**
 * Joins step vectors into series, failing in step order as Loki's JoinSampleVector does. Series are
 * ordered by labels.Compare, or by labels string when the frontend would have split and merged.
 */
function matrix(
  steps: Vector[],
  failure: Failure,
  grid: StepGrid,
  limits: EngineLimits,
  byLabelsString: boolean,
): QueryResult {
  const series = new Map<string, MatrixSeries>();
  for (let k = 0; k < grid.count; k++) {
    if (failure && failure.step === k) throw failure.error;
    const vec = steps[k];
    if (!vec) break;
    for (const s of vec) {
      let out = series.get(s.series.key);
      if (!out) {
        out = { metric: s.series.labels, values: [] };
        series.set(s.series.key, out);
      }
      out.values.push([grid.ms[k], s.value]);
    }
    if (series.size > limits.maxQuerySeries) throw seriesLimitError(limits.maxQuerySeries);
  }
  const out = [...series.entries()];
  if (byLabelsString) out.sort((a, b) => compareGoStrings(a[0], b[0]));
  else out.sort((a, b) => compareLabels(a[1].metric, b[1].metric));
  return { type: 'matrix', series: out.map(([, s]) => s) };
}

/** The longest log range in the query (the splitter never splits finer than that). */
function maxRange(expr: SampleExpr): bigint {
  switch (expr.kind) {
    case 'rangeAggregation':
      return expr.range.range;
    case 'vectorAggregation':
      return maxRange(expr.expr);
    case 'labelReplace':
      return maxRange(expr.expr);
    case 'binaryOp': {
      const l = maxRange(expr.lhs);
      const r = maxRange(expr.rhs);
      return l > r ? l : r;
    }
    default:
      return 0n;
  }
}

function containsOperation(expr: SampleExpr, op: string): boolean {
  switch (expr.kind) {
    case 'vectorAggregation':
      return expr.op === op || containsOperation(expr.expr, op);
    case 'binaryOp':
      return containsOperation(expr.lhs, op) || containsOperation(expr.rhs, op);
    case 'labelReplace':
      return containsOperation(expr.expr, op);
    default:
      return false;
  }
}
