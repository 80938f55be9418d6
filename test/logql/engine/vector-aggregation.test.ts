import { describe, expect, it } from 'vitest';
import type { VectorOp } from '../../../src/logql/ast.js';
import { labelsString } from '../../../src/model/index.js';
import { MemorySource, S, at, byLabels, m, rangeAgg, runInstant, runRange, selector, vecAgg } from './memory-source.js';
import type { TestStream } from './memory-source.js';

/** count_over_time at t=100s over 100s gives each stream its number of lines. */
function lines(labels: Record<string, string>, n: number): TestStream {
  return { labels, entries: Array.from({ length: n }, (_, i) => at(10 + i, 'line')) };
}

const streams = [
  lines({ app: 'x', pod: 'a' }, 1),
  lines({ app: 'x', pod: 'b' }, 2),
  lines({ app: 'y', pod: 'c' }, 3),
  lines({ app: 'y', pod: 'd' }, 4),
  lines({ app: 'z', pod: 'e' }, 4),
];
const source = new MemorySource(streams);
const counts = rangeAgg('count_over_time', selector([m('app', '=~', '.+')]), 100n * S);
const T = 100n * S;

async function agg(op: VectorOp, o: { by?: string[]; without?: string[]; param?: number } = {}): Promise<Record<string, unknown>> {
  return byLabels(await runInstant(vecAgg(op, counts, o), source, T));
}

describe('vector aggregations', () => {
  it('sums everything without grouping and per group with by', async () => {
    expect(await agg('sum')).toEqual({ '{}': 14 });
    expect(await agg('sum', { by: ['app'] })).toEqual({ '{app="x"}': 3, '{app="y"}': 7, '{app="z"}': 4 });
  });

  it('drops the listed labels with without', async () => {
    expect(await agg('sum', { without: ['pod'] })).toEqual({ '{app="x"}': 3, '{app="y"}': 7, '{app="z"}': 4 });
  });

  it('groups series lacking a by label together', async () => {
    expect(await agg('count', { by: ['nothere'] })).toEqual({ '{}': 5 });
  });

  it('computes avg, count, min, max', async () => {
    expect(await agg('avg', { by: ['app'] })).toEqual({ '{app="x"}': 1.5, '{app="y"}': 3.5, '{app="z"}': 4 });
    expect(await agg('count', { by: ['app'] })).toEqual({ '{app="x"}': 2, '{app="y"}': 2, '{app="z"}': 1 });
    expect(await agg('min')).toEqual({ '{}': 1 });
    expect(await agg('max')).toEqual({ '{}': 4 });
  });

  it('uses population variance for stdvar and stddev', async () => {
    // [1,2,3,4] per x+y: mean 2.5, squared deviations 2.25+0.25+0.25+2.25 = 5, / 4
    const xy = rangeAgg('count_over_time', selector([m('app', '=~', 'x|y')]), 100n * S);
    expect(byLabels(await runInstant(vecAgg('stdvar', xy), source, T))).toEqual({ '{}': 1.25 });
    expect(byLabels(await runInstant(vecAgg('stddev', xy), source, T))).toEqual({ '{}': Math.sqrt(1.25) });
    expect(await agg('stdvar', { by: ['app'] })).toEqual({ '{app="x"}': 0.25, '{app="y"}': 0.25, '{app="z"}': 0 });
  });

  it('keeps the original series in topk and bottomk, per group', async () => {
    expect(await agg('topk', { param: 2 })).toEqual({ '{app="y", pod="d"}': 4, '{app="z", pod="e"}': 4 });
    expect(await agg('bottomk', { param: 2 })).toEqual({ '{app="x", pod="a"}': 1, '{app="x", pod="b"}': 2 });
    expect(await agg('topk', { param: 1, by: ['app'] })).toEqual({
      '{app="x", pod="b"}': 2,
      '{app="y", pod="d"}': 4,
      '{app="z", pod="e"}': 4,
    });
  });

  it('keeps the first of tied series in label order for topk(1), as the heap does for that input order', async () => {
    expect(await agg('topk', { param: 1 })).toEqual({ '{app="y", pod="d"}': 4 });
  });

  it('returns everything when k exceeds the number of series', async () => {
    expect(Object.keys(await agg('topk', { param: 10 }))).toHaveLength(5);
  });

  it('selects topk per step in range queries, so more than k series can appear overall', async () => {
    const changing: TestStream[] = [
      { labels: { pod: 'a' }, entries: [at(5, 'l'), at(6, 'l'), at(15, 'l')] },
      { labels: { pod: 'b' }, entries: [at(7, 'l'), at(15, 'l'), at(16, 'l')] },
    ];
    const expr = vecAgg('topk', rangeAgg('count_over_time', selector([m('pod', '=~', '.+')]), 10n * S), { param: 1 });
    const r = await runRange(expr, new MemorySource(changing), 10n * S, 20n * S, 10n * S);
    expect(byLabels(r)).toEqual({ '{pod="a"}': [[10000, 2]], '{pod="b"}': [[20000, 2]] });
  });

  it('orders instant results by value for sort and sort_desc instead of by labels', async () => {
    const desc = await runInstant(vecAgg('sort_desc', counts), source, T);
    if (desc.type !== 'vector') throw new Error(desc.type);
    expect(desc.samples.map((s) => [labelsString(s.metric), s.value])).toEqual([
      ['{app="y", pod="d"}', 4],
      ['{app="z", pod="e"}', 4],
      ['{app="y", pod="c"}', 3],
      ['{app="x", pod="b"}', 2],
      ['{app="x", pod="a"}', 1],
    ]);
    const asc = await runInstant(vecAgg('sort', counts), source, T);
    if (asc.type !== 'vector') throw new Error(asc.type);
    expect(asc.samples.map((s) => s.value)).toEqual([1, 2, 3, 4, 4]);
  });

  it('orders instant results by labels otherwise, even for topk', async () => {
    const r = await runInstant(vecAgg('topk', counts, { param: 3 }), source, T);
    if (r.type !== 'vector') throw new Error(r.type);
    expect(r.samples.map((s) => labelsString(s.metric))).toEqual(['{app="y", pod="c"}', '{app="y", pod="d"}', '{app="z", pod="e"}']);
  });

  it('answers approx_topk like topk in instant queries and rejects it in range queries', async () => {
    expect(await agg('approx_topk', { param: 1 })).toEqual({ '{app="y", pod="d"}': 4 });
    await expect(runRange(vecAgg('approx_topk', counts, { param: 1 }), source, 0n, 100n * S, 10n * S)).rejects.toThrow(
      'approx_topk error: count min sketches are only supported on instant queries',
    );
  });
});
