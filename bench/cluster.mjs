// `node bench/run.mjs --cluster`: the reference workload against a cluster of separate processes on
// this machine — a Redis server for the ring, 3 ingesters (replication factor 3, quorum 2), one
// distributor (pushes) and one querier (queries), sharing a filesystem object store.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnServer } from './server-process.mjs';

export const CLUSTER_INGESTERS = 3;

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a throwaway redis-server with the test scripts; returns { endpoint, stop }. */
async function startRedis(root, dir) {
  if (spawnSync('redis-server', ['--version']).status !== 0)
    throw new Error('--cluster needs redis-server: run scripts/redis/install.sh (or apt-get install -y redis-server)');
  const port = await freePort();
  const env = { ...process.env, REDIS_PORT: String(port), REDIS_DIR: dir };
  const r = spawnSync('bash', [path.join(root, 'scripts/redis/start.sh')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`redis start failed: ${r.stdout}`);
  return {
    endpoint: `127.0.0.1:${port}`,
    stop: () => spawnSync('bash', [path.join(root, 'scripts/redis/stop.sh')], { env, stdio: 'ignore' }),
  };
}

function roleConfig({ dataDir, redis, id, grpcPort, limits }) {
  return `
auth_enabled: false
server:
  http_listen_address: 127.0.0.1
  http_listen_port: 0
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: ${grpcPort}
  log_level: info
common:
  path_prefix: ${path.join(dataDir, id)}
  replication_factor: ${CLUSTER_INGESTERS}
  ring:
    kvstore:
      store: redis
      redis:
        endpoint: ${redis.endpoint}
storage_config:
  filesystem:
    directory: ${path.join(dataDir, 'store')}
  index_cache_refresh: 1s
ingester:
  chunk_encoding: gzip
  chunk_retain_period: 0s
  lifecycler:
    id: ${id}
    address: 127.0.0.1
    heartbeat_period: 1s
    min_ready_duration: 0s
${limits}`;
}

/** Shards of the ring as the distributor sees them. */
async function ringShards(url) {
  const r = await fetch(`${url}/ring`, { headers: { Accept: 'application/json' } });
  return (await r.json()).shards;
}

/**
 * Starts the cluster; resolves to { url (distributor), queryUrl (querier), pids, ingesterUrls,
 * dataDir, chunksDir, stop } once every ingester is ACTIVE in the distributor's ring.
 */
export async function startCluster({ root, nodeFlags, limits, log }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lokits-bench-cluster-'));
  const redis = await startRedis(root, path.join(dataDir, 'redis'));
  const started = [];
  const stop = async () => {
    // Ingesters last: a SIGTERMed ingester flushes its chunks; the others need not outlive it.
    for (const p of [...started].reverse()) await p.stop();
    redis.stop();
  };
  try {
    const role = async (id, target) => {
      const grpcPort = await freePort();
      const p = await spawnServer({
        root,
        nodeFlags,
        config: roleConfig({ dataDir, redis, id, grpcPort, limits }),
        dir: dataDir,
        name: id,
        extraArgs: [`-target=${target}`],
      });
      started.push(p);
      return p;
    };
    const ingesters = await Promise.all(Array.from({ length: CLUSTER_INGESTERS }, (_, i) => role(`ingester-${i + 1}`, 'ingester')));
    const distributor = await role('distributor-1', 'distributor');
    const querier = await role('querier-1', 'querier');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const shards = await ringShards(distributor.url).catch(() => []);
      if (shards.filter((s) => s.state === 'ACTIVE').length === CLUSTER_INGESTERS) break;
      if (Date.now() > deadline) throw new Error(`ingesters not ACTIVE in the ring after 60 s: ${JSON.stringify(shards)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    log(`cluster: ${CLUSTER_INGESTERS} ingesters (RF ${CLUSTER_INGESTERS}), distributor ${distributor.url}, querier ${querier.url}, redis ${redis.endpoint}`);
    return {
      url: distributor.url,
      queryUrl: querier.url,
      pids: [distributor.pid, querier.pid, ...ingesters.map((p) => p.pid)],
      roles: { distributor: distributor.pid, querier: querier.pid, ingesters: ingesters.map((p) => p.pid) },
      ingesterUrls: ingesters.map((p) => p.url),
      dataDir,
      chunksDir: path.join(dataDir, 'store', 'chunks'),
      stop,
    };
  } catch (e) {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
