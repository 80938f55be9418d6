// Decodes JSON push bodies the way Loki does: the v1 shape (`stream` + `values`, Loki's lenient
// jsonparser rules) and the legacy gogoproto shape of /api/prom/push. Pure; throws only JsonPushError.
import { goQuote, type Label } from '../model/labels.js';
import type { Entry } from '../model/entry.js';
import { parseRFC3339 } from '../model/time.js';
import { JsonSyntaxError, readJsonValue, type JsonNode } from './json-tree.js';
import type { PushPayload, PushStream } from './push-payload.js';
import { ZERO_TIME_UNIX_NANO } from './push-protobuf.js';

export class JsonPushError extends Error {}

// Loki's jsonparser error texts.
const MALFORMED_STRING = 'Value is not a string';
const MALFORMED_ARRAY = "Value is array, but can't find closing ']' symbol";
const MALFORMED_OBJECT = "Value looks like object, but can't find closing '}' symbol";
const MALFORMED_VALUE = "Value looks like Number/Boolean/None, but can't find its end: ',' or '}' symbol";
const OVERFLOW_INTEGER = 'Value is number, but overflowed while parsing';

const V1_STREAMS = 'loghttp.PushRequest.Streams: []loghttp.LogProtoStream: ';
const LEGACY_STREAMS = 'push.PushRequest.Streams: []push.Stream: ';
const LEGACY_ENTRIES = `${LEGACY_STREAMS}push.Stream.Entries: []push.Entry: `;

const INT64_MAX = (1n << 63n) - 1n;

/** json-iterator's error suffix: where in the text the decoder stood when it failed. */
function located(text: string, head: number, operation: string, detail: string): string {
  const peekStart = Math.max(0, head - 10);
  const peek = text.slice(peekStart, Math.min(text.length, head + 10));
  const context = text.slice(Math.max(0, head - 50), Math.min(text.length, head + 50));
  return `${operation}: ${detail}, error found in #${head - peekStart} byte of ...|${peek}|..., bigger context ...|${context}|...`;
}

function readRoot(text: string): JsonNode | undefined {
  try {
    return readJsonValue(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw new JsonPushError(located(text, err.offset, err.operation, err.detail));
    throw err;
  }
}

/** The members of the top-level object named `streams` in any letter case, as Go's decoder matches them. */
function streamsArray(text: string, root: JsonNode | undefined, prefix: string): JsonNode[] {
  if (root === undefined) throw new JsonPushError('EOF');
  if (root.kind === 'null') return [];
  if (root.kind !== 'object')
    throw new JsonPushError(located(text, root.start + 1, 'readObjectStart', `expect { or n, but found ${text[root.start]}`));
  let items: JsonNode[] = [];
  for (const { key, value } of root.members) {
    if (key.toLowerCase() !== 'streams') continue;
    if (value.kind === 'null') items = [];
    else if (value.kind === 'array') items = value.items;
    else
      throw new JsonPushError(
        prefix + located(text, value.start + 1, 'decode slice', `expect [ or n, but found ${text[value.start]}`),
      );
  }
  return items;
}

/** Decodes `{"streams":[{"stream":{...},"values":[["<ns>","<line>",{...}?],...]}]}`. */
export function decodePushJsonV1(text: string): PushPayload {
  const items = streamsArray(text, readRoot(text), V1_STREAMS);
  const streams: PushStream[] = [];
  for (const item of items) {
    const failure = v1Stream(text, item, streams);
    if (failure !== undefined) throw new JsonPushError(V1_STREAMS + located(text, item.end, 'unmarshalerDecoder', failure));
  }
  return { streams };
}

/** Appends the stream to `out`, or returns Loki's jsonparser error text. */
function v1Stream(text: string, node: JsonNode, out: PushStream[]): string | undefined {
  if (node.kind !== 'object') return MALFORMED_OBJECT;
  let labels = '';
  let entries: Entry[] = [];
  for (const { key, value } of node.members) {
    if (key === 'stream') {
      if (value.kind !== 'object') return MALFORMED_OBJECT;
      const set = new Map<string, string>();
      for (const member of value.members) {
        const v = member.value;
        set.set(member.key, v.kind === 'string' ? v.value : text.slice(v.start, v.end));
      }
      labels = labelSetString(set);
    } else if (key === 'values') {
      if (value.kind === 'null') continue;
      if (value.kind !== 'array') return MALFORMED_ARRAY;
      entries = [];
      for (const item of value.items) {
        if (item.kind === 'null') continue;
        const entry = v1Entry(item);
        if (typeof entry === 'string') return entry;
        entries.push(entry);
      }
    }
  }
  out.push({ labels, entries });
  return undefined;
}

/** Loki's loghttp LabelSet.String(): sorted names, Go-quoted values. */
function labelSetString(set: Map<string, string>): string {
  const names = [...set.keys()].sort();
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ', ';
    out += names[i] + '=' + goQuote(set.get(names[i])!);
  }
  return out + '}';
}

/**
 * One `["<ns>", "<line>", {metadata}]` value, or the error text. Mirrors Loki's quirks: an element of
 * the wrong type does not advance the position, and metadata values are kept as written (unescaped).
 */
function v1Entry(node: JsonNode): Entry | string {
  if (node.kind !== 'array') return MALFORMED_ARRAY;
  let failure: string | undefined;
  let index = 0;
  let ts = 0n;
  let line = '';
  let metadata: Label[] | undefined;
  for (const item of node.items) {
    if ((index === 0 || index === 1) && item.kind !== 'string') {
      failure = MALFORMED_STRING;
      continue;
    }
    if (index === 2 && item.kind !== 'object') {
      failure = MALFORMED_OBJECT;
      continue;
    }
    if (index === 0 && item.kind === 'string') {
      const parsed = parseGoInt(item.raw);
      if (typeof parsed === 'string') {
        failure = parsed;
        continue;
      }
      ts = parsed;
    } else if (index === 1 && item.kind === 'string') {
      line = item.value;
    } else if (index === 2 && item.kind === 'object') {
      const pairs: Label[] = [];
      let bad = false;
      for (const member of item.members) {
        if (member.value.kind !== 'string') {
          bad = true;
          break;
        }
        pairs.push({ name: member.key, value: member.value.raw });
      }
      if (bad) {
        failure = MALFORMED_STRING;
        continue;
      }
      if (pairs.length > 0) metadata = pairs;
    }
    index++;
  }
  if (failure !== undefined) return failure;
  return { ts, line, metadata };
}

/** jsonparser.ParseInt on a string's raw text: optional '-', digits only, int64 range. */
function parseGoInt(raw: string): bigint | string {
  const negative = raw.startsWith('-');
  const digits = negative ? raw.slice(1) : raw;
  if (raw.length === 0 || !/^[0-9]*$/.test(digits)) return MALFORMED_VALUE;
  if (digits.length === 0) return 0n;
  const magnitude = BigInt(digits);
  if (magnitude > INT64_MAX + (negative ? 1n : 0n)) return OVERFLOW_INTEGER;
  return negative ? -magnitude : magnitude;
}

/** Decodes the legacy body of /api/prom/push: `{"streams":[{"labels":"{...}","entries":[{"ts":"<RFC3339>","line":"..."}]}]}`. */
export function decodePushJsonLegacy(text: string): PushPayload {
  const items = streamsArray(text, readRoot(text), LEGACY_STREAMS);
  const streams: PushStream[] = [];
  for (const item of items) streams.push(legacyStream(text, item));
  return { streams };
}

function legacyStream(text: string, node: JsonNode): PushStream {
  const stream: PushStream = { labels: '', entries: [] };
  if (node.kind === 'null') return stream;
  if (node.kind !== 'object')
    throw new JsonPushError(LEGACY_STREAMS + located(text, node.start + 1, 'readObjectStart', `expect { or n, but found ${text[node.start]}`));
  for (const { key, value } of node.members) {
    const field = key.toLowerCase();
    if (field === 'labels') {
      if (value.kind === 'string') stream.labels = value.value;
      else if (value.kind === 'null') stream.labels = '';
      else
        throw new JsonPushError(
          `${LEGACY_STREAMS}push.Stream.Labels: ` +
            located(text, value.start + 1, 'ReadString', `expects " or n, but found ${text[value.start]}`),
        );
    } else if (field === 'entries') {
      if (value.kind === 'null') stream.entries = [];
      else if (value.kind === 'array') stream.entries = value.items.map((item) => legacyEntry(text, item));
      else
        throw new JsonPushError(
          `${LEGACY_STREAMS}push.Stream.Entries: []push.Entry: ` +
            located(text, value.start + 1, 'decode slice', `expect [ or n, but found ${text[value.start]}`),
        );
    }
  }
  return stream;
}

function legacyEntry(text: string, node: JsonNode): Entry {
  const entry: Entry = { ts: ZERO_TIME_UNIX_NANO, line: '', metadata: undefined };
  if (node.kind === 'null') return entry;
  if (node.kind !== 'object')
    throw new JsonPushError(LEGACY_ENTRIES + located(text, node.start + 1, 'readObjectStart', `expect { or n, but found ${text[node.start]}`));
  for (const { key, value } of node.members) {
    const field = key.toLowerCase();
    if (field === 'ts') {
      if (value.kind === 'null') continue;
      const failure =
        value.kind !== 'string'
          ? 'Time.UnmarshalJSON: input is not a JSON string'
          : `parsing time ${goQuote(value.raw)} as "2006-01-02T15:04:05Z07:00": cannot parse ${goQuote(value.raw)} as "2006"`;
      const ns = value.kind === 'string' ? parseRFC3339(value.raw) : undefined;
      if (ns === undefined)
        throw new JsonPushError(`${LEGACY_ENTRIES}push.Entry.Timestamp: ` + located(text, value.end, 'unmarshalerDecoder', failure));
      entry.ts = BigInt.asIntN(64, ns);
    } else if (field === 'line') {
      if (value.kind === 'string') entry.line = value.value;
      else if (value.kind === 'null') entry.line = '';
      else
        throw new JsonPushError(
          `${LEGACY_ENTRIES}push.Entry.Line: ` + located(text, value.start + 1, 'ReadString', `expects " or n, but found ${text[value.start]}`),
        );
    } else if (field === 'structuredmetadata') {
      entry.metadata = legacyMetadata(text, value);
    }
  }
  return entry;
}

function legacyMetadata(text: string, node: JsonNode): Label[] | undefined {
  const fail = (what: string): never => {
    throw new JsonPushError(`${LEGACY_ENTRIES}push.Entry.StructuredMetadata: ` + located(text, node.end, 'unmarshalerDecoder', what));
  };
  if (node.kind === 'null') return undefined;
  if (node.kind !== 'object') return fail(`json: cannot unmarshal ${goJsonKind(node)} into Go value of type map[string]string`);
  const byName = new Map<string, string>();
  for (const { key, value } of node.members) {
    if (value.kind === 'null') continue;
    if (value.kind !== 'string') return fail(`json: cannot unmarshal ${goJsonKind(value)} into Go value of type string`);
    byName.set(key, value.value);
  }
  if (byName.size === 0) return undefined;
  return [...byName.keys()].sort().map((name) => ({ name, value: byName.get(name)! }));
}

function goJsonKind(node: JsonNode): string {
  switch (node.kind) {
    case 'true':
    case 'false':
      return 'bool';
    default:
      return node.kind;
  }
}
