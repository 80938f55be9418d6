// The ingester's memory limits against the real server process: pushes get 429 with a message that
// says why, the process stays up, and pushes are accepted again once memory is relieved. Unit tests of
// the relief rules (floor, watermarks) are in memory-relief.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { get, pushProto } from '../support/client.js';
import { DEFAULT_TEST_CONFIG, startServer, type ServerProcess } from '../support/server.js';

const NOW = BigInt(Date.now()) * 1_000_000n;

function batch(n: number, first: number): { labels: string; entries: [string, string][] }[] {
  const entries: [string, string][] = [];
  for (let i = 0; i < n; i++) entries.push([(NOW + BigInt(first + i)).toString(), `line ${first + i} `.padEnd(1000, 'x')]);
  return [{ labels: '{app="memory"}', entries }];
}

/** Pushes batches of 20 lines (at most `rounds`) until one is refused; every other push must be accepted. */
async function pushUntilRefused(url: string, sent: number, rounds: number): Promise<{ sent: number; refused?: { status: number; text: string } }> {
  for (let i = 0; i < rounds; i++) {
    const r = await pushProto(url, batch(20, sent));
    if (r.status === 429) return { sent, refused: r };
    expect(r.status).toBe(204);
    sent += 20;
  }
  return { sent };
}

/** Retries a one-line push for up to 5 s, as Promtail would; the last status. */
async function retryUntilAccepted(url: string, first: number): Promise<number> {
  let status = 0;
  for (let i = 0; i < 50 && status !== 204; i++) {
    status = (await pushProto(url, batch(1, first))).status;
    if (status !== 204) await new Promise((r) => setTimeout(r, 100));
  }
  return status;
}

describe('ingester memory limits (server process)', () => {
  let srv: ServerProcess | undefined;
  afterEach(async () => {
    await srv?.stop();
    srv?.cleanup();
    srv = undefined;
  });

  it('answers 429 with a clear message once unflushed data passes max_memory_bytes, then recovers by flushing', async () => {
    srv = await startServer({ config: DEFAULT_TEST_CONFIG + '  max_memory_bytes: 64KB\n' });
    const { sent, refused } = await pushUntilRefused(srv.url, 0, 20);
    expect(refused?.text).toMatch(/^ingester memory limit reached: \d+ bytes of unflushed data \(limit 65536\), retry later/);
    expect(sent).toBeGreaterThanOrEqual(60);
    expect((await get(srv.url, '/ready')).status).toBe(200);
    // The refusal started a flush of the largest chunks: a retry soon succeeds, as Promtail's would.
    expect(await retryUntilAccepted(srv.url, sent)).toBe(204);
  });

  it('answers 429 while resident memory is above max_resident_memory_bytes and the ingester holds a quarter of its limit', async () => {
    srv = await startServer({ config: DEFAULT_TEST_CONFIG + '  max_memory_bytes: 64KB\n  max_resident_memory_bytes: 1MB\n' });
    // Resident memory is always above 1 MiB, but while the ingester holds little the memory is not
    // its own: pushes are accepted.
    expect((await pushProto(srv.url, batch(1, 0))).status).toBe(204);
    const { sent, refused } = await pushUntilRefused(srv.url, 1, 5);
    // Refused once more than 16 KiB (a quarter of 64 KiB) is unflushed: after the first batch of 20 lines.
    expect(sent).toBe(21);
    expect(refused?.text).toMatch(/^ingester memory limit reached: resident memory [\d.]+ MiB is above the limit of 1\.0 MiB, retry later/);
    expect((await get(srv.url, '/ready')).status).toBe(200);
    // The refusal flushed the chunk: a retry soon succeeds.
    expect(await retryUntilAccepted(srv.url, sent)).toBe(204);
  });
});
