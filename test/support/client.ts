// A small Loki client for tests: pushes built the way Promtail builds them (protobuf + snappy
// block compression, Promtail's headers) or as JSON, and GET helpers for the query API.
import { gzipSync } from 'node:zlib';
import snappy from 'snappyjs';
// An independent protobuf encoder (hand-rolled), so tests do not reuse the decoder's own code.
import { encodePush } from '../fixtures/conformance/loki.mjs';

export interface PushStreamSpec {
  labels: string;
  entries: [ns: string, line: string, metadata?: Record<string, string>][];
}

export interface HttpResult {
  status: number;
  text: string;
  json: any;
  headers: Headers;
}

async function toResult(r: Response): Promise<HttpResult> {
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, text, json, headers: r.headers };
}

/** protobuf PushRequest, snappy block-compressed, with Promtail's headers. */
export async function pushProto(url: string, streams: PushStreamSpec[], headers: Record<string, string> = {}): Promise<HttpResult> {
  const body = Buffer.from(snappy.compress(encodePush(streams)));
  const r = await fetch(url + '/loki/api/v1/push', {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/x-protobuf', 'User-Agent': 'promtail/3.4.6', ...headers },
  });
  return toResult(r);
}

export async function pushJSON(
  url: string,
  payload: unknown,
  opts: { gzip?: boolean; headers?: Record<string, string>; path?: string } = {},
): Promise<HttpResult> {
  let body: Buffer = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...opts.headers };
  if (opts.gzip) {
    body = gzipSync(body);
    headers['Content-Encoding'] = 'gzip';
  }
  return toResult(await fetch(url + (opts.path ?? '/loki/api/v1/push'), { method: 'POST', body, headers }));
}

export async function get(url: string, path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<HttpResult> {
  const qs = new URLSearchParams(params).toString();
  return toResult(await fetch(url + path + (qs ? '?' + qs : ''), { headers }));
}

export async function post(url: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<HttpResult> {
  return toResult(await fetch(url + path, { method: 'POST', body, headers }));
}
