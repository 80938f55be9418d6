// Streaming calls of the ingester gRPC transport: cancellation and deadlines stop the ingester's
// reading, results are batched, live tail delivers new entries and ends with the server.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { IngesterClientError } from '../../src/ingester/grpc/errors.js';
import { parseLogSelector } from '../../src/logql/syntax/index.js';
import type { Entry } from '../../src/model/index.js';
import { QueryStats } from '../../src/model/stats.js';
import { logParams, pushStream, startPair, T, type GrpcPair } from './harness.js';

/** 300 streams of 20 lines of 1000 bytes: with one message per stream, far more than transport buffers hold. */
async function pushBulk(pair: GrpcPair): Promise<void> {
  const line = 'y'.repeat(1000);
  const streams = Array.from({ length: 300 }, (_, n) =>
    pushStream(`{app="bulk", n="${n}"}`, Array.from({ length: 20 }, (_, i): [bigint, string] => [T + BigInt(i), line])),
  );
  await pair.client.push('t', streams);
}

describe('streaming calls of the ingester gRPC transport', () => {
  let pair: GrpcPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('stops reading on the ingester when the querier abandons a log stream', async () => {
    pair = await startPair({ server: { batchBytes: 1 } });
    await pushBulk(pair);
    const batches = pair.client.selectLogs('t', logParams('{app="bulk"}', T, T + 100n), new QueryStats(), new Set())[Symbol.asyncIterator]();
    const first = await batches.next();
    expect(first.value).toHaveLength(1);
    await batches.return(undefined);
    const counters = pair.server.counters;
    await vi.waitFor(() => expect(counters.activeStreams).toBe(0));
    expect(counters.cancelledStreams).toBe(1);
    expect(counters.logBatchesSent).toBeGreaterThan(0);
    expect(counters.logBatchesSent).toBeLessThan(150);
  });

  it('fails a query stream that outlives its deadline with a clear 504 error', async () => {
    pair = await startPair({ server: { batchBytes: 1 }, client: { queryTimeoutMs: 300 } });
    await pushBulk(pair);
    const batches = pair.client.selectLogs('t', logParams('{app="bulk"}', T, T + 100n), new QueryStats(), new Set())[Symbol.asyncIterator]();
    await batches.next();
    await new Promise((r) => setTimeout(r, 400));
    let err: unknown;
    try {
      for (;;) if ((await batches.next()).done) break;
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IngesterClientError);
    expect((err as IngesterClientError).code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect((err as IngesterClientError).message).toBe(`ingester ${pair.address}: QueryLogs: deadline exceeded after 300ms`);
    await vi.waitFor(() => expect(pair!.server.counters.activeStreams).toBe(0));
    expect(pair.server.counters.cancelledStreams).toBe(1);
  });

  it('sends all results in several messages when they exceed the batch size', async () => {
    pair = await startPair({ server: { batchBytes: 100_000 } });
    await pushBulk(pair);
    let entries = 0;
    for await (const batch of pair.client.selectLogs('t', logParams('{app="bulk"}', T, T + 100n), new QueryStats(), new Set())) {
      for (const s of batch) entries += s.entries.length;
    }
    expect(entries).toBe(6000);
    expect(pair.server.counters.logBatchesSent).toBe(61);
  });

  it('tails newly pushed entries of the tenant through the selector’s pipeline', async () => {
    pair = await startPair();
    const tail = await pair.client.openTail('t', parseLogSelector('{app="a"} |= "keep"'));
    await pair.client.push('other', [pushStream('{app="a"}', [[T, 'keep: other tenant']])]);
    await pair.client.push('t', [
      pushStream('{app="b"}', [[T, 'keep: other stream']]),
      pushStream('{app="a", env="x"}', [
        [T, 'keep 1'],
        [T + 1n, 'drop me'],
        [T + 2n, 'keep 2'],
      ]),
    ]);
    const got: [string, Entry][] = [];
    for await (const batch of tail) {
      for (const s of batch.streams) for (const e of s.entries) got.push([s.labels.key, e]);
      expect(batch.droppedEntries).toBe(0);
      if (got.length >= 2) break;
    }
    expect(got).toEqual([
      ['{app="a", env="x"}', { ts: T, line: 'keep 1' }],
      ['{app="a", env="x"}', { ts: T + 2n, line: 'keep 2' }],
    ]);
    await vi.waitFor(() => expect(pair!.tails.sessions).toBe(0));
  });

  it('ends a tail cleanly when the ingester stops', async () => {
    pair = await startPair();
    const tail = await pair.client.openTail('t', parseLogSelector('{app="a"}'));
    expect(pair.tails.sessions).toBe(1);
    const drained = (async () => {
      let batches = 0;
      for await (const _ of tail) batches++;
      return batches;
    })();
    await pair.server.stop();
    expect(await drained).toBe(0);
    expect(pair.tails.sessions).toBe(0);
  });
});
