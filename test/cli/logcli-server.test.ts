// bin/logcli against the real server: the user's command lines verbatim, every subcommand, paging over
// batch boundaries full of equal timestamps both ways, tail, and server errors passed through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, pushJSON } from '../support/client.js';
import { DEFAULT_TEST_CONFIG, startServer, type ServerProcess } from '../support/server.js';
import { runLogcli } from './run-logcli.js';

const MS = 1_000_000n;
const NOW_MS = Date.now();
const ns = (ms: number): bigint => BigInt(ms) * MS;
const iso = (t: bigint): string => new Date(Number(t / MS)).toISOString().replace(/\.\d{3}Z$/, 'Z');

// Recent backend logs: 60 entries 10s apart, ending 10 minutes ago.
const RECENT_BASE = NOW_MS - 20 * 60_000;
const recentLine = (i: number): string =>
  i % 7 === 0 ? `ERROR upstream timeout request_id=${i}` : i % 5 === 0 ? `WARNING slow response request_id=${i}` : `INFO request handled request_id=${i}`;
const recent = Array.from({ length: 60 }, (_, i) => ({ ts: ns(RECENT_BASE + i * 10_000), line: recentLine(i) }));

// Frontend logs: three entries inside one whole minute.
const FRONT_MINUTE = Math.floor((NOW_MS - 30 * 60_000) / 60_000) * 60_000;
const frontend = [10, 20, 30].map((s) => ({ ts: ns(FRONT_MINUTE + s * 1000), line: `GET /index.html 200 after ${s}s` }));

// The night of 2022-12-24: every 5 minutes from 23:00 the day before until 03:00.
const OLD_BASE = Date.UTC(2022, 11, 23, 23, 0, 0);
const oldLine = (i: number): string => (i % 4 === 0 ? `ERROR db connection lost id=${i}` : i % 4 === 1 ? `WARNING cache miss id=${i}` : `INFO ok id=${i}`);
const old = Array.from({ length: 49 }, (_, i) => ({ ts: ns(OLD_BASE + i * 300_000), line: oldLine(i) }));

// Paging data: two streams, 150 entries each, 5 entries of each stream on every millisecond step.
const PAGE_BASE = NOW_MS - 40 * 60_000;
const pageTs = (group: number): bigint => ns(PAGE_BASE + group);
const paging = ['a', 'b'].map((shard) => ({
  shard,
  entries: Array.from({ length: 150 }, (_, i) => ({ ts: pageTs(Math.floor(i / 5)), line: `page ${shard} ${i} group=${Math.floor(i / 5)}` })),
}));
const groupOf = (line: string): number => Number(/group=(\d+)/.exec(line)![1]);

const values = (es: { ts: bigint; line: string }[]): [string, string][] => es.map((e) => [e.ts.toString(), e.line]);

let srv: ServerProcess;
let addr: string[];

beforeAll(async () => {
  srv = await startServer({ config: DEFAULT_TEST_CONFIG });
  addr = ['--addr', srv.url];
  const push = await pushJSON(srv.url, {
    streams: [
      { stream: { service: 'k8s/backend-service', pod: 'backend-old' }, values: values(old) },
      { stream: { service: 'k8s/backend-service', pod: 'backend-7d4f' }, values: values(recent) },
      { stream: { service: 'k8s/frontend', pod: 'frontend-1' }, values: values(frontend) },
      ...paging.map((p) => ({ stream: { service: 'paging', shard: p.shard }, values: values(p.entries) })),
    ],
  });
  expect(push.status).toBe(204);
  expect((await post(srv.url, '/flush')).status).toBe(204);
});

afterAll(async () => {
  await srv?.stop();
  srv?.cleanup();
});

describe("the user's notes, verbatim", () => {
  it('logcli labels', async () => {
    const run = await runLogcli(['labels', ...addr]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('pod\nservice\nservice_name\nshard\n');
    expect(run.log).toMatch(new RegExp(`^${srv.url}/loki/api/v1/labels\\?end=\\d{19}&start=\\d{19}\\n$`));
    const p = new URLSearchParams(run.log.trim().split('?')[1]);
    expect(BigInt(p.get('end')!) - BigInt(p.get('start')!)).toBe(3_600_000_000_000n);
  });

  it('logcli labels service', async () => {
    const run = await runLogcli(['labels', 'service', ...addr]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('k8s/backend-service\nk8s/frontend\npaging\n');
  });

  it(`logcli query '{service="k8s/backend-service"}' -q -o raw --limit 10`, async () => {
    const run = await runLogcli(['query', '{service="k8s/backend-service"}', '-q', '-o', 'raw', '--limit', '10', ...addr]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      recent
        .slice(-10)
        .reverse()
        .map((e) => e.line + '\n')
        .join(''),
    );
  });

  it(`logcli query '{service="k8s/backend-service"} |~ ".*WARNING.*|.*ERROR.*"' -q -o raw`, async () => {
    const run = await runLogcli(['query', '{service="k8s/backend-service"} |~ ".*WARNING.*|.*ERROR.*"', '-q', '-o', 'raw', ...addr]);
    expect(run.code).toBe(0);
    const expected = recent.filter((e) => /WARNING|ERROR/.test(e.line)).reverse();
    expect(expected).toHaveLength(19);
    expect(run.stdout).toBe(expected.map((e) => e.line + '\n').join(''));
  });

  it(`logcli query '{service="k8s/backend-service"}' -q --from="2022-12-24T00:00:00Z" --to="2022-12-24T02:00:00Z"`, async () => {
    const run = await runLogcli(['query', '{service="k8s/backend-service"}', '-q', '--from=2022-12-24T00:00:00Z', '--to=2022-12-24T02:00:00Z', ...addr]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const from = ns(Date.UTC(2022, 11, 24, 0, 0, 0));
    const to = ns(Date.UTC(2022, 11, 24, 2, 0, 0));
    const expected = old.filter((e) => e.ts >= from && e.ts < to).reverse();
    expect(expected).toHaveLength(24);
    // The label column: the server's stream labels minus those common to all streams, padded.
    const answer = await get(srv.url, '/loki/api/v1/query_range', { query: '{service="k8s/backend-service"}', start: from.toString(), end: to.toString(), limit: '30' });
    const streams = answer.json.data.result as { stream: Record<string, string>; values: [string, string][] }[];
    const common = Object.entries(streams[0].stream).filter(([k, v]) => streams.every((s) => s.stream[k] === v));
    const shown = (s: Record<string, string>): string =>
      '{' +
      Object.entries(s)
        .filter(([k]) => !common.some(([c]) => c === k))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ') +
      '}';
    const labelsOf = new Map<string, string>();
    for (const s of streams) for (const [, line] of s.values) labelsOf.set(line, shown(s.stream));
    const width = Math.max(...[...labelsOf.values()].map((l) => l.length));
    expect(run.stdout).toBe(expected.map((e) => `${iso(e.ts)} ${labelsOf.get(e.line)!.padEnd(width)} ${e.line}\n`).join(''));
    expect(run.stdout.split('\n')[0]).toMatch(/^2022-12-24T01:55:00Z \{.*\} +INFO ok id=35$/);
  });

  it(`logcli query '{service="k8s/backend-service"}' -q -o raw -f`, async () => {
    // History (the newest 30 entries of the last hour, oldest first), then an entry pushed live.
    const history = recent.slice(-30).map((e) => e.line);
    const live = 'ERROR live entry after the tail started';
    let pushed = false;
    const run = await runLogcli(['query', '{service="k8s/backend-service"}', '-q', '-o', 'raw', '-f', ...addr], {
      interruptAfter: (stdout) => {
        if (!pushed && stdout.split('\n').length > history.length) {
          pushed = true;
          void pushJSON(srv.url, { streams: [{ stream: { service: 'k8s/backend-service', pod: 'backend-7d4f' }, values: [[(BigInt(Date.now()) * MS).toString(), live]] }] });
        }
        return stdout.includes(live + '\n');
      },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe([...history, live].map((l) => l + '\n').join(''));
  });

  it('prints each request URL and common labels on stderr without -q, asking once more below the last entry', async () => {
    const run = await runLogcli(['query', '{service="k8s/backend-service"}', '--from=2022-12-24T00:00:00Z', '--to=2022-12-24T02:00:00Z', ...addr]);
    const query = 'query=%7Bservice%3D%22k8s%2Fbackend-service%22%7D&start=1671840000000000000';
    // 24 of 30 entries came back, so logcli asks for the 6 missing plus the 1 at the boundary,
    // gets only that repeat (the 00:00 ERROR line) and stops.
    expect(run.log.split('\n')).toEqual([
      `${srv.url}/loki/api/v1/query_range?direction=BACKWARD&end=1671847200000000000&limit=30&${query}`,
      'Common labels: {pod="backend-old", service="k8s/backend-service", service_name="k8s/backend-service"}',
      `${srv.url}/loki/api/v1/query_range?direction=BACKWARD&end=1671840000000000001&limit=7&${query}`,
      'Common labels: {detected_level="error", pod="backend-old", service="k8s/backend-service", service_name="k8s/backend-service"}',
      '',
    ]);
    expect(run.stdout.split('\n')).toHaveLength(25);
  });
});

describe('paging across batch boundaries shared by many entries', () => {
  const all = paging.flatMap((p) => p.entries);

  it('prints the newest 250 entries once each with --limit 250 --batch 100', async () => {
    const run = await runLogcli(['query', '{service="paging"}', '--limit', '250', '--batch', '100', '-o', 'raw', ...addr]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(250);
    expect(new Set(lines)).toEqual(new Set(all.filter((e) => groupOf(e.line) >= 5).map((e) => e.line)));
    for (let i = 1; i < lines.length; i++) expect(groupOf(lines[i])).toBeLessThanOrEqual(groupOf(lines[i - 1]));
    const requests = run.log
      .split('\n')
      .filter((l) => l.startsWith('http'))
      .map((l) => new URLSearchParams(l.split('?')[1]));
    expect(requests.map((p) => p.get('limit'))).toEqual(['100', '100', '70']);
    expect(requests.slice(1).map((p) => BigInt(p.get('end')!))).toEqual([pageTs(20) + 1n, pageTs(11) + 1n]);
    expect(requests.every((p) => p.get('direction') === 'BACKWARD')).toBe(true);
  });

  it('prints the oldest 250 entries once each with --forward', async () => {
    const run = await runLogcli(['query', '{service="paging"}', '--limit', '250', '--batch', '100', '--forward', '-o', 'raw', ...addr]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(250);
    expect(new Set(lines)).toEqual(new Set(all.filter((e) => groupOf(e.line) < 25).map((e) => e.line)));
    for (let i = 1; i < lines.length; i++) expect(groupOf(lines[i])).toBeGreaterThanOrEqual(groupOf(lines[i - 1]));
    const starts = run.log
      .split('\n')
      .filter((l) => l.startsWith('http'))
      .map((l) => BigInt(new URLSearchParams(l.split('?')[1]).get('start')!));
    expect(starts.slice(1)).toEqual([pageTs(9), pageTs(18)]);
  });

  it('fetches all 300 entries with --limit 0', async () => {
    const run = await runLogcli(['query', '{service="paging"}', '--limit', '0', '--batch', '64', '-q', '-o', 'raw', ...addr]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').slice(0, -1);
    expect(lines).toHaveLength(300);
    expect(new Set(lines)).toEqual(new Set(all.map((e) => e.line)));
  });

  it('stops with "Invalid batch size" when one timestamp fills a batch', async () => {
    const run = await runLogcli(['query', '{service="paging"}', '--limit', '50', '--batch', '8', '-q', '-o', 'raw', ...addr]);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').slice(0, -1).map(groupOf)).toEqual(Array(8).fill(29));
    expect(run.log).toBe(
      'Invalid batch size 8, the next query will have 8 overlapping entries (there will always be 1 overlapping entry but Loki allows multiple entries to have the same timestamp, so when a batch ends in this scenario the next query will include all the overlapping entries again).  Please increase your batch size to at least 9 to account for overlapping entryes\n',
    );
  });
});

describe('other commands', () => {
  it('lists the series in the window, with `match` as the parameter', async () => {
    const run = await runLogcli(['series', '{service=~"k8s/.*"}', ...addr]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').slice(0, -1).sort()).toEqual([
      '{pod="backend-7d4f", service="k8s/backend-service", service_name="k8s/backend-service"}',
      '{pod="frontend-1", service="k8s/frontend", service_name="k8s/frontend"}',
    ]);
    expect(run.log).toMatch(new RegExp(`^${srv.url}/loki/api/v1/series\\?end=\\d{19}&match=%7Bservice%3D~%22k8s%2F\\.%2A%22%7D&start=\\d{19}\\n$`));
  });

  it('summarises series labels with --analyze-labels', async () => {
    const run = await runLogcli(['series', '{service=~".+"}', '--analyze-labels', '-q', ...addr]);
    expect(run.stdout).toBe(
      'Total Streams:  4\nUnique Labels:  4\n\n' +
        'Label Name    Unique Values  Found In Streams\n' +
        'service       3              4\n' +
        'service_name  3              4\n' +
        'pod           2              2\n' +
        'shard         2              2\n',
    );
  });

  it('prints the index stats the server reports', async () => {
    const range = { start: '1671836400000000000', end: '1671854400000000000' };
    const run = await runLogcli(['stats', '{service="k8s/backend-service"}', '--from', '2022-12-23T23:00:00Z', '--to', '2022-12-24T04:00:00Z', '-q', ...addr]);
    const s = (await get(srv.url, '/loki/api/v1/index/stats', { query: '{service="k8s/backend-service"}', ...range })).json;
    expect(run.code).toBe(0);
    expect(s.entries).toBe(49);
    expect(run.stdout).toMatch(new RegExp(`^\\{\\n  bytes: [0-9.]+k?B\\n  chunks: ${s.chunks}\\n  streams: ${s.streams}\\n  entries: 49\\n\\}\\n$`));
  });

  it('runs an instant metric query at --now', async () => {
    // A whole second after every pushed entry but before the one the tail test pushes live.
    const at = Math.floor(NOW_MS / 1000) * 1000;
    const run = await runLogcli(['instant-query', 'sum by (service) (count_over_time({service=~"k8s/.*"}[1h]))', '--now', new Date(at).toISOString(), '-q', ...addr]);
    expect(run.code).toBe(0);
    const samples = (JSON.parse(run.stdout) as { metric: { service: string }; value: [number, string] }[]).map((s) => [s.metric.service, s.value]);
    expect(samples.sort()).toEqual([
      ['k8s/backend-service', [at / 1000, '60']],
      ['k8s/frontend', [at / 1000, '3']],
    ]);
    expect(run.stdout.endsWith(']')).toBe(true);
  });

  it('prints a metric range query as an indented matrix', async () => {
    const run = await runLogcli([
      'query',
      'sum(count_over_time({service="k8s/frontend"}[1m]))',
      '--from',
      new Date(FRONT_MINUTE).toISOString(),
      '--to',
      new Date(FRONT_MINUTE + 120_000).toISOString(),
      '--step',
      '1m',
      '-q',
      ...addr,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`[\n  {\n    "metric": {},\n    "values": [\n      [\n        ${FRONT_MINUTE / 1000 + 60},\n        "3"\n      ]\n    ]\n  }\n]`);
  });

  it('prints volume and volume_range as the server answers them', async () => {
    const from = new Date(NOW_MS - 50 * 60_000).toISOString();
    const to = new Date(NOW_MS).toISOString();
    const params = { query: '{service=~"k8s/.*"}', start: (ns(NOW_MS - 50 * 60_000)).toString(), end: ns(NOW_MS).toString(), limit: '30' };
    const volume = await runLogcli(['volume', '{service=~"k8s/.*"}', '--from', from, '--to', to, '-q', ...addr]);
    const direct = (await get(srv.url, '/loki/api/v1/index/volume', params)).json;
    expect(volume.code).toBe(0);
    expect(JSON.parse(volume.stdout)).toEqual(direct.data.result);
    expect(direct.data.result.map((r: { metric: { service: string } }) => r.metric.service).sort()).toEqual(['k8s/backend-service', 'k8s/frontend']);

    const range = await runLogcli(['volume_range', '{service=~"k8s/.*"}', '--from', from, '--to', to, '--step', '10m', '--targetLabels', 'pod', '-q', ...addr]);
    const directRange = (await get(srv.url, '/loki/api/v1/index/volume_range', { ...params, step: '600', targetLabels: 'pod' })).json;
    expect(range.code).toBe(0);
    expect(JSON.parse(range.stdout)).toEqual(directRange.data.result);
    expect(directRange.data.result.map((r: { metric: { pod: string } }) => r.metric.pod).sort()).toEqual(['backend-7d4f', 'frontend-1']);
  });

  it('prints jsonl with nanosecond timestamps and the stream labels minus the common ones', async () => {
    const run = await runLogcli(['query', '{service="k8s/frontend"}', '-o', 'jsonl', '-q', ...addr]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { labels: Record<string, string>; line: string; timestamp: string });
    expect(lines.map((l) => [l.line, l.timestamp])).toEqual(
      [...frontend].reverse().map((e) => [e.line, new Date(Number(e.ts / MS)).toISOString().replace('.000Z', 'Z')]),
    );
    expect(run.stdout.split('\n')[0]).toMatch(/^\{"labels":\{.*\},"line":"GET \/index.html 200 after 30s","timestamp":"[0-9-]+T[0-9:]+Z"\}$/);
  });
});

describe('server errors', () => {
  it('exits 1 and prints the server message for a bad query', async () => {
    const query = '{service="k8s/backend-service"';
    const direct = await get(srv.url, '/loki/api/v1/query_range', { query });
    expect(direct.status).toBe(400);
    const run = await runLogcli(['query', query, '-q', ...addr]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.log).toBe(`Error response from server: ${direct.text} (<nil>) attempts remaining: 0\nQuery failed: run out of attempts while querying the server\n`);
    expect(direct.text).toMatch(/^parse error/);
  });

  it('exits 1 and prints the server message for a log query run as an instant query', async () => {
    const run = await runLogcli(['instant-query', '{service="k8s/frontend"}', '-q', ...addr]);
    expect(run.code).toBe(1);
    expect(run.log).toContain('Error response from server: log queries are not supported as an instant query type, please change your query to a range query type');
    expect(run.log.endsWith('Query failed: run out of attempts while querying the server\n')).toBe(true);
  });
});
