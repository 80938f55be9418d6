// Tail sessions without a server: request validation, frames, history replay, live order, dedup,
// categorized labels, delay_for, slow-client drops, 1011 closes, the local tail source.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TailBroadcaster } from '../../src/ingester/grpc/tail.js';
import type { LabelsResult, StreamResult } from '../../src/logql/contracts.js';
import type { ResultStream } from '../../src/logql/engine/index.js';
import { buildPipeline } from '../../src/logql/log/index.js';
import { parseLogSelector } from '../../src/logql/syntax/index.js';
import { ValidationError, type Labels } from '../../src/model/index.js';
import { labelsString } from '../../src/model/labels.js';
import { encodeLegacyTailFrame, encodeTailFrame } from '../../src/querier/tail/frames.js';
import { parseTailRequest, tailSelector, type TailRequest } from '../../src/querier/tail/request.js';
import { LocalTailSource, type TailBatch, type TailSource } from '../../src/querier/tail/source.js';
import { Tailer, type TailConnection, type TailerOptions } from '../../src/querier/tail/tailer.js';

const ls = (rec: Record<string, string>): Labels =>
  Object.keys(rec)
    .sort()
    .map((name) => ({ name, value: rec[name] }));

function labelsResult(stream: Labels, structuredMetadata: Labels = [], parsed: Labels = []): LabelsResult {
  const all = [...stream, ...structuredMetadata, ...parsed].sort((a, b) => (a.name < b.name ? -1 : 1));
  return { stream, structuredMetadata, parsed, all, key: labelsString(all) };
}

const live = (labels: LabelsResult, entries: [bigint, string][]): StreamResult => ({ labels, entries: entries.map(([ts, line]) => ({ ts, line })) });

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  if (!cond()) throw new Error('condition not reached');
}

class FakeSource implements TailSource {
  onBatch: ((b: TailBatch) => void) | undefined;
  onError: ((err: unknown) => void) | undefined;
  active = 0;
  subscribed = 0;
  unsubscribed = 0;

  async subscribe(_t: string, _s: unknown, onBatch: (b: TailBatch) => void, onError: (err: unknown) => void) {
    this.subscribed++;
    this.onBatch = onBatch;
    this.onError = onError;
    return { unsubscribe: () => void this.unsubscribed++ };
  }

  async activeTails(): Promise<number> {
    return this.active;
  }

  push(...streams: StreamResult[]): void {
    this.onBatch!({ streams, droppedEntries: 0 });
  }
}

class FakeConnection implements TailConnection {
  frames: string[] = [];
  held: ((err?: Error) => void)[] = [];
  closed: { code: number; reason: string } | undefined;

  constructor(private readonly ack = true) {}

  send(frame: string, sent: (err?: Error) => void): void {
    this.frames.push(frame);
    if (this.ack) setImmediate(() => sent());
    else this.held.push(sent);
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const sent of held) sent();
  }
}

const REQUEST: TailRequest = { query: '{app=~".+"}', limit: 100, start: 0n, delayForSeconds: 0 };

function tailer(o: Partial<TailerOptions> & { source: TailSource; connection: TailConnection }): Tailer {
  return new Tailer({
    tenant: 'fake',
    request: REQUEST,
    selector: parseLogSelector(REQUEST.query),
    categorize: false,
    legacy: false,
    history: async () => [],
    maxConcurrent: 10,
    maxDurationMs: 3_600_000,
    now: () => 1_000_000n,
    ...o,
  });
}

describe('parseTailRequest', () => {
  const now = 10_000_000_000_000n;

  it('applies Loki defaults: limit 100, start one hour ago, no delay', () => {
    expect(parseTailRequest(new URLSearchParams({ query: '{app="a"}' }), now)).toEqual({
      query: '{app="a"}',
      limit: 100,
      start: now - 3_600_000_000_000n,
      delayForSeconds: 0,
    });
  });

  it('reads start in nanoseconds, limit and delay_for up to 5', () => {
    const r = parseTailRequest(new URLSearchParams({ query: '{app="a"}', start: '1795444466462000536', limit: '7', delay_for: '5' }), now);
    expect(r).toEqual({ query: '{app="a"}', limit: 7, start: 1_795_444_466_462_000_536n, delayForSeconds: 5 });
  });

  it.each([
    ['6', "delay_for can't be greater than 5"],
    ['-1', "delay_for can't be greater than 5"],
    ['x', 'strconv.Atoi: parsing "x": invalid syntax'],
  ])('rejects delay_for=%s with %j', (delay, text) => {
    expect(() => parseTailRequest(new URLSearchParams({ query: '{app="a"}', delay_for: delay }), now)).toThrow(new ValidationError(text));
  });

  it('rejects an unparsable query before the upgrade', () => {
    expect(() => parseTailRequest(new URLSearchParams({ query: '{app=' }), now)).toThrow(/^parse error/);
  });

  it('appends the legacy regexp parameter as a |~ filter', () => {
    expect(parseTailRequest(new URLSearchParams({ query: '{app="a"}', regexp: 'err.*"x' }), now).query).toBe('{app="a"} |~ "err.*\\"x"');
  });

  it('refuses to follow a metric query', () => {
    const r = parseTailRequest(new URLSearchParams({ query: 'count_over_time({app="a"}[1m])' }), now);
    expect(() => tailSelector(r)).toThrow();
  });
});

describe('tail frames', () => {
  const item = (labels: Labels, ts: bigint, line: string, structuredMetadata?: Labels, parsed?: Labels) => ({
    labels,
    entry: { ts, line, structuredMetadata, parsed },
  });

  it('writes one stream object per entry', () => {
    expect(encodeTailFrame([item(ls({ app: 'a' }), 1n, 'x<y'), item(ls({ app: 'a' }), 2n, 'z')], [], false)).toBe(
      '{"streams":[{"stream":{"app":"a"},"values":[["1","x\\u003cy"]]},{"stream":{"app":"a"},"values":[["2","z"]]}]}',
    );
  });

  it('adds dropped entries, then encodingFlags, and 3-tuples when categorized', () => {
    const frame = encodeTailFrame(
      [item(ls({ app: 'a' }), 5n, 'l', ls({ trace: 'x' }), ls({ level: 'info' }))],
      [
        { labels: ls({ app: 'a' }), ts: 3n },
        { labels: [], ts: 4n },
      ],
      true,
    );
    expect(frame).toBe(
      '{"streams":[{"stream":{"app":"a"},"values":[["5","l",{"structuredMetadata":{"trace":"x"},"parsed":{"level":"info"}}]]}],' +
        '"dropped_entries":[{"timestamp":"3","labels":{"app":"a"}},{"timestamp":"4"}],"encodingFlags":["categorize-labels"]}',
    );
  });

  it('writes the legacy shape with RFC3339Nano times and labels strings', () => {
    expect(encodeLegacyTailFrame([item(ls({ app: 'a' }), 1_500_000_000n, 'l')], [])).toBe(
      '{"streams":[{"labels":"{app=\\"a\\"}","entries":[{"ts":"1970-01-01T00:00:01.5Z","line":"l"}]}],"dropped_entries":null}\n',
    );
    expect(encodeLegacyTailFrame([item(ls({ app: 'a' }), 1n, 'l')], [{ labels: ls({ app: 'a' }), ts: 2_000_000_000n }])).toBe(
      '{"streams":[{"labels":"{app=\\"a\\"}","entries":[{"ts":"1970-01-01T00:00:00.000000001Z","line":"l"}]}],' +
        '"dropped_entries":[{"Timestamp":"1970-01-01T00:00:02Z","Labels":"{app=\\"a\\"}"}]}\n',
    );
  });
});

describe('Tailer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const a = labelsResult(ls({ app: 'a' }));
  const history: ResultStream[] = [
    { labels: ls({ app: 'a' }), entries: [{ ts: 30n, line: 'c' }, { ts: 10n, line: 'a' }] },
    { labels: ls({ app: 'b' }), entries: [{ ts: 20n, line: 'b' }] },
  ];

  it('replays history oldest-first, then live entries in timestamp order without repeating history', async () => {
    const source = new FakeSource();
    const conn = new FakeConnection();
    const asked: [bigint, bigint, number][] = [];
    const t = tailer({
      source,
      connection: conn,
      history: async (start, end, limit) => {
        asked.push([start, end, limit]);
        return history;
      },
    });
    await t.start();
    await until(() => conn.frames.length === 1);
    expect(asked).toEqual([[0n, 1_000_000n, 100]]);
    expect(conn.frames[0]).toBe(
      '{"streams":[{"stream":{"app":"a"},"values":[["10","a"]]},{"stream":{"app":"b"},"values":[["20","b"]]},{"stream":{"app":"a"},"values":[["30","c"]]}]}',
    );
    source.push(live(a, [[50n, 'e'], [40n, 'd'], [30n, 'c']]));
    await until(() => conn.frames.length === 2);
    expect(conn.frames[1]).toBe('{"streams":[{"stream":{"app":"a"},"values":[["40","d"]]},{"stream":{"app":"a"},"values":[["50","e"]]}]}');
    t.stop();
    expect(source.unsubscribed).toBe(1);
  });

  it('holds live entries that arrive during the history query until the replay is sent', async () => {
    const source = new FakeSource();
    const conn = new FakeConnection();
    let finish: (s: ResultStream[]) => void = () => undefined;
    const t = tailer({ source, connection: conn, history: () => new Promise((r) => (finish = r)) });
    const started = t.start();
    await until(() => source.onBatch !== undefined);
    source.push(live(a, [[5n, 'early'], [10n, 'a']]));
    finish(history);
    await started;
    await until(() => conn.frames.length === 1);
    expect(conn.frames[0]).toBe(
      '{"streams":[{"stream":{"app":"a"},"values":[["5","early"]]},{"stream":{"app":"a"},"values":[["10","a"]]},' +
        '{"stream":{"app":"b"},"values":[["20","b"]]},{"stream":{"app":"a"},"values":[["30","c"]]}]}',
    );
    t.stop();
  });

  it('shows only stream labels and 3-tuples when categorized, all labels otherwise', async () => {
    const labels = labelsResult(ls({ app: 'a' }), ls({ trace: 'x' }), ls({ level: 'info' }));
    for (const categorize of [true, false]) {
      const source = new FakeSource();
      const conn = new FakeConnection();
      const t = tailer({ source, connection: conn, categorize });
      await t.start();
      source.push(live(labels, [[5n, 'l']]));
      await until(() => conn.frames.length === 1);
      expect(conn.frames[0]).toBe(
        categorize
          ? '{"streams":[{"stream":{"app":"a"},"values":[["5","l",{"structuredMetadata":{"trace":"x"},"parsed":{"level":"info"}}]]}],"encodingFlags":["categorize-labels"]}'
          : '{"streams":[{"stream":{"app":"a","level":"info","trace":"x"},"values":[["5","l"]]}]}',
      );
      t.stop();
    }
  });

  it('sends at most 100 entries per frame', async () => {
    const source = new FakeSource();
    const conn = new FakeConnection();
    const t = tailer({ source, connection: conn });
    await t.start();
    source.push(live(a, Array.from({ length: 250 }, (_, i): [bigint, string] => [BigInt(i + 1), `l${i}`])));
    await until(() => conn.frames.length === 3);
    expect(conn.frames.map((f) => (JSON.parse(f) as { streams: unknown[] }).streams.length)).toEqual([100, 100, 50]);
    t.stop();
  });

  it('drops what a slow client cannot take beyond ten frames and reports it in the next frame', async () => {
    const source = new FakeSource();
    const conn = new FakeConnection(false);
    const t = tailer({ source, connection: conn });
    await t.start();
    source.push(live(a, Array.from({ length: 2500 }, (_, i): [bigint, string] => [BigInt(i + 1), `l${i + 1}`])));
    await until(() => conn.frames.length === 10);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(conn.frames).toHaveLength(10);
    conn.release();
    await until(() => conn.frames.length === 20);
    const next = JSON.parse(conn.frames[10]) as { streams: { values: string[][] }[]; dropped_entries: { timestamp: string; labels: object }[] };
    expect(next.streams[0].values[0]).toEqual(['1501', 'l1501']);
    expect(next.dropped_entries).toHaveLength(500);
    expect(next.dropped_entries[0]).toEqual({ timestamp: '1001', labels: { app: 'a' } });
    expect(next.dropped_entries[499]).toEqual({ timestamp: '1500', labels: { app: 'a' } });
    expect(conn.frames[11]).not.toContain('dropped_entries');
    t.stop();
  });

  it('remembers at most 1000 dropped entries', async () => {
    const source = new FakeSource();
    const conn = new FakeConnection(false);
    const t = tailer({ source, connection: conn });
    await t.start();
    source.push(live(a, Array.from({ length: 4000 }, (_, i): [bigint, string] => [BigInt(i + 1), 'l'])));
    await until(() => conn.frames.length === 10);
    conn.release();
    await until(() => conn.frames.length >= 11);
    expect((JSON.parse(conn.frames[10]) as { dropped_entries: unknown[] }).dropped_entries).toHaveLength(1000);
    t.stop();
  });

  it('holds entries back until they are delay_for old', async () => {
    vi.useFakeTimers();
    const source = new FakeSource();
    const conn = new FakeConnection(false);
    const now = (): bigint => BigInt(Date.now()) * 1_000_000n;
    const t = tailer({ source, connection: conn, now, request: { ...REQUEST, delayForSeconds: 2 } });
    await t.start();
    source.push(live(a, [[now(), 'soon']]));
    await vi.advanceTimersByTimeAsync(1500);
    expect(conn.frames).toEqual([]);
    await vi.advanceTimersByTimeAsync(600);
    expect(conn.frames).toHaveLength(1);
    expect(conn.frames[0]).toContain('"soon"');
    t.stop();
  });

  it('refuses a tail past max_concurrent_tail_requests with close 1011 and Loki text', async () => {
    const source = new FakeSource();
    source.active = 10;
    const conn = new FakeConnection();
    await tailer({ source, connection: conn }).start();
    expect(conn.closed).toEqual({ code: 1011, reason: 'max concurrent tail requests limit exceeded, count > limit (11 > 10)' });
    expect(source.subscribed).toBe(0);
  });

  it('closes with 1011 after the tail max duration', async () => {
    const source = new FakeSource();
    const conn = new FakeConnection();
    await tailer({ source, connection: conn, maxDurationMs: 5 }).start();
    await new Promise<void>((resolve) => {
      const check = (): void => (conn.closed ? resolve() : void setTimeout(check, 5));
      check();
    });
    expect(conn.closed).toEqual({ code: 1011, reason: 'reached tail max duration limit' });
    expect(source.unsubscribed).toBe(1);
  });

  it('closes with 1011 and the message when the history query fails or the source ends', async () => {
    const conn1 = new FakeConnection();
    const text = 'max entries limit per query exceeded, limit > max_entries_limit_per_query (6000 > 5000)';
    await tailer({ source: new FakeSource(), connection: conn1, history: async () => Promise.reject(new ValidationError(text)) }).start();
    expect(conn1.closed).toEqual({ code: 1011, reason: text });

    const source = new FakeSource();
    const conn2 = new FakeConnection();
    await tailer({ source, connection: conn2 }).start();
    source.onError!(new Error('all ingesters closed the connection'));
    expect(conn2.closed).toEqual({ code: 1011, reason: 'all ingesters closed the connection' });
    expect(source.unsubscribed).toBe(1);
  });

  it('sends legacy frames on /api/prom/tail', async () => {
    const source = new FakeSource();
    const conn = new FakeConnection();
    const t = tailer({ source, connection: conn, legacy: true });
    await t.start();
    source.push(live(a, [[500_000n, 'l']]));
    await until(() => conn.frames.length === 1);
    expect(conn.frames[0]).toBe('{"streams":[{"labels":"{app=\\"a\\"}","entries":[{"ts":"1970-01-01T00:00:00.0005Z","line":"l"}]}],"dropped_entries":null}\n');
    t.stop();
  });
});

describe('LocalTailSource', () => {
  it('delivers the pipeline’s output of the tenant’s matching streams and counts open tails', async () => {
    const fanout = new TailBroadcaster();
    const source = new LocalTailSource(fanout, buildPipeline);
    const got: TailBatch[] = [];
    const sub = await source.subscribe('t1', parseLogSelector('{app="a"} |= "keep"'), (b) => got.push(b), () => undefined);
    expect(await source.activeTails('t1')).toBe(1);
    expect(await source.activeTails('t2')).toBe(0);
    const streamA = { labels: ls({ app: 'a' }) };
    fanout.onAccepted('t1', streamA, [
      { ts: 1n, line: 'keep me' },
      { ts: 2n, line: 'drop me' },
    ]);
    fanout.onAccepted('t2', streamA, [{ ts: 3n, line: 'keep other tenant' }]);
    fanout.onAccepted('t1', { labels: ls({ app: 'b' }) }, [{ ts: 4n, line: 'keep other stream' }]);
    await until(() => got.length === 1);
    expect(got[0].droppedEntries).toBe(0);
    expect(got[0].streams.map((s) => [s.labels.key, s.entries.map((e) => e.line)])).toEqual([['{app="a"}', ['keep me']]]);
    sub.unsubscribe();
    sub.unsubscribe();
    expect(await source.activeTails('t1')).toBe(0);
    fanout.onAccepted('t1', streamA, [{ ts: 5n, line: 'keep late' }]);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(got).toHaveLength(1);
  });
});
