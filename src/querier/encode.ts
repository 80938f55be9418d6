// Loki's JSON response bodies, byte for byte: envelopes, streams (optionally categorized),
// matrix/vector/scalar, label lists, series, and the stats object. Pure string building.
import type { Labels } from '../model/index.js';
import { labelsString } from '../model/labels.js';
import type { QueryStats } from '../model/stats.js';
import type { QueryResult, ResultStream } from '../logql/engine/index.js';
import { formatSampleValue } from '../logql/engine/index.js';

const HTML_ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A JSON string as Go's encoder writes it (HTML-safe escaping of < > & and U+2028/9). */
export function jsonString(s: string): string {
  const j = JSON.stringify(s);
  return /[<>&\u2028\u2029]/.test(j) ? j.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c]) : j;
}

export function labelsObject(ls: Labels): string {
  let out = '{';
  for (let i = 0; i < ls.length; i++) {
    if (i) out += ',';
    out += jsonString(ls[i].name) + ':' + jsonString(ls[i].value);
  }
  return out + '}';
}

/** Prometheus model.Time as a JSON number of seconds with up to 3 decimals. */
export function promTime(ms: number): string {
  const neg = ms < 0;
  const a = Math.abs(Math.trunc(ms));
  const secs = Math.floor(a / 1000);
  const frac = a % 1000;
  let s = String(secs);
  if (frac) s += '.' + String(frac).padStart(3, '0').replace(/0+$/, '');
  return (neg ? '-' : '') + s;
}

function streamEntries(s: ResultStream, categorized: boolean): string {
  const parts: string[] = new Array(s.entries.length);
  for (let i = 0; i < s.entries.length; i++) {
    const e = s.entries[i];
    let v = '["' + e.ts.toString() + '",' + jsonString(e.line);
    if (categorized) {
      const fields: string[] = [];
      if (e.structuredMetadata && e.structuredMetadata.length) fields.push('"structuredMetadata":' + labelsObject(e.structuredMetadata));
      if (e.parsed && e.parsed.length) fields.push('"parsed":' + labelsObject(e.parsed));
      v += ',{' + fields.join(',') + '}';
    }
    parts[i] = v + ']';
  }
  return parts.join(',');
}

export function encodeStreams(streams: readonly ResultStream[], categorized: boolean): string {
  return (
    '[' +
    streams.map((s) => '{"stream":' + labelsObject(s.labels) + ',"values":[' + streamEntries(s, categorized) + ']}').join(',') +
    ']'
  );
}

function sampleValue(ms: number, v: number): string {
  return '[' + promTime(ms) + ',"' + formatSampleValue(v) + '"]';
}

/**
 * The JSON time Loki's query frontend prints for a scalar result: it treats the scalar's
 * millisecond time as seconds, converts to ns in a wrapping int64 and back to ms, and prints that
 * number as is (time=4s prints 4000000; large times overflow). Reproduced because clients and
 * conformance checks compare bodies with Loki's byte for byte.
 */
export function lokiScalarTime(ms: number): string {
  return (BigInt.asIntN(64, BigInt(Math.trunc(ms)) * 1_000_000_000n) / 1_000_000n).toString();
}

export function encodeResultData(result: QueryResult, stats: string, categorized: boolean): string {
  switch (result.type) {
    case 'streams':
      return (
        '{"resultType":"streams",' +
        (categorized ? '"encodingFlags":["categorize-labels"],' : '') +
        '"result":' +
        encodeStreams(result.streams, categorized) +
        ',"stats":' +
        stats +
        '}'
      );
    case 'matrix':
      return (
        '{"resultType":"matrix","result":[' +
        result.series
          .map((s) => '{"metric":' + labelsObject(s.metric) + ',"values":[' + s.values.map(([ms, v]) => sampleValue(ms, v)).join(',') + ']}')
          .join(',') +
        '],"stats":' +
        stats +
        '}'
      );
    case 'vector':
      return (
        '{"resultType":"vector","result":[' +
        result.samples.map((s) => '{"metric":' + labelsObject(s.metric) + ',"value":' + sampleValue(s.ms, s.value) + '}').join(',') +
        '],"stats":' +
        stats +
        '}'
      );
    case 'scalar':
      return '{"resultType":"scalar","result":[' + lokiScalarTime(result.ms) + ',"' + formatSampleValue(result.value) + '"],"stats":' + stats + '}';
  }
}

/** The full query response; streams bodies end with a newline, Prometheus-style ones do not (as Loki). */
export function encodeQueryResponse(result: QueryResult, stats: string, categorized: boolean): string {
  const body = '{"status":"success","data":' + encodeResultData(result, stats, categorized) + '}';
  return result.type === 'streams' ? body + '\n' : body;
}

export function encodeStringList(values: readonly string[]): string {
  if (values.length === 0) return '{"status":"success"}\n';
  return '{"status":"success","data":[' + values.map(jsonString).join(',') + ']}\n';
}

export function encodeSeries(series: readonly Labels[]): string {
  return '{"status":"success","data":[' + series.map(labelsObject).join(',') + ']}\n';
}

/** Legacy /api/prom/query streams shape. */
export function encodeLegacyStreams(streams: readonly ResultStream[], stats: string, rfc3339: (ts: bigint) => string): string {
  return (
    '{"streams":[' +
    streams
      .map(
        (s) =>
          '{"labels":' +
          jsonString(labelsString(s.labels)) +
          ',"entries":[' +
          s.entries.map((e) => '{"ts":' + jsonString(rfc3339(e.ts)) + ',"line":' + jsonString(e.line) + '}').join(',') +
          ']}',
      )
      .join(',') +
    '],"stats":' +
    stats +
    '}\n'
  );
}

const CACHE_KEYS = ['chunk', 'index', 'result', 'statsResult', 'volumeResult', 'seriesResult', 'labelResult', 'instantMetricResult'];
const EMPTY_CACHE =
  '{"entriesFound":0,"entriesRequested":0,"entriesStored":0,"bytesReceived":0,"bytesSent":0,"requests":0,"downloadTime":0,"queryLengthServed":0}';

/** Loki's stats object with real counters from the query. */
export function encodeStats(stats: QueryStats, execSeconds: number, entriesReturned: number, splits = 1, shards = 1): string {
  const bytes = stats.totalBytes();
  const lines = stats.totalLines();
  const perSec = (n: number): number => (execSeconds > 0 ? Math.trunc(n / execSeconds) : 0);
  const summary = {
    bytesProcessedPerSecond: perSec(bytes),
    linesProcessedPerSecond: perSec(lines),
    totalBytesProcessed: bytes,
    totalLinesProcessed: lines,
    execTime: execSeconds,
    queueTime: stats.queueTimeNs / 1e9,
    subqueries: 0,
    totalEntriesReturned: entriesReturned,
    splits,
    shards,
    totalPostFilterLines: stats.store.chunk.postFilterLines + stats.ingester.store.chunk.postFilterLines,
    totalStructuredMetadataBytesProcessed: stats.totalStructuredMetadataBytes(),
  };
  const cache = '{' + CACHE_KEYS.map((k) => `"${k}":${EMPTY_CACHE}`).join(',') + '}';
  const index = `{"totalChunks":${stats.store.totalChunksRef},"postFilterChunks":${stats.store.totalChunksRef},"shardsDuration":0,"usedBloomFilters":false}`;
  return (
    '{"summary":' +
    JSON.stringify(summary) +
    ',"querier":{"store":' +
    JSON.stringify(stats.store) +
    '},"ingester":' +
    JSON.stringify(stats.ingester) +
    ',"cache":' +
    cache +
    ',"index":' +
    index +
    '}'
  );
}
