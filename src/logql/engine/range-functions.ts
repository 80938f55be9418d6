// The functions of range aggregations over one window of one series, with Loki's arithmetic
// (range_vector.go): same summation order, same NaN/Inf handling, same rate_counter extrapolation.
// Pure numeric code over sorted sample columns; windows are index ranges [lo, hi).
import type { RangeAggregationExpr } from '../ast.js';

/** Samples of one series, `offsets` ascending (integral ns from some base), `values[i]` at `offsets[i]`. */
export interface SeriesPoints {
  readonly offsets: Float64Array;
  readonly values: Float64Array;
}

/** The window value for samples [lo, hi) of one series (hi > lo). */
export type WindowValue = (lo: number, hi: number) => number;

/** Builds, per series, the function that evaluates windows of that series. */
export type RangeFunction = (points: SeriesPoints) => WindowValue;

/** Go time.Duration.Seconds(). */
function durationSeconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

export function rangeFunction(expr: RangeAggregationExpr): RangeFunction {
  const range = expr.range.range;
  const seconds = durationSeconds(range);
  switch (expr.op) {
    case 'count_over_time':
    case 'absent_over_time':
      return () => (lo, hi) => hi - lo;
    case 'rate':
      if (!expr.range.unwrap) return () => (lo, hi) => (hi - lo) / seconds;
      return (p) => {
        const sum = windowSum(p.values);
        return (lo, hi) => sum(lo, hi) / seconds;
      };
    case 'bytes_rate':
      return (p) => {
        const sum = windowSum(p.values);
        return (lo, hi) => sum(lo, hi) / seconds;
      };
    case 'bytes_over_time':
    case 'sum_over_time':
      return (p) => windowSum(p.values);
    case 'avg_over_time':
      return (p) => (lo, hi) => avgOverTime(p.values, lo, hi);
    case 'max_over_time':
      return (p) => (lo, hi) => maxOverTime(p.values, lo, hi);
    case 'min_over_time':
      return (p) => (lo, hi) => minOverTime(p.values, lo, hi);
    case 'stdvar_over_time':
      return (p) => (lo, hi) => stdvarOverTime(p.values, lo, hi);
    case 'stddev_over_time':
      return (p) => (lo, hi) => Math.sqrt(stdvarOverTime(p.values, lo, hi));
    case 'quantile_over_time': {
      const q = expr.param ?? NaN;
      return (p) => {
        const scratch = new Float64Array(p.values.length);
        return (lo, hi) => windowQuantile(q, p.values, lo, hi, scratch);
      };
    }
    case 'first_over_time':
      return (p) => (lo) => p.values[lo];
    case 'last_over_time':
      return (p) => (_lo, hi) => p.values[hi - 1];
    case 'rate_counter':
      return (p) => (lo, hi) => extrapolatedCounterRate(p, lo, hi, range);
  }
}

/**
 * A range function whose window value depends only on the window's sample count and value sum:
 * evaluated from per-window totals, in any sample order. With `usesValues`, that is exact (and equal
 * to summing in sample order) only while every value is a non-negative integer and the total stays
 * exactly representable — see exactlySummable.
 */
export interface AdditiveRangeFunction {
  readonly usesValues: boolean;
  value(count: number, sum: number): number;
}

export function additiveRangeFunction(expr: RangeAggregationExpr): AdditiveRangeFunction | undefined {
  const seconds = durationSeconds(expr.range.range);
  switch (expr.op) {
    case 'count_over_time':
      return { usesValues: false, value: (count) => count };
    case 'rate':
      if (!expr.range.unwrap) return { usesValues: false, value: (count) => count / seconds };
      return { usesValues: true, value: (_count, sum) => sum / seconds };
    case 'bytes_rate':
      return { usesValues: true, value: (_count, sum) => sum / seconds };
    case 'bytes_over_time':
    case 'sum_over_time':
      return { usesValues: true, value: (_count, sum) => sum };
    default:
      return undefined;
  }
}

const MAX_EXACT = 2 ** 53;

/** Whether every value is a non-negative integer and their total is exactly representable. */
export function exactlySummable(columns: readonly Float64Array[]): boolean {
  let total = 0;
  for (const values of columns) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      total += v;
      if (!Number.isInteger(v) || v < 0 || total > MAX_EXACT) return false;
    }
  }
  return true;
}

/**
 * Sums windows in sample order, as Loki does. When every value is a non-negative integer and the
 * total stays exactly representable (counts, bytes), prefix sums give bit-identical results in O(1).
 */
function windowSum(values: Float64Array): WindowValue {
  if (exactlySummable([values])) {
    const prefix = new Float64Array(values.length + 1);
    for (let i = 0; i < values.length; i++) prefix[i + 1] = prefix[i] + values[i];
    return (lo, hi) => prefix[hi] - prefix[lo];
  }
  return (lo, hi) => {
    let sum = 0;
    for (let i = lo; i < hi; i++) sum += values[i];
    return sum;
  };
}

function avgOverTime(values: Float64Array, lo: number, hi: number): number {
  let mean = 0;
  let count = 0;
  for (let i = lo; i < hi; i++) {
    const v = values[i];
    count++;
    if (mean === Infinity || mean === -Infinity) {
      if ((v === Infinity || v === -Infinity) && mean > 0 === v > 0) continue;
      if (Number.isFinite(v)) continue;
    }
    mean += v / count - mean / count;
  }
  return mean;
}

function maxOverTime(values: Float64Array, lo: number, hi: number): number {
  let max = values[lo];
  for (let i = lo; i < hi; i++) if (values[i] > max || Number.isNaN(max)) max = values[i];
  return max;
}

function minOverTime(values: Float64Array, lo: number, hi: number): number {
  let min = values[lo];
  for (let i = lo; i < hi; i++) if (values[i] < min || Number.isNaN(min)) min = values[i];
  return min;
}

/** Population variance by Welford's online algorithm. */
function stdvarOverTime(values: Float64Array, lo: number, hi: number): number {
  let aux = 0;
  let count = 0;
  let mean = 0;
  for (let i = lo; i < hi; i++) {
    const v = values[i];
    count++;
    const delta = v - mean;
    mean += delta / count;
    aux += delta * (v - mean);
  }
  return aux / count;
}

/**
 * Prometheus quantile over values[lo, hi): NaN sorts first (Loki's HeapByMaxValue), then linear
 * interpolation between the two nearest ranks. Sorts a copy in `scratch`.
 */
function windowQuantile(q: number, values: Float64Array, lo: number, hi: number, scratch: Float64Array): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const n = hi - lo;
  const sorted = scratch.subarray(0, n);
  for (let i = 0; i < n; i++) sorted[i] = values[lo + i];
  sorted.sort(); // typed arrays sort numerically with NaN last
  let nans = 0;
  while (nans < n && Number.isNaN(sorted[n - 1 - nans])) nans++;
  const at = (rank: number): number => (rank < nans ? NaN : sorted[rank - nans]);
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return at(lower) * (1 - weight) + at(upper) * weight;
}

/**
 * Loki's copy of Prometheus extrapolatedRate (counter, per second). It is reproduced with its units
 * as they are: sample times are nanoseconds while the range is taken in milliseconds and spans are
 * divided by 1000, and the window is anchored on the first sample (so durationToEnd is always 0).
 * Fewer than two samples give 0.
 */
function extrapolatedCounterRate(p: SeriesPoints, lo: number, hi: number, range: bigint): number {
  if (hi - lo < 2) return 0;
  const values = p.values;
  const first = values[lo];
  const last = values[hi - 1];
  let result = last - first;
  let lastValue = 0;
  for (let i = lo; i < hi; i++) {
    if (values[i] < lastValue) result += lastValue;
    lastValue = values[i];
  }
  let durationToStart = Number(range / 1_000_000n) / 1000;
  const durationToEnd = 0;
  const sampledInterval = (p.offsets[hi - 1] - p.offsets[lo]) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (hi - lo - 1);
  if (result > 0 && first >= 0) {
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  result = result * (extrapolateToInterval / sampledInterval);
  return result / durationSeconds(range);
}
