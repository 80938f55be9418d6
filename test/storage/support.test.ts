import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetries } from '../../src/storage/backoff.js';
import { ChunkCache } from '../../src/storage/chunk-cache.js';
import { IndexWriter } from '../../src/storage/index-writer.js';
import { createFilesystemStore } from '../../src/storage/index.js';
import { isRetryableS3Error } from '../../src/storage/s3-store.js';

describe('backoff', () => {
  const policy = { minDelayMs: 100, maxDelayMs: 1000, maxRetries: 3 };

  it('doubles the delay per retry up to the maximum, jittered into the upper half', () => {
    expect([0, 1, 2, 3, 4].map((r) => backoffDelay(policy, r, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect([0, 1, 2, 3, 4].map((r) => backoffDelay(policy, r, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });

  it('retries retryable failures up to maxRetries and stops at the first non-retryable one', async () => {
    const fast = { minDelayMs: 1, maxDelayMs: 1, maxRetries: 3 };
    let calls = 0;
    await expect(withRetries(fast, () => true, async () => (++calls < 3 ? Promise.reject(new Error('flaky')) : 'ok'))).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(withRetries(fast, () => true, async () => Promise.reject(new Error(`fail ${++calls}`)))).rejects.toThrow('fail 4');
    calls = 0;
    await expect(withRetries(fast, () => false, async () => Promise.reject(new Error(`fail ${++calls}`)))).rejects.toThrow('fail 1');
  });

  it('classifies 5xx, throttling and network errors as retryable, other 4xx not', () => {
    const status = (code: number, name = 'X') => ({ name, $metadata: { httpStatusCode: code } });
    expect(isRetryableS3Error(status(503, 'SlowDown'))).toBe(true);
    expect(isRetryableS3Error(status(500))).toBe(true);
    expect(isRetryableS3Error(status(429))).toBe(true);
    expect(isRetryableS3Error(status(404, 'NoSuchKey'))).toBe(false);
    expect(isRetryableS3Error(status(403, 'AccessDenied'))).toBe(false);
    expect(isRetryableS3Error(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryableS3Error(new Error('boom'))).toBe(false);
  });
});

describe('chunk cache', () => {
  it('evicts the least recently used chunks beyond its byte budget and skips oversized ones', () => {
    const cache = new ChunkCache(10);
    cache.set('a', new Uint8Array(4));
    cache.set('b', new Uint8Array(4));
    expect(cache.get('a')?.length).toBe(4);
    cache.set('c', new Uint8Array(4));
    expect([cache.get('a') !== undefined, cache.get('b') !== undefined, cache.get('c') !== undefined]).toEqual([true, false, true]);
    expect(cache.size).toBe(8);
    cache.set('huge', new Uint8Array(11));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.size).toBe(8);
    // Set again under its key: replaced and counted once.
    cache.set('c', new Uint8Array(2));
    expect([cache.get('c')?.length, cache.size]).toEqual([2, 6]);
  });
});

describe('index writer', () => {
  it('issues strictly increasing 16-digit sequences that stay ahead after a restart', () => {
    const store = createFilesystemStore('unused');
    const first = new IndexWriter(store, 'ingester-0', 100n);
    const seqs = Array.from({ length: 5000 }, () => first.nextSeq());
    expect(seqs.every((s) => /^\d{16}$/.test(s))).toBe(true);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort()).toEqual(seqs);
    expect(Number(seqs[0]) / 1000).toBeGreaterThan(Date.now() - 60_000);
  });

  it('rejects writer ids that cannot be part of a file name', () => {
    const store = createFilesystemStore('unused');
    expect(() => new IndexWriter(store, 'a/b', 100n)).toThrow('invalid index writer id');
    expect(() => new IndexWriter(store, '', 100n)).toThrow('invalid index writer id');
  });
});
