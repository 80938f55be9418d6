// Wires the roles a process runs (-target=all|distributor|ingester|querier, comma lists allowed)
// from the config: object store, ring (in-memory or Redis), ingester with WAL, lifecycler and gRPC
// service, distributor (local or replicated over gRPC), querier (local or fanned out), HTTP routes.
// Starts them in order and stops them gracefully (ingesters leave the ring after flushing).
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Codec } from '../chunks/index.js';
import type { Config, KVStoreConfig } from '../config/config.js';
import { configToYaml } from '../config/load.js';
import { Distributor } from '../distributor/distributor.js';
import { Replicator } from '../distributor/replication.js';
import { IngesterClientPool } from '../ingester-client/pool.js';
import { startIngesterGrpcServer, type IngesterGrpcServer } from '../ingester/grpc/server.js';
import { TailBroadcaster } from '../ingester/grpc/tail.js';
import { Ingester } from '../ingester/ingester.js';
import { LocalIngesterReader } from '../ingester/reader.js';
import { WriteAheadLog } from '../ingester/wal/wal.js';
import { buildPipeline, buildSampleExtractor } from '../logql/log/index.js';
import { parseExpr } from '../logql/syntax/index.js';
import { Querier } from '../querier/querier.js';
import type { IngesterReader } from '../querier/sources.js';
import { RemoteTailSource } from '../querier/tail/remote-source.js';
import { LocalTailSource } from '../querier/tail/source.js';
import { createInMemoryKV, createRedisKV, Lifecycler, Ring, type KVStore } from '../ring/index.js';
import { ChunkStore, createFilesystemStore, createS3Store, type ObjectStore } from '../storage/index.js';
import { createHttpServer } from './app.js';
import { ingesterMemoryLimit, processMemoryPressure, residentMemoryLimit } from './memory-limit.js';
import { ServerMetrics } from './metrics.js';
import { registerGrafanaRoutes } from './routes/grafana.js';
import { registerPushRoutes } from './routes/push.js';
import { registerQueryRoutes } from './routes/query.js';
import { registerRingRoutes } from './routes/ring.js';
import { BUILD_INFO, registerStatusRoutes } from './routes/status.js';
import { registerTailRoutes } from './routes/tail.js';

const nsToMs = (ns: bigint): number => Number(ns / 1_000_000n);

export interface LokiOptions {
  config: Config;
  ignoredKeys?: string[];
  logger?: Logger;
}

function createKV(kv: KVStoreConfig): KVStore {
  if (kv.store === 'redis')
    return createRedisKV({ endpoint: kv.redis.endpoint, password: kv.redis.password || undefined, db: kv.redis.db, prefix: kv.prefix });
  return createInMemoryKV(kv.prefix);
}

export class Loki {
  private app: FastifyInstance | undefined;
  private ingester: Ingester | undefined;
  /** Fans the local ingester's accepted entries out to live tails. */
  private readonly tails = new TailBroadcaster();
  private lifecycler: Lifecycler | undefined;
  private grpc: IngesterGrpcServer | undefined;
  private ring: Ring | undefined;
  private kv: KVStore | undefined;
  private pool: IngesterClientPool | undefined;
  private objectStore: ObjectStore | undefined;
  private querier: Querier | undefined;
  private started = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  readonly metrics = new ServerMetrics();
  readonly logger: Logger;
  httpPort = 0;
  grpcPort = 0;

  constructor(private readonly o: LokiOptions) {
    this.logger = o.logger ?? pino({ level: o.config.server.log_level, base: { component: 'lokits' } });
  }

  /** Whether this process runs a role; Loki's `read` is the querier, `write` distributor + ingester. */
  private has(role: 'distributor' | 'ingester' | 'querier'): boolean {
    const t = this.o.config.target;
    if (t.includes('all') || t.includes(role)) return true;
    return role === 'querier' ? t.includes('read') : t.includes('write');
  }

  /** One process with an in-memory ring: the distributor and querier use the local ingester directly. */
  private get localOnly(): boolean {
    const cfg = this.o.config;
    return this.has('ingester') && cfg.ingester.lifecycler.ring.kvstore.store === 'inmemory';
  }

  async start(): Promise<void> {
    const cfg = this.o.config;
    for (const key of this.o.ignoredKeys ?? []) this.logger.info({ key }, 'config key accepted but not used');
    const limits = (): typeof cfg.limits_config => cfg.limits_config;
    const ringCfg = cfg.ingester.lifecycler.ring;

    const app = createHttpServer({
      bodyLimit: cfg.distributor.max_recv_msg_size,
      compressResponses: cfg.frontend.compress_responses,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.app = app;

    const needsStore = this.has('ingester') || this.has('querier');
    let chunkStore: ChunkStore | undefined;
    if (needsStore) {
      this.objectStore =
        cfg.storage_config.object_store === 's3'
          ? createS3Store(cfg.storage_config.aws)
          : createFilesystemStore(cfg.storage_config.filesystem.directory);
      chunkStore = new ChunkStore(this.objectStore, {
        writerId: cfg.ingester.lifecycler.id.replace(/[^a-zA-Z0-9_.-]/g, '_'),
        indexRefreshMs: nsToMs(cfg.storage_config.index_cache_refresh),
        logger: this.logger,
      });
    }

    this.kv = createKV(ringCfg.kvstore);
    if (!this.localOnly && (this.has('distributor') || this.has('querier') || this.has('ingester'))) {
      this.ring = new Ring(this.kv, { heartbeatTimeoutMs: nsToMs(ringCfg.heartbeat_timeout), replicationFactor: ringCfg.replication_factor });
      this.pool = new IngesterClientPool({});
    }

    if (this.has('ingester')) await this.createIngester(chunkStore!);

    if (this.has('distributor')) {
      const push = this.localOnly ? this.ingester!.push.bind(this.ingester!) : this.replicatedPush();
      const distributor = new Distributor({
        limits,
        maxRecvMsgSize: cfg.distributor.max_recv_msg_size,
        maxDecompressedSize: cfg.distributor.max_decompressed_size,
        metrics: this.metrics,
        push,
      });
      registerPushRoutes(app, distributor, cfg.auth_enabled);
    }

    if (this.has('querier')) {
      const local: IngesterReader[] = this.localOnly ? [new LocalIngesterReader(this.ingester!)] : [];
      const querier = new Querier({
        store: chunkStore,
        ingesters: this.localOnly ? () => local : () => this.remoteReaders(),
        replicated: !this.localOnly,
        maxIngesterErrors: () => Math.floor(cfg.ingester.lifecycler.ring.replication_factor / 2),
        replicationFactor: this.localOnly ? 1 : cfg.ingester.lifecycler.ring.replication_factor,
        queryIngestersWithin: cfg.querier.query_ingesters_within,
        queryStoreOnly: cfg.querier.query_store_only,
        queryIngesterOnly: cfg.querier.query_ingester_only,
        limits,
        // With replicas, series from the store and from ingesters (whose extractors are compiled
        // without the enclosing grouping) must keep full labels to be de-duplicated against each
        // other, so the grouping pushdown into extractors is only used in one process.
        engine: { buildPipeline, buildSampleExtractor, groupInExtractor: this.localOnly },
      });
      this.querier = querier;
      registerQueryRoutes(app, querier, cfg.auth_enabled);
      registerGrafanaRoutes(app, querier, limits, cfg.auth_enabled);
      const source = this.localOnly
        ? new LocalTailSource(this.tails, buildPipeline)
        : new RemoteTailSource({
            addresses: () => this.ring!.healthyInstances('read').map((i) => i.addr),
            client: (address) => this.pool!.get(address),
          });
      const maxDurationMs = nsToMs(cfg.querier.tail_max_duration);
      registerTailRoutes(app, { querier, source, limits, maxDurationMs, authEnabled: cfg.auth_enabled });
    }

    registerStatusRoutes(app, {
      ready: () => this.readiness(),
      registry: this.metrics.registry,
      configYaml: () => configToYaml(cfg),
      flush: this.ingester ? () => this.ingester!.flushAll() : undefined,
      services: () => Object.fromEntries(cfg.target.map((t) => [t, this.stopping ? 'Stopping' : this.started ? 'Running' : 'Starting'])),
      version: BUILD_INFO.version,
    });
    registerRingRoutes(app, { kv: this.kv, heartbeatTimeoutMs: nsToMs(ringCfg.heartbeat_timeout) });

    await app.listen({ host: cfg.server.http_listen_address || '0.0.0.0', port: cfg.server.http_listen_port });
    const addr = app.server.address();
    this.httpPort = typeof addr === 'object' && addr ? addr.port : cfg.server.http_listen_port;
    this.logger.info({ port: this.httpPort, targets: cfg.target }, 'HTTP server listening');

    await this.ring?.start();
    if (this.ingester) {
      await this.ingester.start();
      const ingester = this.ingester;
      this.metrics.ingesterStatus = () => ingester.memoryByTenant();
      await this.lifecycler?.start();
    }
    this.querier?.warm();
    this.started = true;
    this.logger.info({ port: this.httpPort, grpcPort: this.grpcPort || undefined }, 'Loki started');
  }

  private async createIngester(chunkStore: ChunkStore): Promise<void> {
    const cfg = this.o.config;
    const lc = cfg.ingester.lifecycler;
    const wal = cfg.ingester.wal.enabled ? await WriteAheadLog.open({ dir: cfg.ingester.wal.dir, fsync: cfg.ingester.wal.fsync }) : undefined;
    const ingester = new Ingester({
      blockSize: cfg.ingester.chunk_block_size,
      targetSize: cfg.ingester.chunk_target_size,
      codec: cfg.ingester.chunk_encoding as Codec,
      maxChunkAge: cfg.ingester.max_chunk_age,
      chunkIdlePeriodMs: nsToMs(cfg.ingester.chunk_idle_period),
      chunkRetainPeriodMs: nsToMs(cfg.ingester.chunk_retain_period),
      flushCheckPeriodMs: Math.max(10, nsToMs(cfg.ingester.flush_check_period)),
      checkpointPeriodMs: nsToMs(cfg.ingester.wal.checkpoint_duration),
      flushOnShutdown: cfg.ingester.flush_on_shutdown || cfg.ingester.wal.flush_on_shutdown || !wal,
      concurrentFlushes: cfg.ingester.concurrent_flushes,
      maxMemoryBytes: ingesterMemoryLimit(cfg.ingester.max_memory_bytes),
      memoryPressure: processMemoryPressure(residentMemoryLimit(cfg.ingester.max_resident_memory_bytes)),
      limits: () => cfg.limits_config,
      ringShare: () => {
        const n = this.ring?.healthyInstances('write').length ?? 1;
        return { ingesters: Math.max(1, n), replicationFactor: this.ring ? lc.ring.replication_factor : 1 };
      },
      sink: chunkStore,
      wal,
      logger: this.logger,
      onAccepted: this.tails.onAccepted,
      onFlushed: (tenant, chunks, bytes) => {
        this.metrics.chunksFlushed.inc({ tenant }, chunks);
        this.metrics.chunkBytesFlushed.inc({ tenant }, bytes);
      },
    });
    this.ingester = ingester;
    if (this.localOnly) return;
    this.grpc = await startIngesterGrpcServer({
      ingester,
      host: cfg.server.grpc_listen_address || '0.0.0.0',
      port: cfg.server.grpc_listen_port,
      maxRecvMsgSize: cfg.server.grpc_server_max_recv_msg_size,
      maxSendMsgSize: cfg.server.grpc_server_max_send_msg_size,
      logger: this.logger,
      parseExpr,
      buildPipeline,
      buildSampleExtractor,
      tails: this.tails,
    });
    this.grpcPort = this.grpc.port;
    this.lifecycler = new Lifecycler(this.kv!, {
      id: lc.id,
      addr: `${lc.address}:${cfg.server.grpc_listen_port === 0 ? this.grpcPort : lc.port}`,
      numTokens: lc.num_tokens,
      heartbeatPeriodMs: nsToMs(lc.heartbeat_period),
      joinAfterMs: nsToMs(lc.join_after),
      tokensFile: lc.tokens_file_path || undefined,
      heartbeatTimeoutMs: nsToMs(lc.ring.heartbeat_timeout),
      minReadyDurationMs: nsToMs(lc.min_ready_duration),
      logger: (msg, fields) => this.logger.info(fields ?? {}, msg),
    });
  }

  /** Pushes through the ring to RF ingesters over gRPC, acknowledging at quorum. */
  private replicatedPush(): (tenant: string, streams: Parameters<Ingester['push']>[1]) => Promise<void> {
    const replicator = new Replicator({ ring: this.ring!, client: (inst) => this.pool!.get(inst.addr) });
    return (tenant, streams) => replicator.push(tenant, streams as never);
  }

  /** gRPC clients of every healthy ingester in the ring (queriers ask them all). */
  private remoteReaders(): IngesterReader[] {
    const instances = this.ring!.healthyInstances('read');
    this.pool!.retain(instances.map((i) => i.addr));
    return instances.map((i) => this.pool!.get(i.addr));
  }

  private async readiness(): Promise<{ ready: boolean; message: string }> {
    if (this.stopping) return { ready: false, message: 'Application is stopping' };
    if (!this.started) return { ready: false, message: this.ingester ? 'Ingester not ready: starting (replaying the WAL)' : 'Starting' };
    if (this.lifecycler) {
      try {
        await this.lifecycler.checkReady();
      } catch (e) {
        return { ready: false, message: `Ingester not ready: ${(e as Error).message}` };
      }
    }
    return { ready: true, message: 'ready' };
  }

  /** Graceful stop: refuse new requests, flush ingesters while LEAVING the ring, close stores. Safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.logger.info('stopping');
      if (this.lifecycler) await this.lifecycler.stop(async () => this.ingester!.stop());
      else await this.ingester?.stop();
      await this.grpc?.stop();
      await this.app?.close();
      await this.querier?.close();
      await this.ring?.stop();
      await this.kv?.close();
      this.pool?.close();
      await this.objectStore?.close();
      this.logger.info('stopped');
    })();
    return this.stopped;
  }
}
