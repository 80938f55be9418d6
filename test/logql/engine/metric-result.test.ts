import { describe, expect, it } from 'vitest';
import { labelsString } from '../../../src/model/index.js';
import { evaluate } from '../../../src/logql/engine/index.js';
import { MemorySource, S, at, m, rangeAgg, runInstant, runRange, selector, testDeps, vecAgg } from './memory-source.js';
import type { TestStream } from './memory-source.js';

const PIPELINE_ERROR =
  `pipeline error: 'SampleExtractionErr' for series: '{__error__="SampleExtractionErr", app="bad"}'.\n` +
  `Use a label filter to intentionally skip this error. (e.g | __error__!="SampleExtractionErr").\n` +
  `To skip all potential errors you can match empty errors.(e.g __error__="")\n` +
  `The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__="" )\n`;

const all = selector([m('app', '=~', '.+')]);

describe('metric results', () => {
  it('sorts matrix series with Prometheus labels.Compare, not by labels string', async () => {
    const streams: TestStream[] = [
      { labels: { a: '10' }, entries: [at(5, 'l')] },
      { labels: { a: '1', b: '2' }, entries: [at(5, 'l')] },
      { labels: { a: '1' }, entries: [at(5, 'l')] },
    ];
    const r = await runRange(rangeAgg('count_over_time', selector([m('a', '=~', '.+')]), 10n * S), new MemorySource(streams), 10n * S, 10n * S, 10n * S);
    if (r.type !== 'matrix') throw new Error(r.type);
    expect(r.series.map((s) => labelsString(s.metric))).toEqual(['{a="1"}', '{a="1", b="2"}', '{a="10"}']);
  });

  it('orders series by labels string when the frontend would split the query into sub-queries', async () => {
    const streams: TestStream[] = [
      { labels: { a: '1' }, entries: [at(60, 'l')] },
      { labels: { a: '1', b: '2' }, entries: [at(60, 'l')] },
    ];
    const source = new MemorySource(streams);
    const expr = rangeAgg('count_over_time', selector([m('a', '=~', '.+')]), 10n * S);
    const order = async (end: bigint, split: bigint) => {
      const r = await evaluate(
        { expr, start: 0n, end, step: 60n * S, interval: 0n, direction: 'forward', limit: 100, instant: false },
        source,
        testDeps,
        { maxQuerySeries: 500, splitQueriesByInterval: split },
      );
      if (r.type !== 'matrix') throw new Error(r.type);
      return r.series.map((s) => labelsString(s.metric));
    };
    // [0, 2h] by 1h intervals runs as three sub-queries; [0, 1h] as one (it ends at the next boundary)
    expect(await order(7200n * S, 3600n * S)).toEqual(['{a="1", b="2"}', '{a="1"}']);
    expect(await order(3600n * S, 3600n * S)).toEqual(['{a="1"}', '{a="1", b="2"}']);
    expect(await order(7200n * S, 0n)).toEqual(['{a="1"}', '{a="1", b="2"}']);
  });

  it('fails with Loki series limit text when an instant vector has too many series', async () => {
    const streams = ['a', 'b', 'c'].map((app) => ({ labels: { app }, entries: [at(5, 'l')] }));
    const expr = rangeAgg('count_over_time', all, 10n * S);
    await expect(runInstant(expr, new MemorySource(streams), 10n * S, 2)).rejects.toThrow('maximum of series (2) reached for a single query');
    await expect(runInstant(expr, new MemorySource(streams), 10n * S, 3)).resolves.toMatchObject({ type: 'vector' });
  });

  it('counts series over all steps of a range query against the limit', async () => {
    const streams = [
      { labels: { app: 'a' }, entries: [at(5, 'l')] },
      { labels: { app: 'b' }, entries: [at(15, 'l')] },
    ];
    const expr = rangeAgg('count_over_time', all, 10n * S);
    await expect(runRange(expr, new MemorySource(streams), 10n * S, 20n * S, 10n * S, 1)).rejects.toThrow(
      'maximum of series (1) reached for a single query',
    );
  });

  it('applies the limit to the final result, not to the series a sum reads', async () => {
    const streams = ['a', 'b', 'c'].map((app) => ({ labels: { app }, entries: [at(5, 'l')] }));
    const r = await runInstant(vecAgg('sum', rangeAgg('count_over_time', all, 10n * S)), new MemorySource(streams), 10n * S, 1);
    expect(r).toEqual({ type: 'vector', samples: [{ metric: [], ms: 10000, value: 3 }] });
  });

  it('fails with the pipeline error text when a series still carries __error__', async () => {
    const streams: TestStream[] = [
      { labels: { app: 'ok' }, entries: [at(5, 'l', { v: '1' })] },
      { labels: { app: 'bad' }, entries: [at(6, 'l', { v: 'x' })] },
    ];
    const expr = vecAgg('sum', rangeAgg('sum_over_time', all, 10n * S, { unwrap: 'v' }));
    await expect(runInstant(expr, new MemorySource(streams), 10n * S)).rejects.toThrow(PIPELINE_ERROR);
  });

  it('reports the error of the earliest failing step: a later pipeline error loses to an earlier series limit', async () => {
    const streams: TestStream[] = [
      { labels: { app: 'a' }, entries: [at(5, 'l', { v: '1' })] },
      { labels: { app: 'b' }, entries: [at(5, 'l', { v: '1' })] },
      { labels: { app: 'bad' }, entries: [at(15, 'l', { v: 'x' })] },
    ];
    const expr = rangeAgg('sum_over_time', all, 10n * S, { unwrap: 'v' });
    await expect(runRange(expr, new MemorySource(streams), 10n * S, 20n * S, 10n * S, 1)).rejects.toThrow(
      'maximum of series (1) reached for a single query',
    );
    await expect(runRange(expr, new MemorySource(streams), 10n * S, 20n * S, 10n * S, 2)).rejects.toThrow(PIPELINE_ERROR);
  });

  it('ignores error series outside every window', async () => {
    const streams: TestStream[] = [
      { labels: { app: 'ok' }, entries: [at(5, 'l', { v: '2' })] },
      { labels: { app: 'bad' }, entries: [at(7, 'l', { v: 'x' })] },
    ];
    const expr = rangeAgg('sum_over_time', all, 2n * S, { unwrap: 'v' });
    const r = await runRange(expr, new MemorySource(streams), 0n, 10n * S, 5n * S);
    // windows (−2,0], (3,5], (8,10]: the bad sample at 7 falls between them
    expect(r).toEqual({ type: 'matrix', series: [{ metric: [{ name: 'app', value: 'ok' }], values: [[5000, 2]] }] });
  });

  it('rejects a non-positive step for range queries', async () => {
    await expect(runRange(rangeAgg('count_over_time', all, S), new MemorySource([]), 0n, 10n * S, 0n)).rejects.toThrow(
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  });
});
