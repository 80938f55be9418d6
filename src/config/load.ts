// Builds the effective Config from a Loki YAML file and Loki-style command-line flags
// (`-config.file=x.yml -target=all -server.http-listen-port=3100`). Unknown YAML keys are
// accepted and reported once each; unknown flags and bad values are errors.
import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseGoDuration, parsePromDuration, formatPromDuration } from '../model/time.js';
import { BYTE_SIZE_KEYS, STRING_LIST_KEYS, defaultConfig, type Config } from './config.js';

export class ConfigError extends Error {}

export interface LoadedConfig {
  config: Config;
  /** Dotted YAML paths we accepted but do not use (logged once at start). */
  ignoredKeys: string[];
  /** Dotted paths set explicitly in YAML or flags. */
  explicit: Set<string>;
}

/** Loki flag names that do not follow the `section.key-name` ↔ `section.key_name` rule. */
const FLAG_ALIASES: Record<string, string> = {
  'log.level': 'server.log_level',
  'auth.enabled': 'auth_enabled',
  'ingester.lifecycler.ID': 'ingester.lifecycler.id',
  'ingester.lifecycler.addr': 'ingester.lifecycler.address',
  'ingester.lifecycler.port': 'ingester.lifecycler.port',
  'ingester.wal-enabled': 'ingester.wal.enabled',
  'ingester.wal-dir': 'ingester.wal.dir',
  'ingester.checkpoint-duration': 'ingester.wal.checkpoint_duration',
  'ingester.flush-on-shutdown': 'ingester.wal.flush_on_shutdown',
  'ingester.num-tokens': 'ingester.lifecycler.num_tokens',
  'ingester.heartbeat-period': 'ingester.lifecycler.heartbeat_period',
  'distributor.replication-factor': 'ingester.lifecycler.ring.replication_factor',
  'ring.store': 'ingester.lifecycler.ring.kvstore.store',
  'ring.heartbeat-timeout': 'ingester.lifecycler.ring.heartbeat_timeout',
  'common.path-prefix': 'common.path_prefix',
  'common.replication-factor': 'common.replication_factor',
  'common.storage.ring.store': 'common.ring.kvstore.store',
  'common.storage.ring.redis.endpoint': 'common.ring.kvstore.redis.endpoint',
  'ingester.max-chunk-age': 'ingester.max_chunk_age',
  'ingester.chunks-idle-period': 'ingester.chunk_idle_period',
  'ingester.chunks-block-size': 'ingester.chunk_block_size',
  'ingester.chunk-target-size': 'ingester.chunk_target_size',
  'ingester.chunks-retain-period': 'ingester.chunk_retain_period',
  'ingester.chunk-encoding': 'ingester.chunk_encoding',
  'ingester.flush-check-period': 'ingester.flush_check_period',
  'local.chunk-directory': 'storage_config.filesystem.directory',
  's3.endpoint': 'storage_config.aws.endpoint',
  's3.buckets': 'storage_config.aws.bucketnames',
  's3.region': 'storage_config.aws.region',
  's3.access-key-id': 'storage_config.aws.access_key_id',
  's3.secret-access-key': 'storage_config.aws.secret_access_key',
  's3.force-path-style': 'storage_config.aws.s3forcepathstyle',
  's3.insecure': 'storage_config.aws.insecure',
  'validation.reject-old-samples': 'limits_config.reject_old_samples',
  'validation.reject-old-samples.max-age': 'limits_config.reject_old_samples_max_age',
  'validation.create-grace-period': 'limits_config.creation_grace_period',
  'distributor.ingestion-rate-limit-mb': 'limits_config.ingestion_rate_mb',
  'distributor.ingestion-burst-size-mb': 'limits_config.ingestion_burst_size_mb',
  'distributor.max-line-size': 'limits_config.max_line_size',
  'querier.query-ingesters-within': 'querier.query_ingesters_within',
};

export function parseDurationValue(v: unknown, key: string): bigint {
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v)) * 1_000_000_000n;
  const s = String(v).trim();
  const d = parsePromDuration(s) ?? parseGoDuration(s);
  if (d === undefined) throw new ConfigError(`invalid duration for ${key}: ${JSON.stringify(v)}`);
  return d;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1 };
for (const [i, p] of ['k', 'm', 'g', 't', 'p'].entries()) {
  const v = 1024 ** (i + 1);
  BYTE_UNITS[p] = v;
  BYTE_UNITS[p + 'b'] = v;
  BYTE_UNITS[p + 'ib'] = v;
}

/** Loki's flagext.ByteSize: base-2 units, so 256KB and 256KiB are both 262144 bytes. */
export function parseByteSize(v: unknown, key: string): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.trunc(v);
  const m = /^\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*$/.exec(String(v));
  const mult = m ? BYTE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || mult === undefined) throw new ConfigError(`invalid size for ${key}: ${JSON.stringify(v)}`);
  return Math.trunc(Number(m[1]) * mult);
}

function parseBool(v: unknown, key: string): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new ConfigError(`invalid boolean for ${key}: ${JSON.stringify(v)}`);
}

/** Converts a raw YAML/flag value to the type of the default at that path. */
function convert(path: string, def: unknown, raw: unknown): unknown {
  if (STRING_LIST_KEYS.has(path)) {
    if (Array.isArray(raw)) return raw.map(String);
    if (raw === null || raw === undefined || raw === '') return [];
    return String(raw)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (BYTE_SIZE_KEYS.has(path)) return parseByteSize(raw, path);
  switch (typeof def) {
    case 'bigint':
      return parseDurationValue(raw, path);
    case 'boolean':
      return parseBool(raw, path);
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (!Number.isFinite(n)) throw new ConfigError(`invalid number for ${path}: ${JSON.stringify(raw)}`);
      return n;
    }
    case 'string':
      return raw === null || raw === undefined ? '' : String(raw);
    default:
      return raw;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges a YAML document into the config, converting units; records explicit and ignored keys. */
function applyYaml(
  target: Record<string, unknown>,
  doc: Record<string, unknown>,
  prefix: string,
  explicit: Set<string>,
  ignored: string[],
): void {
  for (const [key, raw] of Object.entries(doc)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (!(key in target)) {
      ignored.push(path);
      continue;
    }
    const def = target[key];
    if (isPlainObject(def) && !STRING_LIST_KEYS.has(path)) {
      if (raw === null || raw === undefined) continue;
      if (!isPlainObject(raw)) throw new ConfigError(`invalid value for ${path}: expected a mapping`);
      applyYaml(def, raw, path, explicit, ignored);
      continue;
    }
    target[key] = convert(path, def, raw);
    explicit.add(path);
  }
}

function setPath(cfg: Config, path: string, raw: string, explicit: Set<string>): boolean {
  const parts = path.split('.');
  let obj: Record<string, unknown> = cfg as unknown as Record<string, unknown>;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = obj[parts[i]];
    if (!isPlainObject(next)) return false;
    obj = next;
  }
  const last = parts[parts.length - 1];
  if (!(last in obj) || (isPlainObject(obj[last]) && !STRING_LIST_KEYS.has(path))) return false;
  obj[last] = convert(path, obj[last], raw);
  explicit.add(path);
  return true;
}

function flagToPath(name: string): string {
  return FLAG_ALIASES[name] ?? name.replace(/-/g, '_');
}

function expandEnv(text: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_, n: string, d: string | undefined) => process.env[n] ?? d ?? '');
}

function firstPrivateAddress(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Parses argv (`-flag=value`, `--flag value`, `-flag value`, bare booleans) into a map. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) throw new ConfigError(`unexpected argument: ${arg}`);
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) out.set(body.slice(0, eq), body.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('-')) out.set(body, argv[++i]);
    else out.set(body, 'true');
  }
  return out;
}

export function loadConfig(argv: readonly string[]): LoadedConfig {
  const flags = parseFlags(argv);
  const cfg = defaultConfig();
  // Our embedded default (no config file) is a single-process dev setup, like Loki's local config.
  cfg.auth_enabled = false;
  const explicit = new Set<string>();
  const ignored: string[] = [];
  const file = flags.get('config.file');
  const expand = flags.get('config.expand-env') === 'true';
  flags.delete('config.file');
  flags.delete('config.expand-env');
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`failed to read config file ${file}: ${(e as Error).message}`);
    }
    if (expand) text = expandEnv(text);
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (e) {
      throw new ConfigError(`failed to parse config file ${file}: ${(e as Error).message}`);
    }
    if (doc !== null && doc !== undefined) {
      if (!isPlainObject(doc)) throw new ConfigError(`config file ${file} must be a YAML mapping`);
      cfg.auth_enabled = true;
      applyYaml(cfg as unknown as Record<string, unknown>, doc, '', explicit, ignored);
    }
  }
  for (const [name, value] of flags) {
    if (!setPath(cfg, flagToPath(name), value, explicit)) throw new ConfigError(`flag provided but not defined: -${name}`);
  }
  applyCommon(cfg, explicit);
  validate(cfg);
  return { config: cfg, ignoredKeys: ignored, explicit };
}

/** Loki's `common` section and our single-process defaults fill what was not set explicitly. */
function applyCommon(cfg: Config, explicit: Set<string>): void {
  const prefix = cfg.common.path_prefix || 'data';
  if (!cfg.common.path_prefix) cfg.common.path_prefix = prefix;
  if (!explicit.has('storage_config.filesystem.directory'))
    cfg.storage_config.filesystem.directory = cfg.common.storage.filesystem.chunks_directory || join(prefix, 'chunks');
  if (!explicit.has('ingester.wal.dir')) cfg.ingester.wal.dir = join(prefix, 'wal');
  if (!explicit.has('compactor.working_directory')) cfg.compactor.working_directory = join(prefix, 'compactor');

  const commonKV = [...explicit].some((p) => p.startsWith('common.ring.kvstore.'));
  if (commonKV) {
    for (const [section, kv] of [
      ['ingester.lifecycler.ring.kvstore.', cfg.ingester.lifecycler.ring.kvstore],
      ['distributor.ring.kvstore.', cfg.distributor.ring.kvstore],
    ] as const) {
      if (![...explicit].some((p) => p.startsWith(section))) Object.assign(kv, structuredClone(cfg.common.ring.kvstore));
    }
  }
  const rf = cfg.ingester.lifecycler.ring;
  if (cfg.common.replication_factor > 0 && !explicit.has('ingester.lifecycler.ring.replication_factor'))
    rf.replication_factor = cfg.common.replication_factor;
  else if (
    !explicit.has('ingester.lifecycler.ring.replication_factor') &&
    cfg.common.replication_factor <= 0 &&
    cfg.target.includes('all') &&
    rf.kvstore.store === 'inmemory'
  )
    rf.replication_factor = 1;

  const aws = cfg.storage_config.aws;
  if ((cfg.common.storage.s3.bucketnames || cfg.common.storage.s3.s3) && !aws.bucketnames && !aws.s3) Object.assign(aws, cfg.common.storage.s3);
  if (!cfg.storage_config.object_store) cfg.storage_config.object_store = aws.bucketnames || aws.s3 ? 's3' : 'filesystem';

  const lc = cfg.ingester.lifecycler;
  if (!lc.id) lc.id = hostname();
  if (!lc.address) lc.address = cfg.common.instance_addr || firstPrivateAddress();
  if (!lc.port) lc.port = cfg.server.grpc_listen_port;
}

const TARGETS = new Set(['all', 'distributor', 'ingester', 'querier', 'query-frontend', 'compactor', 'read', 'write', 'backend']);

function validate(cfg: Config): void {
  for (const t of cfg.target) if (!TARGETS.has(t)) throw new ConfigError(`unrecognised module name: ${t}`);
  for (const kv of [cfg.ingester.lifecycler.ring.kvstore, cfg.distributor.ring.kvstore]) {
    if (kv.store !== 'inmemory' && kv.store !== 'redis')
      throw new ConfigError(`invalid kvstore.store ${JSON.stringify(kv.store)}: supported are inmemory and redis`);
    if (kv.store === 'redis' && !kv.redis.endpoint) throw new ConfigError('kvstore.redis.endpoint is required for the redis store');
  }
  if (!['snappy', 'gzip', 'none'].includes(cfg.ingester.chunk_encoding))
    throw new ConfigError(`invalid ingester.chunk_encoding ${cfg.ingester.chunk_encoding}: supported are snappy, gzip, none`);
  if (cfg.ingester.lifecycler.ring.replication_factor < 1) throw new ConfigError('replication_factor must be at least 1');
  if (cfg.storage_config.object_store !== 'filesystem' && cfg.storage_config.object_store !== 's3')
    throw new ConfigError(`unsupported object store ${cfg.storage_config.object_store}`);
}

/** The effective config as YAML, units printed the way Loki prints them (for GET /config). */
export function configToYaml(cfg: Config): string {
  const plain = (v: unknown): unknown => {
    if (typeof v === 'bigint') return formatPromDuration(v);
    if (Array.isArray(v)) return v.map(plain);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  const redacted = structuredClone(cfg);
  if (redacted.storage_config.aws.secret_access_key) redacted.storage_config.aws.secret_access_key = '<secret>';
  if (redacted.common.storage.s3.secret_access_key) redacted.common.storage.s3.secret_access_key = '<secret>';
  return stringifyYaml(plain(redacted));
}
