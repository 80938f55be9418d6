// The Redis KV backend (ioredis): each key is a hash {version, value}; CAS is a Lua script that writes
// only when the version is unchanged and publishes the new version. Never blocks a caller forever.
import { Redis } from 'ioredis';
import { asRingDesc, type RingDesc } from './model.js';
import type { KVStore } from './kv.js';

export interface RedisKVOptions {
  /** host:port, or a redis:// URL. */
  endpoint: string;
  /** Prepended to every key and channel (default "loki:"). */
  prefix?: string;
  password?: string;
  db?: number;
  /** Polling period of watches, the fallback for missed pub/sub notifications (default 1000 ms). */
  pollMs?: number;
  logger?: (msg: string, fields?: object) => void;
}

/** Writes ARGV[2] as the value when the stored version equals ARGV[1]; returns the new version or 0 on conflict. */
const CAS_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'version')
if (current or '0') ~= ARGV[1] then return 0 end
local nextVersion = tonumber(ARGV[1]) + 1
redis.call('HSET', KEYS[1], 'version', tostring(nextVersion), 'value', ARGV[2])
redis.call('PUBLISH', KEYS[1], tostring(nextVersion))
return nextVersion
`;

const MAX_CAS_ATTEMPTS = 200;

interface Versioned {
  version: number;
  value: RingDesc | undefined;
}

interface Watcher {
  onChange: (value: RingDesc | undefined) => void;
  lastVersion: number;
  fetching: boolean;
  again: boolean;
  active: boolean;
}

function parseEndpoint(endpoint: string): { host: string; port: number } {
  const colon = endpoint.lastIndexOf(':');
  if (colon <= 0) return { host: endpoint, port: 6379 };
  return { host: endpoint.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(endpoint.slice(colon + 1)) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class RedisKV implements KVStore {
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly prefix: string;
  private readonly pollMs: number;
  private readonly log: (msg: string, fields?: object) => void;
  /** Watchers by full Redis key (which is also the pub/sub channel). */
  private readonly watchers = new Map<string, Set<Watcher>>();
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: RedisKVOptions) {
    this.prefix = opts.prefix ?? 'loki:';
    this.pollMs = opts.pollMs ?? 1000;
    this.log = opts.logger ?? (() => {});
    this.client = this.connect();
  }

  private connect(): Redis {
    const common = { password: this.opts.password, db: this.opts.db, maxRetriesPerRequest: 3 };
    const client = this.opts.endpoint.includes('://')
      ? new Redis(this.opts.endpoint, common)
      : new Redis({ ...parseEndpoint(this.opts.endpoint), ...common });
    client.on('error', (err: Error) => this.log('redis kv connection error', { endpoint: this.opts.endpoint, err: err.message }));
    return client;
  }

  private async read(fullKey: string): Promise<Versioned> {
    const [version, value] = await this.client.hmget(fullKey, 'version', 'value');
    if (version === null || value === null) return { version: 0, value: undefined };
    return { version: Number(version), value: asRingDesc(JSON.parse(value)) };
  }

  async get(key: string): Promise<RingDesc | undefined> {
    return (await this.read(this.prefix + key)).value;
  }

  async cas(key: string, update: (current: RingDesc | undefined) => RingDesc | undefined): Promise<void> {
    const fullKey = this.prefix + key;
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.read(fullKey);
      const next = update(current.value);
      if (next === undefined) return;
      const stored = await this.client.eval(CAS_SCRIPT, 1, fullKey, String(current.version), JSON.stringify(next));
      if (Number(stored) > 0) return;
      // Lost the race: back off a little, more after repeated conflicts, so writers do not livelock.
      if (attempt > 2) await sleep(Math.random() * Math.min(50, attempt * 2));
    }
    throw new Error(`failed to CAS ${key}`);
  }

  watch(key: string, onChange: (value: RingDesc | undefined) => void): () => void {
    if (this.closed) return () => {};
    const fullKey = this.prefix + key;
    const watcher: Watcher = { onChange, lastVersion: -1, fetching: false, again: false, active: true };
    let set = this.watchers.get(fullKey);
    if (!set) {
      set = new Set();
      this.watchers.set(fullKey, set);
      this.subscribe(fullKey);
    }
    set.add(watcher);
    this.ensurePolling();
    void this.refresh(fullKey, watcher);
    return () => {
      watcher.active = false;
      const current = this.watchers.get(fullKey);
      if (!current) return;
      current.delete(watcher);
      if (current.size > 0) return;
      this.watchers.delete(fullKey);
      this.subscriber?.unsubscribe(fullKey).catch(() => {});
      if (this.watchers.size === 0 && this.pollTimer) {
        clearInterval(this.pollTimer);
        this.pollTimer = undefined;
      }
    };
  }

  private subscribe(fullKey: string): void {
    if (!this.subscriber) {
      const subscriber = this.connect();
      subscriber.on('message', (channel: string) => {
        for (const watcher of this.watchers.get(channel) ?? []) void this.refresh(channel, watcher);
      });
      this.subscriber = subscriber;
    }
    this.subscriber.subscribe(fullKey).catch((err: Error) => this.log('redis kv subscribe failed', { key: fullKey, err: err.message }));
  }

  private ensurePolling(): void {
    if (this.pollTimer || this.pollMs <= 0) return;
    this.pollTimer = setInterval(() => {
      for (const [fullKey, set] of this.watchers) for (const watcher of set) void this.refresh(fullKey, watcher);
    }, this.pollMs);
    this.pollTimer.unref();
  }

  /** Hands the watcher the key's value when its version changed; concurrent triggers coalesce into one more read. */
  private async refresh(fullKey: string, watcher: Watcher): Promise<void> {
    if (watcher.fetching) {
      watcher.again = true;
      return;
    }
    watcher.fetching = true;
    try {
      do {
        watcher.again = false;
        let current: Versioned;
        try {
          const version = Number((await this.client.hget(fullKey, 'version')) ?? 0);
          if (version === watcher.lastVersion) continue;
          current = await this.read(fullKey);
        } catch (err) {
          if (!this.closed) this.log('redis kv watch read failed', { key: fullKey, err: (err as Error).message });
          return;
        }
        // Any different version is news, a lower one too: a Redis restarted without persistence counts again from 1.
        if (!watcher.active || current.version === watcher.lastVersion) continue;
        watcher.lastVersion = current.version;
        watcher.onChange(current.value);
      } while (watcher.again && watcher.active);
    } finally {
      watcher.fetching = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const set of this.watchers.values()) for (const watcher of set) watcher.active = false;
    this.watchers.clear();
    await Promise.all([this.client, this.subscriber].map((c) => c?.quit().catch(() => c.disconnect())));
  }
}

/** A KV store in Redis, shared by every process that connects to the same endpoint, db and prefix. */
export function createRedisKV(opts: RedisKVOptions): KVStore {
  return new RedisKV(opts);
}
