// Validates a decoded push as Loki's distributor does: label parsing and service_name discovery
// (request-wide), then per-stream label limits and per-entry checks, keeping the valid entries.
// Pure: no I/O, no clock (the caller passes `now`); takes ownership of the payload's entries.
import type { Limits } from '../config/limits.js';
import { lineByteLength, sameLine, type Entry } from '../model/entry.js';
import { TooLargeError, UnprocessableError, ValidationError } from '../model/errors.js';
import { labelsString, parseLabels, sortLabels, type Label, type Labels } from '../model/labels.js';
import { formatRFC3339 } from '../model/time.js';
import { DEFAULT_LABELS_CACHE_BYTES, LabelsCaches, type TenantLabelsCache } from './labels-cache.js';
import { DETECTED_LEVEL, detectEntryLevel, levelField } from './log-level.js';
import * as messages from './push-errors.js';
import type { PushPayload } from './push-payload.js';

export interface ValidStream {
  labels: Labels;
  labelsString: string;
  entries: Entry[];
}

export interface PushValidation {
  streams: ValidStream[];
  /** Set when anything was rejected: all unique messages, grouped as Loki's GroupedErrors (400). */
  error?: ValidationError;
  /** Number of valid entries, and their line plus structured-metadata bytes (what rate limits count). */
  lineCount: number;
  byteSize: number;
}

const SERVICE_NAME = 'service_name';
const UNKNOWN_SERVICE = 'unknown_service';
/** Streams Loki writes for itself; they get no service_name and skip the label limits. */
const INTERNAL_STREAM_LABELS = ['__aggregated_metric__', '__pattern__'];
/** Prometheus' parser cannot hold a labels string past 16 MiB; Loki refuses it first. */
const MAX_STREAM_LABELS_SIZE = 1 << 24;

interface ParsedStream {
  labels: Labels;
  labelsString: string;
  internal: boolean;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** UTF-8 length > max, without measuring strings that are clearly shorter or longer. */
function longerThan(s: string, max: number): boolean {
  if (s.length > max) return true;
  if (s.length * 3 <= max) return false;
  return byteLength(s) > max;
}

/** go-humanize Bytes(): SI units, one decimal below 10 ("17 MB", "1.5 kB"). */
function humanBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const value = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${units[e]}`;
}

/** Request-wide step of Loki's push parser: every stream's labels must parse, else the whole push fails. */
function parseStream(raw: string, limits: Limits): ParsedStream {
  if (longerThan(raw, MAX_STREAM_LABELS_SIZE))
    throw new TooLargeError(messages.streamLabelsTooLarge(humanBytes(byteLength(raw)), humanBytes(MAX_STREAM_LABELS_SIZE)));
  let parsed: Labels;
  try {
    parsed = parseLabels(raw);
  } catch (err) {
    // A parser failure other than LabelParseError (say, an escape naming no code point) is still the client's.
    const detail = err instanceof Error ? err.message : String(err);
    throw new ValidationError(messages.unparsableLabels(detail));
  }
  // Empty values are the same as absent labels (Loki normalises them away before anything else).
  let labels: Labels = parsed.some((l) => l.value === '') ? parsed.filter((l) => l.value !== '') : parsed;
  const internal = labels.some((l) => INTERNAL_STREAM_LABELS.includes(l.name));
  const discover = limits.discover_service_name;
  if (!internal && discover.length > 0 && !labels.some((l) => l.name === SERVICE_NAME)) {
    let service = UNKNOWN_SERVICE;
    for (const name of discover) {
      const found = labels.find((l) => l.name === name);
      if (found !== undefined) {
        service = found.value;
        break;
      }
    }
    labels = sortLabels([...labels, { name: SERVICE_NAME, value: service }]);
  }
  return { labels, labelsString: labelsString(labels), internal };
}

/**
 * Parsed stream labels of one tenant by their text as pushed, so a stream seen before is neither parsed
 * nor printed again (and its labelsString is the very string the ingester's stream map already hashed).
 * Emptied when the tenant's service-name discovery changes; bounded by the budget all tenants share.
 */
export type StreamLabelsCache = TenantLabelsCache<ParsedStream>;
export type StreamLabelsCaches = LabelsCaches<ParsedStream>;

/** An object's header and a few fields, or a map slot. */
const OBJECT_COST = 48;

/** Estimated bytes a cached stream keeps alive: map slot, key, parsed object, labels array and strings (2 bytes a character). */
function parsedStreamCost(raw: string, parsed: ParsedStream): number {
  let cost = 3 * OBJECT_COST + 2 * raw.length + (parsed.labelsString === raw ? 0 : 2 * parsed.labelsString.length);
  cost += OBJECT_COST + 8 * parsed.labels.length;
  for (const l of parsed.labels) cost += OBJECT_COST + 2 * (l.name.length + l.value.length);
  return cost;
}

/** Stream label caches for all tenants within `maxBytes` (estimated) together. */
export function streamLabelsCaches(maxBytes = DEFAULT_LABELS_CACHE_BYTES): StreamLabelsCaches {
  return new LabelsCaches(maxBytes, parsedStreamCost);
}

/** A stream's labels parsed, through `cache` when given. */
function parseCached(raw: string, limits: Limits, cache: StreamLabelsCache | undefined): ParsedStream {
  if (cache === undefined) return parseStream(raw, limits);
  let parsed = cache.get(raw, limits.discover_service_name);
  if (parsed === undefined) {
    parsed = parseStream(raw, limits);
    cache.set(raw, parsed);
  }
  return parsed;
}

function labelsProblem(stream: ParsedStream, limits: Limits): string | undefined {
  const { labels, labelsString: shown } = stream;
  if (labels.length === 0) return messages.MISSING_LABELS;
  if (stream.internal) return undefined;
  // service_name is often added by Loki itself, so it does not count against the limit.
  const count = labels.some((l) => l.name === SERVICE_NAME) ? labels.length - 1 : labels.length;
  if (count > limits.max_label_names_per_series) return messages.tooManyLabels(shown, count, limits.max_label_names_per_series);
  let last = '';
  for (const l of labels) {
    if (longerThan(l.name, limits.max_label_name_length)) return messages.labelNameTooLong(shown, l.name);
    if (longerThan(l.value, limits.max_label_value_length)) return messages.labelValueTooLong(shown, l.value);
    if (l.name === last) return messages.duplicateLabelName(shown, l.name);
    last = l.name;
  }
  return undefined;
}

/** Cuts a line of more than `max` UTF-8 bytes to at most `max`, on a character boundary. */
function truncateLine(line: string, max: number): string {
  const bytes = Buffer.from(line, 'utf8');
  let end = max;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}

function metadataSize(metadata: readonly Label[] | undefined): number {
  if (metadata === undefined) return 0;
  let size = 0;
  for (const l of metadata) size += byteLength(l.name) + byteLength(l.value);
  return size;
}

const LEGAL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus' OTLP NormalizeLabel: non-alphanumerics become '_', a leading digit or single '_' gets "key". */
function sanitizeName(name: string): string {
  if (name === '' || (LEGAL_NAME.test(name) && !(name[0] === '_' && name[1] !== '_'))) return name;
  const mapped = name.replace(/[^\p{L}\p{Nd}]/gu, '_');
  if (/^[0-9]/.test(mapped)) return 'key_' + mapped;
  if (mapped.startsWith('_') && !mapped.startsWith('__')) return 'key' + mapped;
  return mapped;
}

/** Structured metadata as Loki stores it: names sanitised, invalid UTF-8 (U+FFFD) dropped from values. */
function sanitizeMetadata(metadata: readonly Label[]): readonly Label[] {
  let out: Label[] | undefined;
  for (let i = 0; i < metadata.length; i++) {
    const l = metadata[i];
    const name = sanitizeName(l.name);
    const value = l.value.includes('\ufffd') ? l.value.replaceAll('\ufffd', '') : l.value;
    if (name !== l.name || value !== l.value) {
      out ??= metadata.slice();
      out[i] = { name, value };
    }
  }
  return out ?? metadata;
}

/**
 * Shares the `detected_level` label and the metadata made of it alone between entries and pushes
 * (writers remember the encoding of each frozen object). Bounded: stream labels can name any level.
 */
class LevelLabels {
  private readonly alone = new Map<string, readonly Label[]>();

  withLevel(metadata: readonly Label[] | undefined, level: string): readonly Label[] {
    let only = this.alone.get(level);
    if (only === undefined) {
      only = Object.freeze([Object.freeze({ name: DETECTED_LEVEL, value: level })]);
      if (this.alone.size >= 1024) this.alone.clear();
      this.alone.set(level, only);
    }
    return metadata === undefined || metadata.length === 0 ? only : [...metadata, only[0]];
  }
}

/**
 * Validates a decoded push for `tenant` (whose limits the caller resolved) at time `now` (ns), parsing
 * stream labels through `labelsCache` (the tenant's) when given. Throws for what refuses the whole
 * request (unparsable labels → 400, no streams → 422, oversized labels → 413); otherwise returns
 * the valid entries per stream and, if anything was dropped, Loki's grouped 400 message.
 */
const levels = new LevelLabels();

export function validatePush(payload: PushPayload, tenant: string, limits: Limits, now: bigint, labelsCache?: StreamLabelsCache): PushValidation {
  const parsed = payload.streams.map((s) => parseCached(s.labels, limits, labelsCache));
  if (payload.streams.length === 0) throw new UnprocessableError(messages.MISSING_STREAMS);

  const rejectBefore = now - limits.reject_old_samples_max_age;
  const rejectAfter = now + limits.creation_grace_period;
  const maxLine = limits.max_line_size;
  const discoverLevels = limits.allow_structured_metadata && limits.discover_log_levels;
  const problems: string[] = [];
  const streams: ValidStream[] = [];
  let lineCount = 0;
  let byteSize = 0;

  for (let s = 0; s < payload.streams.length; s++) {
    const entries = payload.streams[s].entries;
    if (entries.length === 0) continue;
    const stream = parsed[s];
    if (limits.max_line_size_truncate && maxLine > 0)
      for (const e of entries) if (lineByteLength(e) > maxLine) e.line = truncateLine(e.line, maxLine);
    const labelsError = labelsProblem(stream, limits);
    if (labelsError !== undefined) {
      problems.push(labelsError);
      continue;
    }
    const shown = stream.labelsString;
    const streamLevel = discoverLevels ? levelField(stream.labels) : undefined;
    const kept: Entry[] = [];
    let prevTs = entries[0].ts;
    for (const entry of entries) {
      const ts = entry.ts;
      const lineBytes = lineByteLength(entry);
      if (limits.reject_old_samples && ts < rejectBefore) {
        problems.push(messages.timestampTooOld(shown, formatRFC3339(ts), formatRFC3339(rejectBefore)));
        continue;
      }
      if (ts > rejectAfter) {
        problems.push(messages.timestampTooNew(shown, formatRFC3339(ts)));
        continue;
      }
      if (maxLine !== 0 && lineBytes > maxLine) {
        problems.push(messages.lineTooLong(maxLine, shown, lineBytes));
        continue;
      }
      let metadata = entry.metadata;
      let metaBytes = 0;
      if (metadata !== undefined && metadata.length > 0) {
        metaBytes = metadataSize(metadata);
        if (!limits.allow_structured_metadata) {
          problems.push(messages.structuredMetadataDisallowed(shown));
          continue;
        }
        const maxSize = limits.max_structured_metadata_size;
        if (maxSize !== 0 && metaBytes > maxSize) {
          problems.push(messages.structuredMetadataTooLarge(shown, metaBytes, maxSize));
          continue;
        }
        const maxCount = limits.max_structured_metadata_entries_count;
        if (maxCount !== 0 && metadata.length > maxCount) {
          problems.push(messages.structuredMetadataTooMany(shown, metadata.length, maxCount));
          continue;
        }
        const sanitized = sanitizeMetadata(metadata);
        if (sanitized !== metadata) {
          metadata = sanitized;
          metaBytes = metadataSize(metadata);
        }
      }
      if (discoverLevels) {
        const level = streamLevel ?? detectEntryLevel(entry.line, metadata);
        if (level !== '') {
          metadata = levels.withLevel(metadata, level);
          metaBytes += DETECTED_LEVEL.length + byteLength(level);
        }
      }
      entry.metadata = metadata;
      if (limits.increment_duplicate_timestamp && kept.length > 0) {
        // Same timestamp, different line: move it 1ns past the previous kept entry (identical lines stay duplicates).
        const previous = kept[kept.length - 1];
        if ((ts === prevTs || ts === previous.ts) && !sameLine(previous, entry)) entry.ts = previous.ts + 1n;
        else prevTs = ts;
      }
      kept.push(entry);
      lineCount++;
      byteSize += lineBytes + metaBytes;
    }
    if (kept.length > 0) streams.push({ labels: stream.labels, labelsString: shown, entries: kept });
  }

  const result: PushValidation = { streams, lineCount, byteSize };
  if (problems.length > 0) result.error = new ValidationError(messages.groupErrors(problems));
  return result;
}
