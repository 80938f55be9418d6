// Store sample extraction on worker threads: a task gives the same samples and stats on a worker as
// on this thread, and a failing or exiting worker fails its tasks with an error instead of hanging.
import { afterAll, describe, expect, it } from 'vitest';
import { MemChunk } from '../../src/chunks/index.js';
import type { SeriesSamples } from '../../src/logql/contracts.js';
import { ParseError, type Labels } from '../../src/model/index.js';
import { runSampleTask, type SampleTask } from '../../src/querier/sample-task.js';
import { SampleWorkerPool } from '../../src/querier/sample-workers.js';

const T0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;

function streamLabels(app: string): Labels {
  return [
    { name: 'app', value: app },
    { name: 'namespace', value: 'prod' },
  ];
}

/** Two chunks of logfmt lines for one stream (the second after the first), encoded as stored. */
function chunksOf(app: string, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let c = 0; c < 2; c++) {
    const chunk = new MemChunk({ blockSize: 2048, targetSize: 0, codec: 'gzip' });
    for (let i = 0; i < 200; i++) {
      const n = c * 200 + i;
      const ms = ((n * 37 + seed) % 1500) + 1;
      const level = n % 7 === 0 ? 'error' : 'info';
      const metadata = n % 3 === 0 ? [{ name: 'detected_level', value: level }] : undefined;
      chunk.append(T0 + BigInt(n) * SEC, `level=${level} msg="req ${n}" duration=${ms}ms size=${n * 11}`, metadata);
    }
    out.push(chunk.encode());
  }
  return out;
}

function task(expr: string, outer?: SampleTask['outer']): SampleTask {
  return {
    expr,
    outer,
    start: T0,
    end: T0 + 1000n * SEC,
    hashLines: false,
    series: ['api', 'auth', 'checkout'].map((app, i) => ({ labels: streamLabels(app), chunks: chunksOf(app, i) })),
  };
}

const shape = (list: SeriesSamples[]) =>
  list.map((s) => ({ labels: s.labels.key, all: s.labels.all, baseTs: s.baseTs, offsets: [...s.offsets], values: [...s.values] }));

const pools: SampleWorkerPool[] = [];
afterAll(() => Promise.all(pools.map((p) => p.close())));

function pool(): SampleWorkerPool {
  const p = SampleWorkerPool.create(2);
  if (p === undefined) throw new Error('the compiled sample worker is missing (dist/ is built by the test setup)');
  pools.push(p);
  return p;
}

describe('sample workers', () => {
  const queries: [string, SampleTask['outer']][] = [
    ['rate({namespace="prod"} | logfmt | duration > 500ms [5m])', { labels: ['app'], without: false }],
    ['count_over_time({namespace="prod"}[1m])', { labels: ['detected_level'], without: false }],
    ['bytes_over_time({namespace="prod"} |= "error" [1m])', undefined],
    ['sum_over_time({namespace="prod"} | logfmt | unwrap size [5m])', undefined],
    ['count_over_time({namespace="prod"} | logfmt | level="error" [1m])', { labels: [], without: true }],
  ];
  for (const [expr, outer] of queries) {
    it(`gives the samples and stats of this thread for ${expr}`, async () => {
      const t = task(expr, outer);
      const here = runSampleTask(t);
      const there = await pool().run(t);
      expect(here.series.length).toBeGreaterThan(0);
      expect(shape(there.series)).toEqual(shape(here.series));
      expect(there.stats).toEqual(here.stats);
    });
  }

  it('spreads concurrent tasks over its workers and answers each', async () => {
    const p = pool();
    const t = task('count_over_time({namespace="prod"}[1m])');
    const results = await Promise.all([p.run(t), p.run(t), p.run(t), p.run(t)]);
    const want = shape(runSampleTask(t).series);
    for (const r of results) expect(shape(r.series)).toEqual(want);
  });

  it("fails a task with its error's message and keeps serving", async () => {
    const p = pool();
    await expect(p.run({ ...task('count_over_time({namespace="prod"}[1m])'), expr: '{namespace="prod"}' })).rejects.toThrow(/not a range aggregation/);
    const ok = await p.run(task('count_over_time({namespace="prod"}[1m])'));
    expect(ok.series.length).toBeGreaterThan(0);
  });

  it('rebuilds a LokiError thrown in the worker as its class and status', async () => {
    const p = pool();
    const err = await p.run({ ...task('count_over_time({namespace="prod"}[1m])'), expr: 'count_over_time({namespace="prod"' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).status).toBe(400);
  });

  it('fails the tasks of a worker that exits, without hanging', async () => {
    const p = new SampleWorkerPool(1, new URL('data:text/javascript,process.exit(3)'));
    pools.push(p);
    await expect(p.run(task('count_over_time({namespace="prod"}[1m])'))).rejects.toThrow(/query worker exited with code 3/);
    await expect(p.run(task('count_over_time({namespace="prod"}[1m])'))).rejects.toThrow(/query worker exited/);
  });

  it('warm() starts the workers ahead of the first task, which they then serve', async () => {
    const p = pool();
    p.warm();
    p.warm();
    const t = task('count_over_time({namespace="prod"}[1m])');
    const results = await Promise.all([p.run(t), p.run(t)]);
    for (const r of results) expect(shape(r.series)).toEqual(shape(runSampleTask(t).series));
  });

  it('refuses tasks once closed', async () => {
    const p = pool();
    await p.close();
    await expect(p.run(task('count_over_time({namespace="prod"}[1m])'))).rejects.toThrow(/shut down/);
  });
});
