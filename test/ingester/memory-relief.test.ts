// Memory relief of the ingester, in process with a controllable store: the watermark that keeps a
// refusal going until memory is really relieved.
import { describe, expect, it } from 'vitest';
import { defaultLimits } from '../../src/config/limits.js';
import { Ingester, type ChunkSink, type IngesterOptions, type PushStream } from '../../src/ingester/ingester.js';
import { BackpressureError, labelsString, parseLabels } from '../../src/model/index.js';
import type { FlushedChunk } from '../../src/storage/index.js';

const T = 1795440866000000000n;
const S = 1_000_000_000n;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

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
});
