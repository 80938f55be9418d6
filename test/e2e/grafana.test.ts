// End to end: the calls Grafana and Logs Drilldown make beyond queries (health check, index volume,
// detected labels/fields/values, patterns, drilldown limits) with Grafana's parameters, vs Loki's shapes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, pushJSON } from '../support/client.js';
import { startServer, type ServerProcess } from '../support/server.js';

const NOW = BigInt(Date.now()) * 1_000_000n;
const MIN = 60_000_000_000n;
const ns = (offset: bigint): string => (NOW + offset).toString();
const range = { start: ns(-60n * MIN), end: ns(0n) };

/** Object keys (sorted) and value types, recursively: what must match Loki's recorded bodies. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  return typeof v;
}

const fixture = (name: string): any => JSON.parse(readFileSync(`test/fixtures/loki/${name}`, 'utf8'));

describe('Grafana data source and Logs Drilldown calls', () => {
  let srv: ServerProcess;

  beforeAll(async () => {
    srv = await startServer();
    const checkout1: [string, string][] = [];
    for (let i = 0; i < 40; i++)
      checkout1.push([ns(-50n * MIN + BigInt(i) * MIN), `level=info msg="order placed" order_id=${1000 + i} duration=${i + 1}ms size=${i + 1}KB`]);
    const checkout2: [string, string][] = [];
    for (let i = 0; i < 10; i++)
      checkout2.push([ns(-45n * MIN + BigInt(i) * MIN), JSON.stringify({ level: 'error', msg: 'payment failed', user: { id: i }, retry: true })]);
    const cart: [string, string][] = [];
    for (let i = 0; i < 5; i++) cart.push([ns(-40n * MIN + BigInt(i) * MIN), `cart updated items=${i}`]);
    const r = await pushJSON(srv.url, {
      streams: [
        { stream: { app: 'checkout', namespace: 'prod', pod: 'checkout-1' }, values: checkout1 },
        { stream: { app: 'checkout', namespace: 'prod', pod: 'checkout-2' }, values: checkout2 },
        { stream: { app: 'cart', namespace: 'prod' }, values: cart },
        { stream: { app: 'web', namespace: 'dev' }, values: [[ns(-30n * MIN), 'hello from dev']] },
      ],
    });
    expect(r.status).toBe(204);
  });

  afterAll(async () => {
    await srv?.stop();
    srv?.cleanup();
  });

  const statsBytes = async (query: string): Promise<number> => (await get(srv.url, '/loki/api/v1/index/stats', { query, ...range })).json.bytes;

  it('answers the health check with a one-sample vector of value 2', async () => {
    const r = await fetch(`${srv.url}/loki/api/v1/query?direction=backward&query=vector%281%29%2Bvector%281%29&time=4000000000`);
    const text = await r.text();
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const json = JSON.parse(text);
    expect(json.status).toBe('success');
    expect(json.data.resultType).toBe('vector');
    // A 10-digit time is read as seconds by Loki's parameter rules.
    expect(json.data.result).toEqual([{ metric: {}, value: [4000000000, '2'] }]);
  });

  it('answers index/volume in the shape Loki records, with the bytes index/stats counts', async () => {
    const r = await get(srv.url, '/loki/api/v1/index/volume', { query: '{namespace="prod"}', ...range });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    expect(r.text.endsWith('}')).toBe(true);
    const want = fixture('index_volume.body');
    expect(shape(r.json)).toEqual(shape(want));
    expect(r.json.data.resultType).toBe('vector');
    const bytes = await statsBytes('{namespace="prod"}');
    expect(bytes).toBeGreaterThan(0);
    const endMs = Math.ceil(Number(range.end) / 1e6);
    expect(r.json.data.result).toEqual([{ metric: { namespace: 'prod' }, value: [endMs / 1000, String(bytes)] }]);
    expect(r.json.data.stats.summary.totalEntriesReturned).toBe(1);
    expect(r.json.data.stats.summary.splits).toBe(1);
  });

  it('groups volume by target labels, largest first, and limits it', async () => {
    const r = await get(srv.url, '/loki/api/v1/index/volume', { query: '{namespace="prod"}', targetLabels: 'app', ...range });
    const checkout = await statsBytes('{app="checkout"}');
    const cart = await statsBytes('{app="cart"}');
    expect(r.json.data.result.map((s: any) => [s.metric, s.value[1]])).toEqual([
      [{ app: 'checkout' }, String(checkout)],
      [{ app: 'cart' }, String(cart)],
    ]);
    const one = await get(srv.url, '/loki/api/v1/index/volume', { query: '{namespace="prod"}', targetLabels: 'app', limit: '1', ...range });
    expect(one.json.data.result.map((s: any) => s.metric)).toEqual([{ app: 'checkout' }]);
  });

  it('aggregates volume by label names as {"<name>":""}', async () => {
    const r = await get(srv.url, '/loki/api/v1/index/volume', { query: '{namespace="prod"}', aggregateBy: 'labels', ...range });
    const total = String(await statsBytes('{namespace="prod"}'));
    const pods = String(await statsBytes('{namespace="prod", pod=~".+"}'));
    expect(r.json.data.result.map((s: any) => [s.metric, s.value[1]])).toEqual([
      [{ app: '' }, total],
      [{ namespace: '' }, total],
      [{ service_name: '' }, total],
      [{ pod: '' }, pods],
    ]);
  });

  it('answers index/volume_range as a matrix of step buckets ending 1ms before each step boundary', async () => {
    const step = 600_000;
    const r = await get(srv.url, '/loki/api/v1/index/volume_range', { query: '{namespace="prod"}', ...range, step: `${step}ms` });
    expect(r.status).toBe(200);
    expect(r.json.data.resultType).toBe('matrix');
    expect(r.json.data.result).toHaveLength(1);
    const { metric, values } = r.json.data.result[0];
    expect(metric).toEqual({ namespace: 'prod' });
    const times = values.map((v: [number, string]) => Math.round(v[0] * 1000));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    for (const t of times.slice(0, -1)) expect((t + 1) % step).toBe(0);
    const sum = values.reduce((n: number, v: [number, string]) => n + Number(v[1]), 0);
    const bytes = await statsBytes('{namespace="prod"}');
    expect(sum).toBeLessThanOrEqual(bytes);
    expect(sum).toBeGreaterThan(bytes * 0.99);
  });

  it('rejects an unknown aggregateBy with Loki text', async () => {
    const r = await get(srv.url, '/loki/api/v1/index/volume', { query: '{namespace="prod"}', aggregateBy: 'pods', ...range });
    expect(r.status).toBe(400);
    expect(r.text).toBe('invalid aggregation option');
  });

  it('lists detected labels with cardinalities', async () => {
    const r = await get(srv.url, '/loki/api/v1/detected_labels', { query: '{namespace="prod"}', ...range });
    expect(r.status).toBe(200);
    expect(r.text).toBe(
      '{"detectedLabels":[{"label":"app","cardinality":2},{"label":"namespace","cardinality":1},{"label":"pod","cardinality":2},{"label":"service_name","cardinality":2}]}\n',
    );
  });

  it('detects fields of the sampled lines as Grafana asks for them', async () => {
    const r = await get(srv.url, '/loki/api/v1/detected_fields', { ...range, limit: '1000', query: '{app="checkout"}' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(r.json).toEqual({
      fields: [
        { label: 'detected_level', type: 'string', cardinality: 2, parsers: null },
        { label: 'duration', type: 'duration', cardinality: 40, parsers: ['logfmt'] },
        { label: 'level', type: 'string', cardinality: 2, parsers: ['logfmt', 'json'], jsonPath: ['level'] },
        { label: 'msg', type: 'string', cardinality: 2, parsers: ['logfmt', 'json'], jsonPath: ['msg'] },
        { label: 'order_id', type: 'int', cardinality: 40, parsers: ['logfmt'] },
        { label: 'retry', type: 'boolean', cardinality: 1, parsers: ['json'], jsonPath: ['retry'] },
        { label: 'size', type: 'bytes', cardinality: 40, parsers: ['logfmt'] },
        { label: 'user_id', type: 'int', cardinality: 10, parsers: ['json'], jsonPath: ['user', 'id'] },
      ],
      limit: 1000,
    });
  });

  it('samples only line_limit lines for field detection', async () => {
    const r = await get(srv.url, '/loki/api/v1/detected_fields', { ...range, line_limit: '5', query: '{pod="checkout-1"}' });
    const orderIds = r.json.fields.find((f: any) => f.label === 'order_id');
    expect(orderIds.cardinality).toBe(5);
  });

  it('lists a detected field’s values, byte sizes normalized', async () => {
    const r = await get(srv.url, '/loki/api/v1/detected_field/size/values', { ...range, query: '{app="checkout"}' });
    expect(r.status).toBe(200);
    const want = Array.from({ length: 40 }, (_, i) => (i + 1 < 10 ? `${i + 1}.0kB` : `${i + 1}kB`)).sort();
    expect(r.json).toEqual({ values: want, limit: 1000 });
  });

  it('refuses field detection for a metric query', async () => {
    const r = await get(srv.url, '/loki/api/v1/detected_fields', { ...range, query: 'count_over_time({app="checkout"}[1m])' });
    expect(r.status).toBe(400);
  });

  it('finds the patterns seen at least 30 times, with level and step samples', async () => {
    const r = await get(srv.url, '/loki/api/v1/patterns', { query: '{app="checkout"}', ...range, step: '60000ms' });
    expect(r.status).toBe(200);
    expect(r.text.endsWith('\n')).toBe(true);
    expect(r.json.status).toBe('success');
    expect(r.json.data).toHaveLength(1);
    const [p] = r.json.data;
    expect(p.pattern).toBe('level=info msg="order placed" order_id=<_> duration=<_> size=<_>');
    expect(p.level).toBe('info');
    const seconds = p.samples.map((s: number[]) => s[0]);
    expect(seconds).toEqual([...seconds].sort((x: number, y: number) => x - y));
    expect(seconds.every((s: number) => s % 60 === 0)).toBe(true);
    expect(p.samples.reduce((n: number, s: number[]) => n + s[1], 0)).toBe(40);
  });

  it('refuses patterns for a query with a pipeline', async () => {
    const r = await get(srv.url, '/loki/api/v1/patterns', { query: '{app="checkout"} |= "x"', ...range });
    expect(r.status).toBe(400);
  });

  it('publishes drilldown limits', async () => {
    const r = await get(srv.url, '/loki/api/v1/drilldown-limits');
    expect(r.status).toBe(200);
    expect(r.json.pattern_ingester_enabled).toBe(true);
    expect(r.json.version).toBe('3.4.6');
    expect(r.json.limits).toMatchObject({
      discover_log_levels: true,
      max_entries_limit_per_query: 5000,
      max_query_length: '30d1h',
      volume_enabled: true,
      volume_max_series: 1000,
    });
  });

  it('reports a version Grafana can compare in buildinfo', async () => {
    const r = await get(srv.url, '/loki/api/v1/status/buildinfo');
    expect(r.json.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('counts flushed chunks from the store in index/volume', async () => {
    expect((await post(srv.url, '/flush')).status).toBe(204);
    const r = await get(srv.url, '/loki/api/v1/index/volume', { query: '{namespace="prod"}', ...range });
    const bytes = await statsBytes('{namespace="prod"}');
    expect(r.json.data.result.map((s: any) => s.value[1])).toEqual([String(bytes)]);
  });
});
