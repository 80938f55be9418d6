// The read side of the ring: a watched, sorted token table answering "which instances own this key"
// (dskit's Get with WriteNoExtend / Read and the default replication strategy). Never writes to the ring except forget().
import { StatusError, UnavailableError } from '../model/errors.js';
import type { KVStore } from './kv.js';
import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  emptyRingDesc,
  isHealthy,
  sortedInstanceIds,
  type InstanceDesc,
  type RingDesc,
  type RingOperation,
} from './model.js';
import { searchToken } from './tokens.js';

export const DEFAULT_RING_KEY = 'ring';

export interface ReplicationSet {
  instances: InstanceDesc[];
  /** Acknowledgements needed: (max(RF, owners) / 2) + 1. */
  minSuccess: number;
  /** Failures tolerated: instances.length - minSuccess. */
  maxErrors: number;
}

/**
 * Not enough live owners for a key, or an empty ring. Loki answers a push that hits this with 500
 * and the message as the body, so the status is 500 while it stays an UnavailableError.
 */
export class ReplicationError extends UnavailableError {
  override readonly status: number = 500;
}

export interface RingOptions {
  key?: string;
  /** Default 1 minute; 0 disables the heartbeat check. */
  heartbeatTimeoutMs?: number;
  replicationFactor: number;
}

/** The token table derived from a ring description: tokens ascending, each with its owner's index into ids. */
interface TokenTable {
  tokens: Uint32Array;
  owners: Uint32Array;
  ids: string[];
}

/** Owner indexes packed below the token: token * 2^21 + index stays an exact double (below 2^53). */
const OWNER_BITS = 0x20_0000;

function buildTokenTable(desc: RingDesc): TokenTable {
  const ids = sortedInstanceIds(desc);
  if (ids.length >= OWNER_BITS) throw new Error(`too many instances in the ring: ${ids.length}`);
  const packed: number[] = [];
  ids.forEach((id, idx) => {
    for (const t of desc.instances[id].tokens) packed.push((t >>> 0) * OWNER_BITS + idx);
  });
  packed.sort((a, b) => a - b);
  const tokens = new Uint32Array(packed.length);
  const owners = new Uint32Array(packed.length);
  let size = 0;
  for (const p of packed) {
    const t = Math.floor(p / OWNER_BITS);
    // A token claimed twice belongs to the instance with the smaller id.
    if (size > 0 && tokens[size - 1] === t) continue;
    tokens[size] = t;
    owners[size++] = p % OWNER_BITS;
  }
  return { tokens: tokens.subarray(0, size), owners: owners.subarray(0, size), ids };
}

/** True when both rings have the same instances with the same tokens (only states or heartbeats differ). */
function sameTopology(a: RingDesc, b: RingDesc): boolean {
  const aIds = Object.keys(a.instances);
  if (aIds.length !== Object.keys(b.instances).length) return false;
  for (const id of aIds) {
    const other = b.instances[id];
    if (!other) return false;
    const x = a.instances[id].tokens;
    const y = other.tokens;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** Removes an instance from the ring (the /ring page's Forget button). */
export async function forgetInstance(kv: KVStore, id: string, key: string = DEFAULT_RING_KEY): Promise<void> {
  await kv.cas(key, (current) => {
    if (!current) throw new StatusError(500, `error forgetting instance '${id}': found empty ring when trying to unregister`);
    delete current.instances[id];
    return current;
  });
}

export class Ring {
  readonly key: string;
  readonly replicationFactor: number;
  readonly heartbeatTimeoutMs: number;
  private desc: RingDesc = emptyRingDesc();
  private table: TokenTable = buildTokenTable(this.desc);
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly kv: KVStore,
    opts: RingOptions,
  ) {
    if (!(opts.replicationFactor > 0)) throw new Error(`ReplicationFactor must be greater than zero: ${opts.replicationFactor}`);
    this.key = opts.key ?? DEFAULT_RING_KEY;
    this.replicationFactor = opts.replicationFactor;
    this.heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  }

  /** Loads the ring, then keeps it current from the KV store's watch. */
  async start(): Promise<void> {
    if (this.unwatch) return;
    this.update(await this.kv.get(this.key));
    this.unwatch = this.kv.watch(this.key, (value) => this.update(value));
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /** Replaces the snapshot (the watch calls this); rebuilds the token table only when instances or tokens changed. */
  update(value: RingDesc | undefined): void {
    const next = value ?? emptyRingDesc();
    if (!sameTopology(this.desc, next)) this.table = buildTokenTable(next);
    this.desc = next;
  }

  /**
   * The replication set for a key: walking clockwise from the first token strictly greater than the
   * key, the first RF distinct instances (reads extend the walk past PENDING and JOINING owners),
   * then drops those unhealthy for the operation. Throws ReplicationError below quorum.
   */
  get(key: number, op: RingOperation, nowMs: number = Date.now()): ReplicationSet {
    const { tokens, owners, ids } = this.table;
    if (tokens.length === 0) throw new ReplicationError('empty ring');
    let want = this.replicationFactor;
    const found: InstanceDesc[] = [];
    const seen: number[] = [];
    const maxInstances = ids.length;
    let i = searchToken(tokens, key >>> 0);
    for (let steps = 0; steps < tokens.length && seen.length < Math.min(maxInstances, want); steps++, i++) {
      if (i === tokens.length) i = 0;
      const owner = owners[i];
      if (seen.includes(owner)) continue;
      seen.push(owner);
      const inst = this.desc.instances[ids[owner]];
      if (op === 'read' && inst.state !== 'ACTIVE' && inst.state !== 'LEAVING') want++;
      found.push(inst);
    }
    return this.filterHealthy(found, op, nowMs);
  }

  /** dskit's default replication strategy: quorum over max(RF, owners), unhealthy owners dropped but still counted. */
  private filterHealthy(found: InstanceDesc[], op: RingOperation, nowMs: number): ReplicationSet {
    const minSuccess = (Math.max(this.replicationFactor, found.length) >> 1) + 1;
    const healthy: InstanceDesc[] = [];
    const unhealthy: string[] = [];
    for (const inst of found) {
      if (isHealthy(inst, op, this.heartbeatTimeoutMs, nowMs)) healthy.push(inst);
      else unhealthy.push(inst.addr);
    }
    if (healthy.length < minSuccess) {
      const suffix = unhealthy.length > 0 ? ` - unhealthy instances: ${unhealthy.join(',')}` : '';
      throw new ReplicationError(`at least ${minSuccess} live replicas required, could only find ${healthy.length}${suffix}`);
    }
    return { instances: healthy, minSuccess, maxErrors: healthy.length - minSuccess };
  }

  /** Every instance healthy for the operation, by id (queriers fan out to all of them). */
  healthyInstances(op: RingOperation, nowMs: number = Date.now()): InstanceDesc[] {
    const out: InstanceDesc[] = [];
    for (const id of sortedInstanceIds(this.desc)) {
      const inst = this.desc.instances[id];
      if (isHealthy(inst, op, this.heartbeatTimeoutMs, nowMs)) out.push(inst);
    }
    return out;
  }

  /**
   * dskit's GetReplicationSetForOperation: all healthy instances, tolerating as many failures as the
   * ring can lose (RF/2 of max(instances, RF)); throws when more are already unhealthy.
   */
  replicationSetForAll(op: RingOperation, nowMs: number = Date.now()): ReplicationSet {
    const total = Object.keys(this.desc.instances).length;
    if (this.table.tokens.length === 0) throw new ReplicationError('empty ring');
    const healthy = this.healthyInstances(op, nowMs);
    const required = Math.max(total, this.replicationFactor) - (this.replicationFactor >> 1);
    if (healthy.length < required) throw new ReplicationError('too many unhealthy instances in the ring');
    return { instances: healthy, minSuccess: required, maxErrors: healthy.length - required };
  }

  /** The current snapshot (a copy). */
  describe(): RingDesc {
    return structuredClone(this.desc);
  }

  /** Removes an instance from the ring in the KV store. */
  forget(id: string): Promise<void> {
    return forgetInstance(this.kv, id, this.key);
  }
}
