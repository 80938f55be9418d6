import { describe, expect, it } from 'vitest';
import type { LogSelectorExpr } from '../../../src/logql/ast.js';
import type { QuerySource, StreamResult } from '../../../src/logql/contracts.js';
import { evaluate } from '../../../src/logql/engine/index.js';
import type { QueryParams, QueryResult } from '../../../src/logql/engine/index.js';
import { CancelledError, TimeoutError, ValidationError, labelsFromRecord, labelsString } from '../../../src/model/index.js';
import { MemorySource, S, ScriptedSource, at, m, result, selector, seriesSamples, testDeps } from './memory-source.js';
import type { TestStream } from './memory-source.js';

const sel = selector([m('app', '=~', '.+')]);

function params(o: Partial<QueryParams> = {}): QueryParams {
  return {
    expr: sel,
    start: 0n,
    end: 1000n * S,
    step: 0n,
    interval: 0n,
    direction: 'forward',
    limit: 100,
    instant: false,
    ...o,
  };
}

async function logs(source: QuerySource, o: Partial<QueryParams> = {}): Promise<Record<string, string[]>> {
  const r = await evaluate(params(o), source, testDeps, { maxQuerySeries: 500 });
  return shape(r);
}

/** {labels: ["<seconds> <line>", …]} in result order. */
function shape(r: QueryResult): Record<string, string[]> {
  if (r.type !== 'streams') throw new Error(r.type);
  const out: Record<string, string[]> = {};
  for (const s of r.streams) out[labelsString(s.labels)] = s.entries.map((e) => `${Number(e.ts / 1_000_000n) / 1000} ${e.line}`);
  return out;
}

const a: TestStream = { labels: { app: 'a' }, entries: [at(1, 'a1'), at(3, 'a3'), at(5, 'a5')] };
const b: TestStream = { labels: { app: 'b' }, entries: [at(2, 'b2'), at(4, 'b4'), at(6, 'b6')] };

describe('log queries', () => {
  it('keeps the first entries across all streams in the query direction', async () => {
    expect(await logs(new MemorySource([a, b]), { limit: 3 })).toEqual({ '{app="a"}': ['1 a1', '3 a3'], '{app="b"}': ['2 b2'] });
    expect(await logs(new MemorySource([a, b]), { limit: 3, direction: 'backward' })).toEqual({
      '{app="a"}': ['5 a5'],
      '{app="b"}': ['6 b6', '4 b4'],
    });
  });

  it('asks the source for the time range, direction and limit', async () => {
    const source = new MemorySource([a]);
    await logs(source, { start: 2n * S, end: 5n * S, limit: 7, direction: 'backward' });
    const call = source.logCalls[0];
    expect([call.start, call.end, call.direction, call.limit, call.matchers]).toEqual([2n * S, 5n * S, 'backward', 7, sel.matchers]);
  });

  it('returns streams sorted by their labels string', async () => {
    const r = await evaluate(params(), new MemorySource([b, a, { labels: { app: 'a', x: 'y' }, entries: [at(9, 'x')] }]), testDeps, {
      maxQuerySeries: 1,
    });
    expect(Object.keys(shape(r))).toEqual(['{app="a", x="y"}', '{app="a"}', '{app="b"}']);
  });

  it('emits at most one entry per interval, forward from the first', async () => {
    const dense: TestStream = { labels: { app: 'a' }, entries: [0, 1, 2, 3, 4, 5, 6].map((s) => at(s + 10, `l${s}`)) };
    expect(await logs(new MemorySource([dense]), { interval: 2n * S })).toEqual({ '{app="a"}': ['10 l0', '12 l2', '14 l4', '16 l6'] });
    expect(await logs(new MemorySource([dense]), { interval: 2n * S, direction: 'backward' })).toEqual({
      '{app="a"}': ['16 l6', '14 l4', '12 l2', '10 l0'],
    });
  });

  it('counts only emitted entries against the limit when an interval is set', async () => {
    // a source that returns more than the limit (the limit per input stream is the source's business)
    const entries = [0, 1, 2, 3, 4, 5, 6].map((s) => ({ ts: BigInt(s + 10) * S, line: `l${s}` }));
    const source = new ScriptedSource([], [[{ labels: result(labelsFromRecord({ app: 'a' }), []), entries }]]);
    expect(await logs(source, { interval: 3n * S, limit: 2 })).toEqual({ '{app="a"}': ['10 l0', '13 l3'] });
  });

  it('merges batches of the same labels and drops exact duplicates', async () => {
    const labels = result(labelsFromRecord({ app: 'a' }), []);
    const e = (s: number, line: string) => ({ ts: BigInt(s) * S, line });
    const source = new ScriptedSource(
      [],
      [
        [{ labels, entries: [e(1, 'x'), e(2, 'y'), e(2, 'z')] }],
        // a replica answering the same entries, plus one more
        [{ labels, entries: [e(1, 'x'), e(2, 'z'), e(2, 'y'), e(3, 'w')] }],
      ],
    );
    expect(await logs(source)).toEqual({ '{app="a"}': ['1 x', '2 y', '2 z', '3 w'] });
  });

  it('breaks timestamp ties between streams by labels', async () => {
    const same = (app: string): StreamResult => ({ labels: result(labelsFromRecord({ app }), []), entries: [{ ts: 5n * S, line: app }] });
    const source = new ScriptedSource([], [[same('b'), same('a'), same('c')]]);
    expect(await logs(source, { limit: 2 })).toEqual({ '{app="a"}': ['5 a'], '{app="b"}': ['5 b'] });
    expect(await logs(source, { limit: 2, direction: 'backward' })).toEqual({ '{app="a"}': ['5 a'], '{app="b"}': ['5 b'] });
  });


  it('orders timestamps a nanosecond apart exactly, where they are the same as numbers', async () => {
    // Nanoseconds since 1970 round to multiples of 256 as doubles: these differ only below that.
    const base = 1_795_489_140_000_000_000n;
    expect(Number(base + 1n)).toBe(Number(base + 3n));
    const streams: StreamResult[] = ['a', 'b', 'c'].map((app, k) => ({
      labels: result(labelsFromRecord({ app }), []),
      entries: [0n, 1n, 2n, 3n, 300n, 301n].filter((d) => Number(d) % 3 === k || d >= 300n).map((d) => ({ ts: base + d, line: `${app}${d}` })),
    }));
    const all = streams
      .flatMap((s) => s.entries.map((e) => ({ ts: e.ts, line: e.line, app: e.line[0] })))
      .sort((x, y) => (x.ts === y.ts ? (x.app < y.app ? -1 : 1) : x.ts < y.ts ? -1 : 1));
    for (const direction of ['forward', 'backward'] as const) {
      for (const limit of [1, 3, 5, 9, 100]) {
        const r = await evaluate(params({ direction, limit, start: base, end: base + 1000n }), new ScriptedSource([], [streams.map((s) => ({ ...s, entries: direction === 'forward' ? s.entries : [...s.entries].reverse() }))]), testDeps, { maxQuerySeries: 10 });
        if (r.type !== 'streams') throw new Error(r.type);
        const ordered = direction === 'forward' ? all : [...all].sort((x, y) => (x.ts === y.ts ? (x.app < y.app ? -1 : 1) : x.ts > y.ts ? -1 : 1));
        const want = ordered.slice(0, limit);
        const got = r.streams.flatMap((s) => s.entries.map((e) => e.line)).sort();
        expect(got).toEqual(want.map((e) => e.line).sort());
        for (const s of r.streams) {
          const lines = s.entries.map((e) => e.line);
          expect(lines).toEqual(want.filter((e) => e.app === lines[0][0]).map((e) => e.line));
        }
      }
    }
  });
  it('groups by stream labels only and keeps metadata per entry with categorized labels', async () => {
    const traced: TestStream = { labels: { app: 'a' }, entries: [at(1, 'one', { trace: 't1' }), at(2, 'two'), at(3, 'three', { trace: 't2' })] };
    const plain = await logs(new MemorySource([traced]));
    expect(plain).toEqual({ '{app="a", trace="t1"}': ['1 one'], '{app="a", trace="t2"}': ['3 three'], '{app="a"}': ['2 two'] });
    const r = await evaluate(params({ categorizeLabels: true }), new MemorySource([traced]), testDeps, { maxQuerySeries: 500 });
    expect(r).toEqual({
      type: 'streams',
      streams: [
        {
          labels: [{ name: 'app', value: 'a' }],
          entries: [
            { ts: 1n * S, line: 'one', structuredMetadata: [{ name: 'trace', value: 't1' }], parsed: [] },
            { ts: 2n * S, line: 'two', structuredMetadata: [], parsed: [] },
            { ts: 3n * S, line: 'three', structuredMetadata: [{ name: 'trace', value: 't2' }], parsed: [] },
          ],
        },
      ],
    });
  });

  it('rejects log queries as instant queries', async () => {
    await expect(evaluate(params({ instant: true }), new MemorySource([a]), testDeps, { maxQuerySeries: 500 })).rejects.toThrow(
      new ValidationError('log queries are not supported as an instant query type, please change your query to a range query type'),
    );
  });
});

describe('cancellation', () => {
  /** Yields one batch, then aborts with `reason`, then would yield another. */
  class AbortingSource implements QuerySource {
    constructor(private readonly controller: AbortController, private readonly reason?: Error) {}
    async *selectLogs(): AsyncIterable<StreamResult[]> {
      yield [{ labels: result(labelsFromRecord({ app: 'a' }), []), entries: [{ ts: 1n, line: 'x' }] }];
      this.controller.abort(this.reason);
      yield [{ labels: result(labelsFromRecord({ app: 'a' }), []), entries: [{ ts: 2n, line: 'y' }] }];
    }
    async *selectSamples() {
      yield [seriesSamples(result(labelsFromRecord({ app: 'a' }), []), [1n], [1])];
      this.controller.abort(this.reason);
      yield [seriesSamples(result(labelsFromRecord({ app: 'a' }), []), [2n], [1])];
    }
  }

  it('stops between batches when the signal aborts', async () => {
    const c = new AbortController();
    await expect(evaluate(params(), new AbortingSource(c), testDeps, { maxQuerySeries: 500 }, c.signal)).rejects.toBeInstanceOf(
      CancelledError,
    );
  });

  it('throws the abort reason when it is a Loki error', async () => {
    const c = new AbortController();
    const expr: LogSelectorExpr = sel;
    const metric = { kind: 'rangeAggregation' as const, op: 'count_over_time' as const, range: { selector: expr, range: S, offset: 0n } };
    await expect(
      evaluate(params({ expr: metric, instant: true, start: S, end: S }), new AbortingSource(c, new TimeoutError()), testDeps, { maxQuerySeries: 500 }, c.signal),
    ).rejects.toBeInstanceOf(TimeoutError);
  });
});
