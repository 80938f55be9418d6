import { describe, expect, it } from 'vitest';
import type { RangeOp } from '../../../src/logql/ast.js';
import { MemorySource, S, at, byLabels, m, rangeAgg, runInstant, runRange, selector, vecAgg, labelReplace } from './memory-source.js';
import type { TestStream } from './memory-source.js';

// One stream, values in metadata label v, lines of 1..4 bytes ("ü" is two bytes).
const stream: TestStream = {
  labels: { app: 'a' },
  entries: [
    at(1001, 'a', { v: '1' }),
    at(1002, 'bb', { v: '5' }),
    at(1005, 'ccc', { v: '3' }),
    at(1010, 'dddd', { v: '8' }),
    at(1010.5, 'ü', { v: '2' }),
    at(1020, 'e', { v: '4' }),
  ],
};
/** The same entries without metadata (metadata would become series labels). */
const plain: TestStream = { labels: stream.labels, entries: stream.entries.map(([ts, line]) => [ts, line]) };
const sel = selector([m('app', '=', 'a')]);
const TEN = 10n * S;

/** Evaluates op over (1000,1010], (1010,1020], (1020,1030] and returns the points of {app="a"}. */
async function windows(op: RangeOp, o: { unwrap?: string; param?: number } = {}): Promise<unknown> {
  const source = new MemorySource([o.unwrap ? stream : plain]);
  const r = await runRange(rangeAgg(op, sel, TEN, o), source, 1010n * S, 1030n * S, TEN);
  if (r.type !== 'matrix') throw new Error(r.type);
  return r.series.map((s) => s.values);
}

describe('range aggregation windows', () => {
  it('counts lines in left-open, right-closed windows and omits empty steps', async () => {
    expect(await windows('count_over_time')).toEqual([
      [
        [1010000, 4],
        [1020000, 2],
      ],
    ]);
  });

  it('fetches samples from start−range to end+1ns', async () => {
    const source = new MemorySource([stream]);
    await runRange(rangeAgg('count_over_time', sel, TEN, { offset: 5n * S }), source, 1010n * S, 1030n * S, TEN);
    expect(source.sampleCalls.map((c) => [c.start, c.end])).toEqual([[995n * S, 1025n * S + 1n]]);
  });

  it('shifts windows back by the offset and reports them at the step time', async () => {
    const r = await runRange(rangeAgg('count_over_time', sel, TEN, { offset: 5n * S }), new MemorySource([plain]), 1010n * S, 1020n * S, TEN);
    // (995,1005] holds 1001, 1002, 1005; (1005,1015] holds 1010, 1010.5
    expect(byLabels(r)).toEqual({ '{app="a"}': [[1010000, 3], [1020000, 2]] });
  });

  it('aligns the step grid down at the start and up at the end, as the query frontend does', async () => {
    const r = await runRange(rangeAgg('count_over_time', sel, TEN), new MemorySource([plain]), 1013n * S, 1021n * S, TEN);
    expect(byLabels(r)).toEqual({ '{app="a"}': [[1010000, 4], [1020000, 2]] });
  });

  it('skips samples between windows when the range is shorter than the step', async () => {
    const r = await runRange(rangeAgg('count_over_time', sel, 2n * S), new MemorySource([plain]), 1010n * S, 1030n * S, TEN);
    // (1008,1010] holds 1010 only; (1018,1020] holds 1020; (1028,1030] nothing
    expect(byLabels(r)).toEqual({ '{app="a"}': [[1010000, 1], [1020000, 1]] });
  });

  it('evaluates overlapping windows when the range exceeds the step', async () => {
    const r = await runRange(rangeAgg('count_over_time', sel, 20n * S), new MemorySource([plain]), 1000n * S, 1040n * S, TEN);
    expect(byLabels(r)).toEqual({ '{app="a"}': [[1010000, 4], [1020000, 6], [1030000, 2]] });
  });

  it('returns nothing for a range without samples', async () => {
    const r = await runRange(rangeAgg('count_over_time', sel, TEN), new MemorySource([plain]), 2000n * S, 2100n * S, TEN);
    expect(r).toEqual({ type: 'matrix', series: [] });
  });

  it('divides counts and bytes by the range in seconds for rate and bytes_rate', async () => {
    expect(await windows('rate')).toEqual([[[1010000, 0.4], [1020000, 0.2]]]);
    expect(await windows('bytes_over_time')).toEqual([[[1010000, 10], [1020000, 3]]]);
    expect(await windows('bytes_rate')).toEqual([[[1010000, 1], [1020000, 0.3]]]);
  });

  it('computes the unwrapped functions per window', async () => {
    // windows hold v = [1,5,3,8] and [2,4]
    expect(await windows('sum_over_time', { unwrap: 'v' })).toEqual([[[1010000, 17], [1020000, 6]]]);
    expect(await windows('rate', { unwrap: 'v' })).toEqual([[[1010000, 1.7], [1020000, 0.6]]]);
    expect(await windows('avg_over_time', { unwrap: 'v' })).toEqual([[[1010000, 4.25], [1020000, 3]]]);
    expect(await windows('min_over_time', { unwrap: 'v' })).toEqual([[[1010000, 1], [1020000, 2]]]);
    expect(await windows('max_over_time', { unwrap: 'v' })).toEqual([[[1010000, 8], [1020000, 4]]]);
    expect(await windows('first_over_time', { unwrap: 'v' })).toEqual([[[1010000, 1], [1020000, 2]]]);
    expect(await windows('last_over_time', { unwrap: 'v' })).toEqual([[[1010000, 8], [1020000, 4]]]);
  });

  it('uses population variance for stdvar and stddev', async () => {
    // mean 4.25, squared deviations 10.5625 + 0.5625 + 1.5625 + 14.0625 = 26.75, / 4
    expect(await windows('stdvar_over_time', { unwrap: 'v' })).toEqual([[[1010000, 6.6875], [1020000, 1]]]);
    expect(await windows('stddev_over_time', { unwrap: 'v' })).toEqual([[[1010000, Math.sqrt(6.6875)], [1020000, 1]]]);
  });

  it('interpolates quantiles between the nearest ranks as Prometheus', async () => {
    // sorted [1,3,5,8]: φ=0.75 → rank 2.25 → 5·0.75 + 8·0.25; [2,4]: rank 0.75 → 2·0.25 + 4·0.75
    expect(await windows('quantile_over_time', { unwrap: 'v', param: 0.75 })).toEqual([[[1010000, 5.75], [1020000, 3.5]]]);
    expect(await windows('quantile_over_time', { unwrap: 'v', param: 0.5 })).toEqual([[[1010000, 4], [1020000, 3]]]);
  });

  it('answers quantiles outside [0,1] with ±Inf', async () => {
    expect(await windows('quantile_over_time', { unwrap: 'v', param: 1.5 })).toEqual([[[1010000, Infinity], [1020000, Infinity]]]);
    expect(await windows('quantile_over_time', { unwrap: 'v', param: -1 })).toEqual([[[1010000, -Infinity], [1020000, -Infinity]]]);
  });

  it('drops the unwrapped label from the series', async () => {
    const r = await runInstant(rangeAgg('sum_over_time', sel, TEN, { unwrap: 'v' }), new MemorySource([stream]), 1010n * S);
    expect(byLabels(r)).toEqual({ '{app="a"}': 17 });
  });
});

describe('rate_counter', () => {
  const counter: TestStream = {
    labels: { app: 'c' },
    entries: [at(1001, 'x', { v: '10' }), at(1003, 'x', { v: '20' }), at(1005, 'x', { v: '5' }), at(1007, 'x', { v: '15' })],
  };
  const csel = selector([m('app', '=', 'c')]);

  it('adds counter resets and extrapolates as Loki does (ns sample times against a ms range)', async () => {
    const r = await runInstant(rangeAgg('rate_counter', csel, TEN, { unwrap: 'v' }), new MemorySource([counter]), 1010n * S);
    // increase 15−10 plus the reset from 20 → 25; sampled span 6e9ns/1000 = 6e6, durationToStart 10000ms/1000 = 10
    const expected = (25 * ((6e6 + 10) / 6e6)) / 10;
    expect(byLabels(r)).toEqual({ '{app="c"}': expected });
  });

  it('gives 0 for a window with a single sample', async () => {
    const r = await runInstant(rangeAgg('rate_counter', csel, 2n * S, { unwrap: 'v' }), new MemorySource([counter]), 1008n * S);
    expect(byLabels(r)).toEqual({ '{app="c"}': 0 });
  });
});

describe('absent_over_time', () => {
  it('reports 1 with the equality matcher labels at steps without samples', async () => {
    const expr = rangeAgg(
      'absent_over_time',
      selector([m('app', '=', 'a'), m('env', '=~', 'x.*'), m('job', '=', 'j'), m('job', '!=', 'k')]),
      TEN,
    );
    const source = new MemorySource([{ labels: { app: 'a', env: 'x1', job: 'j' }, entries: [at(1015, 'l')] }]);
    const r = await runRange(expr, source, 1010n * S, 1040n * S, TEN);
    // env has a regex matcher and job a second matcher: both are left out
    expect(byLabels(r)).toEqual({ '{app="a"}': [[1010000, 1], [1030000, 1], [1040000, 1]] });
  });
});

describe('series merging', () => {
  it('merges series the extractor maps to the same labels in time order', async () => {
    const streams: TestStream[] = [
      { labels: { app: 'a', pod: '1' }, entries: [at(1003, 'x', { v: '3' }), at(1006, 'x', { v: '6' })] },
      { labels: { app: 'a', pod: '2' }, entries: [at(1002, 'x', { v: '2' }), at(1004, 'x', { v: '4' })] },
    ];
    const first = rangeAgg('first_over_time', sel, TEN, { unwrap: 'v', by: ['app'] });
    const last = rangeAgg('last_over_time', sel, TEN, { unwrap: 'v', by: ['app'] });
    expect(byLabels(await runInstant(first, new MemorySource(streams), 1010n * S))).toEqual({ '{app="a"}': 2 });
    expect(byLabels(await runInstant(last, new MemorySource(streams), 1010n * S))).toEqual({ '{app="a"}': 6 });
  });

  it('merges samples by the grouping of an enclosing sum before dividing by the range (Loki pushdown)', async () => {
    const streams: TestStream[] = [
      { labels: { app: 'a', pod: '1' }, entries: [at(1001, 'x')] },
      { labels: { app: 'a', pod: '2' }, entries: [at(1002, 'x'), at(1003, 'x')] },
    ];
    const source = new MemorySource(streams);
    const rate = rangeAgg('rate', sel, TEN);
    // 3/10 when merged first; 1/10 + 2/10 = 0.30000000000000004 when summed per series
    expect(byLabels(await runInstant(vecAgg('sum', rate, { by: ['app'] }), source, 1010n * S))).toEqual({ '{app="a"}': 0.3 });
    const unmerged = vecAgg('sum', labelReplace(rate, 'x', '', 'x', ''), { by: ['app'] });
    expect(byLabels(await runInstant(unmerged, source, 1010n * S))).toEqual({ '{app="a"}': 0.30000000000000004 });
  });

  it('drops every label when the pushed-down grouping lists none, even for without ()', async () => {
    const streams: TestStream[] = [
      { labels: { app: 'a', pod: '1' }, entries: [at(1001, 'x')] },
      { labels: { app: 'b', pod: '2' }, entries: [at(1002, 'x')] },
    ];
    const expr = vecAgg('sum', rangeAgg('count_over_time', selector([m('app', '=~', '.+')]), TEN), { without: [] });
    expect(byLabels(await runInstant(expr, new MemorySource(streams), 1010n * S))).toEqual({ '{}': 2 });
  });
});
