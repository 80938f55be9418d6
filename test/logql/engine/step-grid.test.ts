import { describe, expect, it } from 'vitest';
import { instantGrid, rangeGrid, splitIntoSubqueries } from '../../../src/logql/engine/step-grid.js';

const S = 1_000_000_000n;
const H = 3600n * S;

describe('step grid', () => {
  it('aligns start down and end up to the step', () => {
    // the query_range_matrix fixture: start …466.462 s with step 60 s answers from …440 s
    const g = rangeGrid(1795447466462000536n, 1795448066462000536n, 60n * S);
    expect([g.start, g.count, g.ms[0], g.ms[g.ms.length - 1]]).toEqual([1795447440n * S, 12, 1795447440000, 1795448100000]);
  });

  it('keeps aligned bounds and includes the end', () => {
    const g = rangeGrid(0n, 120n * S, 60n * S);
    expect(g.ms).toEqual([0, 60000, 120000]);
  });

  it('evaluates an instant query once at its time', () => {
    expect(instantGrid(1500000n)).toEqual({ start: 1500000n, step: 1n, count: 1, ms: [1] });
  });
});

describe('frontend splitting', () => {
  it('splits a range crossing an interval boundary by more than a step', () => {
    expect(splitIntoSubqueries(rangeGrid(0n, 2n * H, 60n * S), H, 5n * 60n * S)).toBe(true);
    expect(splitIntoSubqueries(rangeGrid(0n, H + 60n * S, 60n * S), H, 0n)).toBe(true);
  });

  it('keeps a range ending at the first interval boundary in one piece', () => {
    expect(splitIntoSubqueries(rangeGrid(0n, H, 60n * S), H, 0n)).toBe(false);
    expect(splitIntoSubqueries(rangeGrid(0n, 0n, 60n * S), H, 0n)).toBe(false);
  });

  it('never splits finer than the longest range in the query', () => {
    expect(splitIntoSubqueries(rangeGrid(0n, 2n * H, 60n * S), H, 2n * H)).toBe(false);
  });

  it('splits by step when the step is at least the interval', () => {
    expect(splitIntoSubqueries(rangeGrid(0n, 2n * H, H), H, 0n)).toBe(true);
    expect(splitIntoSubqueries(rangeGrid(0n, H, H), H, 0n)).toBe(false);
  });

  it('does not split when splitting is off', () => {
    expect(splitIntoSubqueries(rangeGrid(0n, 10n * H, 60n * S), 0n, 0n)).toBe(false);
  });
});
