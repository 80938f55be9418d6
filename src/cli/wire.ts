// Decoding of the Loki JSON answers logcli reads (query results, labels, series, index stats,
// tail frames) into typed values with exact nanosecond timestamps. Pure; no I/O.
import { labelsFromRecord, labelsString, type Labels } from '../model/labels.js';

export interface StreamEntry {
  readonly ts: bigint;
  readonly line: string;
}

export interface Stream {
  readonly labels: Labels;
  readonly entries: readonly StreamEntry[];
}

/** A sample as Prometheus' model keeps it: milliseconds and a float. */
export interface SamplePoint {
  readonly ms: number;
  readonly value: number;
}

export type ResultValue =
  | { readonly type: 'streams'; readonly streams: readonly Stream[] }
  | { readonly type: 'matrix'; readonly series: readonly { metric: Labels; values: SamplePoint[] }[] }
  | { readonly type: 'vector'; readonly samples: readonly { metric: Labels; point: SamplePoint }[] }
  | { readonly type: 'scalar'; readonly point: SamplePoint };

export interface QueryResponse {
  readonly result: ResultValue;
  /** The `stats` object as the server sent it (read by --stats). */
  readonly stats: unknown;
}

export interface IndexStats {
  readonly streams: number;
  readonly chunks: number;
  readonly bytes: number;
  readonly entries: number;
}

export interface DroppedEntry {
  readonly labels: Labels;
  readonly ts: bigint;
}

export interface TailFrame {
  readonly streams: readonly Stream[];
  readonly dropped: readonly DroppedEntry[];
}

class DecodeError extends Error {}

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function labelRecord(v: Json, what: string): Labels {
  if (v === undefined || v === null) return [];
  if (!isObject(v)) throw new DecodeError(`${what}: expected an object of labels`);
  const rec: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw new DecodeError(`${what}: label ${k} is not a string`);
    rec[k] = x;
  }
  return labelsFromRecord(rec);
}

function nanos(v: Json, what: string): bigint {
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw new DecodeError(`${what}: timestamp ${JSON.stringify(v)} is not an integer string`);
  return BigInt(v);
}

function streams(v: Json): Stream[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw new DecodeError('streams: expected an array');
  return v.map((s) => {
    if (!isObject(s)) throw new DecodeError('streams: expected stream objects');
    const values = s.values ?? [];
    if (!Array.isArray(values)) throw new DecodeError('streams: values is not an array');
    const entries = values.map((e) => {
      if (!Array.isArray(e) || typeof e[1] !== 'string') throw new DecodeError('streams: malformed entry');
      return { ts: nanos(e[0], 'streams'), line: e[1] };
    });
    return { labels: labelRecord(s.stream, 'stream'), entries };
  });
}

/** Prometheus model.Time from JSON seconds (number or string), kept in milliseconds. */
function sampleMillis(v: Json): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new DecodeError(`sample time ${JSON.stringify(v)} is not a number`);
  return Math.round(n * 1000);
}

/** Prometheus SampleValue from its JSON string ("1", "NaN", "+Inf"). */
function sampleValue(v: Json): number {
  if (typeof v !== 'string') throw new DecodeError(`sample value ${JSON.stringify(v)} is not a string`);
  if (v === '+Inf' || v === 'Inf' || v === '+inf' || v === 'inf') return Infinity;
  if (v === '-Inf' || v === '-inf') return -Infinity;
  if (v === 'NaN') return NaN;
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) throw new DecodeError(`sample value ${JSON.stringify(v)} is not a float`);
  return n;
}

function point(v: Json): SamplePoint {
  if (!Array.isArray(v) || v.length < 2) throw new DecodeError('sample: expected [time, "value"]');
  return { ms: sampleMillis(v[0]), value: sampleValue(v[1]) };
}

function resultValue(type: Json, result: Json): ResultValue {
  switch (type) {
    case 'streams':
      return { type, streams: streams(result) };
    case 'matrix': {
      const arr = result === null ? [] : result;
      if (!Array.isArray(arr)) throw new DecodeError('matrix: expected an array');
      return {
        type,
        series: arr.map((s) => {
          if (!isObject(s) || !Array.isArray(s.values ?? [])) throw new DecodeError('matrix: malformed series');
          return { metric: labelRecord(s.metric, 'metric'), values: ((s.values ?? []) as Json[]).map(point) };
        }),
      };
    }
    case 'vector': {
      const arr = result === null ? [] : result;
      if (!Array.isArray(arr)) throw new DecodeError('vector: expected an array');
      return {
        type,
        samples: arr.map((s) => {
          if (!isObject(s)) throw new DecodeError('vector: malformed sample');
          return { metric: labelRecord(s.metric, 'metric'), point: point(s.value) };
        }),
      };
    }
    case 'scalar':
      return { type, point: point(result) };
    default:
      throw new DecodeError(`unknown result type ${JSON.stringify(type)}`);
  }
}

/** A /query or /query_range (or /index/volume*) answer. */
export function decodeQueryResponse(body: Json): QueryResponse {
  if (!isObject(body) || !isObject(body.data)) throw new DecodeError('query response: missing data');
  return { result: resultValue(body.data.resultType, body.data.result ?? null), stats: body.data.stats };
}

/** /labels and /label/<name>/values: `data` may be absent when empty. */
export function decodeStringList(body: Json): string[] {
  if (!isObject(body)) throw new DecodeError('label response: expected an object');
  const data = body.data ?? [];
  if (!Array.isArray(data) || data.some((x) => typeof x !== 'string')) throw new DecodeError('label response: data is not a list of strings');
  return data as string[];
}

/** /series: a list of label sets, in the server's order. */
export function decodeSeries(body: Json): Labels[] {
  if (!isObject(body)) throw new DecodeError('series response: expected an object');
  const data = body.data ?? [];
  if (!Array.isArray(data)) throw new DecodeError('series response: data is not a list');
  return data.map((d) => labelRecord(d, 'series'));
}

/** /index/stats: a bare {streams, chunks, bytes, entries} object (missing fields are zero). */
export function decodeIndexStats(body: Json): IndexStats {
  if (!isObject(body)) throw new DecodeError('stats response: expected an object');
  const n = (k: string): number => (typeof body[k] === 'number' ? (body[k] as number) : 0);
  return { streams: n('streams'), chunks: n('chunks'), bytes: n('bytes'), entries: n('entries') };
}

/** One websocket text frame of /loki/api/v1/tail. */
export function decodeTailFrame(body: Json): TailFrame {
  if (!isObject(body)) throw new DecodeError('tail frame: expected an object');
  const dropped = body.dropped_entries ?? [];
  if (!Array.isArray(dropped)) throw new DecodeError('tail frame: dropped_entries is not a list');
  return {
    streams: streams(body.streams ?? []),
    dropped: dropped.map((d) => {
      if (!isObject(d)) throw new DecodeError('tail frame: malformed dropped entry');
      return { labels: labelRecord(d.labels, 'dropped entry'), ts: nanos(d.timestamp, 'dropped entry') };
    }),
  };
}

/** A stream's identity for de-duplication across batches. */
export function streamKey(labels: Labels): string {
  return labelsString(labels);
}
