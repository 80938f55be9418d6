// logcli's HTTP client for Loki: requests exactly as logcli sends them (paths, Go-encoded parameters,
// headers, auth, dskit-backoff retries) and the tail websocket dial. Decodes answers; never prints.
import { readFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { posix } from 'node:path';
import WebSocket from 'ws';
import { goQuote, type Labels } from '../model/labels.js';
import { encodeGoQuery, formatFloatF } from './go-text.js';
import type { GoLogger } from './terminal.js';
import {
  decodeIndexStats,
  decodeQueryResponse,
  decodeSeries,
  decodeStringList,
  type IndexStats,
  type QueryResponse,
} from './wire.js';

/** The Loki release whose logcli this one mirrors; sent as `User-Agent: loki-logcli/<version>`. */
export const LOGCLI_VERSION = '3.7.6';
const USER_AGENT = `loki-logcli/${LOGCLI_VERSION}`;

const QUERY_PATH = '/loki/api/v1/query';
const QUERY_RANGE_PATH = '/loki/api/v1/query_range';
const LABELS_PATH = '/loki/api/v1/labels';
const SERIES_PATH = '/loki/api/v1/series';
const TAIL_PATH = '/loki/api/v1/tail';
const STATS_PATH = '/loki/api/v1/index/stats';
const VOLUME_PATH = '/loki/api/v1/index/volume';
const VOLUME_RANGE_PATH = '/loki/api/v1/index/volume_range';

export type Direction = 'FORWARD' | 'BACKWARD';

export interface ClientOptions {
  address: string;
  username: string;
  password: string;
  orgID: string;
  queryTags: string;
  noCache: boolean;
  bearerToken: string;
  bearerTokenFile: string;
  /** Extra attempts after the first failed one (logcli --retries). */
  retries: number;
  minBackoffSeconds: number;
  maxBackoffSeconds: number;
  authHeader: string;
  /** --header "Name: value" entries, sent on every request. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Abort a request after this many milliseconds; 0 waits forever. */
  queryTimeoutMs: number;
  tlsSkipVerify: boolean;
}

export interface VolumeRequest {
  query: string;
  start: bigint;
  end: bigint;
  limit: number;
  /** ns; 0 leaves the step out (instant volume). */
  step: bigint;
  targetLabels: readonly string[];
  aggregateByLabels: boolean;
  quiet: boolean;
}

/** A tail websocket being dialled: listen on `ws` right away, then await `opened`. */
export interface TailDial {
  ws: WebSocket;
  opened: Promise<void>;
}

/** A request failure as logcli reports it (the text after "Query failed: " and similar prefixes). */
export class RequestError extends Error {}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** dskit backoff: jittered exponential delays, at most maxRetries attempts (0 = unlimited). */
export class Backoff {
  private retries = 0;
  private nextMin: number;
  private nextMax: number;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly maxRetries: number,
  ) {
    this.nextMin = minMs;
    this.nextMax = Backoff.double(minMs, maxMs);
  }

  private static double(v: number, max: number): number {
    return v * 2 <= max ? v * 2 : max;
  }

  get numRetries(): number {
    return this.retries;
  }

  ongoing(): boolean {
    return this.maxRetries === 0 || this.retries < this.maxRetries;
  }

  /** Counts a retry and sleeps before it, unless that used up the attempts. */
  async wait(): Promise<void> {
    const delay = this.nextDelay();
    if (this.ongoing() && delay > 0) await sleep(delay);
  }

  /** dskit's Err(): why the loop stopped, or undefined when it may go on. */
  err(): string | undefined {
    return this.maxRetries !== 0 && this.retries >= this.maxRetries ? `terminated after ${this.retries} retries` : undefined;
  }

  private nextDelay(): number {
    this.retries++;
    if (this.nextMin >= this.nextMax) return this.nextMin;
    const delay = this.nextMin + Math.floor(Math.random() * (this.nextMax - this.nextMin));
    if (this.maxMs === 0 || this.nextMax < this.maxMs) {
      this.nextMin = Backoff.double(this.nextMin, this.maxMs);
      this.nextMax = Backoff.double(this.nextMax, this.maxMs);
    }
    return delay;
  }
}

/** Go's buildURL: the address' scheme and host, its path joined with the API path, the query. */
function buildURL(address: string, path: string, query: string): string {
  let u: URL;
  try {
    u = new URL(address);
  } catch {
    throw new RequestError(`parse ${goQuote(address)}: invalid URI for request`);
  }
  return `${u.protocol}//${u.host}${posix.join(u.pathname || '/', path)}${query ? '?' + query : ''}`;
}

/** The text Go's http client gives for a failed GET. */
function sendErrorText(url: string, e: unknown): string {
  const err = e as Error & { cause?: { code?: string; address?: string; port?: number; message?: string } };
  if (err.name === 'TimeoutError') return `Get ${goQuote(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
  const c = err.cause;
  if (c?.code === 'ECONNREFUSED' && c.address !== undefined) return `Get ${goQuote(url)}: dial tcp ${c.address}:${c.port}: connect: connection refused`;
  return `Get ${goQuote(url)}: ${c?.message ?? err.message}`;
}

export class LokiClient {
  constructor(
    private readonly o: ClientOptions,
    private readonly log: GoLogger,
  ) {}

  /** /loki/api/v1/query_range with limit, start/end (ns), upper-case direction, optional step/interval. */
  queryRange(query: string, limit: number, start: bigint, end: bigint, direction: Direction, step: bigint, interval: bigint, quiet: boolean): Promise<QueryResponse> {
    const params: [string, string][] = [
      ['query', query],
      ['limit', String(limit)],
      ['start', String(start)],
      ['end', String(end)],
      ['direction', direction],
    ];
    if (step !== 0n) params.push(['step', formatFloatF(Number(step) / 1e9)]);
    if (interval !== 0n) params.push(['interval', formatFloatF(Number(interval) / 1e9)]);
    return this.get(QUERY_RANGE_PATH, params, quiet, decodeQueryResponse);
  }

  /** /loki/api/v1/query at `time` (ns). */
  query(query: string, limit: number, time: bigint, direction: Direction, quiet: boolean): Promise<QueryResponse> {
    const params: [string, string][] = [
      ['query', query],
      ['limit', String(limit)],
      ['time', String(time)],
      ['direction', direction],
    ];
    return this.get(QUERY_PATH, params, quiet, decodeQueryResponse);
  }

  labelNames(quiet: boolean, start: bigint, end: bigint): Promise<string[]> {
    return this.get(LABELS_PATH, [['start', String(start)], ['end', String(end)]], quiet, decodeStringList);
  }

  labelValues(name: string, quiet: boolean, start: bigint, end: bigint): Promise<string[]> {
    const path = `/loki/api/v1/label/${encodeURIComponent(name)}/values`;
    return this.get(path, [['start', String(start)], ['end', String(end)]], quiet, decodeStringList);
  }

  /** /loki/api/v1/series with `match` (logcli's name, not `match[]`). */
  series(matchers: readonly string[], start: bigint, end: bigint, quiet: boolean): Promise<Labels[]> {
    const params: [string, string][] = [['start', String(start)], ['end', String(end)], ...matchers.map((m): [string, string] => ['match', m])];
    return this.get(SERIES_PATH, params, quiet, decodeSeries);
  }

  indexStats(query: string, start: bigint, end: bigint, quiet: boolean): Promise<IndexStats> {
    return this.get(STATS_PATH, [['start', String(start)], ['end', String(end)], ['query', query]], quiet, decodeIndexStats);
  }

  /** /index/volume or /index/volume_range; step is sent as whole seconds. */
  volume(v: VolumeRequest, range: boolean): Promise<QueryResponse> {
    const params: [string, string][] = [
      ['start', String(v.start)],
      ['end', String(v.end)],
      ['query', v.query],
      ['limit', String(v.limit)],
    ];
    if (v.step !== 0n) params.push(['step', String(v.step / 1_000_000_000n)]);
    if (v.targetLabels.length > 0) params.push(['targetLabels', v.targetLabels.join(',')]);
    if (v.aggregateByLabels) params.push(['aggregateBy', 'labels']);
    return this.get(range ? VOLUME_RANGE_PATH : VOLUME_PATH, params, v.quiet, decodeQueryResponse);
  }

  /**
   * Dials the tail websocket (ws:// from http://, wss:// from https://). The socket is returned at
   * once so the caller can listen before any frame arrives; `opened` settles with the handshake.
   */
  dialTail(query: string, delayForSeconds: number, limit: number, start: bigint, quiet: boolean): TailDial {
    const params: [string, string][] = [['query', query]];
    if (delayForSeconds !== 0) params.push(['delay_for', String(delayForSeconds)]);
    params.push(['limit', String(limit)], ['start', String(start)]);
    let url = buildURL(this.o.address, TAIL_PATH, encodeGoQuery(params));
    if (url.startsWith('http')) url = 'ws' + url.slice(4);
    if (!quiet) this.log.println(url);
    const ws = new WebSocket(url, { headers: this.requestHeaders(), rejectUnauthorized: !this.o.tlsSkipVerify });
    const opened = new Promise<void>((resolve, reject) => {
      const done = (): void => {
        ws.off('open', onOpen);
        ws.off('unexpected-response', onResponse);
        ws.off('error', onError);
      };
      const fail = (message: string): void => {
        done();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(new RequestError(message));
      };
      const onOpen = (): void => {
        done();
        resolve();
      };
      const onResponse = (_req: ClientRequest, res: IncomingMessage): void => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => fail(`Error response from server: ${Buffer.concat(chunks).toString('utf8')} (websocket: bad handshake)`));
        res.on('error', (e: Error) => fail(e.message));
      };
      const onError = (e: Error & { code?: string; address?: string; port?: number }): void =>
        fail(e.code === 'ECONNREFUSED' && e.address !== undefined ? `dial tcp ${e.address}:${e.port}: connect: connection refused` : e.message);
      ws.on('open', onOpen);
      ws.on('unexpected-response', onResponse);
      ws.on('error', onError);
    });
    return { ws, opened };
  }

  /** The headers logcli puts on every request (auth, tenant, tags, cache control, user agent). */
  requestHeaders(): Record<string, string> {
    const o = this.o;
    const h: Record<string, string> = {};
    const authHeader = o.authHeader || 'Authorization';
    if (o.username !== '' && o.password !== '') h[authHeader] = 'Basic ' + Buffer.from(`${o.username}:${o.password}`).toString('base64');
    h['User-Agent'] = USER_AGENT;
    if (o.orgID !== '') h['X-Scope-OrgID'] = o.orgID;
    if (o.noCache) h['Cache-Control'] = 'no-cache';
    if (o.queryTags !== '') h['X-Query-Tags'] = o.queryTags;
    if ((o.username !== '' || o.password !== '') && (o.bearerToken !== '' || o.bearerTokenFile !== ''))
      throw new RequestError('at most one of HTTP basic auth (username/password), bearer-token & bearer-token-file is allowed to be configured');
    if (o.bearerToken !== '' && o.bearerTokenFile !== '')
      throw new RequestError('at most one of the options bearer-token & bearer-token-file is allowed to be configured');
    if (o.bearerToken !== '') h[authHeader] = 'Bearer ' + o.bearerToken;
    if (o.bearerTokenFile !== '') {
      let token: string;
      try {
        token = readFileSync(o.bearerTokenFile, 'utf8').trim();
      } catch (e) {
        throw new RequestError(`unable to read authorization credentials file ${o.bearerTokenFile}: ${(e as Error).message}`);
      }
      h[authHeader] = 'Bearer ' + token;
    }
    for (const [name, value] of o.headers) h[name] = value;
    return h;
  }

  private async get<T>(path: string, params: ReadonlyArray<readonly [string, string]>, quiet: boolean, decode: (body: unknown) => T): Promise<T> {
    const url = buildURL(this.o.address, path, encodeGoQuery(params));
    if (!quiet) this.log.print(url);
    const headers = this.requestHeaders();
    const backoff = new Backoff(this.o.minBackoffSeconds * 1000, this.o.maxBackoffSeconds * 1000, this.o.retries + 1);
    while (backoff.ongoing()) {
      let res: Response;
      try {
        res = await fetch(url, { headers, signal: this.o.queryTimeoutMs > 0 ? AbortSignal.timeout(this.o.queryTimeoutMs) : undefined });
      } catch (e) {
        this.log.println('error sending request', sendErrorText(url, e));
        await backoff.wait();
        continue;
      }
      if (Math.floor(res.status / 100) !== 2) {
        const body = await res.text().catch(() => '');
        this.log.print(`Error response from server: ${body} (<nil>) attempts remaining: ${this.o.retries - backoff.numRetries}`);
        await backoff.wait();
        continue;
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (e) {
        throw new RequestError((e as Error).message);
      }
      return decode(json);
    }
    throw new RequestError('run out of attempts while querying the server');
  }
}
