// Sample workers compile a read's expression once for all its tasks, and an aborted read fails at
// once: its running task stops, its queued tasks are skipped, and the pool serves later reads.
import { afterAll, describe, expect, it } from 'vitest';
import { MemChunk } from '../../src/chunks/index.js';
import { CancelledError, TimeoutError } from '../../src/model/index.js';
import { endScope, runSampleTask, taskScope, type SampleTask } from '../../src/querier/sample-task.js';
import { SampleWorkerPool } from '../../src/querier/sample-workers.js';
import { EXPR, labels, SEC, shape, T0 } from './sample-fixtures.js';


function chunk(seed: number, lines: number): Uint8Array {
  const c = new MemChunk({ blockSize: 64 * 1024, targetSize: 0, codec: 'gzip' });
  for (let n = 0; n < lines; n++)
    c.append(T0 + BigInt(n) * SEC / 10n, `level=info msg="request ${n} served" path=/api/v1/items/${n % 97} duration=${((n * 37 + seed) % 1500) + 1}ms size=${n * 11}`);
  return c.encode();
}

/** A task of `series` series with two chunks of `lines` lines each. */
function task(series: number, lines: number, scope?: SampleTask['scope']): SampleTask {
  const list = Array.from({ length: series }, (_, i) => ({ labels: labels(`app${i}`), chunks: [chunk(i, lines), chunk(i + 1, lines)] }));
  return { expr: EXPR, outer: { labels: ['app'], without: false }, start: T0, end: T0 + 3600n * SEC, hashLines: false, series: list, scope };
}


const pools: SampleWorkerPool[] = [];
afterAll(() => Promise.all(pools.map((p) => p.close())));

/** A pool of one worker, started and past loading its code. */
async function onePool(): Promise<SampleWorkerPool> {
  const p = SampleWorkerPool.create(1);
  if (p === undefined) throw new Error('the compiled sample worker is missing (dist/ is built by the test setup)');
  pools.push(p);
  await p.run(task(1, 10));
  return p;
}

describe('sample workers: compilation and cancellation', () => {
  it('compile the expression of a read once for all its tasks', async () => {
    const p = await onePool();
    const [before] = await p.taskCounts();
    const scope = taskScope();
    const tasks = ['a', 'b', 'c', 'd'].map(() => task(2, 50, scope));
    const results = await Promise.all(tasks.map((t) => p.run(t)));
    const [after] = await p.taskCounts();
    expect(after.compiled - before.compiled).toBe(1);
    for (let i = 0; i < tasks.length; i++) expect(shape(results[i].series)).toEqual(shape(runSampleTask({ ...tasks[i], scope: undefined }).series));
    endScope(scope);
    // Another read compiles its own extractor (none is shared between reads).
    await p.run(task(1, 10, taskScope()));
    const [last] = await p.taskCounts();
    expect(last.compiled - after.compiled).toBe(1);
  });

  it('fail an aborted read at once, stop and skip its tasks, and serve the next read', async () => {
    const p = await onePool();
    const [before] = await p.taskCounts();
    const big = task(40, 2000);
    const scope = taskScope();
    const abort = new AbortController();
    const outcomes = [1, 2, 3].map(() => p.run({ ...big, scope }, abort.signal).then(() => 'done', (e: unknown) => e));
    await new Promise((r) => setTimeout(r, 50));
    const aborted = performance.now();
    abort.abort();
    const got = await Promise.all(outcomes);
    expect(performance.now() - aborted).toBeLessThan(500); // the three tasks take seconds
    for (const e of got) expect(e).toBeInstanceOf(CancelledError);
    // The worker answers in order: by the time it reports, it went through the three tasks.
    const [after] = await p.taskCounts();
    expect(after.cancelled - before.cancelled).toBe(3);

    const next = task(3, 100, taskScope());
    const res = await p.run(next, new AbortController().signal);
    expect(res.series.length).toBeGreaterThan(0);
    expect(shape(res.series)).toEqual(shape(runSampleTask({ ...next, scope: undefined }).series));
  });

  it("fail with the signal's own error, and refuse a task whose signal already aborted", async () => {
    const p = await onePool();
    const abort = new AbortController();
    const running = p.run(task(20, 2000, taskScope()), abort.signal);
    const timeout = new TimeoutError();
    abort.abort(timeout);
    await expect(running).rejects.toBe(timeout);
    await expect(p.run(task(1, 10), abort.signal)).rejects.toBe(timeout);
    const res = await p.run(task(1, 100));
    expect(res.series.length).toBeGreaterThan(0);
  });
});
