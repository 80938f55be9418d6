// `logcli query --tail` against a websocket stub speaking Loki's tail protocol: the upgrade request,
// frames, dropped entries, reconnection from the last timestamp, close codes, a refused upgrade.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { runLogcli } from './run-logcli.js';

interface Connection {
  ws: WebSocket;
  path: string;
  params: URLSearchParams;
  headers: IncomingMessage['headers'];
}

let http: Server;
let wss: WebSocketServer;
let addr = '';
let connections: Connection[] = [];
let onConnection: (c: Connection, index: number) => void = () => undefined;
let rejectUpgrade: string | undefined;

const frame = (stream: Record<string, string>, values: [string, string][], dropped?: { labels: Record<string, string>; timestamp: string }[]): string =>
  JSON.stringify({ streams: [{ stream, values }], ...(dropped ? { dropped_entries: dropped } : {}) });

beforeAll(async () => {
  http = createServer();
  wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (rejectUpgrade !== undefined) {
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(rejectUpgrade)}\r\n\r\n${rejectUpgrade}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const c = { ws, path: url.pathname, params: url.searchParams, headers: req.headers };
      connections.push(c);
      onConnection(c, connections.length - 1);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  addr = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

beforeEach(() => {
  connections = [];
  rejectUpgrade = undefined;
  onConnection = () => undefined;
});

describe('logcli query --tail', () => {
  it('dials ws:// with query, limit, start and delay_for, sends logcli headers and prints each entry', async () => {
    onConnection = ({ ws }) => {
      ws.send(frame({ app: 'x', pod: 'p1' }, [['1671840000000000000', 'first line']]));
      ws.send(frame({ app: 'x', pod: 'p22' }, [['1671840001500000000', '  second line  ']]), () => ws.close(1000));
    };
    const before = BigInt(Date.now()) * 1_000_000n;
    const run = await runLogcli(['query', '{app="x"}', '--tail', '--delay-for', '2', '--limit', '5', '--since', '10m', '--org-id', 'team-1', '--addr', addr]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('2022-12-24T00:00:00Z {app="x", pod="p1"} first line\n2022-12-24T00:00:01Z {app="x", pod="p22"} second line\n');
    const c = connections[0];
    expect(c.path).toBe('/loki/api/v1/tail');
    expect([...c.params.keys()]).toEqual(['delay_for', 'limit', 'query', 'start']);
    expect(c.params.get('delay_for')).toBe('2');
    expect(c.params.get('limit')).toBe('5');
    expect(c.params.get('query')).toBe('{app="x"}');
    const start = BigInt(c.params.get('start')!);
    expect(start >= before - 600_000_000_000n && start < before - 590_000_000_000n).toBe(true);
    expect(c.headers['user-agent']).toBe('loki-logcli/3.7.6');
    expect(c.headers['x-scope-orgid']).toBe('team-1');
    const log = run.log.split('\n');
    expect(log[0]).toBe(`ws://127.0.0.1:${new URL(addr).port}/loki/api/v1/tail?delay_for=2&limit=5&query=%7Bapp%3D%22x%22%7D&start=${start}`);
    expect(log.slice(1)).toEqual(['Error reading stream: websocket: close 1000 (normal)', '']);
  });

  it('runs the -f form quietly in raw mode until interrupted', async () => {
    onConnection = ({ ws }) => {
      ws.send(frame({ service: 'k8s/backend-service' }, [['1671840000000000000', 'WARNING disk almost full']]));
    };
    const run = await runLogcli(['query', '{service="k8s/backend-service"}', '-q', '-o', 'raw', '-f', '--addr', addr], {
      interruptAfter: (stdout) => stdout.includes('\n'),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('WARNING disk almost full\n');
    expect(run.stderr).toBe('');
    expect(connections[0].params.has('delay_for')).toBe(false);
    expect(connections[0].params.get('limit')).toBe('30');
  });

  it('warns about entries the server dropped for a slow client', async () => {
    onConnection = ({ ws }) => {
      const dropped = [{ labels: { app: 'x' }, timestamp: '1671840000000000001' }];
      ws.send(frame({ app: 'x' }, [['1671840000000000002', 'kept']], dropped), () => ws.close(1000));
    };
    const run = await runLogcli(['query', '{app="x"}', '--tail', '-q', '-o', 'jsonl', '--addr', addr]);
    expect(run.stdout).toBe('{"labels":{"app":"x"},"line":"kept","timestamp":"2022-12-24T00:00:00.000000002Z"}\n');
    expect(run.log).toBe(
      'Server dropped following entries due to slow client\n2022-12-24 00:00:00.000000001 +0000 UTC {app="x"}\nError reading stream: websocket: close 1000 (normal)\n',
    );
  });

  it('reconnects after an abnormal close, starting from the last received timestamp', async () => {
    onConnection = ({ ws }, i) => {
      if (i === 0) ws.send(frame({ app: 'x' }, [['1671840000000000007', 'before the break']]), () => ws.terminate());
      else ws.send(frame({ app: 'x' }, [['1671840000000000008', 'after the break']]), () => ws.close(1000));
    };
    const run = await runLogcli(['query', '{app="x"}', '--tail', '-q', '-o', 'raw', '--addr', addr]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('before the break\nafter the break\n');
    expect(connections).toHaveLength(2);
    expect(connections[1].params.get('start')).toBe('1671840000000000007');
    expect(run.log).toBe(
      'Remote websocket connection closed unexpectedly (websocket: close 1006 (abnormal closure): unexpected EOF). Connecting again.\n' +
        'Error reading stream: websocket: close 1000 (normal)\n',
    );
  });

  it("reports the server's close reason", async () => {
    onConnection = ({ ws }) => ws.close(1011, 'reached tail max duration limit');
    const run = await runLogcli(['query', '{app="x"}', '--tail', '-q', '--addr', addr]);
    expect(run.log).toBe('Error reading stream: websocket: close 1011 (internal server error): reached tail max duration limit\n');
  });

  it('filters labels with --include-label and --exclude-label', async () => {
    onConnection = ({ ws }) => ws.send(frame({ app: 'x', pod: 'p1', env: 'prod' }, [['1671840000000000000', 'line']]), () => ws.close(1000));
    const include = await runLogcli(['query', '{app="x"}', '--tail', '-q', '--include-label', 'pod', '--addr', addr]);
    expect(include.stdout).toBe('2022-12-24T00:00:00Z {pod="p1"} line\n');
    const exclude = await runLogcli(['query', '{app="x"}', '--tail', '-q', '--exclude-label', 'pod', '--addr', addr]);
    expect(exclude.stdout).toBe('2022-12-24T00:00:00Z {app="x", env="prod"} line\n');
  });

  it('fails with the server message when the upgrade is refused', async () => {
    rejectUpgrade = "delay_for can't be greater than 5";
    const run = await runLogcli(['query', '{app="x"}', '--tail', '--delay-for', '9', '-q', '--addr', addr]);
    expect(run.code).toBe(1);
    expect(run.log).toBe("Tailing logs failed: Error response from server: delay_for can't be greater than 5 (websocket: bad handshake)\n");
  });
});
