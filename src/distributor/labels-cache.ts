// Caches of what each tenant's label strings parse to, under one memory budget shared by all
// tenants: many tenants, or a tenant cycling through label sets, cannot grow it past the budget.
// Pure: no I/O, no clock.
//
// Eviction is generational (an approximate LRU with O(1) hits): every tenant cache holds a current
// and a previous map. What is added goes into current and is charged to the budget's current
// generation; once that generation has used half the budget a new one starts: caches not used
// during the generation that just ended are dropped whole, the others lose their previous map and
// move current to previous when next used. A hit in previous is copied back into current (and
// charged again), so what is in use survives and what is not falls out within two generations.
// Everything alive was charged in the last two generations, so it stays within the budget.

/** The default budget across all tenants, in (estimated) bytes. */
export const DEFAULT_LABELS_CACHE_BYTES = 64 << 20;

/** Charged for each tenant cache (its object and two maps) in every generation that uses it. */
export const TENANT_CACHE_COST = 512;

const NONE: ReadonlyMap<string, never> = new Map<string, never>();

/** One tenant's cache: values by label string as pushed, valid for one `scope` (compared by identity). */
export class TenantLabelsCache<V> {
  /** The budget generation `current` belongs to. */
  gen = -1;
  current = new Map<string, V>();
  previous: ReadonlyMap<string, V> = NONE;
  currentBytes = 0;
  previousBytes = 0;
  private scope: unknown;

  constructor(private readonly budget: LabelsCaches<V>) {}

  /**
   * The value cached for `raw` under `scope` (what the values depend on besides `raw`, e.g. the
   * tenant's service-name discovery list: another scope empties the cache).
   */
  get(raw: string, scope: unknown): V | undefined {
    if (scope !== this.scope) this.rescope(scope);
    if (this.gen !== this.budget.gen) this.budget.admit(this);
    const value = this.current.get(raw);
    if (value !== undefined) return value;
    const old = this.previous.get(raw);
    if (old !== undefined) this.set(raw, old);
    return old;
  }

  /** Caches `value` for `raw` (under the scope of the last get); values too large for the budget are not kept. */
  set(raw: string, value: V): void {
    const budget = this.budget;
    const cost = budget.cost(raw, value);
    if (cost > budget.maxEntryBytes) return;
    if (this.gen !== budget.gen) budget.admit(this);
    budget.reserve(cost, this);
    this.current.set(raw, value);
    this.currentBytes += cost;
    budget.bytes += cost;
  }

  private rescope(scope: unknown): void {
    this.scope = scope;
    this.budget.bytes -= this.currentBytes + this.previousBytes;
    this.current = new Map();
    this.previous = NONE;
    this.currentBytes = this.previousBytes = 0;
  }
}

/** The tenant caches sharing one budget. */
export class LabelsCaches<V> {
  /** The current generation. */
  gen = 0;
  /** Charged to the current generation. */
  genBytes = 0;
  /** Estimated bytes alive: every tenant cache's maps and TENANT_CACHE_COST per tenant cache. */
  bytes = 0;
  /** Entries costing more are not cached (one cannot flush the others out by itself). */
  readonly maxEntryBytes: number;
  private readonly tenants = new Map<string, TenantLabelsCache<V>>();

  /**
   * @param maxBytes the budget across all tenants, in estimated bytes
   * @param cost the estimated bytes one entry keeps alive (its key included)
   */
  constructor(
    readonly maxBytes: number,
    readonly cost: (raw: string, value: V) => number,
  ) {
    this.maxEntryBytes = Math.floor(maxBytes / 64);
  }

  /** The cache of `tenant`, made if it has none. */
  forTenant(tenant: string): TenantLabelsCache<V> {
    let cache = this.tenants.get(tenant);
    if (cache === undefined) {
      this.tenants.set(tenant, (cache = new TenantLabelsCache(this)));
      this.bytes += TENANT_CACHE_COST;
      this.admit(cache);
    }
    return cache;
  }

  /** How many tenant caches and entries are alive, and their estimated bytes. */
  stats(): { tenants: number; entries: number; bytes: number } {
    let entries = 0;
    for (const c of this.tenants.values()) entries += c.current.size + c.previous.size;
    return { tenants: this.tenants.size, entries, bytes: this.bytes };
  }

  /** Brings `cache` into the current generation: its current map becomes previous (if one generation old). */
  admit(cache: TenantLabelsCache<V>): void {
    if (this.genBytes + TENANT_CACHE_COST > this.maxBytes / 2) this.rotate(cache);
    this.shift(cache);
    this.genBytes += TENANT_CACHE_COST;
  }

  /** Charges `cost` for an entry `cache` (already admitted) is about to add, starting a new generation first if it must. */
  reserve(cost: number, cache: TenantLabelsCache<V>): void {
    if (this.genBytes + cost > this.maxBytes / 2) {
      this.rotate(cache);
      this.shift(cache);
      this.genBytes += TENANT_CACHE_COST;
    }
    this.genBytes += cost;
  }

  private shift(cache: TenantLabelsCache<V>): void {
    if (cache.gen === this.gen - 1) {
      this.bytes -= cache.previousBytes;
      cache.previous = cache.current;
      cache.previousBytes = cache.currentBytes;
    } else {
      this.bytes -= cache.currentBytes + cache.previousBytes;
      cache.previous = NONE;
      cache.previousBytes = 0;
    }
    cache.current = new Map();
    cache.currentBytes = 0;
    cache.gen = this.gen;
  }

  /**
   * Starts a new generation: drops the tenant caches the ending one did not use (but `keep`, which
   * is in use) and the previous maps of those it did.
   */
  private rotate(keep: TenantLabelsCache<V>): void {
    this.gen++;
    this.genBytes = 0;
    for (const [tenant, cache] of this.tenants) {
      if (cache.gen === this.gen - 1 || cache === keep) {
        this.bytes -= cache.previousBytes;
        cache.previous = NONE;
        cache.previousBytes = 0;
      } else {
        this.tenants.delete(tenant);
        this.bytes -= cache.currentBytes + cache.previousBytes + TENANT_CACHE_COST;
      }
    }
  }
}
