// Log query results: merges the source's result streams by labels, drops exact duplicates, keeps the
// first `limit` entries across all streams in the query direction (honouring `interval`, as
// engine.go readStreams) and groups them into streams sorted by labels. No I/O beyond the source.
import type { LogSelectorExpr } from '../ast.js';
import type { LabelsResult, QuerySource } from '../contracts.js';
import { labelsString } from '../../model/index.js';
import type { Direction, Entry, Labels } from '../../model/index.js';
import { BinaryHeap } from './binary-heap.js';
import type { EngineDeps } from './context.js';
import { throwIfAborted } from './errors.js';
import { compareGoStrings } from './vector.js';

export interface ResultEntry {
  ts: bigint;
  line: string;
  structuredMetadata?: Labels;
  parsed?: Labels;
}

export interface ResultStream {
  labels: Labels;
  entries: ResultEntry[];
}

export interface LogQueryParams {
  start: bigint;
  end: bigint;
  direction: Direction;
  limit: number;
  interval: bigint;
  categorizeLabels: boolean;
}

/** All entries of one result stream (one labels key), in query direction once prepared. */
interface Bucket {
  labels: LabelsResult;
  entries: Entry[];
  ordered: boolean;
}

/** A bucket's next entry: `key` is Number(ts), whose order agrees with the timestamps' where keys differ. */
interface Cursor {
  bucket: Bucket;
  pos: number;
  key: number;
  rank: number;
}

export async function evalLogQuery(
  expr: LogSelectorExpr,
  params: LogQueryParams,
  source: QuerySource,
  deps: EngineDeps,
  signal?: AbortSignal,
): Promise<ResultStream[]> {
  const pipeline = deps.buildPipeline(expr.stages);
  const forward = params.direction === 'forward';
  const buckets = new Map<string, Bucket>();
  throwIfAborted(signal);
  const batches = source.selectLogs({
    selector: expr,
    matchers: expr.matchers,
    pipeline,
    start: params.start,
    end: params.end,
    direction: params.direction,
    limit: params.limit,
  });
  for await (const batch of batches) {
    throwIfAborted(signal);
    for (const stream of batch) {
      let bucket = buckets.get(stream.labels.key);
      if (!bucket) {
        bucket = { labels: stream.labels, entries: [], ordered: true };
        buckets.set(stream.labels.key, bucket);
      }
      appendInOrder(bucket, stream.entries, forward);
    }
  }

  const cursors: Cursor[] = [];
  for (const bucket of buckets.values()) {
    prepare(bucket, forward);
    if (bucket.entries.length > 0) cursors.push({ bucket, pos: 0, key: Number(bucket.entries[0].ts), rank: 0 });
  }
  // Equal timestamps go in label order: a bucket's rank among the others by labels key.
  cursors.sort((a, b) => compareGoStrings(a.bucket.labels.key, b.bucket.labels.key));
  for (let i = 0; i < cursors.length; i++) cursors[i].rank = i;
  // Numbers first, BigInt timestamps only when they round to the same number, then labels.
  const heap = new BinaryHeap<Cursor>((a, b) => {
    if (a.key !== b.key) return forward ? a.key < b.key : a.key > b.key;
    const ta = a.bucket.entries[a.pos].ts;
    const tb = b.bucket.entries[b.pos].ts;
    if (ta !== tb) return forward ? ta < tb : ta > tb;
    return a.rank < b.rank;
  });
  for (const c of cursors) heap.push(c);

  const out = new Map<string, ResultStream>();
  let emitted = 0;
  let last: bigint | undefined;
  while (emitted < params.limit && heap.size > 0) {
    const cursor = heap.peek();
    const entries = cursor.bucket.entries;
    const entry = entries[cursor.pos];
    if (++cursor.pos < entries.length) {
      cursor.key = Number(entries[cursor.pos].ts);
      heap.fixTop();
    } else heap.pop();
    if (!intervalAllows(entry.ts, last, params.interval, forward)) continue;
    emit(out, cursor.bucket.labels, entry, params.categorizeLabels);
    last = entry.ts;
    emitted++;
  }
  const streams = [...out.entries()];
  streams.sort((a, b) => compareGoStrings(a[0], b[0]));
  return streams.map(([, s]) => s);
}

function appendInOrder(bucket: Bucket, entries: readonly Entry[], forward: boolean): void {
  const target = bucket.entries;
  let last = target.length > 0 ? target[target.length - 1].ts : undefined;
  for (const e of entries) {
    if (last !== undefined && (forward ? e.ts < last : e.ts > last)) bucket.ordered = false;
    target.push(e);
    last = e.ts;
  }
}

/** Orders a bucket in query direction (stable) and drops entries repeating an earlier (ts, line). */
function prepare(bucket: Bucket, forward: boolean): void {
  if (!bucket.ordered) {
    bucket.entries.sort((a, b) => (a.ts === b.ts ? 0 : (a.ts < b.ts) === forward ? -1 : 1));
    bucket.ordered = true;
  }
  const entries = bucket.entries;
  let write = 0;
  let runStart = 0;
  for (let read = 0; read < entries.length; read++) {
    const e = entries[read];
    if (write > 0 && entries[write - 1].ts !== e.ts) runStart = write;
    let duplicate = false;
    for (let j = runStart; j < write; j++) {
      if (entries[j].line === e.line) {
        duplicate = true;
        break;
      }
    }
    if (!duplicate) entries[write++] = e;
  }
  entries.length = write;
}

/** engine.go readStreams: with an interval, forward takes ts ≥ last+interval, backward ts ≤ last−interval. */
function intervalAllows(ts: bigint, last: bigint | undefined, interval: bigint, forward: boolean): boolean {
  if (interval === 0n || last === undefined) return true;
  return forward ? ts >= last + interval : ts <= last - interval;
}

function emit(out: Map<string, ResultStream>, labels: LabelsResult, entry: Entry, categorize: boolean): void {
  const key = categorize ? labelsString(labels.stream) : labels.key;
  let stream = out.get(key);
  if (!stream) {
    stream = { labels: categorize ? labels.stream : labels.all, entries: [] };
    out.set(key, stream);
  }
  if (categorize) {
    stream.entries.push({
      ts: entry.ts,
      line: entry.line,
      structuredMetadata: labels.structuredMetadata,
      parsed: labels.parsed,
    });
  } else stream.entries.push({ ts: entry.ts, line: entry.line });
}
