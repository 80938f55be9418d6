// bin/logcli against a recording HTTP stub: requests (paths, Go-encoded parameters, headers, auth, env,
// retries) and output for answers rebuilt from the recorded real-logcli fixtures, byte for byte.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { labelsToRecord, parseLabels } from '../../src/model/labels.js';
import { parseRFC3339 } from '../../src/model/time.js';
import { LOG_PREFIX, runLogcli } from './run-logcli.js';

interface Recorded {
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
}

type Handler = (r: Recorded, res: ServerResponse) => void;

let server: Server;
let addr = '';
let requests: Recorded[] = [];
let handler: Handler = (_r, res) => json(res, { status: 'success' });

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body) + '\n');
}

function text(res: ServerResponse, body: string, status: number): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(body);
}

const streamsAnswer = (result: unknown) => ({ status: 'success', data: { resultType: 'streams', result, stats: {} } });

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const r = { path: url.pathname, query: url.search.slice(1), headers: req.headers };
    requests.push(r);
    handler(r, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  addr = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = [];
  handler = (_r, res) => json(res, { status: 'success' });
});

const fixture = (name: string): string[] => readFileSync(`test/fixtures/loki/${name}`, 'utf8').split('\n').slice(0, -1);
/** A recorded URL with the host, and start/end/time values, made comparable. */
const comparableURL = (u: string): string => u.replace(/^http:\/\/[^/]+/, 'http://HOST').replace(/(start|end|time)=\d{19}/g, '$1=NS');

/** The query_range answer the recorded jsonl run must have seen, rebuilt from its output. */
function recordedQueryAnswer(): unknown {
  const lines = fixture('logcli_query_jsonl.stdout');
  const common = labelsToRecord(parseLabels(lines[1].replace(LOG_PREFIX, '').replace('Common labels: ', '')));
  const byStream = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
  for (const l of lines.slice(2)) {
    const e = JSON.parse(l) as { labels: Record<string, string>; line: string; timestamp: string };
    const stream = { ...common, ...e.labels };
    const key = JSON.stringify(Object.entries(stream).sort());
    if (!byStream.has(key)) byStream.set(key, { stream, values: [] });
    byStream.get(key)!.values.push([parseRFC3339(e.timestamp)!.toString(), e.line]);
  }
  return streamsAnswer([...byStream.values()]);
}

describe('output against the recorded real logcli runs', () => {
  it('prints jsonl and its stderr metadata exactly as the recorded logcli did', async () => {
    const answer = recordedQueryAnswer();
    handler = (_r, res) => json(res, answer);
    const run = await runLogcli(['query', '{job="anchors-promtail"}', '--limit', '5', '-o', 'jsonl', '--addr', addr]);
    const recorded = fixture('logcli_query_jsonl.stdout');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(recorded.slice(2).join('\n') + '\n');
    const log = run.log.split('\n');
    expect(comparableURL(log[0])).toBe(comparableURL(recorded[0].replace(LOG_PREFIX, '')));
    expect(log.slice(1)).toEqual([recorded[1].replace(LOG_PREFIX, ''), '']);
    expect(run.stderr).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} http:/);
    expect(requests).toHaveLength(1);
  });

  it('prints the default output exactly as the recorded logcli did', async () => {
    const answer = recordedQueryAnswer();
    handler = (_r, res) => json(res, answer);
    const run = await runLogcli(['query', '{job="anchors-promtail"}', '--limit', '5', '-q', '--addr', addr]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(fixture('logcli_query.stdout').join('\n') + '\n');
    expect(run.stderr).toBe('');
  });

  it('prints series and sends `match` exactly as the recorded logcli did', async () => {
    const recorded = fixture('logcli_series.stdout');
    handler = (_r, res) => json(res, { status: 'success', data: recorded.slice(1).map((l) => labelsToRecord(parseLabels(l))) });
    const run = await runLogcli(['series', '{namespace="prod", app="auth"}', '--addr', addr]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(recorded.slice(1).join('\n') + '\n');
    expect(comparableURL(run.log.trimEnd())).toBe(comparableURL(recorded[0].replace(LOG_PREFIX, '')));
  });
});

describe('time zones', () => {
  it('prints local times with their offset by default and UTC with -z UTC', async () => {
    const answer = recordedQueryAnswer();
    handler = (_r, res) => json(res, answer);
    const recorded = fixture('logcli_query.stdout').join('\n') + '\n';
    const kolkata = { env: { TZ: 'Asia/Kolkata' } };
    const local = await runLogcli(['query', '{job="anchors-promtail"}', '--limit', '5', '-q', '--addr', addr], kolkata);
    expect(local.stdout).toBe(recorded.replace(/^2026-11-23T15:34:(\d\d)Z/gm, '2026-11-23T21:04:$1+05:30'));
    const jsonl = await runLogcli(['query', '{job="anchors-promtail"}', '--limit', '5', '-q', '-o', 'jsonl', '--addr', addr], kolkata);
    expect(jsonl.stdout.split('\n')[0]).toContain('"timestamp":"2026-11-23T21:04:10.549543713+05:30"}');
    const utc = await runLogcli(['query', '{job="anchors-promtail"}', '--limit', '5', '-q', '-z', 'UTC', '--addr', addr], kolkata);
    expect(utc.stdout).toBe(recorded);
  });
});

describe('requests', () => {
  it('sends logcli headers: user agent, tenant, basic auth, query tags, no-cache and extra headers', async () => {
    handler = (_r, res) => json(res, { status: 'success', data: ['app'] });
    const run = await runLogcli(
      ['labels', '--addr', addr, '--org-id', 'tenant-a', '--username', 'u', '--password', 'p', '--query-tags', 'Source=logcli', '--nocache', '--header', 'X-Extra: one two', '-q'],
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('app\n');
    const h = requests[0].headers;
    expect(h['user-agent']).toBe('loki-logcli/3.7.6');
    expect(h['x-scope-orgid']).toBe('tenant-a');
    expect(h.authorization).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
    expect(h['x-query-tags']).toBe('Source=logcli');
    expect(h['cache-control']).toBe('no-cache');
    expect(h['x-extra']).toBe('one two');
  });

  it('reads LOKI_* environment variables, with flags taking precedence', async () => {
    handler = (_r, res) => json(res, { status: 'success', data: ['v1', 'v2'] });
    const env = { LOKI_ADDR: addr, LOKI_ORG_ID: 'from-env', LOKI_USERNAME: 'eu', LOKI_PASSWORD: 'ep', LOKI_NO_CACHE: 'true' };
    const run = await runLogcli(['labels', 'job', '-q'], { env });
    expect(run.stdout).toBe('v1\nv2\n');
    expect(requests[0].path).toBe('/loki/api/v1/label/job/values');
    expect(requests[0].headers['x-scope-orgid']).toBe('from-env');
    expect(requests[0].headers.authorization).toBe('Basic ' + Buffer.from('eu:ep').toString('base64'));
    expect(requests[0].headers['cache-control']).toBe('no-cache');
    await runLogcli(['labels', '-q', '--org-id', 'from-flag'], { env });
    expect(requests[1].headers['x-scope-orgid']).toBe('from-flag');
  });

  it('sends no basic auth with a username alone, and a bearer token under --auth-header', async () => {
    handler = (_r, res) => json(res, { status: 'success' });
    await runLogcli(['labels', '-q', '--addr', addr, '--username', 'only']);
    expect(requests[0].headers.authorization).toBeUndefined();
    await runLogcli(['labels', '-q', '--addr', addr, '--bearer-token', 'tok', '--auth-header', 'X-Auth']);
    expect(requests[1].headers['x-auth']).toBe('Bearer tok');
    const run = await runLogcli(['labels', '-q', '--addr', addr, '--username', 'u', '--password', 'p', '--bearer-token', 'tok']);
    expect(run.code).toBe(1);
    expect(run.log).toBe(
      'Error doing request: at most one of HTTP basic auth (username/password), bearer-token & bearer-token-file is allowed to be configured\n',
    );
  });

  it('encodes a range query with float-second step and interval, upper-case direction and the batch size as limit', async () => {
    handler = (_r, res) => json(res, { status: 'success', data: { resultType: 'matrix', result: [], stats: {} } });
    const run = await runLogcli([
      'query',
      'rate({app="x"}[1m])',
      '--addr',
      addr,
      '--from',
      '2022-12-24T00:00:00Z',
      '--to',
      '2022-12-24T02:00:00.5+00:00',
      '--step',
      '90s',
      '--interval',
      '1500ms',
      '--forward',
      '--limit',
      '10',
      '--batch',
      '4',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('[]');
    expect(requests.map((r) => r.path)).toEqual(['/loki/api/v1/query_range']);
    expect(requests[0].query).toBe(
      'direction=FORWARD&end=1671847200500000000&interval=1.5&limit=4&query=rate%28%7Bapp%3D%22x%22%7D%5B1m%5D%29&start=1671840000000000000&step=90',
    );
    expect(run.log).toBe(`${addr}/loki/api/v1/query_range?${requests[0].query}\n`);
  });

  it('sends --since as start = now - since and end = now', async () => {
    handler = (_r, res) => json(res, streamsAnswer([]));
    const before = BigInt(Date.now()) * 1_000_000n;
    await runLogcli(['query', '{app="x"}', '-q', '--addr', addr, '--since', '90m']);
    const p = new URLSearchParams(requests[0].query);
    const start = BigInt(p.get('start')!);
    const end = BigInt(p.get('end')!);
    expect(end - start).toBe(5_400_000_000_000n);
    expect(end >= before).toBe(true);
    expect(p.get('limit')).toBe('30');
    expect(p.get('direction')).toBe('BACKWARD');
  });

  it('runs an instant query at --now and prints the vector', async () => {
    handler = (_r, res) =>
      json(res, { status: 'success', data: { resultType: 'vector', result: [{ metric: { app: 'x' }, value: [1671840000, '2.5'] }], stats: {} } });
    const run = await runLogcli(['instant-query', 'sum by (app) (rate({app="x"}[5m]))', '--now', '2022-12-24T00:00:00Z', '--limit', '7', '-q', '--addr', addr]);
    expect(run.code).toBe(0);
    expect(requests[0].path).toBe('/loki/api/v1/query');
    expect(requests[0].query).toBe('direction=BACKWARD&limit=7&query=sum+by+%28app%29+%28rate%28%7Bapp%3D%22x%22%7D%5B5m%5D%29%29&time=1671840000000000000');
    expect(run.stdout).toBe('[\n  {\n    "metric": {\n      "app": "x"\n    },\n    "value": [\n      1671840000,\n      "2.5"\n    ]\n  }\n]');
  });

  it('prints index stats from /index/stats', async () => {
    handler = (_r, res) => json(res, { streams: 2, chunks: 3, bytes: 12500, entries: 10 });
    const run = await runLogcli(['stats', '{app="x"}', '--from', '2022-12-24T00:00:00Z', '--to', '2022-12-24T01:00:00Z', '--addr', addr]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('{\n  bytes: 12kB\n  chunks: 3\n  streams: 2\n  entries: 10\n}\n');
    expect(requests[0].path).toBe('/loki/api/v1/index/stats');
    expect(requests[0].query).toBe('end=1671843600000000000&query=%7Bapp%3D%22x%22%7D&start=1671840000000000000');
  });

  it('asks /index/volume and /index/volume_range with limit, step in seconds, target labels and aggregateBy', async () => {
    handler = (r, res) =>
      r.path.endsWith('volume_range')
        ? json(res, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { app: 'x' }, values: [[1671843600, '1024']] }], stats: {} } })
        : json(res, { status: 'success', data: { resultType: 'vector', result: [{ metric: { app: 'x' }, value: [1671843600, '1024'] }], stats: {} } });
    const range = ['--from', '2022-12-24T00:00:00Z', '--to', '2022-12-24T01:00:00Z', '--addr', addr, '-q'];
    const v = await runLogcli(['volume', '{app=~".+"}', ...range]);
    expect(v.stdout).toBe('[\n  {\n    "metric": {\n      "app": "x"\n    },\n    "value": [\n      1671843600,\n      "1024"\n    ]\n  }\n]');
    expect(requests[0].path).toBe('/loki/api/v1/index/volume');
    expect(requests[0].query).toBe('end=1671843600000000000&limit=30&query=%7Bapp%3D~%22.%2B%22%7D&start=1671840000000000000');

    const vr = await runLogcli(['volume_range', '{app=~".+"}', ...range, '--targetLabels', 'app', '--targetLabels', 'env', '--aggregateByLabels', '--limit', '5']);
    expect(vr.stdout).toBe('[\n  {\n    "metric": {\n      "app": "x"\n    },\n    "values": [\n      [\n        1671843600,\n        "1024"\n      ]\n    ]\n  }\n]');
    expect(requests[1].path).toBe('/loki/api/v1/index/volume_range');
    expect(requests[1].query).toBe(
      'aggregateBy=labels&end=1671843600000000000&limit=5&query=%7Bapp%3D~%22.%2B%22%7D&start=1671840000000000000&step=3600&targetLabels=app%2Cenv',
    );
    await runLogcli(['volume_range', '{app=~".+"}', ...range, '--step', '5m', '--aggregate-by', 'labels']);
    expect(new URLSearchParams(requests[2].query).get('step')).toBe('300');
    expect(new URLSearchParams(requests[2].query).get('aggregateBy')).toBe('labels');
  });

  it('joins the API path under an address with a path prefix', async () => {
    handler = (_r, res) => json(res, { status: 'success' });
    await runLogcli(['labels', '-q', '--addr', `${addr}/loki-gw/`]);
    expect(requests[0].path).toBe('/loki-gw/loki/api/v1/labels');
  });

  it('prints --stats on stderr before the results', async () => {
    handler = (_r, res) =>
      json(res, { status: 'success', data: { resultType: 'streams', result: [], stats: { summary: { execTime: 0.25, totalLinesProcessed: 12 } } } });
    const run = await runLogcli(['query', '{app="x"}', '-q', '--stats', '--addr', addr]);
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n')).toContain('Summary.TotalLinesProcessed \t\t\t 12');
    expect(run.stderr.split('\n')).toContain('Summary.ExecTime \t\t\t\t 250ms');
  });
});

describe('errors', () => {
  it('retries error answers --retries times and succeeds on a later attempt', async () => {
    let n = 0;
    handler = (_r, res) => (++n <= 2 ? text(res, 'try later', 500) : json(res, { status: 'success', data: ['ok'] }));
    const run = await runLogcli(['labels', '-q', '--addr', addr, '--retries', '2']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok\n');
    expect(run.log).toBe('Error response from server: try later (<nil>) attempts remaining: 2\nError response from server: try later (<nil>) attempts remaining: 1\n');
    expect(requests).toHaveLength(3);
  });

  it('gives up after the attempts with logcli messages and exit status 1', async () => {
    handler = (_r, res) => text(res, 'parse error at line 1, col 6: syntax error: unexpected $end', 400);
    const run = await runLogcli(['query', '{app=', '-q', '--addr', addr]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.log).toBe(
      'Error response from server: parse error at line 1, col 6: syntax error: unexpected $end (<nil>) attempts remaining: 0\nQuery failed: run out of attempts while querying the server\n',
    );
  });

  it('reports a refused connection as Go does', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runLogcli(['labels', '-q', '--addr', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.log.replace(/(start|end)=\d{19}/g, '$1=NS')).toBe(
      `error sending request Get "http://127.0.0.1:${port}/loki/api/v1/labels?end=NS&start=NS": dial tcp 127.0.0.1:${port}: connect: connection refused\n` +
        'Error doing request: run out of attempts while querying the server\n',
    );
  });

  it('aborts a request after --query-timeout', async () => {
    handler = (_r, res) => setTimeout(() => json(res, { status: 'success' }), 1500);
    const run = await runLogcli(['labels', '-q', '--addr', addr, '--query-timeout', '200ms']);
    expect(run.code).toBe(1);
    expect(run.log).toMatch(/^error sending request Get "http:\/\/127\.0\.0\.1:\d+\/loki\/api\/v1\/labels\?end=\d+&start=\d+": context deadline exceeded \(Client\.Timeout exceeded while awaiting headers\)\n/);
  });

  it('rejects a --from that is not RFC3339 with the Go parse error', async () => {
    const run = await runLogcli(['query', '{app="x"}', '--from', '2022-12-24 00:00', '--addr', addr]);
    expect(run.code).toBe(1);
    expect(run.log).toBe(
      'Unable to parse time parsing time "2022-12-24 00:00" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse " 00:00" as "T"\n',
    );
    expect(requests).toHaveLength(0);
  });

  it('rejects unknown output modes and bad durations like kingpin', async () => {
    const bad = await runLogcli(['query', '{app="x"}', '--since', '1d', '--addr', addr]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('time: invalid duration "1d"');
    const mode = await runLogcli(['-o', 'xml', 'query', '{app="x"}', '--addr', addr]);
    expect(mode.code).toBe(1);
    expect(mode.stderr.startsWith('logcli: error: ')).toBe(true);
    expect(requests).toHaveLength(0);
  });

  it('asks for a build when dist/ is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logcli-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync('bin/logcli', join(dir, 'bin', 'logcli'));
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      const r = spawnSync(process.execPath, [join(dir, 'bin', 'logcli'), 'labels'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe('logcli: the built CLI (dist/src/cli/main.js) is missing; run `npm run build` first\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
