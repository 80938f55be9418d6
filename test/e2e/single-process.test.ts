// End to end against the real server process (single process, filesystem store): push as
// Promtail and as JSON, read back exactly, validation errors, ordering rules, flush + restart,
// corrupted chunks, tenants, and the operational endpoints.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, pushJSON, pushProto } from '../support/client.js';
import { startServer, DEFAULT_TEST_CONFIG, type ServerProcess } from '../support/server.js';

const NOW = BigInt(Date.now()) * 1_000_000n;
const ns = (offsetMs: number, extraNs = 0): string => (NOW + BigInt(offsetMs) * 1_000_000n + BigInt(extraNs)).toString();
const range = { start: ns(-3_600_000), end: ns(60_000) };

function allEntries(json: any): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const s of json.data.result) for (const [ts, line] of s.values) out.push([JSON.stringify(s.stream), ts, line]);
  return out;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

describe('single-process server', () => {
  let srv: ServerProcess;
  beforeAll(async () => {
    srv = await startServer();
  });
  afterAll(async () => {
    await srv?.stop();
    srv?.cleanup();
  });

  it('accepts a Promtail-style protobuf+snappy push and returns every entry with exact nanoseconds', async () => {
    const entries: [string, string][] = [];
    for (let i = 0; i < 50; i++) entries.push([ns(-10_000 + i, 123 + i), `promtail line ${i} level=info`]);
    const r = await pushProto(srv.url, [{ labels: '{app="proto", env="test"}', entries }]);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');

    const fwd = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="proto"}', ...range, limit: '1000', direction: 'forward' });
    expect(fwd.status).toBe(200);
    expect(fwd.json.status).toBe('success');
    expect(fwd.json.data.resultType).toBe('streams');
    expect(fwd.json.data.result).toHaveLength(1);
    // service_name and detected_level are added as Loki 3 does (detected_level is structured metadata).
    expect(fwd.json.data.result[0].stream).toEqual({ app: 'proto', env: 'test', service_name: 'proto', detected_level: 'info' });
    expect(fwd.json.data.result[0].values).toEqual(entries);

    const bwd = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="proto"}', ...range, limit: '1000' });
    expect(bwd.json.data.result[0].values).toEqual([...entries].reverse());
    expect(bwd.json.data.stats.summary.totalEntriesReturned).toBe(50);
    expect(bwd.json.data.stats.summary.totalLinesProcessed).toBeGreaterThanOrEqual(50);
  });

  it('accepts JSON with gzip, structured metadata, and honours limit and line filters', async () => {
    const payload = {
      streams: [
        {
          stream: { app: 'json', pod: 'p1' },
          values: [
            [ns(-5000, 1), 'GET /a status=200'],
            [ns(-4000, 2), 'GET /b status=500 error', { trace_id: 'abc' }],
            [ns(-3000, 3), 'POST /c status=201'],
          ],
        },
      ],
    };
    const r = await pushJSON(srv.url, payload, { gzip: true });
    expect(r.status).toBe(204);
    const q = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="json"} |= "status" != "error"', ...range, direction: 'forward' });
    expect(q.status).toBe(200);
    expect(allEntries(q.json).map((e) => e[2])).toEqual(['GET /a status=200', 'POST /c status=201']);
    const limited = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="json"}', ...range, limit: '1' });
    expect(allEntries(limited.json).map((e) => e[1])).toEqual([ns(-3000, 3)]);
    const meta = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="json"} |~ "error"', ...range });
    expect(meta.json.data.result[0].stream).toEqual({ app: 'json', pod: 'p1', service_name: 'json', trace_id: 'abc', detected_level: 'error' });
    const categorized = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="json"} |~ "error"', ...range }, {
      'X-Loki-Response-Encoding-Flags': 'categorize-labels',
    });
    expect(categorized.json.data.encodingFlags).toEqual(['categorize-labels']);
    expect(categorized.json.data.result).toEqual([
      {
        stream: { app: 'json', pod: 'p1', service_name: 'json' },
        values: [[ns(-4000, 2), 'GET /b status=500 error', { structuredMetadata: { detected_level: 'error', trace_id: 'abc' } }]],
      },
    ]);
  });

  it('answers validation errors with Loki status codes and texts, keeping the good streams', async () => {
    const bad = await pushJSON(srv.url, { streams: [{ stream: { '0bad': 'x' }, values: [[ns(0), 'x']] }] });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe("couldn't parse labels: 1:2: parse error: unexpected character inside braces: '0'\n");

    const empty = await pushJSON(srv.url, { streams: [] });
    expect(empty.status).toBe(422);
    expect(empty.text).toBe('error at least one valid stream is required for ingestion\n');

    const many: Record<string, string> = {};
    for (let i = 0; i < 16; i++) many[`l${String(i).padStart(2, '0')}`] = 'v';
    const mixed = await pushJSON(srv.url, {
      streams: [
        { stream: many, values: [[ns(0), 'too many labels']] },
        { stream: { app: 'mixed-good' }, values: [[ns(-1000), 'kept']] },
        { stream: { app: 'mixed-long' }, values: [[ns(-1000), 'x'.repeat(300_000)]] },
      ],
    });
    expect(mixed.status).toBe(400);
    expect(mixed.text).toContain('has 16 label names; limit 15');
    expect(mixed.text).toContain("max entry size '262144' bytes exceeded for stream '{app=\"mixed-long\", service_name=\"mixed-long\"}'");
    const kept = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="mixed-good"}', ...range });
    expect(allEntries(kept.json).map((e) => e[2])).toEqual(['kept']);

    const badSnappy = await post(srv.url, '/loki/api/v1/push', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]), {
      'Content-Type': 'application/x-protobuf',
    });
    expect(badSnappy.status).toBe(400);
    const badJson = await pushJSON(srv.url, '{"streams":[{"stream":');
    expect(badJson.status).toBe(400);
    const numTs = await pushJSON(srv.url, '{"streams":[{"stream":{"a":"b"},"values":[[1,"x"]]}]}');
    expect(numTs.status).toBe(400);
  });

  it('rejects out-of-order entries with Loki\'s text and drops exact duplicates silently', async () => {
    const labels = '{job="ooo"}';
    expect((await pushProto(srv.url, [{ labels, entries: [[ns(-1000), 'newest']] }])).status).toBe(204);
    const ooo = await pushProto(srv.url, [{ labels, entries: [[ns(-2000), 'older']] }]);
    expect(ooo.status).toBe(400);
    const when = new Date(Number(BigInt(ns(-2000)) / 1_000_000n)).toISOString().replace('T', ' ').replace('Z', '');
    expect(ooo.text).toContain(`entry with timestamp ${when.slice(0, 19)}`);
    expect(ooo.text).toContain("ignored, reason: 'entry out of order',");
    expect(ooo.text).toContain(`user 'fake', total ignored: 1 out of 1 for stream: {job="ooo", service_name="ooo"}`);

    const dup = await pushProto(srv.url, [{ labels, entries: [[ns(-1000), 'newest'], [ns(-1000), 'same ts, other line']] }]);
    expect(dup.status).toBe(204);
    const q = await get(srv.url, '/loki/api/v1/query_range', { query: '{job="ooo"}', ...range, direction: 'forward' });
    expect(allEntries(q.json).map((e) => e[2])).toEqual(['newest', 'same ts, other line']);
  });

  it('keeps tenants apart and answers labels, values and series', async () => {
    const labels = await get(srv.url, '/loki/api/v1/labels', range);
    expect(labels.json.status).toBe('success');
    expect(labels.json.data).toEqual(expect.arrayContaining(['app', 'env', 'pod', 'service_name']));
    const values = await get(srv.url, '/loki/api/v1/label/app/values', range);
    expect(values.json.data).toEqual(expect.arrayContaining(['json', 'proto']));
    const series = await get(srv.url, '/loki/api/v1/series', { 'match[]': '{app="proto"}', ...range });
    expect(series.json).toEqual({ status: 'success', data: [{ app: 'proto', env: 'test', service_name: 'proto' }] });
    const none = await get(srv.url, '/loki/api/v1/label/nope/values', range);
    expect(none.text).toBe('{"status":"success"}\n');
  });

  it('reports LogQL parse errors as 400 with Loki\'s text', async () => {
    const r = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="checkout"', ...range });
    expect(r.status).toBe(400);
    expect(r.text).toBe('parse error at line 1, col 16: syntax error: unexpected $end, expecting } or ,');
    const inst = await get(srv.url, '/loki/api/v1/query', { query: '{app="proto"}' });
    expect(inst.status).toBe(400);
    expect(inst.text).toBe('log queries are not supported as an instant query type, please change your query to a range query type');
  });

  it('applies Loki\'s query limits and formats queries', async () => {
    const points = await get(srv.url, '/loki/api/v1/query_range', { query: 'count_over_time({app="proto"}[1m])', start: '0', end: '12000', step: '1' });
    expect(points.status).toBe(400);
    expect(points.text).toBe('exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter');
    const limit = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="proto"}', ...range, limit: '5001' });
    expect(limit.status).toBe(400);
    expect(limit.text).toBe('max entries limit per query exceeded, limit > max_entries_limit_per_query (5001 > 5000)');
    const all = await get(srv.url, '/loki/api/v1/query_range', { query: '{app=~".*"}', ...range });
    expect(all.status).toBe(400);
    expect(all.text).toContain('queries require at least one regexp or equality matcher that does not have an empty-compatible value');
    const fmt = await get(srv.url, '/loki/api/v1/format_query', { query: 'sum by(app)(rate({app="a"}|="x"[5m]))' });
    expect(fmt.json).toEqual({ status: 'success', data: 'sum by (app)(rate({app="a"} |= "x"[5m]))' });
    const bad = await get(srv.url, '/loki/api/v1/format_query', { query: '{app=' });
    expect(bad.status).toBe(400);
    expect(bad.json.status).toBe('invalid-query');
    const health = await get(srv.url, '/loki/api/v1/query', { direction: 'backward', query: 'vector(1)+vector(1)', time: '4000000000' });
    expect(health.json.data.resultType).toBe('vector');
    expect(health.json.data.result).toHaveLength(1);
    expect(health.json.data.result[0].value[1]).toBe('2');
  });

  it('serves the operational endpoints', async () => {
    expect((await get(srv.url, '/ready')).text).toBe('ready\n');
    const metrics = await get(srv.url, '/metrics');
    expect(metrics.text).toMatch(/loki_distributor_lines_received_total\{tenant="fake"\} \d+/);
    expect(metrics.text).toMatch(/loki_ingester_memory_streams\{tenant="fake"\} \d+/);
    expect(metrics.text).toContain('loki_request_duration_seconds_bucket');
    const cfg = await get(srv.url, '/config');
    expect(cfg.text).toContain('http_listen_port');
    const build = await get(srv.url, '/loki/api/v1/status/buildinfo');
    expect(build.json.version).toMatch(/^3\./);
  });
});

describe('durability', () => {
  it('flushes to chunks, restarts on the same data and reads the same entries back', async () => {
    const srv = await startServer();
    try {
      const entries: [string, string][] = [];
      for (let i = 0; i < 200; i++) entries.push([ns(-20_000 + i * 10, i), `persisted ${i}`]);
      expect((await pushProto(srv.url, [{ labels: '{app="persist"}', entries }])).status).toBe(204);
      expect((await post(srv.url, '/flush')).status).toBe(204);
      expect(await srv.stop()).toBe(0);
      expect(listFiles(join(srv.dataDir, 'chunks')).some((f) => f.includes(`${join('chunks', 'fake')}`))).toBe(true);

      const again = await startServer({ dataDir: srv.dataDir, config: DEFAULT_TEST_CONFIG.replace('flush_check_period: 1s', 'flush_check_period: 1s\n  wal:\n    enabled: false') });
      try {
        const q = await get(again.url, '/loki/api/v1/query_range', { query: '{app="persist"}', ...range, limit: '1000', direction: 'forward' });
        expect(q.json.data.result[0].values).toEqual(entries);
        expect(q.json.data.stats.querier.store.totalChunksDownloaded).toBeGreaterThan(0);
      } finally {
        await again.stop();
      }
    } finally {
      srv.cleanup();
    }
  });

  it('reports a corrupted chunk as an error instead of returning garbage', async () => {
    const srv = await startServer();
    try {
      expect((await pushProto(srv.url, [{ labels: '{app="corrupt"}', entries: [[ns(-1000), 'precious line']] }])).status).toBe(204);
      expect((await post(srv.url, '/flush')).status).toBe(204);
      await srv.stop();
      const chunk = listFiles(join(srv.dataDir, 'chunks')).find((f) => f.includes(join('chunks', 'fake')));
      expect(chunk).toBeDefined();
      const data = readFileSync(chunk!);
      data[Math.floor(data.length / 2)] ^= 0xff;
      writeFileSync(chunk!, data);
      const again = await startServer({ dataDir: srv.dataDir, config: DEFAULT_TEST_CONFIG.replace('flush_check_period: 1s', 'flush_check_period: 1s\n  wal:\n    enabled: false') });
      try {
        const q = await get(again.url, '/loki/api/v1/query_range', { query: '{app="corrupt"}', ...range });
        expect(q.status).toBe(500);
        expect(q.text).toMatch(/checksum|corrupt/i);
        expect(q.text).not.toContain('precious');
      } finally {
        await again.stop();
      }
    } finally {
      srv.cleanup();
    }
  });

  it('loses no acknowledged entry when killed with -9 in the middle of ingesting (WAL replay)', async () => {
    const srv = await startServer();
    const acked: [string, string][] = [];
    try {
      // Four writers push concurrently; the server is killed while requests are in flight.
      let stop = false;
      let batchNo = 0;
      const writer = async (w: number): Promise<void> => {
        while (!stop) {
          const b = batchNo++;
          const batch: [string, string][] = [];
          for (let i = 0; i < 50; i++) batch.push([ns(-600_000 + b * 100 + i, w), `wal entry ${b}-${i} from writer ${w}`]);
          const r = await pushProto(srv.url, [{ labels: `{app="wal", writer="${w}"}`, entries: batch }]).catch(() => undefined);
          if (r?.status === 204) acked.push(...batch);
          if (b === 20) void post(srv.url, '/flush').catch(() => undefined);
        }
      };
      const writers = [0, 1, 2, 3].map(writer);
      while (acked.length < 4000) await new Promise((r) => setTimeout(r, 5));
      await srv.kill9();
      stop = true;
      await Promise.all(writers);
      const again = await startServer({ dataDir: srv.dataDir });
      try {
        const got = new Set<string>();
        for (let w = 0; w < 4; w++) {
          const q = await get(again.url, '/loki/api/v1/query_range', { query: `{app="wal", writer="${w}"}`, ...range, limit: '5000', direction: 'forward' });
          expect(q.status).toBe(200);
          for (const s of q.json.data.result) for (const [ts, line] of s.values) got.add(`${ts} ${line}`);
        }
        const missing = acked.filter(([ts, line]) => !got.has(`${ts} ${line}`));
        expect(missing).toEqual([]);
        expect(acked.length).toBeGreaterThanOrEqual(4000);
      } finally {
        await again.stop();
      }
    } finally {
      srv.cleanup();
    }
  });
});

describe('tenants with auth enabled', () => {
  it('requires X-Scope-OrgID and never shows one tenant another\'s data', async () => {
    const srv = await startServer({ config: DEFAULT_TEST_CONFIG.replace('auth_enabled: false', 'auth_enabled: true') });
    try {
      const noOrg = await pushProto(srv.url, [{ labels: '{app="t"}', entries: [[ns(-1000), 'x']] }]);
      expect(noOrg.status).toBe(401);
      expect(noOrg.text).toBe('no org id\n');
      expect((await pushProto(srv.url, [{ labels: '{app="t"}', entries: [[ns(-1000), 'for a']] }], { 'X-Scope-OrgID': 'a' })).status).toBe(204);
      expect((await pushProto(srv.url, [{ labels: '{app="t"}', entries: [[ns(-1000), 'for b']] }], { 'X-Scope-OrgID': 'b' })).status).toBe(204);
      const qa = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="t"}', ...range }, { 'X-Scope-OrgID': 'a' });
      expect(allEntries(qa.json).map((e) => e[2])).toEqual(['for a']);
      const qc = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="t"}', ...range }, { 'X-Scope-OrgID': 'c' });
      expect(qc.json.data.result).toEqual([]);
      const q401 = await get(srv.url, '/loki/api/v1/query_range', { query: '{app="t"}', ...range });
      expect(q401.status).toBe(401);
    } finally {
      await srv.stop();
      srv.cleanup();
    }
  });
});

describe('the seed stack\'s Loki config', () => {
  it('starts the server unchanged (only ports and directories moved by flags) and logs the keys it ignores', async () => {
    const seed = readFileSync('test/fixtures/seed-loki-config.yml', 'utf8');
    const srv = await startServer({
      config: seed,
      args: ['-server.http-listen-address=127.0.0.1', '-common.path-prefix={{DATA}}', '-local.chunk-directory={{DATA}}/chunks'],
    });
    try {
      // The flags above were given after -config.file, so the YAML's /tmp paths are replaced.
      expect(srv.logs.join('\n')).toContain('"key":"schema_config"');
      expect((await pushProto(srv.url, [{ labels: '{job="seed"}', entries: [[ns(-1000), 'seed config line']] }])).status).toBe(204);
      const q = await get(srv.url, '/loki/api/v1/query_range', { query: '{job="seed"}', ...range });
      expect(allEntries(q.json).map((e) => e[2])).toEqual(['seed config line']);
    } finally {
      await srv.stop();
      srv.cleanup();
    }
  });
});
