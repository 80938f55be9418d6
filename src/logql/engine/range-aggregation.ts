// Range aggregations (count_over_time, rate, …, absent_over_time): reads the samples of one log
// range from the query source and slides a left-open, right-closed window over each series along
// the step grid, in O(samples + steps) per series. Never re-scans a series per step, and never
// makes a BigInt per sample: windows walk integral nanosecond offsets held exactly in doubles.
import type { Grouping, RangeAggregationExpr } from '../ast.js';
import { MAX_SAMPLE_SPAN_NS, type SeriesSamples } from '../contracts.js';
import type { Labels } from '../../model/index.js';
import type { EvalContext } from './context.js';
import { hasPipelineError, pipelineError, rangeTooLongError, throwIfAborted } from './errors.js';
import { additiveRangeFunction, exactlySummable, rangeFunction, type AdditiveRangeFunction, type RangeFunction } from './range-functions.js';
import { joinSamples } from './series-samples.js';
import { compareLabels, groupLabels, seriesOf } from './vector.js';
import type { Series, StepVectors, Vector } from './vector.js';

/** The samples of one series as they arrived: parts (each ascending) are kept as given. */
interface SeriesBuffer {
  series: Series;
  parts: SeriesSamples[];
}

/**
 * Steps [from, to) of the grid, evaluated from one read of the source. Window k is
 * (end_k - range, end_k] with end_k = firstEnd + k·step (ns).
 */
interface StepSlice {
  from: number;
  to: number;
  firstEnd: bigint;
  step: bigint;
  range: bigint;
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
  const steps: Vector[] = [];
  for (let k = 0; k < grid.count; k++) steps.push([]);
  const absent = expr.op === 'absent_over_time';
  const present = absent ? new Uint8Array(grid.count) : undefined;
  const range = expr.range.range;
  const firstEnd = grid.start - expr.range.offset;
  let failure: { step: number; labels: Labels } | undefined;
  for (const [from, to] of stepSlices(grid.count, grid.step, range)) {
    const slice: StepSlice = { from, to, firstEnd, step: grid.step, range };
    const buffers = await loadSeries(expr, ctx, slice, pushdown);
    failure = evalSlice(expr, slice, buffers, steps, present);
    if (failure) break;
  }
  if (failure) steps.length = failure.step;
  if (present) {
    const absentSeries = seriesOf(absentLabels(expr));
    for (let k = 0; k < steps.length; k++) if (!present[k]) steps[k].push({ series: absentSeries, value: 1 });
  }
  if (failure) return { steps, failure: { step: failure.step, error: pipelineError(failure.labels) } };
  return { steps };
}

/**
 * Cuts the grid into runs of steps whose samples span at most MAX_SAMPLE_SPAN_NS (one run unless the
 * query covers more than about 104 days), so every sample offset of a read is exact.
 */
function* stepSlices(count: number, step: bigint, range: bigint): Generator<[number, number]> {
  const room = MAX_SAMPLE_SPAN_NS - range - 1n;
  if (room < 0n) throw rangeTooLongError(range, MAX_SAMPLE_SPAN_NS - 1n);
  const perSlice = room / step + 1n;
  const size = perSlice >= BigInt(count) ? count : Number(perSlice);
  for (let from = 0; from < count; from += size) yield [from, Math.min(count, from + size)];
}

/**
 * Evaluates the steps of one slice for every series, in label order. Returns the earliest step at
 * which a series with a pipeline error has samples, if any (later steps are then not needed).
 */
function evalSlice(
  expr: RangeAggregationExpr,
  slice: StepSlice,
  buffers: Map<string, SeriesBuffer>,
  steps: Vector[],
  present: Uint8Array | undefined,
): { step: number; labels: Labels } | undefined {
  const additive = additiveRangeFunction(expr);
  const fn = present ? undefined : rangeFunction(expr);
  let failure: { step: number; labels: Labels } | undefined;
  // Loki emits a step's samples in Go map order (random); label order makes ours deterministic.
  const ordered = [...buffers.values()].sort((a, b) => compareLabels(a.series.labels, b.series.labels));
  for (const { series, parts } of ordered) {
    if (hasPipelineError(series.labels)) {
      const counts = windowTotals(parts, slice, false).counts;
      const k = counts.findIndex((c) => c > 0);
      if (k >= 0 && (failure === undefined || slice.from + k < failure.step)) failure = { step: slice.from + k, labels: series.labels };
      continue;
    }
    if (present) {
      const { counts } = windowTotals(parts, slice, false);
      for (let k = 0; k < counts.length; k++) if (counts[k] > 0) present[slice.from + k] = 1;
      continue;
    }
    if (additive && (!additive.usesValues || exactlySummable(parts.map((p) => p.values)))) pushTotals(series, parts, slice, additive, steps);
    else pushWindows(series, parts, slice, fn!, steps);
  }
  return failure;
}

/** Additive functions: per-window sample counts and value sums, added up part by part (no joining). */
function pushTotals(series: Series, parts: readonly SeriesSamples[], slice: StepSlice, fn: AdditiveRangeFunction, steps: Vector[]): void {
  const { counts, sums } = windowTotals(parts, slice, fn.usesValues);
  for (let k = 0; k < counts.length; k++) if (counts[k] > 0) steps[slice.from + k].push({ series, value: fn.value(counts[k], sums[k]) });
}

/** Any function: the parts joined into one ascending series, each window evaluated on it. */
function pushWindows(series: Series, parts: readonly SeriesSamples[], slice: StepSlice, fn: RangeFunction, steps: Vector[]): void {
  const joined = parts.length === 1 ? parts[0] : joinSamples(parts);
  const windowValue = fn(joined);
  forEachWindow(joined, slice, (k, lo, hi) => steps[slice.from + k].push({ series, value: windowValue(lo, hi) }));
}

/** The number of samples (and, with `sums`, their value total) in each window of the slice, over all parts. */
function windowTotals(parts: readonly SeriesSamples[], slice: StepSlice, sums: boolean): { counts: Float64Array; sums: Float64Array } {
  const n = slice.to - slice.from;
  const out = { counts: new Float64Array(n), sums: new Float64Array(sums ? n : 0) };
  for (const part of parts) {
    let prefix: Float64Array | undefined;
    if (sums) {
      prefix = new Float64Array(part.values.length + 1);
      for (let i = 0; i < part.values.length; i++) prefix[i + 1] = prefix[i] + part.values[i];
    }
    forEachWindow(part, slice, (k, lo, hi) => {
      out.counts[k] += hi - lo;
      if (prefix) out.sums[k] += prefix[hi] - prefix[lo];
    });
  }
  return out;
}

/**
 * Calls `visit(k, lo, hi)` for every non-empty window k (relative to the slice) of one ascending
 * series: its samples [lo, hi). Window ends are computed on the series' base; every quantity is an
 * integer below 2^53 (the slice's span), so doubles hold them exactly and ceil(a / b) is exact.
 */
function forEachWindow(s: SeriesSamples, slice: StepSlice, visit: (k: number, lo: number, hi: number) => void): void {
  const offsets = s.offsets;
  const n = offsets.length;
  if (n === 0) return;
  const count = slice.to - slice.from;
  const step = Number(slice.step);
  const range = Number(slice.range);
  const firstEnd = Number(slice.firstEnd + BigInt(slice.from) * slice.step - s.baseTs);
  let lo = 0;
  let hi = 0;
  let k = 0;
  let end = firstEnd;
  while (k < count) {
    while (hi < n && offsets[hi] <= end) hi++;
    const start = end - range;
    while (lo < hi && offsets[lo] <= start) lo++;
    if (lo < hi) {
      visit(k, lo, hi);
      k++;
      end += step;
      continue;
    }
    if (hi >= n) break;
    // Jump to the first step whose window end reaches the next sample.
    k = Math.max(k + 1, Math.ceil((offsets[hi] - firstEnd) / step));
    end = firstEnd + k * step;
  }
}

async function loadSeries(
  expr: RangeAggregationExpr,
  ctx: EvalContext,
  slice: StepSlice,
  pushdown: Grouping | undefined,
): Promise<Map<string, SeriesBuffer>> {
  const groupIn = ctx.deps.groupInExtractor !== false;
  const extractor = ctx.deps.buildSampleExtractor(expr, groupIn ? pushdown : undefined);
  const groupedExtractor = !groupIn && pushdown !== undefined ? ctx.deps.buildSampleExtractor(expr, pushdown) : undefined;
  const buffers = new Map<string, SeriesBuffer>();
  const targets = new Map<string, Series>();
  throwIfAborted(ctx.signal);
  const batches = ctx.source.selectSamples({
    expr,
    matchers: expr.range.selector.matchers,
    extractor,
    groupedExtractor,
    start: slice.firstEnd + BigInt(slice.from) * slice.step - slice.range,
    // one nanosecond past the last window end: windows are right-closed
    end: slice.firstEnd + BigInt(slice.to - 1) * slice.step + 1n,
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
  if (s.offsets.length === 0) return;
  let buf = buffers.get(series.key);
  if (!buf) {
    buf = { series, parts: [] };
    buffers.set(series.key, buf);
  }
  buf.parts.push(s);
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
