// What every evaluation step needs to reach: the step grid, the query source, the injected
// pipeline/extractor builders and the abort signal. Types only.
import type { Grouping, Stage, RangeAggregationExpr } from '../ast.js';
import type { Pipeline, QuerySource, SampleExtractor } from '../contracts.js';
import type { StepGrid } from './step-grid.js';

export interface EngineDeps {
  buildPipeline(stages: Stage[]): Pipeline;
  /** `outer`: the grouping of an enclosing sum that Loki pushes into the extractor. */
  buildSampleExtractor(expr: RangeAggregationExpr, outer?: Grouping): SampleExtractor;
  /**
   * False when sources must return series with full labels (replicas are de-duplicated by series
   * before the engine groups them): the enclosing grouping is then applied by the engine only.
   */
  groupInExtractor?: boolean;
}

export interface EngineLimits {
  maxQuerySeries: number;
  /**
   * The tenant's split_queries_by_interval (ns, 0 or absent = no splitting). Loki's query frontend
   * runs a range query spanning several intervals as sub-queries and its merge orders the series by
   * labels string instead of the engine's labels.Compare; passing it reproduces that order.
   */
  splitQueriesByInterval?: bigint;
}

export interface EvalContext {
  readonly grid: StepGrid;
  readonly source: QuerySource;
  readonly deps: EngineDeps;
  readonly signal?: AbortSignal;
}
