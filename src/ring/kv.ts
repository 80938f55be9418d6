// The KV store interface the ring lives in (compare-and-swap + watch) and its in-process backend.
// Stores hand out copies: a caller never shares a mutable RingDesc with the store or other callers.
import type { RingDesc } from './model.js';

export interface KVStore {
  get(key: string): Promise<RingDesc | undefined>;
  /**
   * Compare-and-swap loop: calls update with the current value until it stores without conflict
   * (safe with many concurrent writers, across processes for Redis). update may return undefined
   * for "no change"; an error thrown by update ends the loop and rejects.
   */
  cas(key: string, update: (current: RingDesc | undefined) => RingDesc | undefined): Promise<void>;
  /**
   * Calls onChange with the current value soon after the call, then with each new value. Returns an
   * unsubscribe function.
   */
  watch(key: string, onChange: (value: RingDesc | undefined) => void): () => void;
  close(): Promise<void>;
}

class InMemoryStore {
  readonly values = new Map<string, RingDesc>();
  readonly watchers = new Map<string, Set<(value: RingDesc | undefined) => void>>();

  notify(key: string): void {
    const set = this.watchers.get(key);
    if (!set || set.size === 0) return;
    const stored = this.values.get(key);
    for (const onChange of [...set]) {
      const copy = stored ? structuredClone(stored) : undefined;
      queueMicrotask(() => {
        if (set.has(onChange)) onChange(copy);
      });
    }
  }
}

const stores = new Map<string, InMemoryStore>();

class InMemoryKV implements KVStore {
  private readonly unsubscribers = new Set<() => void>();
  private closed = false;

  constructor(private readonly store: InMemoryStore) {}

  async get(key: string): Promise<RingDesc | undefined> {
    const stored = this.store.values.get(key);
    return stored ? structuredClone(stored) : undefined;
  }

  async cas(key: string, update: (current: RingDesc | undefined) => RingDesc | undefined): Promise<void> {
    const stored = this.store.values.get(key);
    const next = update(stored ? structuredClone(stored) : undefined);
    if (next === undefined) return;
    this.store.values.set(key, structuredClone(next));
    this.store.notify(key);
  }

  watch(key: string, onChange: (value: RingDesc | undefined) => void): () => void {
    if (this.closed) return () => {};
    let set = this.store.watchers.get(key);
    if (!set) {
      set = new Set();
      this.store.watchers.set(key, set);
    }
    const watchers = set;
    const listener = (value: RingDesc | undefined): void => onChange(value);
    watchers.add(listener);
    const stored = this.store.values.get(key);
    const initial = stored ? structuredClone(stored) : undefined;
    queueMicrotask(() => {
      if (watchers.has(listener)) listener(initial);
    });
    const unsubscribe = (): void => {
      watchers.delete(listener);
      this.unsubscribers.delete(unsubscribe);
    };
    this.unsubscribers.add(unsubscribe);
    return unsubscribe;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const unsubscribe of [...this.unsubscribers]) unsubscribe();
  }
}

/**
 * A KV store held in this process. Every store created with the same name shares its values and
 * watchers (a distributor and ingesters in one process see one ring); close() ends only this handle's watches.
 */
export function createInMemoryKV(name = 'default'): KVStore {
  let store = stores.get(name);
  if (!store) {
    store = new InMemoryStore();
    stores.set(name, store);
  }
  return new InMemoryKV(store);
}
