// The ingester client pool (one client per address, retain, idle close) and the client's reconnection.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { IngesterClientError } from '../../src/ingester/grpc/errors.js';
import { startIngesterGrpcServer } from '../../src/ingester/grpc/server.js';
import { IngesterClientPool } from '../../src/ingester-client/pool.js';
import { buildPipeline, buildSampleExtractor } from '../../src/logql/log/index.js';
import { parseExpr, parseLogSelector } from '../../src/logql/syntax/index.js';
import { pushStream, silentLogger, startPair, T, type GrpcPair } from './harness.js';

describe('IngesterClientPool', () => {
  const pools: IngesterClientPool[] = [];
  afterEach(() => {
    for (const p of pools.splice(0)) p.close();
  });
  const newPool = (...args: ConstructorParameters<typeof IngesterClientPool>): IngesterClientPool => {
    const p = new IngesterClientPool(...args);
    pools.push(p);
    return p;
  };

  it('hands out one client per address', () => {
    const pool = newPool();
    const a = pool.get('127.0.0.1:1');
    expect(pool.get('127.0.0.1:1')).toBe(a);
    expect(pool.get('127.0.0.1:2')).not.toBe(a);
    expect(pool.size).toBe(2);
  });

  it('forgets the clients of ingesters that left the ring', () => {
    const pool = newPool();
    const kept = pool.get('10.0.0.1:9095');
    pool.get('10.0.0.2:9095');
    pool.retain(['10.0.0.1:9095', '10.0.0.3:9095']);
    expect([pool.has('10.0.0.1:9095'), pool.has('10.0.0.2:9095'), pool.has('10.0.0.3:9095')]).toEqual([true, false, false]);
    expect(pool.get('10.0.0.1:9095')).toBe(kept);
  });

  it('closes idle clients but keeps one with a call in flight', async () => {
    const pair = await startPair();
    try {
      const pool = newPool({ idleTimeoutMs: 1000 });
      const busy = pool.get(pair.address);
      pool.get('127.0.0.1:1');
      const tail = await busy.openTail('t', parseLogSelector('{app="a"}'));
      pool.closeIdle(Date.now() + 5000);
      expect([pool.has(pair.address), pool.has('127.0.0.1:1')]).toEqual([true, false]);
      tail.close();
      pool.closeIdle(Date.now() + 5000);
      expect(pool.size).toBe(0);
    } finally {
      await pair.close();
    }
  });
});

describe('IngesterClient connection', () => {
  let pair: GrpcPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('fails fast with 503 while the ingester is down and reconnects by itself when it is back', async () => {
    pair = await startPair({ client: { initialReconnectBackoffMs: 50, maxReconnectBackoffMs: 100 } });
    await pair.client.push('t', [pushStream('{app="a"}', [[T, 'before']])]);
    const port = pair.server.port;
    await pair.server.stop();
    const err = await pair.client.labelNames('t', T, T + 1n).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IngesterClientError);
    expect((err as IngesterClientError).code).toBe(GrpcStatus.UNAVAILABLE);
    expect((err as IngesterClientError).status).toBe(503);

    const again = await startIngesterGrpcServer({
      ingester: pair.ingester,
      host: '127.0.0.1',
      port,
      logger: silentLogger,
      parseExpr,
      buildPipeline,
      buildSampleExtractor,
    });
    try {
      await vi.waitFor(async () => expect(await pair!.client.labelNames('t', T, T + 1n)).toEqual(['app']), { timeout: 5000, interval: 50 });
    } finally {
      await again.stop();
    }
  });
});
