// Wires the roles a process runs (-target=all|distributor|ingester|querier) from the config:
// object store, ingester with WAL, querier, distributor, HTTP routes; starts them in order and
// stops them gracefully (ingesters flush before exit).
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { Codec } from '../chunks/index.js';
import type { Config } from '../config/config.js';
import { configToYaml } from '../config/load.js';
import { Distributor } from '../distributor/distributor.js';
import { Ingester } from '../ingester/ingester.js';
import { LocalIngesterReader } from '../ingester/reader.js';
import { WriteAheadLog } from '../ingester/wal/wal.js';
import { buildPipeline, buildSampleExtractor } from '../logql/log/index.js';
import { Querier } from '../querier/querier.js';
import { ChunkStore, createFilesystemStore, createS3Store, type ObjectStore } from '../storage/index.js';
import { createHttpServer } from './app.js';
import { ServerMetrics } from './metrics.js';
import { registerPushRoutes } from './routes/push.js';
import { registerQueryRoutes } from './routes/query.js';
import { BUILD_INFO, registerStatusRoutes } from './routes/status.js';

const nsToMs = (ns: bigint): number => Number(ns / 1_000_000n);

export interface LokiOptions {
  config: Config;
  ignoredKeys?: string[];
  logger?: Logger;
}

export class Loki {
  private app: FastifyInstance | undefined;
  private ingester: Ingester | undefined;
  private objectStore: ObjectStore | undefined;
  private readyState = { ready: false, message: 'Starting' };
  private stopped: Promise<void> | undefined;
  readonly metrics = new ServerMetrics();
  readonly logger: Logger;
  httpPort = 0;

  constructor(private readonly o: LokiOptions) {
    this.logger = o.logger ?? pino({ level: o.config.server.log_level, base: { component: 'lokits' } });
  }

  private has(role: string): boolean {
    const t = this.o.config.target;
    return t.includes('all') || t.includes(role);
  }

  async start(): Promise<void> {
    const cfg = this.o.config;
    for (const key of this.o.ignoredKeys ?? []) this.logger.info({ key }, 'config key accepted but not used');
    const limits = (): typeof cfg.limits_config => cfg.limits_config;

    this.objectStore =
      cfg.storage_config.object_store === 's3' ? createS3Store(cfg.storage_config.aws) : createFilesystemStore(cfg.storage_config.filesystem.directory);
    const chunkStore = new ChunkStore(this.objectStore, {
      writerId: cfg.ingester.lifecycler.id.replace(/[^a-zA-Z0-9_.-]/g, '_'),
      indexRefreshMs: nsToMs(cfg.storage_config.index_cache_refresh),
      logger: this.logger,
    });

    const app = createHttpServer({
      bodyLimit: cfg.distributor.max_recv_msg_size,
      compressResponses: cfg.frontend.compress_responses,
      metrics: this.metrics,
      logger: this.logger,
    });
    this.app = app;

    if (this.has('ingester')) {
      const wal = cfg.ingester.wal.enabled ? await WriteAheadLog.open({ dir: cfg.ingester.wal.dir, fsync: cfg.ingester.wal.fsync }) : undefined;
      this.ingester = new Ingester({
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
        maxMemoryBytes: cfg.ingester.max_memory_bytes,
        limits,
        ringShare: () => ({ ingesters: 1, replicationFactor: 1 }),
        sink: chunkStore,
        wal,
        logger: this.logger,
        onFlushed: (tenant, chunks, bytes) => {
          this.metrics.chunksFlushed.inc({ tenant }, chunks);
          this.metrics.chunkBytesFlushed.inc({ tenant }, bytes);
        },
      });
    }

    if (this.has('distributor') && this.ingester) {
      const ingester = this.ingester;
      const distributor = new Distributor({
        limits,
        maxRecvMsgSize: cfg.distributor.max_recv_msg_size,
        maxDecompressedSize: cfg.distributor.max_decompressed_size,
        metrics: this.metrics,
        push: (tenant, streams) => ingester.push(tenant, streams),
      });
      registerPushRoutes(app, distributor, cfg.auth_enabled);
    }

    if (this.has('querier')) {
      const readers = this.ingester ? [new LocalIngesterReader(this.ingester)] : [];
      const querier = new Querier({
        store: chunkStore,
        ingesters: () => readers,
        queryIngestersWithin: cfg.querier.query_ingesters_within,
        queryStoreOnly: cfg.querier.query_store_only,
        queryIngesterOnly: cfg.querier.query_ingester_only,
        limits,
        engine: { buildPipeline, buildSampleExtractor },
      });
      registerQueryRoutes(app, querier, cfg.auth_enabled);
    }

    registerStatusRoutes(app, {
      ready: () => ({ ready: this.readyState.ready, message: this.readyState.message }),
      registry: this.metrics.registry,
      configYaml: () => configToYaml(cfg),
      flush: this.ingester ? () => this.ingester!.flushAll() : undefined,
      services: () => Object.fromEntries(cfg.target.map((t) => [t, this.readyState.ready ? 'Running' : 'Starting'])),
      version: BUILD_INFO.version,
    });

    await app.listen({ host: cfg.server.http_listen_address || '0.0.0.0', port: cfg.server.http_listen_port });
    const addr = app.server.address();
    this.httpPort = typeof addr === 'object' && addr ? addr.port : cfg.server.http_listen_port;
    this.logger.info({ port: this.httpPort, targets: cfg.target }, 'HTTP server listening');

    if (this.ingester) {
      this.readyState.message = 'Ingester not ready: replaying WAL';
      await this.ingester.start();
      const ingester = this.ingester;
      this.metrics.ingesterStatus = () => ingester.memoryByTenant();
    }
    this.readyState = { ready: true, message: 'ready' };
    this.logger.info({ port: this.httpPort }, 'Loki started');
  }

  /** Graceful stop: refuse new requests, flush ingesters, close stores. Safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.readyState = { ready: false, message: 'Application is stopping' };
      this.logger.info('stopping');
      await this.app?.close();
      await this.ingester?.stop();
      await this.objectStore?.close();
      this.logger.info('stopped');
    })();
    return this.stopped;
  }
}
