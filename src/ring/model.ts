// The ring description stored in the KV store (instances, states, tokens, heartbeats) and the
// health rules every reader applies. Pure data and predicates: no I/O, no clocks.

/** Instance states with dskit's ring.proto enum numbers (see INSTANCE_STATE_NUMBER). */
export type InstanceState = 'ACTIVE' | 'LEAVING' | 'PENDING' | 'JOINING' | 'LEFT';

export const INSTANCE_STATE_NUMBER: Readonly<Record<InstanceState, number>> = {
  ACTIVE: 0,
  LEAVING: 1,
  PENDING: 2,
  JOINING: 3,
  LEFT: 4,
};

export interface InstanceDesc {
  id: string;
  /** gRPC host:port. */
  addr: string;
  httpAddr?: string;
  state: InstanceState;
  /** Sorted, distinct uint32 tokens. */
  tokens: number[];
  heartbeatMs: number;
  /** When the instance first registered; 0 when unknown. */
  registeredMs: number;
  zone?: string;
}

export interface RingDesc {
  instances: Record<string, InstanceDesc>;
}

/** Operations a replication set is asked for: dskit's WriteNoExtend and Read. */
export type RingOperation = 'write' | 'read';

/** The heartbeat timeout readers use when none is configured (dskit's ring.heartbeat-timeout). */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60_000;

export function emptyRingDesc(): RingDesc {
  return { instances: {} };
}

/** Whether the state may serve the operation: writes go to ACTIVE only; reads to ACTIVE, PENDING and LEAVING. */
export function isStateHealthyFor(state: InstanceState, op: RingOperation): boolean {
  if (op === 'write') return state === 'ACTIVE';
  return state === 'ACTIVE' || state === 'PENDING' || state === 'LEAVING';
}

/** A heartbeat is fresh while it is at most timeoutMs old; a timeout of 0 disables the check. */
export function isHeartbeatHealthy(inst: InstanceDesc, heartbeatTimeoutMs: number, nowMs: number): boolean {
  return heartbeatTimeoutMs <= 0 || nowMs - inst.heartbeatMs <= heartbeatTimeoutMs;
}

export function isHealthy(inst: InstanceDesc, op: RingOperation, heartbeatTimeoutMs: number, nowMs: number): boolean {
  return isStateHealthyFor(inst.state, op) && isHeartbeatHealthy(inst, heartbeatTimeoutMs, nowMs);
}

/** Instance ids in byte order, so every listing of a ring is deterministic. */
export function sortedInstanceIds(desc: RingDesc): string[] {
  return Object.keys(desc.instances).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Checks a decoded value has the shape of a RingDesc; returns undefined when it does not. */
export function asRingDesc(value: unknown): RingDesc | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const instances = (value as { instances?: unknown }).instances;
  if (typeof instances !== 'object' || instances === null) return undefined;
  return value as RingDesc;
}
