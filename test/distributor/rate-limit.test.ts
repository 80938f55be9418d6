import { describe, expect, it } from 'vitest';
import { defaultLimits, type Limits } from '../../src/config/limits.js';
import { IngestionRateLimiter } from '../../src/distributor/rate-limit.js';
import { RateLimitedError } from '../../src/model/errors.js';

const MiB = 1 << 20;
const SECOND = 1_000_000_000n;
const T0 = 1_700_000_000n * SECOND;

function limiter(overrides: Record<string, Partial<Limits>> = {}): IngestionRateLimiter {
  return new IngestionRateLimiter((tenant) => ({ ...defaultLimits(), ...(overrides[tenant] ?? {}) }));
}

describe('IngestionRateLimiter', () => {
  it('starts with a full burst (6 MiB by default) and refuses what exceeds it', () => {
    const rl = limiter();
    expect(rl.allow('t', 6 * MiB, T0)).toBe(true);
    expect(rl.allow('t', 1, T0)).toBe(false);
  });

  it('refills at ingestion_rate_mb per second, never above the burst', () => {
    const rl = limiter();
    expect(rl.allow('t', 6 * MiB, T0)).toBe(true);
    expect(rl.allow('t', 2 * MiB, T0 + SECOND / 2n)).toBe(true);
    expect(rl.allow('t', 1, T0 + SECOND / 2n)).toBe(false);
    expect(rl.allow('t', 6 * MiB + 1, T0 + 100n * SECOND)).toBe(false);
    expect(rl.allow('t', 6 * MiB, T0 + 100n * SECOND)).toBe(true);
  });

  it('takes nothing from the bucket when it refuses', () => {
    const rl = limiter();
    expect(rl.allow('t', 5 * MiB, T0)).toBe(true);
    expect(rl.allow('t', 2 * MiB, T0)).toBe(false);
    expect(rl.allow('t', 1 * MiB, T0)).toBe(true);
  });

  it('keeps one bucket per tenant with its own limits', () => {
    const rl = limiter({ small: { ingestion_rate_mb: 1, ingestion_burst_size_mb: 1 } });
    expect(rl.allow('small', MiB + 1, T0)).toBe(false);
    expect(rl.allow('small', MiB, T0)).toBe(true);
    expect(rl.allow('big', 6 * MiB, T0)).toBe(true);
    expect(rl.limit('small')).toBe(MiB);
  });

  it('follows a tenant whose rate changes: tokens earned so far stay, new ones come at the new rate', () => {
    let rate = 4;
    const rl = new IngestionRateLimiter(() => ({ ...defaultLimits(), ingestion_rate_mb: rate, ingestion_burst_size_mb: 6 }));
    expect(rl.allow('t', 6 * MiB, T0)).toBe(true);
    rate = 1;
    expect(rl.allow('t', 4 * MiB, T0 + SECOND)).toBe(true);
    expect(rl.allow('t', MiB + 1, T0 + 2n * SECOND)).toBe(false);
    expect(rl.allow('t', MiB, T0 + 2n * SECOND)).toBe(true);
  });

  it('forgets refilled buckets once many tenants have pushed, and limits stay the same', () => {
    const rl = limiter();
    // Tenant "busy" has spent its burst and refills at 4 MiB/s.
    expect(rl.allow('busy', 6 * MiB, T0)).toBe(true);
    // Tenant names a client makes up, each pushing a little.
    for (let i = 0; i < 10_000; i++) expect(rl.allow(`made-up-${i}`, 1024, T0 + BigInt(i) * (SECOND / 10_000n))).toBe(true);
    expect(rl.size).toBeLessThan(2_100);
    // Half a second on, "busy" holds 2 MiB: its bucket was kept, not started anew.
    expect(rl.allow('busy', 2 * MiB + 1, T0 + SECOND / 2n)).toBe(false);
    expect(rl.allow('busy', 2 * MiB, T0 + SECOND / 2n)).toBe(true);
    // A forgotten tenant starts with a full burst, as its refilled bucket had.
    expect(rl.allow('made-up-0', 6 * MiB, T0 + 2n * SECOND)).toBe(true);
    expect(rl.allow('made-up-0', 1, T0 + 2n * SECOND)).toBe(false);
  });

  it("throws Loki's 429 text from enforce()", () => {
    const rl = limiter();
    rl.enforce('tenant-1', 1, 6 * MiB, T0);
    let thrown: unknown;
    try {
      rl.enforce('tenant-1', 3, 1234, T0);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(RateLimitedError);
    expect((thrown as RateLimitedError).status).toBe(429);
    expect((thrown as RateLimitedError).message).toBe(
      "ingestion rate limit exceeded for user tenant-1 (limit: 4194304 bytes/sec) while attempting to ingest '3' lines totaling '1234' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased",
    );
  });
});
