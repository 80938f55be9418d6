// The consistent-hash ring's public API: KV backends, ring description, token lookup and replication
// sets, the ingester lifecycler and the /ring page. Other modules import the ring only from here.
export {
  INSTANCE_STATE_NUMBER,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  isHealthy,
  type InstanceState,
  type InstanceDesc,
  type RingDesc,
  type RingOperation,
} from './model.js';
export { type KVStore, createInMemoryKV } from './kv.js';
export { type RedisKVOptions, createRedisKV } from './redis-kv.js';
export { tokenFor, generateTokens, ownedTokenSpace } from './tokens.js';
export { Ring, ReplicationError, forgetInstance, DEFAULT_RING_KEY, type ReplicationSet, type RingOptions } from './ring.js';
export { Lifecycler, StateTransitionError, type LifecyclerOptions } from './lifecycler.js';
export { renderRingPage, type RingPageJSON, type RingPageShard } from './ring-page.js';
