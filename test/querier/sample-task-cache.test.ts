// A thread compiles a task's expression once per read (scope), parses it once for later reads, and
// keeps no extractor of a read that is over; a task of a read that is over is refused.
import { describe, expect, it, vi } from 'vitest';
import { MemChunk } from '../../src/chunks/index.js';
import { CancelledError } from '../../src/model/index.js';
import { dropEndedExtractors, endScope, runSampleTask, taskScope, type SampleTask } from '../../src/querier/sample-task.js';
import { EXPR, labels, SEC, shape, T0 } from './sample-fixtures.js';

// Counts the compilations without touching the code under test.
const calls = vi.hoisted(() => ({ parse: 0, build: 0 }));
vi.mock('../../src/logql/log/index.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/logql/log/index.js')>();
  return { ...mod, buildSampleExtractor: (...a: Parameters<typeof mod.buildSampleExtractor>) => (calls.build++, mod.buildSampleExtractor(...a)) };
});
vi.mock('../../src/logql/syntax/index.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/logql/syntax/index.js')>();
  return { ...mod, parseExpr: (...a: Parameters<typeof mod.parseExpr>) => (calls.parse++, mod.parseExpr(...a)) };
});


function chunk(seed: number): Uint8Array {
  const c = new MemChunk({ blockSize: 2048, targetSize: 0, codec: 'gzip' });
  for (let n = 0; n < 300; n++) c.append(T0 + BigInt(n) * SEC, `level=info msg="req ${n}" duration=${((n * 37 + seed) % 1500) + 1}ms`);
  return c.encode();
}

function task(app: string, scope?: SampleTask['scope'], expr = EXPR): SampleTask {
  return { expr, outer: { labels: ['app'], without: false }, start: T0, end: T0 + 300n * SEC, hashLines: false, series: [{ labels: labels(app), chunks: [chunk(app.length)] }], scope };
}


describe('sample task compilation', () => {
  it('compiles a read once for all its tasks and gives the samples of an uncached run', () => {
    const want = ['api', 'auth', 'checkout'].map((app) => runSampleTask(task(app)));
    calls.parse = 0;
    calls.build = 0;
    const scope = taskScope();
    const got = ['api', 'auth', 'checkout'].map((app) => runSampleTask(task(app, scope)));
    expect(got.map((r) => shape(r.series))).toEqual(want.map((r) => shape(r.series)));
    expect(got.map((r) => r.stats)).toEqual(want.map((r) => r.stats));
    expect(want.every((w) => w.series.length > 0)).toBe(true);
    expect(calls.build).toBe(1);
    expect(calls.parse).toBe(0); // parsed by the uncached runs already
    endScope(scope);
  });

  it('compiles again for another read or grouping, and parses an expression once across reads', () => {
    const expr = 'count_over_time({namespace="prod"} | logfmt | duration > 1s [1m])';
    calls.parse = 0;
    calls.build = 0;
    const a = taskScope();
    const b = taskScope();
    runSampleTask(task('api', a, expr));
    runSampleTask(task('auth', a, expr));
    runSampleTask(task('api', b, expr));
    runSampleTask({ ...task('api', b, expr), outer: undefined });
    runSampleTask({ ...task('auth', b, expr), outer: undefined });
    expect(calls.build).toBe(3);
    expect(calls.parse).toBe(2); // one per (expression, grouping)
    endScope(a);
    endScope(b);
  });

  it('drops the extractor of a read once it is over, and refuses its later tasks', () => {
    const scope = taskScope();
    runSampleTask(task('api', scope));
    expect(dropEndedExtractors()).toBe(true);
    endScope(scope);
    expect(dropEndedExtractors()).toBe(false);
    expect(() => runSampleTask(task('api', scope))).toThrow(CancelledError);
  });
});
