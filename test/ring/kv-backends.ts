// The two KV backends the ring tests run against: in-memory and a real Redis. Every test gets fresh,
// isolated stores (its own in-memory name or Redis key prefix); closeAll() closes what a test opened.
import { createInMemoryKV, createRedisKV, type KVStore } from '../../src/ring/index.js';
import { startRedis, type TestRedis } from '../support/redis.js';

export interface KVBackend {
  name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A new namespace: every store opened from it shares data, as clients of one KV would. */
  namespace(): KVNamespace;
  closeAll(): Promise<void>;
}

export interface KVNamespace {
  /** Unique per namespace; the Redis backend prefixes keys with `${name}:`. */
  name: string;
  /** One more client of the namespace (for Redis: its own connections, like another process). */
  open(): KVStore;
}

let sequence = 0;
const uniqueName = (): string => `t${process.pid}-${Date.now().toString(36)}-${++sequence}`;

function backend(name: string, connect: (ns: string) => KVStore, setup = async () => {}, teardown = async () => {}): KVBackend {
  const opened: KVStore[] = [];
  return {
    name,
    setup,
    teardown,
    namespace() {
      const ns = uniqueName();
      return {
        name: ns,
        open() {
          const kv = connect(ns);
          opened.push(kv);
          return kv;
        },
      };
    },
    async closeAll() {
      await Promise.all(opened.splice(0).map((kv) => kv.close()));
    },
  };
}

export function inMemoryBackend(): KVBackend {
  return backend('in-memory', (ns) => createInMemoryKV(ns));
}

export function redisBackend(): KVBackend & { redis(): TestRedis } {
  let redis: TestRedis | undefined;
  const b = backend(
    'redis',
    (ns) => createRedisKV({ endpoint: (redis as TestRedis).endpoint, prefix: `${ns}:`, pollMs: 200 }),
    async () => {
      redis = await startRedis();
    },
    async () => {
      await redis?.stop();
    },
  );
  return { ...b, redis: () => redis as TestRedis };
}
