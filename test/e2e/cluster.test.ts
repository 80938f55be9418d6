// Distributed mode with real processes on loopback: a Redis server (ring), a Ceph RGW (S3 object
// store), 3 ingesters, 2 distributors and 1 querier, each its own process. Covers replication and
// quorum, kill -9 and WAL replay, graceful leave with flush to S3, and a 4th ingester taking over
// part of the token space.
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngesterClient } from '../../src/ingester-client/client.js';
import { get, pushProto, type PushStreamSpec } from '../support/client.js';
import { startRedis, type TestRedis } from '../support/redis.js';
import { startS3Server, type S3TestServer } from '../support/s3.js';
import { startServer, type ServerProcess } from '../support/server.js';

const NOW = BigInt(Date.now()) * 1_000_000n;
const ns = (offsetMs: number, extra = 0): string => (NOW + BigInt(offsetMs) * 1_000_000n + BigInt(extra)).toString();
const range = { start: ns(-3_600_000), end: ns(120_000) };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function configFor(redis: TestRedis, s3: S3TestServer, bucket: string, id: string, grpcPort: number): string {
  return `
auth_enabled: false
server:
  http_listen_address: 127.0.0.1
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: ${grpcPort}
  log_level: info
common:
  path_prefix: {{DATA}}
  replication_factor: 3
  ring:
    kvstore:
      store: redis
      redis:
        endpoint: ${redis.endpoint}
ingester:
  lifecycler:
    id: ${id}
    address: 127.0.0.1
    heartbeat_period: 1s
    min_ready_duration: 0s
    ring:
      heartbeat_timeout: 20s
  flush_check_period: 1s
storage_config:
  aws:
    endpoint: ${s3.endpoint}
    bucketnames: ${bucket}
    region: ${s3.region}
    access_key_id: ${s3.accessKeyId}
    secret_access_key: ${s3.secretAccessKey}
    s3forcepathstyle: true
  index_cache_refresh: 0s
limits_config:
  reject_old_samples: false
`;
}

interface RingShard {
  id: string;
  state: string;
  address: string;
}

describe('a cluster of separate processes', () => {
  let redis: TestRedis;
  let s3: S3TestServer;
  const bucket = `cluster-${Date.now()}`;
  const ingesters = new Map<string, ServerProcess>();
  const grpcPorts = new Map<string, number>();
  let distributors: ServerProcess[] = [];
  let querier: ServerProcess;
  const pushed = new Map<string, [string, string][]>();

  const startIngester = async (id: string, dataDir?: string): Promise<ServerProcess> => {
    if (!grpcPorts.has(id)) grpcPorts.set(id, await freePort());
    const p = await startServer({ config: configFor(redis, s3, bucket, id, grpcPorts.get(id)!), args: ['-target=ingester'], dataDir });
    ingesters.set(id, p);
    return p;
  };

  const ring = async (): Promise<RingShard[]> => {
    const r = await fetch(distributors[0].url + '/ring', { headers: { Accept: 'application/json' } });
    return ((await r.json()) as { shards: RingShard[] }).shards;
  };

  const waitRing = async (pred: (shards: RingShard[]) => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 60_000;
    let last: RingShard[] = [];
    while (Date.now() < deadline) {
      last = await ring();
      if (pred(last)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`ring never reached: ${what}; last: ${JSON.stringify(last.map((s) => [s.id, s.state]))}`);
  };

  const push = async (via: ServerProcess, streams: PushStreamSpec[]): Promise<number> => {
    const r = await pushProto(via.url, streams);
    if (r.status === 204) for (const s of streams) pushed.set(s.labels, [...(pushed.get(s.labels) ?? []), ...s.entries.map(([t, l]) => [t, l] as [string, string])]);
    return r.status;
  };

  const makeStreams = (prefix: string, count: number, perStream: number, offsetMs: number): PushStreamSpec[] =>
    Array.from({ length: count }, (_, i) => ({
      labels: `{app="${prefix}-${i}", cluster="test"}`,
      entries: Array.from({ length: perStream }, (_, j) => [ns(offsetMs + j, i), `${prefix} stream ${i} line ${j}`] as [string, string]),
    }));

  /** Every pushed entry, read back through the querier, exactly once and in order. */
  const expectAllReadable = async (): Promise<void> => {
    const q = await get(querier.url, '/loki/api/v1/query_range', { query: '{cluster="test"}', ...range, limit: '5000', direction: 'forward' });
    expect(q.status, q.text).toBe(200);
    const got = new Map<string, [string, string][]>();
    for (const s of q.json.data.result) got.set(`{app="${s.stream.app}", cluster="test"}`, s.values);
    const tailed = await get(querier.url, '/loki/api/v1/query_range', { query: '{app="tailed"}', ...range, limit: '5000', direction: 'forward' });
    for (const s of tailed.json.data.result) got.set('{app="tailed"}', s.values);
    expect([...got.keys()].sort()).toEqual([...pushed.keys()].sort());
    for (const [labels, entries] of pushed) expect(got.get(labels), labels).toEqual(entries);
  };

  /** Stream label sets held in each live ingester's memory, by ingester id (over its gRPC API). */
  const placement = async (): Promise<Map<string, Set<string>>> => {
    const out = new Map<string, Set<string>>();
    for (const shard of await ring()) {
      if (!ingesters.has(shard.id) || ingesters.get(shard.id)!.proc.exitCode !== null) continue;
      const client = new IngesterClient(shard.address);
      try {
        const series = await client.series('fake', [{ name: 'cluster', op: '=', value: 'test' }], BigInt(range.start), BigInt(range.end));
        out.set(shard.id, new Set(series.map((ls) => ls.find((l) => l.name === 'app')!.value)));
      } finally {
        client.close();
      }
    }
    return out;
  };

  beforeAll(async () => {
    [redis, s3] = await Promise.all([startRedis(), startS3Server()]);
    await Promise.all(['ing-1', 'ing-2', 'ing-3'].map((id) => startIngester(id)));
    const dcfg = configFor(redis, s3, bucket, 'distributor', 0);
    distributors = await Promise.all([0, 1].map(() => startServer({ config: dcfg, args: ['-target=distributor'] })));
    querier = await startServer({ config: configFor(redis, s3, bucket, 'querier', 0), args: ['-target=querier'] });
    await waitRing((s) => s.filter((x) => x.state === 'ACTIVE').length === 3, '3 ACTIVE ingesters');
  }, 240_000);

  afterAll(async () => {
    const all = [...ingesters.values(), ...distributors, querier].filter(Boolean);
    await Promise.all(all.map((p) => p.stop()));
    for (const p of all) p.cleanup();
    await Promise.all([redis?.stop(), s3?.stop()]);
  }, 120_000);

  it('reads through the querier what was pushed through either distributor', async () => {
    expect(await push(distributors[0], makeStreams('a', 10, 20, -60_000))).toBe(204);
    expect(await push(distributors[1], makeStreams('b', 10, 20, -59_000))).toBe(204);
    await expectAllReadable();
    const metric = await get(querier.url, '/loki/api/v1/query', { query: 'sum(count_over_time({cluster="test"}[1h]))', time: range.end });
    expect(metric.json.data.result[0].value[1]).toBe('400');
  });

  it('tails through the querier what any distributor pushes, each entry once despite replication', async () => {
    const ws = new WebSocket(`${querier.url.replace('http', 'ws')}/loki/api/v1/tail?query=${encodeURIComponent('{app="tailed"}')}`);
    const received: [string, string][] = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { streams: { values: [string, string][] }[] };
      for (const s of frame.streams) received.push(...s.values);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await new Promise((r) => setTimeout(r, 1000));
    const entries: [string, string][] = [[ns(1), 'tailed one'], [ns(2), 'tailed two']];
    const r = await pushProto(distributors[1].url, [{ labels: '{app="tailed"}', entries }]);
    expect(r.status).toBe(204);
    const deadline = Date.now() + 10_000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    await new Promise((res) => setTimeout(res, 500));
    ws.close();
    expect(received).toEqual(entries);
    pushed.set('{app="tailed"}', entries);
  });

  it('keeps accepting pushes and answering queries after an ingester is killed with -9, and replays its WAL on restart', async () => {
    const victim = ingesters.get('ing-1')!;
    await victim.kill9();
    expect(await push(distributors[0], makeStreams('c', 10, 20, -58_000))).toBe(204);
    await expectAllReadable();
    const metric = await get(querier.url, '/loki/api/v1/query', { query: 'sum(count_over_time({cluster="test"}[1h]))', time: range.end });
    expect(metric.json.data.result[0].value[1]).toBe('600');

    await startIngester('ing-1', victim.dataDir);
    await waitRing((s) => s.filter((x) => x.state === 'ACTIVE').length === 3, 'ing-1 back');
    const byIngester = await placement();
    // The restarted ingester replayed what it had acknowledged before the kill (streams a-*, b-*).
    for (let i = 0; i < 10; i++) {
      expect(byIngester.get('ing-1')!.has(`a-${i}`)).toBe(true);
      expect(byIngester.get('ing-1')!.has(`b-${i}`)).toBe(true);
    }
    await expectAllReadable();
  });

  it('places each stream on exactly RF ingesters and moves part of the ring to a 4th ingester', async () => {
    await startIngester('ing-4');
    await waitRing((s) => s.filter((x) => x.state === 'ACTIVE').length === 4, '4 ACTIVE ingesters');
    const streams = makeStreams('d', 40, 5, -57_000);
    expect(await push(distributors[1], streams)).toBe(204);
    const byIngester = await placement();
    for (let i = 0; i < 40; i++) {
      const holders = [...byIngester].filter(([, set]) => set.has(`d-${i}`)).map(([id]) => id);
      expect(holders, `d-${i}`).toHaveLength(3);
    }
    const onNew = [...byIngester.get('ing-4')!].filter((a) => a.startsWith('d-'));
    expect(onNew.length).toBeGreaterThan(0);
    expect(onNew.length).toBeLessThan(40);
    await expectAllReadable();
  });

  it('flushes to S3 on a graceful shutdown, leaves the ring, and the data stays queryable', async () => {
    const leaving = ingesters.get('ing-2')!;
    expect(await leaving.stop()).toBe(0);
    await waitRing((s) => !s.some((x) => x.id === 'ing-2'), 'ing-2 gone');
    expect(await push(distributors[0], makeStreams('e', 5, 5, -56_000))).toBe(204);
    await expectAllReadable();
    const stats = await get(querier.url, '/loki/api/v1/query_range', { query: '{cluster="test"}', ...range, limit: '5000' });
    expect(stats.json.data.stats.querier.store.totalChunksRef).toBeGreaterThan(0);
  });

  it('answers 5xx (so Promtail retries) when too few replicas are alive for a quorum', async () => {
    const alive = [...ingesters.entries()].filter(([, p]) => p.proc.exitCode === null && p.proc.signalCode === null);
    expect(alive.length).toBe(3);
    await alive[0][1].kill9();
    await alive[1][1].kill9();
    const status = await push(distributors[0], makeStreams('f', 3, 2, -55_000));
    expect(status).toBeGreaterThanOrEqual(500);
  });
});
