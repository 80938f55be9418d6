// Smoke test of `npm run bench`: the runner drives the unchanged workload scripts against a real
// server and writes results.json with our figures, Loki's and the machine it ran on.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('bench/run.mjs', () => {
  it('ingests, flushes, queries and writes results for a tiny workload', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lokits-bench-test-'));
    try {
      const out = join(dir, 'results.json');
      const r = spawnSync(process.execPath, ['bench/run.mjs', '--no-build', '--lines', '3000', '--runs', '1', '--out', out], {
        encoding: 'utf8',
        timeout: 110_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const res = JSON.parse(readFileSync(out, 'utf8'));
      expect(res.mode).toBe('single-process');
      expect(res.machine.cores).toBeGreaterThan(0);
      expect(res.lines).toBe(3000);
      expect(res.ingest.linesPerSec).toBeGreaterThan(0);
      expect(res.stored.files).toBe(100);
      const byId = Object.fromEntries(res.queries.queries.map((q: { id: string; result: object }) => [q.id, q.result]));
      // 30 lines in each of 100 streams: checkout has 20 streams, prod has 20 error/fatal streams.
      expect(byId.q1_stream_selector).toEqual({ streams: 20, entries: 600 });
      expect(byId.q2_line_filter).toEqual({ streams: 20, entries: 600 });
      expect(byId.q3_count_over_time_by_level.series).toBe(5);
      expect(res.comparison.map((c: { measure: string }) => c.measure)).toContain('q5_topk_bytes_over_time ms (Loki unscaled)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
