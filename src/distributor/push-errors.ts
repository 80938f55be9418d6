// Every text a push can be refused with for a limit or a validation rule, worded as Loki words
// them (pkg/validation/validate.go, pkg/loghttp/push). Pure string builders; no decisions here.

export const MISSING_STREAMS = 'error at least one valid stream is required for ingestion';
export const MISSING_LABELS = 'error at least one label pair is required per stream';

export const requestBodyTooLarge = (what: 'message size too large' | 'decompressed message size too large', size: number, max: number): string =>
  `request body too large: ${what} than max (${size} vs ${max})`;

export const streamLabelsTooLarge = (size: string, max: string): string =>
  `request body too large: stream labels size ${size} exceeds limit of ${max}`;

export const unparsableLabels = (err: string): string => `couldn't parse labels: ${err}`;

export const tooManyLabels = (labels: string, count: number, limit: number): string =>
  `entry for stream '${labels}' has ${count} label names; limit ${limit}`;

export const labelNameTooLong = (labels: string, name: string): string => `stream '${labels}' has label name too long: '${name}'`;

export const labelValueTooLong = (labels: string, value: string): string =>
  `stream '${labels}' has label value too long: '${value}'`;

export const duplicateLabelName = (labels: string, name: string): string =>
  `stream '${labels}' has duplicate label name: '${name}'`;

export const timestampTooOld = (labels: string, ts: string, oldest: string): string =>
  `entry for stream '${labels}' has timestamp too old: ${ts}, oldest acceptable timestamp is: ${oldest}`;

export const timestampTooNew = (labels: string, ts: string): string => `entry for stream '${labels}' has timestamp too new: ${ts}`;

export const lineTooLong = (max: number, labels: string, length: number): string =>
  `max entry size '${max}' bytes exceeded for stream '${labels}' while adding an entry with length '${length}' bytes`;

export const structuredMetadataDisallowed = (labels: string): string =>
  `stream '${labels}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it.`;

export const structuredMetadataTooLarge = (labels: string, size: number, limit: number): string =>
  `stream '${labels}' has structured metadata too large: '${size}' bytes, limit: '${limit}' bytes. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it.`;

export const structuredMetadataTooMany = (labels: string, count: number, limit: number): string =>
  `stream '${labels}' has too many structured metadata labels: '${count}', limit: '${limit}'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it.`;

export const ingestionRateLimited = (tenant: string, limit: number, lines: number, bytes: number): string =>
  `ingestion rate limit exceeded for user ${tenant} (limit: ${limit} bytes/sec) while attempting to ingest '${lines}' lines totaling '${bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`;

/**
 * Loki's GroupedErrors: unique messages joined by "; ", each prefixed "N errors like: " unless
 * there is a single message seen once. Messages keep the order they were first seen.
 */
export function groupErrors(messages: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m, (counts.get(m) ?? 0) + 1);
  const parts: string[] = [];
  for (const [message, n] of counts) parts.push(counts.size > 1 || n > 1 ? `${n} errors like: ${message}` : message);
  return parts.join('; ');
}
