// Test setup for the ingester's gRPC transport: a real in-process Ingester (WAL off, flushes to a
// memory sink) behind a real grpc-js server on 127.0.0.1, and helpers to build query parameters.
import { Ingester, type ChunkSink, type IngesterOptions, type PushStream } from '../../src/ingester/ingester.js';
import { startIngesterGrpcServer, type IngesterGrpcServer, type IngesterGrpcServerOptions } from '../../src/ingester/grpc/server.js';
import { TailBroadcaster } from '../../src/ingester/grpc/tail.js';
import { IngesterClient, type IngesterClientOptions } from '../../src/ingester-client/client.js';
import { defaultLimits, type Limits } from '../../src/config/limits.js';
import { buildPipeline, buildSampleExtractor } from '../../src/logql/log/index.js';
import { parseExpr, parseLogSelector } from '../../src/logql/syntax/index.js';
import type { RangeAggregationExpr } from '../../src/logql/ast.js';
import type { SelectLogsParams, SelectSamplesParams } from '../../src/logql/contracts.js';
import { labelsString, parseLabels, type Direction, type Entry } from '../../src/model/index.js';
import type { FlushedChunk } from '../../src/storage/index.js';

/** A nanosecond timestamp no JS number can hold exactly. */
export const T = 1_700_000_000_123_456_789n;

export const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class MemorySink implements ChunkSink {
  readonly keys: string[] = [];

  async putChunks(tenant: string, chunks: FlushedChunk[]): Promise<{ key: string }[]> {
    return chunks.map((c) => {
      const key = `chunks/${tenant}/${c.fingerprint}/${c.from}-${c.through}`;
      this.keys.push(key);
      return { key };
    });
  }
}

export function makeIngester(overrides: Partial<IngesterOptions> = {}, limits: Partial<Limits> = {}): Ingester {
  return new Ingester({
    blockSize: 256 * 1024,
    targetSize: 1536 * 1024,
    codec: 'snappy',
    maxChunkAge: 2n * 3600n * 1_000_000_000n,
    chunkIdlePeriodMs: 30 * 60_000,
    chunkRetainPeriodMs: 60 * 60_000,
    flushCheckPeriodMs: 60 * 60_000,
    checkpointPeriodMs: 0,
    flushOnShutdown: false,
    concurrentFlushes: 1,
    maxMemoryBytes: 0,
    limits: () => ({ ...defaultLimits(), ...limits }),
    ringShare: () => ({ ingesters: 1, replicationFactor: 1 }),
    sink: new MemorySink(),
    logger: silentLogger,
    ...overrides,
  });
}

export function pushStream(labels: string, entries: [bigint, string, Record<string, string>?][]): PushStream {
  const parsed = parseLabels(labels);
  return {
    labels: parsed,
    labelsString: labelsString(parsed),
    entries: entries.map(([ts, line, md]): Entry => (md ? { ts, line, metadata: Object.entries(md).map(([name, value]) => ({ name, value })) } : { ts, line })),
  };
}

export function logParams(query: string, start: bigint, end: bigint, direction: Direction = 'forward', limit = 1000): SelectLogsParams {
  const selector = parseLogSelector(query);
  return { selector, matchers: selector.matchers, pipeline: buildPipeline(selector.stages), start, end, direction, limit };
}

export function sampleParams(query: string, start: bigint, end: bigint): SelectSamplesParams {
  const expr = parseExpr(query) as RangeAggregationExpr;
  return { expr, matchers: expr.range.selector.matchers, extractor: buildSampleExtractor(expr), start, end };
}

export interface GrpcPair {
  ingester: Ingester;
  tails: TailBroadcaster;
  server: IngesterGrpcServer;
  client: IngesterClient;
  address: string;
  close(): Promise<void>;
}

/** An ingester served on an ephemeral port and a client connected to it. */
export async function startPair(
  o: {
    ingester?: Partial<IngesterOptions>;
    limits?: Partial<Limits>;
    server?: Partial<IngesterGrpcServerOptions>;
    client?: Partial<IngesterClientOptions>;
  } = {},
): Promise<GrpcPair> {
  const tails = new TailBroadcaster();
  const ingester = makeIngester({ onAccepted: tails.onAccepted, ...o.ingester }, o.limits);
  const server = await startIngesterGrpcServer({
    ingester,
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    parseExpr,
    buildPipeline,
    buildSampleExtractor,
    tails,
    shutdownGraceMs: 1000,
    ...o.server,
  });
  const address = `127.0.0.1:${server.port}`;
  const client = new IngesterClient(address, o.client);
  return {
    ingester,
    tails,
    server,
    client,
    address,
    close: async () => {
      client.close();
      await server.stop();
    },
  };
}

export async function collect<T>(it: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of it) out.push(...batch);
  return out;
}
