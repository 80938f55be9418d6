// The JSON text frames a tail websocket sends: v1 (`streams` with one stream object per entry,
// `dropped_entries`, `encodingFlags`) and the legacy /api/prom/tail shape. Pure string building.
import type { ResultEntry } from '../../logql/engine/index.js';
import type { Labels, Nanos } from '../../model/index.js';
import { labelsString } from '../../model/labels.js';
import { formatRFC3339Nano } from '../../model/time.js';
import { encodeStreams, jsonString, labelsObject } from '../encode.js';

/** One tailed entry with the labels it is shown under (stream labels only when categorized). */
export interface TailItem {
  labels: Labels;
  entry: ResultEntry;
}

/** An entry a slow client missed: reported with its labels and timestamp. */
export interface DroppedEntry {
  labels: Labels;
  ts: Nanos;
}

/** marshal.EncodeTailResult: streams, then dropped_entries when any, then encodingFlags when requested. */
export function encodeTailFrame(items: readonly TailItem[], dropped: readonly DroppedEntry[], categorize: boolean): string {
  let out = '{"streams":' + encodeStreams(items.map((i) => ({ labels: i.labels, entries: [i.entry] })), categorize);
  if (dropped.length) {
    out +=
      ',"dropped_entries":[' +
      dropped.map((d) => `{"timestamp":"${d.ts}"` + (d.labels.length ? ',"labels":' + labelsObject(d.labels) : '') + '}').join(',') +
      ']';
  }
  if (categorize) out += ',"encodingFlags":["categorize-labels"]';
  return out + '}';
}

/** The legacy frame: Go's encoding of loghttp/legacy.TailResponse (RFC3339Nano times, labels strings). */
export function encodeLegacyTailFrame(items: readonly TailItem[], dropped: readonly DroppedEntry[]): string {
  const streams = items.map(
    (i) =>
      `{"labels":${jsonString(labelsString(i.labels))},"entries":[{"ts":${jsonString(formatRFC3339Nano(i.entry.ts))},"line":${jsonString(i.entry.line)}}]}`,
  );
  const droppedJSON = dropped.length
    ? '[' + dropped.map((d) => `{"Timestamp":${jsonString(formatRFC3339Nano(d.ts))},"Labels":${jsonString(labelsString(d.labels))}}`).join(',') + ']'
    : 'null';
  return `{"streams":[${streams.join(',')}],"dropped_entries":${droppedJSON}}\n`;
}
