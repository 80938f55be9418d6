// Memory relief of the ingester, in process with injected pressure and a controllable store: the floor
// a relief flush never cuts below, the watermark that keeps a refusal going until memory is really
// relieved, and process-level pressure refusing pushes only while the ingester holds enough to matter.
import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../../src/config/limits.js';
import { Ingester, type ChunkSink, type IngesterOptions, type PushStream } from '../../src/ingester/ingester.js';
import { BackpressureError, labelsString, parseLabels } from '../../src/model/index.js';
import type { FlushedChunk } from '../../src/storage/index.js';

const T = 1795440866000000000n;
const S = 1_000_000_000n;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const PRESSURE = 'ingester memory limit reached: resident memory 900.0 MiB is above the limit of 800.0 MiB, retry later';

/** A store that keeps what it gets; with `hold`, each write waits until the test lets it through. */
class Sink implements ChunkSink {
  chunks: { tenant: string; chunk: FlushedChunk }[] = [];
  hold = false;
  private waiting: (() => void)[] = [];
  async putChunks(tenant: string, chunks: FlushedChunk[]) {
    if (this.hold) await new Promise<void>((r) => this.waiting.push(r));
    for (const chunk of chunks) this.chunks.push({ tenant, chunk });
    return chunks.map((c, i) => ({ key: `${tenant}/${c.fingerprint}/${this.chunks.length}-${i}` }));
  }
  /** Lets the oldest held write through. */
  releaseOne(): void {
    this.waiting.shift()?.();
  }
  get held(): number {
    return this.waiting.length;
  }
}

function make(o: Partial<IngesterOptions> = {}): { ing: Ingester; sink: Sink; flushed: () => Promise<void> } {
  const sink = new Sink();
  let onFlushed: (() => void) | undefined;
  const limits = defaultLimits();
  const ing = new Ingester({
    blockSize: 1024,
    targetSize: 1 << 30,
    codec: 'none',
    maxChunkAge: 2n * 3600n * S,
    chunkIdlePeriodMs: 3_600_000,
    chunkRetainPeriodMs: 0,
    flushCheckPeriodMs: 3_600_000,
    checkpointPeriodMs: 0,
    flushOnShutdown: false,
    concurrentFlushes: 1,
    maxMemoryBytes: 0,
    ringShare: () => ({ ingesters: 1, replicationFactor: 1 }),
    sink,
    logger: quiet,
    onFlushed: () => onFlushed?.(),
    ...o,
    limits: () => limits,
  });
  /** Resolves after the next flushed batch is accounted for. */
  const flushed = (): Promise<void> => new Promise((r) => (onFlushed = r));
  return { ing, sink, flushed };
}

function stream(labels: string, entries: [bigint, string][]): PushStream {
  const ls = parseLabels(labels);
  return { labels: ls, labelsString: labelsString(ls), entries: entries.map(([ts, line]) => ({ ts, line })) };
}

/** Pushes and says whether the push was refused for memory (any other error fails the test). */
async function refused(ing: Ingester, tenant: string, streams: PushStream[]): Promise<string | undefined> {
  try {
    await ing.push(tenant, streams);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(BackpressureError);
    return (e as Error).message;
  }
}

describe('ingester memory relief', () => {
  it('accepts pushes under process pressure while little is unflushed, refuses once a quarter of the limit is', async () => {
    const { ing, sink } = make({ maxMemoryBytes: 10_000, memoryPressure: () => PRESSURE });
    const line = 'x'.repeat(100);
    let n = 0;
    let why: string | undefined;
    for (; n < 100 && !why; n++) {
      const before = ing.status().unflushedBytes;
      why = await refused(ing, 'fake', [stream('{a="1"}', [[T + BigInt(n), line]])]);
      if (why) expect(before).toBeGreaterThan(2_500);
      else expect(before).toBeLessThanOrEqual(2_500);
    }
    expect(why).toBe(PRESSURE);
    expect(n).toBe(27); // 26 accepted (2,600 bytes), then refused
    // Nothing was flushed while pushes were accepted; the refusal flushed the chunk.
    await ing.sweep(false);
    expect(sink.chunks.map((c) => c.chunk.uncompressedBytes)).toEqual([2_600]);
    expect(ing.status().unflushedBytes).toBe(0);
    expect(await refused(ing, 'fake', [stream('{a="1"}', [[T + 1000n, line]])])).toBeUndefined();
  });

  it('never cuts a chunk below one block when process pressure comes and goes', async () => {
    let pressure: string | undefined;
    const { ing, sink } = make({ maxMemoryBytes: 64_000, memoryPressure: () => pressure });
    const line = 'y'.repeat(300);
    let refusals = 0;
    for (let r = 0; r < 60; r++) {
      pressure = undefined;
      for (const s of ['0', '1', '2']) expect(await refused(ing, 'fake', [stream(`{s="${s}"}`, [[T + BigInt(2 * r), line]])])).toBeUndefined();
      pressure = PRESSURE;
      if (await refused(ing, 'fake', [stream('{s="0"}', [[T + BigInt(2 * r + 1), line]])])) refusals++;
      await ing.sweep(false);
    }
    expect(refusals).toBeGreaterThan(0);
    expect(sink.chunks.length).toBeGreaterThan(0);
    for (const c of sink.chunks) expect(c.chunk.uncompressedBytes).toBeGreaterThanOrEqual(1024);
  });

  it('neither refuses nor flushes for process pressure while under a quarter of the limit is unflushed', async () => {
    // The memory is held by something else: refusing would not relieve it, a flush would only cut small chunks.
    const { ing, sink } = make({ maxMemoryBytes: 1 << 20, memoryPressure: () => PRESSURE });
    for (let i = 0; i < 50; i++) expect(await refused(ing, 'fake', [stream('{a="1"}', [[T + BigInt(i), 'z'.repeat(200)]])])).toBeUndefined();
    await ing.sweep(false);
    expect(sink.chunks).toEqual([]);
    expect(ing.status().unflushedBytes).toBe(10_000);
  });

  it('keeps a refusal for process pressure until its relief flush is done, even if the pressure goes away', async () => {
    let pressure: string | undefined = PRESSURE;
    const { ing, sink, flushed } = make({ maxMemoryBytes: 10_000, memoryPressure: () => pressure });
    await ing.push('fake', [stream('{a="1"}', [[T, 'x'.repeat(3000)]])]);
    sink.hold = true;
    expect(await refused(ing, 'fake', [stream('{a="1"}', [[T + 1n, 'x']])])).toBe(PRESSURE);
    pressure = undefined;
    expect(await refused(ing, 'fake', [stream('{a="1"}', [[T + 1n, 'x']])])).toBe(PRESSURE);
    await new Promise((r) => setImmediate(r));
    const done = flushed();
    sink.releaseOne();
    await done;
    expect(await refused(ing, 'fake', [stream('{a="1"}', [[T + 1n, 'x']])])).toBeUndefined();
  });

  it('keeps refusing over the unflushed limit until unflushed bytes fall below 90% of it', async () => {
    const { ing, sink, flushed } = make({ maxMemoryBytes: 1000 });
    const line = 'w'.repeat(130);
    // Eight tenants of 130 bytes: 1,040 bytes, the last push goes over the limit.
    for (let t = 0; t < 8; t++) await ing.push(`t${t}`, [stream('{a="1"}', [[T, line]])]);
    expect(ing.status().unflushedBytes).toBe(1040);
    sink.hold = true;
    const first = await refused(ing, 't0', [stream('{a="1"}', [[T + 1n, 'x']])]);
    expect(first).toBe('ingester memory limit reached: 1040 bytes of unflushed data (limit 1000), retry later');
    // The relief flushes one tenant's chunk at a time; after the first, 910 bytes are below the limit
    // but above the low watermark (900): still refused.
    await new Promise((r) => setImmediate(r));
    expect(sink.held).toBe(1);
    let done = flushed();
    sink.releaseOne();
    await done;
    expect(ing.status().unflushedBytes).toBe(910);
    expect(await refused(ing, 't0', [stream('{a="1"}', [[T + 1n, 'x']])])).toBe(
      'ingester memory limit reached: 910 bytes of unflushed data (limit 1000), retry later',
    );
    // Past the watermark pushes are accepted again, while the relief goes on to half the limit.
    await new Promise((r) => setImmediate(r));
    done = flushed();
    sink.releaseOne();
    await done;
    expect(ing.status().unflushedBytes).toBe(780);
    expect(await refused(ing, 't7', [stream('{a="1"}', [[T + 1n, 'x']])])).toBeUndefined();
    sink.hold = false;
    while (sink.held) sink.releaseOne();
    await ing.sweep(false);
    expect(ing.status().unflushedBytes).toBeLessThanOrEqual(500);
  });

  it('relieves the unflushed limit even when every chunk is smaller than a block', async () => {
    const { ing, sink } = make({ maxMemoryBytes: 1000, blockSize: 256 * 1024 });
    for (let s = 0; s < 10; s++) await ing.push('fake', [stream(`{s="${s}"}`, [[T, 'v'.repeat(101)]])]);
    expect(await refused(ing, 'fake', [stream('{s="0"}', [[T + 1n, 'x']])])).toMatch(/^ingester memory limit reached: 1010 bytes/);
    await ing.sweep(false);
    // Ten chunks of 101 bytes: the floor is 50 bytes (half the limit over ten), six are flushed.
    expect(ing.status().unflushedBytes).toBe(404);
    expect(sink.chunks.length).toBe(6);
    expect(await refused(ing, 'fake', [stream('{s="0"}', [[T + 1n, 'x']])])).toBeUndefined();
  });
});
