import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultLimits, type Limits } from '../../src/config/limits.js';
import { Ingester, type ChunkSink, type IngesterOptions, type PushStream } from '../../src/ingester/ingester.js';
import { WriteAheadLog } from '../../src/ingester/wal/wal.js';
import { labelsString, parseLabels, type Entry } from '../../src/model/index.js';
import { RateLimitedError, ValidationError } from '../../src/model/errors.js';
import type { FlushedChunk } from '../../src/storage/index.js';

const T = 1795440866000000000n;
const S = 1_000_000_000n;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

class MemorySink implements ChunkSink {
  chunks: { tenant: string; chunk: FlushedChunk }[] = [];
  async putChunks(tenant: string, chunks: FlushedChunk[]) {
    for (const chunk of chunks) this.chunks.push({ tenant, chunk });
    return chunks.map((c, i) => ({ key: `${tenant}/${c.fingerprint}/${this.chunks.length}-${i}` }));
  }
}

function stream(labels: string, entries: [bigint, string][]): PushStream {
  const ls = parseLabels(labels);
  return { labels: ls, labelsString: labelsString(ls), entries: entries.map(([ts, line]) => ({ ts, line })) };
}

function make(o: Partial<IngesterOptions> & { limits?: Partial<Limits> } = {}): { ing: Ingester; sink: MemorySink } {
  const sink = new MemorySink();
  const limits = { ...defaultLimits(), ...o.limits };
  const ing = new Ingester({
    blockSize: 256 * 1024,
    targetSize: 1536 * 1024,
    codec: 'snappy',
    maxChunkAge: 2n * 3600n * S,
    chunkIdlePeriodMs: 30 * 60_000,
    chunkRetainPeriodMs: 0,
    flushCheckPeriodMs: 3_600_000,
    checkpointPeriodMs: 0,
    flushOnShutdown: true,
    concurrentFlushes: 4,
    maxMemoryBytes: 0,
    ringShare: () => ({ ingesters: 1, replicationFactor: 1 }),
    sink,
    logger: quiet,
    ...o,
    limits: () => limits,
  });
  return { ing, sink };
}

function read(ing: Ingester, tenant = 'fake'): Entry[] {
  const inst = ing.instance(tenant);
  if (!inst) return [];
  const out: Entry[] = [];
  for (const s of inst.streams.values())
    for (const c of s.chunks) for (const e of c.chunk.iterate(0n, 1n << 62n, 'forward')) out.push(e);
  return out.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ingester push rules', () => {
  it('rejects an entry older than the stream\'s newest one with Loki\'s out-of-order text', async () => {
    const { ing } = make();
    await ing.push('fake', [stream('{job="x"}', [[T + 10n, 'new']])]);
    const err = await ing.push('fake', [stream('{job="x"}', [[T + 5n, 'old'], [T + 20n, 'newer']])]).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toBe(
      "entry with timestamp 2026-11-23 13:34:26.000000005 +0000 UTC ignored, reason: 'entry out of order',\n" +
        "user 'fake', total ignored: 1 out of 2 for stream: {job=\"x\"}",
    );
    expect(read(ing).map((e) => e.line)).toEqual(['new', 'newer']);
  });

  it('drops an exact duplicate silently and keeps equal timestamps with other lines', async () => {
    const { ing } = make();
    await ing.push('fake', [stream('{job="x"}', [[T, 'a'], [T, 'b']])]);
    await ing.push('fake', [stream('{job="x"}', [[T, 'a'], [T, 'c'], [T, 'b']])]);
    expect(read(ing).map((e) => e.line)).toEqual(['a', 'b', 'c']);
  });

  it('drops a repeat of a line at its timestamp whatever its structured metadata, as Loki does', async () => {
    const { ing } = make();
    const withMetadata = (trace: string): PushStream => {
      const s = stream('{job="x"}', [[T, 'a']]);
      s.entries[0].metadata = [{ name: 'trace_id', value: trace }];
      return s;
    };
    await ing.push('fake', [withMetadata('1')]);
    await ing.push('fake', [withMetadata('2')]);
    await ing.push('fake', [stream('{job="x"}', [[T, 'a']])]);
    const got = read(ing);
    expect(got.map((e) => [e.line, e.metadata?.[0]?.value])).toEqual([['a', '1']]);
  });

  it('with unordered_writes accepts entries within max_chunk_age/2 and refuses older ones as too far behind', async () => {
    const { ing } = make({ limits: { unordered_writes: true } });
    await ing.push('fake', [stream('{job="x"}', [[T + 3600n * S, 'newest']])]);
    await ing.push('fake', [stream('{job="x"}', [[T + 10n * S, 'within the window']])]);
    const err = await ing.push('fake', [stream('{job="x"}', [[T - 10n * S, 'too old']])]).catch((e) => e);
    expect(err.message).toContain(
      "reason: 'entry too far behind, entry timestamp is: 2026-11-23T13:34:16Z, oldest acceptable timestamp is: 2026-11-23T13:34:26Z',",
    );
    expect(read(ing).map((e) => e.line)).toEqual(['within the window', 'newest']);
  });

  it('refuses new streams beyond the stream limit with 429 and Loki\'s text', async () => {
    const { ing } = make({ limits: { max_global_streams_per_user: 2 } });
    await ing.push('fake', [stream('{a="1"}', [[T, 'x']]), stream('{a="2"}', [[T, 'x']])]);
    const err = await ing.push('fake', [stream('{a="3"}', [[T, 'x']])]).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.message).toMatch(/^maximum active stream limit exceeded when trying to create stream \{a="3"\}/);
  });

  it('applies the per-stream rate limit with a 429', async () => {
    const { ing } = make({ limits: { per_stream_rate_limit: 10, per_stream_rate_limit_burst: 10 } });
    const err = await ing.push('fake', [stream('{a="1"}', [[T, 'short'], [T + 1n, 'this line is longer than ten bytes']])]).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.message).toContain("Per stream rate limit exceeded (limit: 10 B/sec) while attempting to ingest for stream '{a=\"1\"}'");
    expect(read(ing).map((e) => e.line)).toEqual(['short']);
  });

  it('answers 429 while unflushed data is above the memory limit', async () => {
    const { ing } = make({ maxMemoryBytes: 10 });
    await ing.push('fake', [stream('{a="1"}', [[T, 'more than ten bytes of line']])]);
    await expect(ing.push('fake', [stream('{a="1"}', [[T + 1n, 'x']])])).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('says why in the 429 and flushes the largest chunks early, so pushes are accepted again', async () => {
    const { ing, sink } = make({ maxMemoryBytes: 1000 });
    const line = 'x'.repeat(300);
    await ing.push('fake', [stream('{a="big"}', [[T, line], [T + 1n, line], [T + 2n, line], [T + 3n, line]]), stream('{a="small"}', [[T, 'tiny']])]);
    const refused = ing.push('fake', [stream('{a="small"}', [[T + 1n, 'more']])]);
    await expect(refused).rejects.toBeInstanceOf(RateLimitedError);
    await expect(refused).rejects.toThrow('ingester memory limit reached: 1204 bytes of unflushed data (limit 1000), retry later');
    await ing.sweep(false);
    // Only the large chunk had to go: 4 bytes stay unflushed, below half the limit.
    expect(sink.chunks.map((c) => c.chunk.labels)).toEqual([parseLabels('{a="big"}')]);
    expect(ing.status().unflushedBytes).toBe(4);
    await ing.push('fake', [stream('{a="small"}', [[T + 1n, 'more']])]);
    expect(read(ing).map((e) => e.line)).toEqual(['tiny', 'more']);
  });

  it('answers 429 with the process-level memory check\'s message while it reports pressure', async () => {
    let pressure: string | undefined = 'ingester memory limit reached: resident memory 900.0 MiB is above the limit of 800.0 MiB, retry later';
    const { ing } = make({ memoryPressure: () => pressure });
    await expect(ing.push('fake', [stream('{a="1"}', [[T, 'x']])])).rejects.toThrow(pressure);
    expect(read(ing)).toEqual([]);
    pressure = undefined;
    await ing.push('fake', [stream('{a="1"}', [[T, 'x']])]);
    expect(read(ing).map((e) => e.line)).toEqual(['x']);
  });
});

describe('ingester flushing', () => {
  it('flushes idle chunks with their labels and time range, then forgets them after the retain period', async () => {
    const { ing, sink } = make({ chunkIdlePeriodMs: 0 });
    await ing.push('fake', [stream('{job="x"}', [[T, 'a'], [T + 5n, 'b']])]);
    await new Promise((r) => setTimeout(r, 5));
    await ing.sweep(false);
    expect(sink.chunks).toHaveLength(1);
    expect(sink.chunks[0].chunk).toMatchObject({ from: T, through: T + 5n, entries: 2, labels: parseLabels('{job="x"}') });
    expect(ing.instance('fake')).toBeUndefined();
  });

  it('cuts a new chunk when the current one is full and flushes the full one', async () => {
    const { ing, sink } = make({ blockSize: 1024, targetSize: 2048, codec: 'none' });
    const entries: [bigint, string][] = Array.from({ length: 200 }, (_, i) => [T + BigInt(i), `line ${i} `.padEnd(60, 'x')]);
    await ing.push('fake', [stream('{job="x"}', entries)]);
    await ing.sweep(false);
    expect(sink.chunks.length).toBeGreaterThan(1);
    const flushed = sink.chunks.reduce((n, c) => n + c.chunk.entries, 0);
    expect(flushed + read(ing).length).toBe(200);
  });

  it('flushes chunks spanning more than max_chunk_age', async () => {
    const { ing, sink } = make({ maxChunkAge: 10n * S });
    await ing.push('fake', [stream('{job="x"}', [[T, 'a'], [T + 11n * S, 'b']])]);
    await ing.sweep(false);
    expect(sink.chunks).toHaveLength(1);
  });
});

describe('ingester WAL replay', () => {
  it('restores unflushed entries after a crash, without re-adding what was already flushed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lokits-ing-'));
    dirs.push(dir);
    const open = async () => {
      const wal = await WriteAheadLog.open({ dir });
      return make({ wal, chunkRetainPeriodMs: 0 });
    };
    const first = await open();
    await first.ing.start();
    await first.ing.push('fake', [stream('{job="flushed"}', [[T, 'f1'], [T + 1n, 'f2']])]);
    await first.ing.flushAll();
    await first.ing.push('fake', [stream('{job="kept"}', [[T, 'k1']])]);
    await first.ing.checkpoint();
    await first.ing.push('fake', [stream('{job="kept"}', [[T + 1n, 'k2']]), stream('{job="flushed"}', [[T + 2n, 'f3']])]);
    // crash: no stop(), the WAL file handle is simply abandoned

    const second = await open();
    await second.ing.start();
    expect(read(second.ing).map((e) => e.line).sort()).toEqual(['f3', 'k1', 'k2']);
    expect(second.ing.replayCorruptions).toEqual([]);
    await second.ing.stop();
  });
});
