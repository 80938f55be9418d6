// Differential conformance: the fixed data set pushed to the real server, then every recorded
// real-Loki answer (test/fixtures/conformance/golden) compared byte for byte by the shared runner.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../support/server.js';

const run = promisify(execFile);
const RUNNER = 'test/fixtures/conformance/run.mjs';

// The settings the recorded answers assume (see test/fixtures/conformance/README.md).
const CONFIG = `
auth_enabled: false
server:
  http_listen_address: 127.0.0.1
  log_level: info
common:
  path_prefix: {{DATA}}
limits_config:
  reject_old_samples: false
  discover_service_name: []
  discover_log_levels: false
  ingestion_rate_mb: 1000
  ingestion_burst_size_mb: 1000
querier:
  query_ingesters_within: 0
`;

describe('conformance with real Loki answers', () => {
  let srv: ServerProcess;
  beforeAll(async () => {
    srv = await startServer({ config: CONFIG });
    const pushed = await run(process.execPath, [RUNNER, 'push', srv.url]);
    expect(pushed.stdout).toMatch(/pushed \d+ entries/);
  }, 120_000);
  afterAll(async () => {
    await srv?.stop();
    srv?.cleanup();
  });

  it('answers every recorded query identically to Loki (from memory)', async () => {
    const out = await run(process.execPath, [RUNNER, 'compare', srv.url, 'test/fixtures/conformance/golden', '--verbose']).catch((e) => e);
    expect(out.stdout).toMatch(/conformance: (\d+)\/\1 identical to Loki/);
  }, 120_000);

  it('answers identically after everything was flushed to chunks', async () => {
    expect((await fetch(srv.url + '/flush', { method: 'POST' })).status).toBe(204);
    const out = await run(process.execPath, [RUNNER, 'compare', srv.url, 'test/fixtures/conformance/golden', '--verbose']).catch((e) => e);
    expect(out.stdout).toMatch(/conformance: (\d+)\/\1 identical to Loki/);
  }, 120_000);
});
