// Range aggregations (count_over_time, rate, …, absent_over_time): reads the samples of one log
// range from the query source and slides a left-open, right-closed window over each series along
// the step grid, in O(samples + steps) per series. Never re-scans a series per step.
import type { Grouping, RangeAggregationExpr } from '../ast.js';
import type { SeriesSamples } from '../contracts.js';
import type { Labels } from '../../model/index.js';
import type { EvalContext } from './context.js';
import { hasPipelineError, pipelineError, throwIfAborted } from './errors.js';
import { rangeFunction } from './range-functions.js';
import { lastStepTime } from './step-grid.js';
import { compareLabels, groupLabels, seriesOf } from './vector.js';
import type { Series, StepVectors, Vector } from './vector.js';

/** The samples of one series as they arrived: batches are kept as given and joined once at the end. */
interface SeriesBuffer {
  series: Series;
  parts: SeriesSamples[];
  sorted: boolean;
}

interface JoinedSeries {
  series: Series;
  ts: readonly bigint[];
  values: readonly number[];
}

/**
 * Evaluates a range aggregation over the grid. `pushdown` is the grouping of an enclosing `sum`
 * that Loki pushes into the sample extractor (VectorAggregationExpr.Extractor): series are then
 * merged by those labels before windowing, which changes float rounding (sum of counts / range, not
 * sum of rates) exactly as in Loki. Series still carrying `__error__` are never merged.
 */
export async function evalRangeAggregation(
  expr: RangeAggregationExpr,
  ctx: EvalContext,
  pushdown?: Grouping,
): Promise<StepVectors> {
  const { grid } = ctx;
  if (grid.count === 0) return { steps: [] };
  const buffers = await loadSeries(expr, ctx, pushdown);

  const range = expr.range.range;
  const offset = expr.range.offset;
  const absent = expr.op === 'absent_over_time';
  const fn = rangeFunction(expr);
  const steps: Vector[] = [];
  for (let k = 0; k < grid.count; k++) steps.push([]);
  const present = absent ? new Uint8Array(grid.count) : undefined;
  let failStep = grid.count;
  let failLabels: Labels | undefined;

  const firstEnd = grid.start - offset;
  // Loki emits a step's samples in Go map order (random); label order makes ours deterministic.
  const ordered = [...buffers.values()].sort((a, b) => compareLabels(a.series.labels, b.series.labels));
  for (const buffer of ordered) {
    const buf = joinParts(buffer);
    const { ts } = buf;
    const n = ts.length;
    const failing = hasPipelineError(buf.series.labels);
    const windowValue = failing || absent ? undefined : fn(buf);
    let lo = 0;
    let hi = 0;
    let k = 0;
    let end = firstEnd;
    while (k < grid.count) {
      while (hi < n && ts[hi] <= end) hi++;
      const start = end - range;
      while (lo < hi && ts[lo] <= start) lo++;
      if (lo < hi) {
        if (failing) {
          if (k < failStep) {
            failStep = k;
            failLabels = buf.series.labels;
          }
          break;
        }
        if (present) present[k] = 1;
        else steps[k].push({ series: buf.series, value: windowValue!(lo, hi) });
        k++;
        end += grid.step;
        continue;
      }
      if (hi >= n) break;
      // Jump to the first step whose window end reaches the next sample.
      const next = Number((ts[hi] - firstEnd + grid.step - 1n) / grid.step);
      k = Math.max(k + 1, next);
      end = firstEnd + BigInt(k) * grid.step;
    }
  }

  steps.length = failStep;
  if (present) {
    const absentSeries = seriesOf(absentLabels(expr));
    for (let k = 0; k < steps.length; k++) if (!present[k]) steps[k].push({ series: absentSeries, value: 1 });
  }
  if (failLabels) return { steps, failure: { step: failStep, error: pipelineError(failLabels) } };
  return { steps };
}

async function loadSeries(
  expr: RangeAggregationExpr,
  ctx: EvalContext,
  pushdown: Grouping | undefined,
): Promise<Map<string, SeriesBuffer>> {
  const { grid } = ctx;
  const range = expr.range.range;
  const offset = expr.range.offset;
  const extractor = ctx.deps.buildSampleExtractor(expr, pushdown);
  const buffers = new Map<string, SeriesBuffer>();
  const targets = new Map<string, Series>();
  throwIfAborted(ctx.signal);
  const batches = ctx.source.selectSamples({
    expr,
    matchers: expr.range.selector.matchers,
    extractor,
    start: grid.start - range - offset,
    // one nanosecond past the last window end: windows are right-closed
    end: lastStepTime(grid) - offset + 1n,
  });
  for await (const batch of batches) {
    throwIfAborted(ctx.signal);
    for (const s of batch) append(buffers, targetSeries(targets, s, pushdown), s);
  }
  return buffers;
}

function targetSeries(targets: Map<string, Series>, s: SeriesSamples, pushdown: Grouping | undefined): Series {
  let target = targets.get(s.labels.key);
  if (!target) {
    const all = s.labels.all;
    target =
      pushdown && !hasPipelineError(all) ? seriesOf(groupLabels(all, pushdown)) : { labels: all, key: s.labels.key };
    targets.set(s.labels.key, target);
  }
  return target;
}

function append(buffers: Map<string, SeriesBuffer>, series: Series, s: SeriesSamples): void {
  if (s.ts.length === 0) return;
  let buf = buffers.get(series.key);
  if (!buf) {
    buf = { series, parts: [], sorted: true };
    buffers.set(series.key, buf);
  }
  const prev = buf.parts[buf.parts.length - 1];
  if (prev && s.ts[0] < prev.ts[prev.ts.length - 1]) buf.sorted = false;
  buf.parts.push(s);
}

/** One time-ordered sample list; interleaved parts (merged series) are sorted stably by time. */
function joinParts(buf: SeriesBuffer): JoinedSeries {
  if (buf.parts.length === 1) return { series: buf.series, ts: buf.parts[0].ts, values: buf.parts[0].values };
  const ts: bigint[] = [];
  const values: number[] = [];
  for (const p of buf.parts) {
    for (let i = 0; i < p.ts.length; i++) {
      ts.push(p.ts[i]);
      values.push(p.values[i]);
    }
  }
  if (buf.sorted) return { series: buf.series, ts, values };
  const order = ts.map((_, i) => i);
  order.sort((a, b) => (ts[a] < ts[b] ? -1 : ts[a] > ts[b] ? 1 : a - b));
  return { series: buf.series, ts: order.map((i) => ts[i]), values: order.map((i) => values[i]) };
}

/**
 * The labels absent_over_time reports (evaluator.go absentLabels): equality matchers set their
 * label; a label named by any other matcher, or by two equality matchers, is left out.
 */
function absentLabels(expr: RangeAggregationExpr): Labels {
  const set = new Map<string, string>();
  const dropped = new Set<string>();
  for (const m of expr.range.selector.matchers) {
    if (m.name === '__name__') continue;
    if (m.op === '=' && !set.has(m.name)) set.set(m.name, m.value);
    else dropped.add(m.name);
  }
  return [...set]
    .filter(([name]) => !dropped.has(name))
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
