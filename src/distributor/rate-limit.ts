// Per-tenant ingestion rate limit (Loki's local strategy): a token bucket of `ingestion_rate_mb`
// bytes/s holding up to `ingestion_burst_size_mb`, with golang.org/x/time/rate semantics. No I/O, no clock.
import type { Limits } from '../config/limits.js';
import { RateLimitedError } from '../model/errors.js';
import { ingestionRateLimited } from './push-errors.js';

const BYTES_IN_MB = 1 << 20;

interface Bucket {
  /** Refill rate (bytes/s) and capacity (bytes). */
  rate: number;
  burst: number;
  tokens: number;
  /** Seconds of the last update; undefined until first used (the bucket then starts full). */
  last: number | undefined;
}

/** Bucket count at which full buckets are first swept out (then twice what is left, at least this). */
const SWEEP_AT = 1024;

export class IngestionRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweepAt = SWEEP_AT;

  constructor(private readonly limitsFor: (tenant: string) => Limits) {}

  /** Tenants with a bucket kept (diagnostics, tests). */
  get size(): number {
    return this.buckets.size;
  }

  /** The tenant's rate limit in bytes per second. */
  limit(tenant: string): number {
    return this.limitsFor(tenant).ingestion_rate_mb * BYTES_IN_MB;
  }

  /** Takes `bytes` tokens if the bucket holds them at time `now` (ns); otherwise changes nothing. */
  allow(tenant: string, bytes: number, now: bigint): boolean {
    const t = Number(now) / 1e9;
    const bucket = this.bucket(tenant, t);
    const tokens = this.tokensAt(bucket, t) - bytes;
    if (bytes > bucket.burst || tokens < 0) return false;
    bucket.tokens = tokens;
    bucket.last = t;
    return true;
  }

  /** Like allow(), but throws Loki's 429 for a push of `lines` entries totalling `bytes`. */
  enforce(tenant: string, lines: number, bytes: number, now: bigint): void {
    if (!this.allow(tenant, bytes, now))
      throw new RateLimitedError(ingestionRateLimited(tenant, Math.trunc(this.limit(tenant)), lines, bytes));
  }

  private tokensAt(bucket: Bucket, t: number): number {
    if (bucket.last === undefined) return bucket.burst;
    const elapsed = Math.max(0, t - bucket.last);
    return Math.min(bucket.burst, bucket.tokens + elapsed * bucket.rate);
  }

  /**
   * Forgets the buckets that have refilled completely: a new bucket starts full, so pushes see the
   * same limit, and tenant names a client makes up cannot grow the map without bound.
   */
  private sweep(t: number): void {
    for (const [tenant, b] of this.buckets) if (this.tokensAt(b, t) >= b.burst) this.buckets.delete(tenant);
    this.sweepAt = Math.max(SWEEP_AT, 2 * this.buckets.size);
  }

  /** The tenant's bucket, following limit changes the way x/time/rate's SetLimitAt/SetBurstAt do. */
  private bucket(tenant: string, t: number): Bucket {
    const limits = this.limitsFor(tenant);
    const rate = limits.ingestion_rate_mb * BYTES_IN_MB;
    const burst = Math.trunc(limits.ingestion_burst_size_mb * BYTES_IN_MB);
    let bucket = this.buckets.get(tenant);
    if (bucket === undefined) {
      if (this.buckets.size >= this.sweepAt) this.sweep(t);
      bucket = { rate, burst, tokens: 0, last: undefined };
      this.buckets.set(tenant, bucket);
    } else if (bucket.rate !== rate || bucket.burst !== burst) {
      if (bucket.last !== undefined) {
        bucket.tokens = this.tokensAt(bucket, t);
        bucket.last = t;
      }
      bucket.rate = rate;
      bucket.burst = burst;
    }
    return bucket;
  }
}
