// The evaluation timestamps of a metric query: one for an instant query, start..end by step for a
// range query, aligned to the step as Loki's query frontend does. Pure arithmetic on bigint ns.
import { invalidStepError } from './errors.js';

export interface StepGrid {
  /** First evaluation time (ns). */
  readonly start: bigint;
  /** Distance between evaluation times (ns); 1 for an instant query, as Loki forces. */
  readonly step: bigint;
  readonly count: number;
  /** Sample time of each step in milliseconds (Prometheus model.Time). */
  readonly ms: readonly number[];
}

export function instantGrid(time: bigint): StepGrid {
  return { start: time, step: 1n, count: 1, ms: [nsToMs(time)] };
}

/**
 * Loki's metric query splitter (queryrange/split_by_interval.go, alignStartEnd) rounds the start
 * down and the end up to a multiple of the step before evaluating; steps then run start, start+step,
 * … while ≤ end (engine iterators start at start−step and advance before each evaluation).
 */
export function rangeGrid(start: bigint, end: bigint, step: bigint): StepGrid {
  if (step <= 0n) throw invalidStepError();
  const alignedStart = start - (start % step);
  const rem = end % step;
  const alignedEnd = rem === 0n ? end : end + (step - rem);
  const count = alignedEnd < alignedStart ? 0 : Number((alignedEnd - alignedStart) / step) + 1;
  const ms: number[] = new Array<number>(count);
  for (let k = 0; k < count; k++) ms[k] = nsToMs(alignedStart + BigInt(k) * step);
  return { start: alignedStart, step, count, ms };
}

/** Evaluation time of step k (ns). */
function stepTime(grid: StepGrid, k: number): bigint {
  return grid.start + BigInt(k) * grid.step;
}

/** Last evaluation time (ns); the start when the grid is empty. */
export function lastStepTime(grid: StepGrid): bigint {
  return grid.count === 0 ? grid.start : stepTime(grid, grid.count - 1);
}

/**
 * Whether Loki's metric query splitter (split_by_interval.go) would run this range query as more
 * than one sub-query. The interval grows to the longest range in the query; with a step at least
 * that long the query is split by step, otherwise at the last step before each interval boundary.
 */
export function splitIntoSubqueries(grid: StepGrid, splitInterval: bigint, maxRange: bigint): boolean {
  if (splitInterval <= 0n || grid.count < 2) return false;
  const interval = maxRange > splitInterval ? maxRange : splitInterval;
  const { start, step } = grid;
  const end = lastStepTime(grid);
  if (step >= interval) return start - (start % step) + step < end;
  const nextInterval = (start / interval + 1n) * interval;
  let firstEnd = nextInterval - ((nextInterval - start) % step);
  if (firstEnd === nextInterval) firstEnd -= step;
  return firstEnd + step < end;
}

/** Go's integer division truncates toward zero, as bigint division does. */
function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n);
}
