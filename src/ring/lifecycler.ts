// One ingester's membership in the ring: register, auto-join with random tokens, heartbeat, leave
// (dskit's Lifecycler). Every ring write goes through one queue, so a heartbeat never races a leave.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatGoDuration, fromMillis } from '../model/time.js';
import type { KVStore } from './kv.js';
import {
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  emptyRingDesc,
  isHeartbeatHealthy,
  type InstanceDesc,
  type InstanceState,
  type RingDesc,
} from './model.js';
import { DEFAULT_RING_KEY } from './ring.js';
import { generateTokens } from './tokens.js';

export interface LifecyclerOptions {
  id: string;
  /** gRPC host:port other components dial. */
  addr: string;
  httpAddr?: string;
  zone?: string;
  /** Tokens to own (Loki: 128). */
  numTokens: number;
  /** Heartbeat period (Loki: 5s); 0 disables heartbeats. */
  heartbeatPeriodMs: number;
  /** Delay before auto-joining (Loki's join_after: 0). */
  joinAfterMs?: number;
  key?: string;
  /** Persists tokens across restarts (JSON {"tokens":[...]}) so a restarted ingester keeps its ownership. */
  tokensFile?: string;
  /** Remove the instance from the ring on stop (Loki's unregister_on_shutdown: true). */
  unregisterOnShutdown?: boolean;
  /** For checkReady: the ring's heartbeat timeout (default 1m). */
  heartbeatTimeoutMs?: number;
  /** For checkReady: readiness waits this long after the first passing check (Loki's min_ready_duration: 15s). */
  minReadyDurationMs?: number;
  /** For checkReady: require every instance in the ring to be ACTIVE and heartbeating (Loki's readiness_check_ring_health: true). */
  readinessCheckRingHealth?: boolean;
  logger?: (msg: string, fields?: object) => void;
}

/** A state change dskit's lifecycler refuses. */
export class StateTransitionError extends Error {}

const ALLOWED_TRANSITIONS: ReadonlySet<string> = new Set([
  'PENDING->JOINING',
  'JOINING->PENDING',
  'JOINING->ACTIVE',
  'PENDING->ACTIVE',
  'ACTIVE->LEAVING',
]);

type Phase = 'new' | 'running' | 'stopping' | 'stopped';

export class Lifecycler {
  readonly id: string;
  private currentState: InstanceState = 'PENDING';
  private ownTokens: number[] = [];
  private registeredMs = 0;
  private phase: Phase = 'new';
  private queue: Promise<unknown> = Promise.resolve();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private joinTimer: NodeJS.Timeout | undefined;
  private readySinceMs = 0;
  private ready = false;
  private readonly key: string;
  private readonly log: (msg: string, fields?: object) => void;

  constructor(
    private readonly kv: KVStore,
    private readonly opts: LifecyclerOptions,
  ) {
    this.id = opts.id;
    this.key = opts.key ?? DEFAULT_RING_KEY;
    this.log = opts.logger ?? (() => {});
  }

  get state(): InstanceState {
    return this.currentState;
  }

  /** This instance's tokens, ascending (empty until it joined). */
  get tokens(): readonly number[] {
    return this.ownTokens;
  }

  /**
   * Registers in the ring (PENDING without tokens, or with the tokens of an earlier run), starts the
   * heartbeat, and auto-joins: with joinAfterMs 0 the promise resolves once ACTIVE, otherwise the join is scheduled.
   * Rejects without side effects when registering fails; when only the join fails, call stop() or halt().
   */
  async start(): Promise<void> {
    if (this.phase !== 'new') return;
    this.phase = 'running';
    const fileTokens = await this.loadTokensFile();
    try {
      await this.enqueue(() => this.initRing(fileTokens));
    } catch (err) {
      // Not registered: the caller may call start() again.
      this.phase = 'new';
      throw new Error(`failed to join the ring ${this.key}: ${(err as Error).message}`);
    }
    if (this.opts.heartbeatPeriodMs > 0) {
      this.heartbeatTimer = setInterval(() => {
        this.enqueue(() => this.heartbeat()).catch((err: Error) =>
          this.log('failed to write to the KV store, sleeping', { ring: this.key, err: err.message }),
        );
      }, this.opts.heartbeatPeriodMs);
      this.heartbeatTimer.unref();
    }
    const joinAfterMs = this.opts.joinAfterMs ?? 0;
    if (joinAfterMs <= 0) {
      await this.enqueue(() => this.autoJoin());
      return;
    }
    this.joinTimer = setTimeout(() => {
      this.joinTimer = undefined;
      this.enqueue(() => this.autoJoin()).catch((err: Error) =>
        this.log('failed to pick tokens in the KV store', { ring: this.key, err: err.message }),
      );
    }, joinAfterMs);
    this.joinTimer.unref();
  }

  /** Moves to a new state and writes it to the ring; only dskit's allowed transitions pass. */
  changeState(state: InstanceState): Promise<void> {
    return this.enqueue(() => this.applyState(state));
  }

  /**
   * Graceful stop: ACTIVE→LEAVING, then beforeUnregister (the ingester flushes there while the ring
   * still lists it as LEAVING, so queries reach it; heartbeats continue meanwhile), then removes
   * itself from the ring. Resolves after the instance is gone from the ring.
   */
  async stop(beforeUnregister?: () => Promise<void>): Promise<void> {
    if (this.phase !== 'running') return;
    this.phase = 'stopping';
    if (this.joinTimer) clearTimeout(this.joinTimer);
    try {
      await this.enqueue(() => this.applyState('LEAVING'));
    } catch (err) {
      this.log('failed to set state to LEAVING', { ring: this.key, err: (err as Error).message });
    }
    try {
      if (beforeUnregister) await beforeUnregister();
    } finally {
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = undefined;
      if (this.opts.unregisterOnShutdown ?? true) {
        await this.enqueue(() => this.unregister());
        this.log('instance removed from the KV store', { ring: this.key });
      }
      this.phase = 'stopped';
    }
  }

  /** Stops heartbeating and joining without touching the ring, as a crashed process would. */
  halt(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.joinTimer) clearTimeout(this.joinTimer);
    this.heartbeatTimer = undefined;
    this.joinTimer = undefined;
    this.phase = 'stopped';
  }

  /**
   * Throws (with dskit's texts) while this instance should not receive traffic: no tokens yet, itself
   * (or with readinessCheckRingHealth any instance) not ACTIVE and heartbeating, or within
   * minReadyDuration of the first passing check. Latches once ready.
   */
  async checkReady(nowMs: number = Date.now()): Promise<void> {
    if (this.ready) return;
    try {
      await this.checkRingHealthForReadiness(nowMs);
    } catch (err) {
      this.readySinceMs = 0;
      throw err;
    }
    const minReadyMs = this.opts.minReadyDurationMs ?? 15_000;
    if (this.readySinceMs === 0) this.readySinceMs = nowMs;
    if (nowMs - this.readySinceMs < minReadyMs) throw new Error(`waiting for ${formatGoDuration(fromMillis(minReadyMs))} after being ready`);
    this.ready = true;
  }

  private async checkRingHealthForReadiness(nowMs: number): Promise<void> {
    if (this.ownTokens.length === 0) throw new Error('this instance owns no tokens');
    let desc: RingDesc | undefined;
    try {
      desc = await this.kv.get(this.key);
    } catch (err) {
      throw new Error(`error talking to the KV store: ${(err as Error).message}`);
    }
    if (!desc) throw new Error('no ring returned from the KV store');
    const timeoutMs = this.opts.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    if (this.opts.readinessCheckRingHealth ?? true) {
      let numTokens = 0;
      for (const inst of Object.values(desc.instances)) {
        instanceReadiness(inst, timeoutMs, nowMs);
        numTokens += inst.tokens.length;
      }
      if (numTokens === 0) throw new Error('no tokens in ring');
      return;
    }
    const self = desc.instances[this.id];
    if (!self) throw new Error(`instance ${this.id} not found in the ring`);
    instanceReadiness(self, timeoutMs, nowMs);
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private describeSelf(nowMs: number): InstanceDesc {
    const inst: InstanceDesc = {
      id: this.id,
      addr: this.opts.addr,
      state: this.currentState,
      tokens: [...this.ownTokens],
      heartbeatMs: nowMs,
      registeredMs: this.registeredMs,
    };
    if (this.opts.httpAddr !== undefined) inst.httpAddr = this.opts.httpAddr;
    if (this.opts.zone !== undefined) inst.zone = this.opts.zone;
    return inst;
  }

  /** Adds this instance to the ring, or adopts the state and tokens the ring already holds for it. */
  private async initRing(fileTokens: number[]): Promise<void> {
    await this.kv.cas(this.key, (current) => {
      const desc = current ?? emptyRingDesc();
      const now = Date.now();
      const existing = desc.instances[this.id];
      if (!existing) {
        this.registeredMs = now;
        this.currentState = 'PENDING';
        this.ownTokens = [];
        if (fileTokens.length > 0) {
          this.log('adding tokens from file', { num_tokens: fileTokens.length });
          if (fileTokens.length >= this.opts.numTokens) this.currentState = 'ACTIVE';
          this.ownTokens = fileTokens;
        } else {
          this.log('instance not found in ring, adding with no tokens', { ring: this.key });
        }
        desc.instances[this.id] = this.describeSelf(now);
        return desc;
      }
      this.registeredMs = existing.registeredMs;
      // JOINING after a crash restarts the lifecycle; LEAVING with all tokens (a failed unregister) rejoins.
      let state = existing.state;
      if (state === 'JOINING') state = 'PENDING';
      else if (state === 'LEAVING' && existing.tokens.length === this.opts.numTokens) state = 'ACTIVE';
      this.currentState = state;
      this.ownTokens = [...existing.tokens];
      this.log('existing entry found in ring', { state, tokens: existing.tokens.length, ring: this.key });
      desc.instances[this.id] = this.describeSelf(now);
      return desc;
    });
    if (this.ownTokens.length > 0) await this.saveTokensFile();
  }

  /** Picks the missing tokens at random among those no other instance holds, and goes ACTIVE. */
  private async autoJoin(): Promise<void> {
    if (this.phase !== 'running' || this.currentState !== 'PENDING') return;
    this.log('auto-joining cluster after timeout', { ring: this.key });
    await this.kv.cas(this.key, (current) => {
      const desc = current ?? emptyRingDesc();
      const taken: number[] = [];
      for (const [id, inst] of Object.entries(desc.instances)) if (id !== this.id) taken.push(...inst.tokens);
      const mine = desc.instances[this.id]?.tokens ?? this.ownTokens;
      const fresh = generateTokens(this.opts.numTokens - mine.length, [...taken, ...mine]);
      this.ownTokens = [...mine, ...fresh].sort((a, b) => a - b);
      this.currentState = 'ACTIVE';
      desc.instances[this.id] = this.describeSelf(Date.now());
      return desc;
    });
    await this.saveTokensFile();
  }

  private async applyState(state: InstanceState): Promise<void> {
    const from = this.currentState;
    if (!ALLOWED_TRANSITIONS.has(`${from}->${state}`)) {
      throw new StateTransitionError(`Changing instance state from ${from} -> ${state} is disallowed`);
    }
    this.log('changing instance state from', { old_state: from, new_state: state, ring: this.key });
    this.currentState = state;
    await this.heartbeat();
  }

  /** Writes the heartbeat and current state; re-adds the instance if the ring lost it (a KV restart or a forget). */
  private async heartbeat(): Promise<void> {
    if (this.phase === 'stopped' || this.phase === 'new') return;
    await this.kv.cas(this.key, (current) => {
      const desc = current ?? emptyRingDesc();
      if (!desc.instances[this.id]) this.log('found empty ring, inserting tokens', { ring: this.key });
      desc.instances[this.id] = this.describeSelf(Date.now());
      return desc;
    });
  }

  private async unregister(): Promise<void> {
    await this.kv.cas(this.key, (current) => {
      if (!current || !current.instances[this.id]) return undefined;
      delete current.instances[this.id];
      return current;
    });
  }

  private async loadTokensFile(): Promise<number[]> {
    const path = this.opts.tokensFile;
    if (!path) return [];
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log('error loading tokens from file', { path, err: (err as Error).message });
      return [];
    }
    try {
      const parsed = JSON.parse(text) as { tokens?: unknown };
      if (!Array.isArray(parsed.tokens)) throw new Error('no "tokens" array');
      const tokens = parsed.tokens.filter((t): t is number => Number.isInteger(t) && t >= 0 && t <= 0xffff_ffff);
      return [...new Set(tokens)].sort((a, b) => a - b);
    } catch (err) {
      this.log('error loading tokens from file', { path, err: (err as Error).message });
      return [];
    }
  }

  private async saveTokensFile(): Promise<void> {
    const path = this.opts.tokensFile;
    if (!path) return;
    try {
      await mkdir(dirname(path), { recursive: true });
      const tmp = `${path}.tmp`;
      await writeFile(tmp, JSON.stringify({ tokens: this.ownTokens }));
      await rename(tmp, path);
    } catch (err) {
      this.log('error storing tokens to disk', { path, err: (err as Error).message });
    }
  }
}

/** dskit's InstanceDesc.IsReady: heartbeating, then ACTIVE. */
function instanceReadiness(inst: InstanceDesc, heartbeatTimeoutMs: number, nowMs: number): void {
  if (!isHeartbeatHealthy(inst, heartbeatTimeoutMs, nowMs)) throw new Error(`instance ${inst.addr} past heartbeat timeout`);
  if (inst.state !== 'ACTIVE') throw new Error(`instance ${inst.addr} in state ${inst.state}`);
}
