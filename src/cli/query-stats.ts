// --stats: the query statistics block logcli writes to stderr (Loki's stats.Result key/value list,
// tab-aligned as go-kit's logger through text/tabwriter). Pure: returns the text.
import { formatGoDuration } from '../model/time.js';
import { humanizeBytes } from './go-text.js';
import { layoutTable } from './tab-writer.js';

type Json = unknown;

function at(v: Json, path: readonly string[]): Json {
  let cur = v;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, Json>)[k];
  }
  return cur;
}

function num(v: Json, path: readonly string[]): number {
  const x = at(v, path);
  return typeof x === 'number' ? x : 0;
}

const int = (v: Json, path: readonly string[]): string => String(Math.trunc(num(v, path)));
const bytes = (v: Json, path: readonly string[]): string => humanizeBytes(Math.trunc(num(v, path)));
const nanosDuration = (v: Json, path: readonly string[]): string => formatGoDuration(BigInt(Math.trunc(num(v, path))));
const secondsDuration = (v: Json, path: readonly string[]): string => formatGoDuration(BigInt(Math.trunc(num(v, path) * 1e9)));

function storeRows(prefix: 'Ingester' | 'Querier', s: Json): [string, string][] {
  const base = prefix === 'Ingester' ? ['ingester', 'store'] : ['querier', 'store'];
  const chunk = [...base, 'chunk'];
  return [
    [`${prefix}.TotalChunksRef`, int(s, [...base, 'totalChunksRef'])],
    [`${prefix}.TotalChunksDownloaded`, int(s, [...base, 'totalChunksDownloaded'])],
    [`${prefix}.ChunksDownloadTime`, nanosDuration(s, [...base, 'chunksDownloadTime'])],
    [`${prefix}.ChunkRefsFetchTime`, nanosDuration(s, [...base, 'chunkRefsFetchTime'])],
    [`${prefix}.HeadChunkBytes`, bytes(s, [...chunk, 'headChunkBytes'])],
    [`${prefix}.HeadChunkLines`, int(s, [...chunk, 'headChunkLines'])],
    [`${prefix}.DecompressedBytes`, bytes(s, [...chunk, 'decompressedBytes'])],
    [`${prefix}.DecompressedLines`, int(s, [...chunk, 'decompressedLines'])],
    [`${prefix}.PostFilterLInes`, int(s, [...chunk, 'postFilterLines'])],
    [`${prefix}.CompressedBytes`, bytes(s, [...chunk, 'compressedBytes'])],
    [`${prefix}.TotalDuplicates`, int(s, [...chunk, 'totalDuplicates'])],
  ];
}

function cacheRows(s: Json, name: string, key: string, withDownloadTime: 'before' | 'after' | 'none'): [string, string][] {
  const p = ['cache', key];
  const rows: [string, string][] = [
    [`Cache.${name}.Requests`, int(s, [...p, 'requests'])],
    [`Cache.${name}.EntriesRequested`, int(s, [...p, 'entriesRequested'])],
    [`Cache.${name}.EntriesFound`, int(s, [...p, 'entriesFound'])],
    [`Cache.${name}.EntriesStored`, int(s, [...p, 'entriesStored'])],
    [`Cache.${name}.BytesSent`, bytes(s, [...p, 'bytesSent'])],
    [`Cache.${name}.BytesReceived`, bytes(s, [...p, 'bytesReceived'])],
  ];
  const download: [string, string] = [`Cache.${name}.DownloadTime`, nanosDuration(s, [...p, 'downloadTime'])];
  if (withDownloadTime === 'before') rows.unshift(download);
  if (withDownloadTime === 'after') rows.push(download);
  return rows;
}

/** The key/value pairs of Loki's stats.Result.KVList(), in its order and with its typos. */
function statsKeyValues(s: Json): [string, string][] {
  return [
    ['Ingester.TotalReached', int(s, ['ingester', 'totalReached'])],
    ['Ingester.TotalChunksMatched', int(s, ['ingester', 'totalChunksMatched'])],
    ['Ingester.TotalBatches', int(s, ['ingester', 'totalBatches'])],
    ['Ingester.TotalLinesSent', int(s, ['ingester', 'totalLinesSent'])],
    ...storeRows('Ingester', s),
    ...storeRows('Querier', s),
    ['Querier.QueryReferencedStructuredMetadata', String(at(s, ['querier', 'store', 'queryReferencedStructuredMetadata']) === true)],
    ...cacheRows(s, 'Chunk', 'chunk', 'after'),
    ...cacheRows(s, 'Index', 'index', 'after'),
    ...cacheRows(s, 'StatsResult', 'statsResult', 'none'),
    ...cacheRows(s, 'VolumeResult', 'volumeResult', 'none'),
    ...cacheRows(s, 'SeriesResult', 'seriesResult', 'none'),
    ...cacheRows(s, 'LabelResult', 'labelResult', 'none'),
    ...cacheRows(s, 'Result', 'result', 'before'),
    ...cacheRows(s, 'InstantMetricResult', 'instantMetricResult', 'after'),
    ['Summary.BytesProcessedPerSecond', bytes(s, ['summary', 'bytesProcessedPerSecond'])],
    ['Summary.LinesProcessedPerSecond', int(s, ['summary', 'linesProcessedPerSecond'])],
    ['Summary.TotalBytesProcessed', bytes(s, ['summary', 'totalBytesProcessed'])],
    ['Summary.TotalLinesProcessed', int(s, ['summary', 'totalLinesProcessed'])],
    ['Summary.PostFilterLines', int(s, ['summary', 'totalPostFilterLines'])],
    ['Summary.ExecTime', secondsDuration(s, ['summary', 'execTime'])],
    ['Summary.QueueTime', secondsDuration(s, ['summary', 'queueTime'])],
  ];
}

/** The stderr block: each line `<key> \t <value>`, keys padded with tabs to a common tab stop. */
export function formatStats(s: Json, paintKey: (k: string) => string): string {
  const rows = statsKeyValues(s).map(([k, v]) => [paintKey(k) + ' ', ' ' + v]);
  return layoutTable(rows, { minWidth: 0, tabWidth: 8, padding: 0, padChar: '\t' });
}
