// What Promtail sends, replayed byte for byte in shape: protobuf + snappy block compression,
// Promtail's headers and batch sizes past 1 MiB; and the status split Promtail acts on
// (429 and 5xx are retried, other 4xx dropped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, pushProto, type PushStreamSpec } from '../support/client.js';
import { DEFAULT_TEST_CONFIG, startServer, type ServerProcess } from '../support/server.js';

const NOW = BigInt(Date.now()) * 1_000_000n;
const ns = (offsetMs: number, extra = 0): string => (NOW + BigInt(offsetMs) * 1_000_000n + BigInt(extra)).toString();
const range = { start: ns(-3_600_000), end: ns(60_000) };
const PROMTAIL = { 'User-Agent': 'promtail/3.4.6', 'X-Scope-OrgID': 'team-a' };

function batch(streams: number, perStream: number, lineBytes: number, offsetMs: number): PushStreamSpec[] {
  return Array.from({ length: streams }, (_, s) => ({
    labels: `{filename="/var/log/pods/app-${s}/app.log", job="promtail-${s % 4}", namespace="prod"}`,
    entries: Array.from({ length: perStream }, (_, i) => [ns(offsetMs + i, s), `ts=${i} level=info msg="request handled" `.padEnd(lineBytes, '.')] as [string, string]),
  }));
}

describe('Promtail compatibility', () => {
  let srv: ServerProcess;
  beforeAll(async () => {
    srv = await startServer({
      config: DEFAULT_TEST_CONFIG.replace('auth_enabled: false', 'auth_enabled: true').replace(
        'limits_config:\n',
        'limits_config:\n  ingestion_rate_mb: 3\n  ingestion_burst_size_mb: 3\n',
      ),
    });
  });
  afterAll(async () => {
    await srv?.stop();
    srv?.cleanup();
  });

  it('accepts a batch larger than 1 MiB exactly as Promtail sends it and stores every line', async () => {
    const streams = batch(20, 250, 240, -120_000); // 20 × 250 × 240 B ≈ 1.2 MB of lines
    const r = await pushProto(srv.url, streams, PROMTAIL);
    expect(r.status).toBe(204);
    const q = await get(srv.url, '/loki/api/v1/query', { query: 'sum(count_over_time({namespace="prod"}[1h]))', time: range.end }, { 'X-Scope-OrgID': 'team-a' });
    expect(q.json.data.result[0].value[1]).toBe('5000');
  });

  it('answers 429 (which Promtail retries) once the tenant ingestion rate is exceeded, with Loki\'s text', async () => {
    const r = await pushProto(srv.url, batch(20, 300, 600, -60_000), PROMTAIL); // ≈ 3.6 MB > the 3 MB burst
    expect(r.status).toBe(429);
    expect(r.text).toMatch(
      /^ingestion rate limit exceeded for user team-a \(limit: 3145728 bytes\/sec\) while attempting to ingest '6000' lines totaling '\d+' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased\n$/,
    );
  });

  it('answers 400 (which Promtail drops) for entries it must not retry', async () => {
    const labels = '{job="promtail-ooo"}';
    expect((await pushProto(srv.url, [{ labels, entries: [[ns(-1000), 'newest']] }], PROMTAIL)).status).toBe(204);
    const r = await pushProto(srv.url, [{ labels, entries: [[ns(-5000), 'older']] }], PROMTAIL);
    expect(r.status).toBe(400);
    expect(r.text.split('\n')[0]).toMatch(/^entry with timestamp .* ignored, reason: 'entry out of order',$/);
  });

  it('refuses a push without a tenant when auth is enabled (401)', async () => {
    const r = await pushProto(srv.url, batch(1, 1, 10, -1000), { 'User-Agent': 'promtail/3.4.6' });
    expect(r.status).toBe(401);
  });
});
