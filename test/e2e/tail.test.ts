// End to end live tail: one client tails while another pushes; history, pipelines, categorized labels,
// legacy path, pings, errors before the upgrade, concurrent-tails and duration limits (close 1011).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pushJSON } from '../support/client.js';
import { startServer, DEFAULT_TEST_CONFIG, type ServerProcess } from '../support/server.js';

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

interface Tail {
  ws: WebSocket;
  frames: any[];
  raw: string[];
  pings: number;
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a tail and resolves once the websocket is open. */
async function openTail(url: string, path: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Tail> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}${path}?${new URLSearchParams(params)}`, { headers });
  const tail: Tail = {
    ws,
    frames: [],
    raw: [],
    pings: 0,
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
  };
  ws.on('message', (data) => {
    tail.raw.push(data.toString());
    tail.frames.push(JSON.parse(data.toString()));
  });
  ws.on('ping', () => tail.pings++);
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  return tail;
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** [labels, ts, line] of every entry received, in arrival order. */
const received = (t: Tail): [Record<string, string>, string, string][] =>
  t.frames.flatMap((f) => f.streams.flatMap((s: any) => s.values.map((v: string[]) => [s.stream, v[0], v[1]])));

/** Status and body of a refused upgrade. */
async function refusedUpgrade(url: string, path: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}${path}?${new URLSearchParams(params)}`);
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('error', () => undefined);
  });
}

describe('live tail', () => {
  let srv: ServerProcess;
  const open: Tail[] = [];
  const tail = async (...args: Parameters<typeof openTail>): Promise<Tail> => {
    const t = await openTail(...args);
    open.push(t);
    return t;
  };

  beforeAll(async () => {
    srv = await startServer();
  });

  afterAll(async () => {
    for (const t of open) t.ws.terminate();
    await srv?.stop();
    srv?.cleanup();
  });

  it('delivers entries pushed by another client, in timestamp order across streams', async () => {
    const t = await tail(srv.url, '/loki/api/v1/tail', { query: '{app="live"}' });
    const base = nowNs() - 3_000_000_000n;
    const at = (i: bigint): string => (base + i).toString();
    const r = await pushJSON(srv.url, {
      streams: [
        { stream: { app: 'live', pod: 'x' }, values: [[at(0n), 'first'], [at(2n), 'third']] },
        { stream: { app: 'live', pod: 'y' }, values: [[at(1n), 'second']] },
      ],
    });
    expect(r.status).toBe(204);
    await waitFor(() => received(t).length === 3, 'three entries');
    const stream = (pod: string) => ({ app: 'live', pod, service_name: 'live', detected_level: 'unknown' });
    expect(received(t)).toEqual([
      [stream('x'), at(0n), 'first'],
      [stream('y'), at(1n), 'second'],
      [stream('x'), at(2n), 'third'],
    ]);
    expect(t.raw[0].startsWith('{"streams":[{"stream":')).toBe(true);
  });

  it('replays the newest `limit` entries of history oldest-first, then follows', async () => {
    const base = nowNs() - 10_000_000_000n;
    const values = Array.from({ length: 5 }, (_, i) => [(base + BigInt(i)).toString(), `old ${i}`]);
    expect((await pushJSON(srv.url, { streams: [{ stream: { app: 'hist' }, values }] })).status).toBe(204);
    const t = await tail(srv.url, '/loki/api/v1/tail', { query: '{app="hist"}', limit: '3' });
    await waitFor(() => received(t).length === 3, 'history');
    expect(received(t).map((e) => e[2])).toEqual(['old 2', 'old 3', 'old 4']);
    await pushJSON(srv.url, { streams: [{ stream: { app: 'hist' }, values: [[(nowNs() - 1_000_000n).toString(), 'new']] }] });
    await waitFor(() => received(t).length === 4, 'live entry after history');
    expect(received(t)[3][2]).toBe('new');
  });

  it('applies the query’s pipeline to live entries', async () => {
    const t = await tail(srv.url, '/loki/api/v1/tail', { query: '{app="filtered"} |= "keep" | logfmt' });
    const ts = nowNs() - 1_000_000_000n;
    await pushJSON(srv.url, {
      streams: [
        {
          stream: { app: 'filtered' },
          values: [
            [ts.toString(), 'drop=1'],
            [(ts + 1n).toString(), 'keep=yes level=warn'],
          ],
        },
      ],
    });
    await waitFor(() => received(t).length === 1, 'the kept entry');
    expect(received(t)[0][0]).toEqual({ app: 'filtered', service_name: 'filtered', detected_level: 'warn', keep: 'yes', level: 'warn' });
  });

  it('sends 3-tuples and encodingFlags with categorize-labels', async () => {
    const t = await tail(srv.url, '/loki/api/v1/tail', { query: '{app="cat"}' }, { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' });
    const ts = (nowNs() - 1_000_000_000n).toString();
    await pushJSON(srv.url, { streams: [{ stream: { app: 'cat' }, values: [[ts, 'level=error boom', { trace_id: 't1' }]] }] });
    await waitFor(() => t.frames.length === 1, 'a frame');
    expect(t.raw[0]).toBe(
      `{"streams":[{"stream":{"app":"cat","service_name":"cat"},"values":[["${ts}","level=error boom",{"structuredMetadata":{"detected_level":"error","trace_id":"t1"}}]]}],"encodingFlags":["categorize-labels"]}`,
    );
  });

  it('sends the legacy shape on /api/prom/tail', async () => {
    const t = await tail(srv.url, '/api/prom/tail', { query: '{app="legacy"}' });
    await pushJSON(srv.url, { streams: [{ stream: { app: 'legacy' }, values: [['1795448066462000536', 'old school']] }] });
    await waitFor(() => t.frames.length === 1, 'a legacy frame');
    expect(t.raw[0]).toBe(
      '{"streams":[{"labels":"{app=\\"legacy\\", detected_level=\\"unknown\\", service_name=\\"legacy\\"}",' +
        '"entries":[{"ts":"2026-11-23T15:34:26.462000536Z","line":"old school"}]}],"dropped_entries":null}\n',
    );
  });

  it('pings the client every second', async () => {
    const t = await tail(srv.url, '/loki/api/v1/tail', { query: '{app="quiet"}' });
    await waitFor(() => t.pings >= 1, 'a ping', 5_000);
  });

  it('refuses bad parameters with 400 before the upgrade', async () => {
    expect(await refusedUpgrade(srv.url, '/loki/api/v1/tail', { query: '{app="x"}', delay_for: '6' })).toEqual({
      status: 400,
      body: "delay_for can't be greater than 5",
    });
    const parse = await refusedUpgrade(srv.url, '/loki/api/v1/tail', { query: '{app=' });
    expect(parse.status).toBe(400);
    expect(parse.body).toMatch(/^parse error/);
    const plain = await fetch(`${srv.url}/loki/api/v1/tail?query=%7Bapp%3D%22x%22%7D&delay_for=6`);
    expect(plain.status).toBe(400);
    expect(await plain.text()).toBe("delay_for can't be greater than 5");
  });

  it('answers a plain HTTP request with gorilla’s 400', async () => {
    const r = await fetch(`${srv.url}/loki/api/v1/tail?query=%7Bapp%3D%22x%22%7D`);
    expect(r.status).toBe(400);
    expect(await r.text()).toBe('Bad Request\n');
  });

  it('closes with 1011 and the error for a metric query', async () => {
    const t = await tail(srv.url, '/loki/api/v1/tail', { query: 'count_over_time({app="x"}[1m])' });
    const closed = await t.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason.length).toBeGreaterThan(0);
  });
});

describe('live tail limits', () => {
  let srv: ServerProcess;

  beforeAll(async () => {
    srv = await startServer({
      config: DEFAULT_TEST_CONFIG.replace('limits_config:\n', 'limits_config:\n  max_concurrent_tail_requests: 1\n') + 'querier:\n  tail_max_duration: 2s\n',
    });
  });

  afterAll(async () => {
    await srv?.stop();
    srv?.cleanup();
  });

  it('refuses tails beyond max_concurrent_tail_requests and ends tails after tail_max_duration', async () => {
    const first = await openTail(srv.url, '/loki/api/v1/tail', { query: '{app="a"}' });
    await new Promise((r) => setTimeout(r, 200));
    const second = await openTail(srv.url, '/loki/api/v1/tail', { query: '{app="a"}' });
    expect(await second.closed).toEqual({ code: 1011, reason: 'max concurrent tail requests limit exceeded, count > limit (2 > 1)' });
    expect(await first.closed).toEqual({ code: 1011, reason: 'reached tail max duration limit' });
    const third = await openTail(srv.url, '/loki/api/v1/tail', { query: '{app="a"}' });
    const ts = (nowNs() - 1_000_000n).toString();
    await pushJSON(srv.url, { streams: [{ stream: { app: 'a' }, values: [[ts, 'after the limit']] }] });
    await waitFor(() => third.frames.length === 1, 'a frame on a new tail');
    third.ws.terminate();
  });
});
