// The typed configuration with Loki's YAML names and defaults. Units are normalised: durations in
// ns (bigint), sizes in bytes (number). Loading and flag parsing live in load.ts.
import { defaultLimits, type Limits } from './limits.js';

export type KVStoreKind = 'inmemory' | 'redis';

export interface KVStoreConfig {
  store: KVStoreKind;
  prefix: string;
  redis: { endpoint: string; password: string; db: number };
}

export interface RingConfig {
  kvstore: KVStoreConfig;
  replication_factor: number;
  heartbeat_timeout: bigint;
}

export interface S3StorageConfig {
  endpoint: string;
  bucketnames: string;
  region: string;
  access_key_id: string;
  secret_access_key: string;
  s3forcepathstyle: boolean;
  insecure: boolean;
  s3: string;
}

export interface Config {
  target: string[];
  auth_enabled: boolean;
  server: {
    http_listen_address: string;
    http_listen_port: number;
    grpc_listen_address: string;
    grpc_listen_port: number;
    grpc_server_max_recv_msg_size: number;
    grpc_server_max_send_msg_size: number;
    log_level: string;
    http_server_read_timeout: bigint;
    http_server_write_timeout: bigint;
  };
  common: {
    path_prefix: string;
    replication_factor: number;
    instance_addr: string;
    ring: { kvstore: KVStoreConfig };
    storage: { filesystem: { chunks_directory: string; rules_directory: string }; s3: S3StorageConfig };
  };
  distributor: {
    max_recv_msg_size: number;
    max_decompressed_size: number;
    ring: { kvstore: KVStoreConfig };
  };
  ingester: {
    lifecycler: {
      id: string;
      address: string;
      port: number;
      num_tokens: number;
      heartbeat_period: bigint;
      join_after: bigint;
      final_sleep: bigint;
      min_ready_duration: bigint;
      ring: RingConfig;
      tokens_file_path: string;
    };
    chunk_idle_period: bigint;
    chunk_block_size: number;
    chunk_target_size: number;
    chunk_encoding: string;
    chunk_retain_period: bigint;
    max_chunk_age: bigint;
    flush_check_period: bigint;
    flush_op_timeout: bigint;
    concurrent_flushes: number;
    flush_on_shutdown: boolean;
    /** Stop accepting pushes (429) once unflushed data in memory exceeds this many bytes; 0 = a quarter of the memory available. */
    max_memory_bytes: number;
    /** Stop accepting pushes (429) once the process's resident memory exceeds this many bytes; 0 = three quarters of the memory available. */
    max_resident_memory_bytes: number;
    wal: {
      enabled: boolean;
      dir: string;
      checkpoint_duration: bigint;
      flush_on_shutdown: boolean;
      replay_memory_ceiling: number;
      fsync: boolean;
    };
  };
  querier: {
    query_ingesters_within: bigint;
    tail_max_duration: bigint;
    max_concurrent: number;
    query_store_only: boolean;
    query_ingester_only: boolean;
  };
  query_range: {
    align_queries_with_step: boolean;
  };
  frontend: {
    compress_responses: boolean;
  };
  storage_config: {
    filesystem: { directory: string };
    aws: S3StorageConfig;
    /** `filesystem` or `s3`; derived from the other keys when empty. */
    object_store: string;
    index_cache_refresh: bigint;
  };
  compactor: {
    working_directory: string;
    compaction_interval: bigint;
    retention_enabled: boolean;
  };
  limits_config: Limits;
}

const SECOND = 1_000_000_000n;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;

function defaultKV(): KVStoreConfig {
  return { store: 'inmemory', prefix: 'collectors/', redis: { endpoint: '', password: '', db: 0 } };
}

function defaultS3(): S3StorageConfig {
  return {
    endpoint: '',
    bucketnames: '',
    region: '',
    access_key_id: '',
    secret_access_key: '',
    s3forcepathstyle: false,
    insecure: false,
    s3: '',
  };
}

export function defaultConfig(): Config {
  return {
    target: ['all'],
    auth_enabled: true,
    server: {
      http_listen_address: '',
      http_listen_port: 3100,
      grpc_listen_address: '',
      grpc_listen_port: 9095,
      grpc_server_max_recv_msg_size: 100 << 20,
      grpc_server_max_send_msg_size: 100 << 20,
      log_level: 'info',
      http_server_read_timeout: 30n * SECOND,
      http_server_write_timeout: 30n * SECOND,
    },
    common: {
      path_prefix: '',
      replication_factor: 0,
      instance_addr: '',
      ring: { kvstore: defaultKV() },
      storage: { filesystem: { chunks_directory: '', rules_directory: '' }, s3: defaultS3() },
    },
    distributor: {
      max_recv_msg_size: 100 << 20,
      max_decompressed_size: 5000 * (1 << 20),
      ring: { kvstore: defaultKV() },
    },
    ingester: {
      lifecycler: {
        id: '',
        address: '',
        port: 0,
        num_tokens: 128,
        heartbeat_period: 5n * SECOND,
        join_after: 0n,
        final_sleep: 0n,
        min_ready_duration: 15n * SECOND,
        ring: { kvstore: defaultKV(), replication_factor: 3, heartbeat_timeout: MINUTE },
        tokens_file_path: '',
      },
      chunk_idle_period: 30n * MINUTE,
      chunk_block_size: 262_144,
      chunk_target_size: 1_572_864,
      chunk_encoding: 'gzip',
      chunk_retain_period: 0n,
      max_chunk_age: 2n * HOUR,
      flush_check_period: 30n * SECOND,
      flush_op_timeout: 10n * MINUTE,
      concurrent_flushes: 32,
      flush_on_shutdown: true,
      max_memory_bytes: 0,
      max_resident_memory_bytes: 0,
      wal: {
        enabled: true,
        dir: 'wal',
        checkpoint_duration: 5n * MINUTE,
        flush_on_shutdown: true,
        replay_memory_ceiling: 4 << 30,
        fsync: false,
      },
    },
    querier: {
      query_ingesters_within: 3n * HOUR,
      tail_max_duration: HOUR,
      max_concurrent: 4,
      query_store_only: false,
      query_ingester_only: false,
    },
    query_range: { align_queries_with_step: true },
    frontend: { compress_responses: true },
    storage_config: {
      filesystem: { directory: '' },
      aws: defaultS3(),
      object_store: '',
      index_cache_refresh: 5n * SECOND,
    },
    compactor: {
      working_directory: '',
      compaction_interval: 10n * MINUTE,
      retention_enabled: false,
    },
    limits_config: defaultLimits(),
  };
}

/** Config keys whose value is a list of strings (everything else takes its type from the default). */
export const STRING_LIST_KEYS = new Set(['target', 'limits_config.discover_service_name']);

/** Keys holding byte sizes: YAML may write them as "256KB", "1MB", "1.5MiB" or plain numbers. */
export const BYTE_SIZE_KEYS = new Set([
  'server.grpc_server_max_recv_msg_size',
  'server.grpc_server_max_send_msg_size',
  'distributor.max_recv_msg_size',
  'distributor.max_decompressed_size',
  'ingester.chunk_block_size',
  'ingester.chunk_target_size',
  'ingester.max_memory_bytes',
  'ingester.max_resident_memory_bytes',
  'ingester.wal.replay_memory_ceiling',
  'limits_config.max_line_size',
  'limits_config.per_stream_rate_limit',
  'limits_config.per_stream_rate_limit_burst',
  'limits_config.max_structured_metadata_size',
]);
