// Per-tenant limits (Loki's `limits_config` keys and defaults). Sizes are in bytes, durations in ns.
// Pure data + defaults; the config loader parses YAML units into these types.

export interface Limits {
  ingestion_rate_mb: number;
  ingestion_burst_size_mb: number;
  max_line_size: number;
  max_line_size_truncate: boolean;
  max_label_name_length: number;
  max_label_value_length: number;
  max_label_names_per_series: number;
  reject_old_samples: boolean;
  reject_old_samples_max_age: bigint;
  creation_grace_period: bigint;
  /** false (default here, as in Loki 2.x): entries older than the stream's newest are rejected. */
  unordered_writes: boolean;
  per_stream_rate_limit: number;
  per_stream_rate_limit_burst: number;
  max_global_streams_per_user: number;
  max_streams_per_user: number;
  allow_structured_metadata: boolean;
  max_structured_metadata_size: number;
  max_structured_metadata_entries_count: number;
  /** Labels whose value becomes `service_name` when a stream has none; empty disables. */
  discover_service_name: string[];
  discover_log_levels: boolean;
  increment_duplicate_timestamp: boolean;
  max_entries_limit_per_query: number;
  max_query_length: bigint;
  max_query_series: number;
  max_query_lookback: bigint;
  query_timeout: bigint;
  max_streams_matchers_per_query: number;
  max_concurrent_tail_requests: number;
  max_chunks_per_query: number;
  split_queries_by_interval: bigint;
  volume_max_series: number;
  retention_period: bigint;
}

const MB = 1 << 20;
const HOUR = 3_600_000_000_000n;
const MINUTE = 60_000_000_000n;

export const DEFAULT_DISCOVER_SERVICE_NAME = [
  'service',
  'app',
  'application',
  'app_name',
  'name',
  'app_kubernetes_io_name',
  'container',
  'container_name',
  'k8s_container_name',
  'component',
  'workload',
  'job',
  'k8s_job_name',
];

export function defaultLimits(): Limits {
  return {
    ingestion_rate_mb: 4,
    ingestion_burst_size_mb: 6,
    max_line_size: 262_144,
    max_line_size_truncate: false,
    max_label_name_length: 1024,
    max_label_value_length: 2048,
    max_label_names_per_series: 15,
    reject_old_samples: true,
    reject_old_samples_max_age: 168n * HOUR,
    creation_grace_period: 10n * MINUTE,
    unordered_writes: false,
    per_stream_rate_limit: 3 * MB,
    per_stream_rate_limit_burst: 15 * MB,
    max_global_streams_per_user: 5000,
    max_streams_per_user: 0,
    allow_structured_metadata: true,
    max_structured_metadata_size: 64 * 1024,
    max_structured_metadata_entries_count: 128,
    discover_service_name: [...DEFAULT_DISCOVER_SERVICE_NAME],
    discover_log_levels: true,
    increment_duplicate_timestamp: false,
    max_entries_limit_per_query: 5000,
    max_query_length: 721n * HOUR,
    max_query_series: 500,
    max_query_lookback: 0n,
    query_timeout: MINUTE,
    max_streams_matchers_per_query: 1000,
    max_concurrent_tail_requests: 10,
    max_chunks_per_query: 2_000_000,
    split_queries_by_interval: HOUR,
    volume_max_series: 1000,
    retention_period: 0n,
  };
}
