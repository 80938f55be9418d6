// Push over the ingester gRPC transport: rejections keep Loki's class, status and exact text; size
// limits and deadlines fail cleanly with clear errors.
import { afterEach, describe, expect, it } from 'vitest';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { IngesterClientError } from '../../src/ingester/grpc/errors.js';
import type { WriteAheadLog } from '../../src/ingester/wal/wal.js';
import {
  BackpressureError,
  RateLimitedError,
  StatusError,
  UnauthorizedError,
  ValidationError,
  type LokiError,
} from '../../src/model/index.js';
import { QueryStats } from '../../src/model/stats.js';
import { collect, logParams, makeIngester, pushStream, startPair, T, type GrpcPair } from './harness.js';

async function rejection(p: Promise<unknown>): Promise<LokiError> {
  try {
    await p;
  } catch (e) {
    return e as LokiError;
  }
  throw new Error('expected a rejection');
}

describe('push through the ingester gRPC client', () => {
  let pair: GrpcPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('rejects out-of-order entries with the in-process ingester’s 400 text and keeps the accepted ones', async () => {
    pair = await startPair();
    const local = makeIngester();
    const first = [pushStream('{app="a"}', [[T + 100n, 'newest']])];
    const second = [pushStream('{app="a"}', [[T + 50n, 'too old'], [T + 200n, 'fine']])];
    await pair.client.push('t', first);
    await local.push('t', first);
    const remoteErr = await rejection(pair.client.push('t', second));
    const localErr = await rejection(local.push('t', second));
    expect(remoteErr).toBeInstanceOf(ValidationError);
    expect(remoteErr.status).toBe(400);
    expect(remoteErr.message).toBe(localErr.message);
    expect(remoteErr.message).toBe(
      "entry with timestamp 2023-11-14 22:13:20.123456839 +0000 UTC ignored, reason: 'entry out of order',\nuser 't', total ignored: 1 out of 2 for stream: {app=\"a\"}",
    );
    const streams = await collect(pair.client.selectLogs('t', logParams('{app="a"}', T, T + 1000n), new QueryStats(), new Set()));
    expect(streams.map((s) => s.entries)).toEqual([
      [
        { ts: T + 100n, line: 'newest' },
        { ts: T + 200n, line: 'fine' },
      ],
    ]);
  });

  it('rejects a stream over the tenant’s stream limit with the 429 text', async () => {
    pair = await startPair({ limits: { max_streams_per_user: 1, max_global_streams_per_user: 0 } });
    await pair.client.push('t', [pushStream('{app="a"}', [[T, 'x']])]);
    const err = await rejection(pair.client.push('t', [pushStream('{app="b"}', [[T, 'y']])]));
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.status).toBe(429);
    expect(err.message).toBe(
      "maximum active stream limit exceeded when trying to create stream {app=\"b\"}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: 't'",
    );
  });

  it('keeps the class of a backpressure refusal and the status of a shutting-down ingester', async () => {
    pair = await startPair({ ingester: { maxMemoryBytes: 1 } });
    await pair.client.push('t', [pushStream('{app="a"}', [[T, 'fills memory']])]);
    const busy = await rejection(pair.client.push('t', [pushStream('{app="a"}', [[T + 1n, 'more']])]));
    expect(busy).toBeInstanceOf(BackpressureError);
    expect(busy.status).toBe(429);
    await pair.ingester.stop();
    const stopping = await rejection(pair.client.push('t', [pushStream('{app="a"}', [[T + 2n, 'late']])]));
    expect(stopping).toBeInstanceOf(StatusError);
    expect([stopping.status, stopping.message]).toEqual([503, 'Ingester is shutting down']);
  });

  it('carries a rejection text far larger than gRPC trailers allow', async () => {
    pair = await startPair();
    const streams = Array.from({ length: 400 }, (_, i) => pushStream(`{app="a", n="${i}", pad="${'p'.repeat(200)}"}`, [[T + 10n, 'x']]));
    await pair.client.push('t', streams);
    const late = Array.from({ length: 400 }, (_, i) => pushStream(`{app="a", n="${i}", pad="${'p'.repeat(200)}"}`, [[T, 'late']]));
    const local = makeIngester();
    await local.push('t', streams);
    const localErr = await rejection(local.push('t', late));
    const err = await rejection(pair.client.push('t', late));
    expect(localErr.message.length).toBeGreaterThan(128 * 1024);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe(localErr.message);
  });

  it('refuses a call without tenant as Loki does (401 no org id)', async () => {
    pair = await startPair();
    const err = await rejection(pair.client.labelNames('', T, T + 1n));
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect([err.status, err.message]).toEqual([401, 'no org id']);
  });

  it('accepts a push just under the receive limit and refuses one over it without storing anything', async () => {
    const limit = 1 << 20;
    pair = await startPair({ server: { maxRecvMsgSize: limit } });
    const line = 'x'.repeat(1000);
    const entries = (n: number, from: bigint): [bigint, string][] => Array.from({ length: n }, (_, i) => [from + BigInt(i), line]);
    await pair.client.push('t', [pushStream('{app="big"}', entries(1000, T))]);
    const err = await rejection(pair.client.push('t', [pushStream('{app="big"}', entries(1100, T + 5000n))]));
    expect(err).toBeInstanceOf(IngesterClientError);
    expect((err as IngesterClientError).code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(err.status).toBe(500);
    expect(err.message).toMatch(new RegExp(`^ingester ${pair.address}: Push: RESOURCE_EXHAUSTED: Received message larger than max \\(\\d+ vs ${limit}\\)$`));
    await pair.client.push('t', [pushStream('{app="big"}', [[T + 9000n, 'small']])]);
    const stats = await pair.client.stats('t', [{ name: 'app', op: '=', value: 'big' }], T, T + 10_000n);
    expect(stats.entries).toBe(1001);
  });

  it('fails a push that outlives its deadline with a clear 504 error', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const wal = { append: () => gate, close: async () => undefined } as unknown as WriteAheadLog;
    pair = await startPair({ ingester: { wal }, client: { pushTimeoutMs: 200 } });
    const err = await rejection(pair.client.push('t', [pushStream('{app="slow"}', [[T, 'x']])]));
    expect(err).toBeInstanceOf(IngesterClientError);
    expect((err as IngesterClientError).code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect([err.status, err.message]).toEqual([504, `ingester ${pair.address}: Push: deadline exceeded after 200ms`]);
    release();
  });
});
