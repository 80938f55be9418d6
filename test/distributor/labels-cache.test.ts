import { describe, expect, it } from 'vitest';
import { defaultLimits, type Limits } from '../../src/config/limits.js';
import { Distributor } from '../../src/distributor/distributor.js';
import { LabelsCaches, TENANT_CACHE_COST, type TenantLabelsCache } from '../../src/distributor/labels-cache.js';
import { streamLabelsCaches, validatePush, type StreamLabelsCaches } from '../../src/distributor/validate.js';
import type { PushPayload } from '../../src/distributor/push-payload.js';
import { promtailBody } from './push-bodies.js';

const NOW = 1795448067_500_000_000n;
const limits = (overrides: Partial<Limits> = {}): Limits => ({ ...defaultLimits(), discover_log_levels: false, ...overrides });
const payload = (...labels: string[]): PushPayload => ({ streams: labels.map((l) => ({ labels: l, entries: [{ ts: NOW, line: 'x' }] })) });

/** What validation makes of one stream's labels (or the error refusing the push), comparable across runs. */
function outcome(raw: string, l: Limits, cache?: ReturnType<StreamLabelsCaches['forTenant']>): unknown {
  try {
    const r = validatePush(payload(raw), 't', l, NOW, cache);
    return { streams: r.streams.map((s) => [s.labelsString, s.labels]), error: r.error?.message };
  } catch (err) {
    return { thrown: (err as Error).constructor.name, message: (err as Error).message };
  }
}

/** The budget's live bytes recomputed from its maps, checking its running count. */
function measured<V>(caches: LabelsCaches<V>): number {
  const tenants = (caches as unknown as { tenants: Map<string, TenantLabelsCache<V>> }).tenants;
  let bytes = 0;
  for (const c of tenants.values()) {
    bytes += TENANT_CACHE_COST;
    let current = 0;
    for (const [raw, v] of c.current) current += caches.cost(raw, v);
    let previous = 0;
    for (const [raw, v] of c.previous) previous += caches.cost(raw, v);
    expect([current, previous]).toEqual([c.currentBytes, c.previousBytes]);
    bytes += current + previous;
  }
  return bytes;
}

/** Deterministic pseudo-random numbers. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

describe('stream label caches across tenants', () => {
  it('stay within the budget with many tenants and label sets, counting their bytes exactly', () => {
    const maxBytes = 256 << 10;
    const caches = streamLabelsCaches(maxBytes);
    const l = limits();
    let peak = 0;
    for (let round = 0; round < 4; round++) {
      for (let t = 0; t < 3000; t++) {
        const cache = caches.forTenant(`tenant-${t}`);
        // Every tenant has a few steady streams; one in ten also cycles through label sets never seen again.
        const streams = [`{app="a${t % 7}", env="prod"}`, `{app="b", pod="p-${t % 13}"}`];
        if (t % 10 === 0) for (let k = 0; k < 20; k++) streams.push(`{app="cycle", round="${round}", k="${k}", t="${t}"}`);
        validatePush(payload(...streams), `tenant-${t}`, l, NOW, cache);
        peak = Math.max(peak, caches.stats().bytes);
      }
      expect(measured(caches)).toBe(caches.stats().bytes);
    }
    expect(peak).toBeLessThanOrEqual(maxBytes);
    const { tenants, entries, bytes } = caches.stats();
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    expect(tenants).toBeLessThan(3000);
    expect(entries).toBeGreaterThan(0);
  });

  it('keep one tenant cycling through label sets within the budget', () => {
    const maxBytes = 64 << 10;
    const caches = streamLabelsCaches(maxBytes);
    const cache = caches.forTenant('t');
    const l = limits();
    for (let i = 0; i < 20_000; i++) {
      validatePush(payload(`{app="a", id="${i}"}`), 't', l, NOW, cache);
      expect(caches.stats().bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(measured(caches)).toBe(caches.stats().bytes);
  });

  it('keep what a tenant keeps using while others churn through the budget', () => {
    // About 30 one-stream tenants fill a generation (half the budget); the hot one pushes every 10.
    const caches = streamLabelsCaches(64 << 10);
    const l = limits();
    const hot = caches.forTenant('hot');
    const first = validatePush(payload('{app="hot"}'), 'hot', l, NOW, hot).streams[0].labels;
    for (let t = 0; t < 5000; t++) {
      validatePush(payload(`{app="cold", t="${t}"}`), `cold-${t}`, l, NOW, caches.forTenant(`cold-${t}`));
      if (t % 10 === 0) expect(validatePush(payload('{app="hot"}'), 'hot', l, NOW, caches.forTenant('hot')).streams[0].labels).toBe(first);
    }
    expect(caches.stats().tenants).toBeLessThan(5000);
  });

  it('give the same labels and the same errors as parsing without a cache, through evictions and discovery changes', () => {
    const caches = streamLabelsCaches(16 << 10);
    const random = rng(42);
    const variants: Limits[] = [
      limits(),
      limits({ discover_service_name: ['k'] }),
      limits({ discover_service_name: [], max_label_names_per_series: 2 }),
      limits({ max_label_value_length: 3 }),
    ];
    const raws = [
      '{app="a"}',
      '{ z="1",app="a" }',
      '{k="v", e=""}',
      '{a="1", b="2", c="3"}',
      '{a="toolong"}',
      '{a=}',
      '{}',
      '{a="1", a="2"}',
      '{__pattern__="p"}',
      '{service_name="s", k="x"}',
    ];
    for (let i = 0; i < 4000; i++) {
      const tenant = `t${Math.floor(random() * 50)}`;
      const l = variants[Math.floor(random() * variants.length)];
      const raw = random() < 0.5 ? raws[Math.floor(random() * raws.length)] : `{app="x", n="${Math.floor(random() * 300)}"}`;
      expect(outcome(raw, l, caches.forTenant(tenant))).toEqual(outcome(raw, l));
    }
    expect(caches.stats().bytes).toBeLessThanOrEqual(16 << 10);
    expect(measured(caches)).toBe(caches.stats().bytes);
  });

  it('do not keep a single entry too large for the budget', () => {
    const caches = streamLabelsCaches(64 << 10);
    const cache = caches.forTenant('t');
    const raw = `{a="${'x'.repeat(4096)}"}`;
    const l = limits({ max_label_value_length: 1 << 20 });
    expect(validatePush(payload(raw), 't', l, NOW, cache).streams).toHaveLength(1);
    expect(caches.stats()).toMatchObject({ entries: 0, bytes: TENANT_CACHE_COST });
  });
});

describe('Distributor label caches', () => {
  it('share one budget across tenants', async () => {
    const maxBytes = 64 << 10;
    const pushed: string[] = [];
    const distributor = new Distributor({
      limits: () => limits(),
      maxRecvMsgSize: 100 << 20,
      maxDecompressedSize: 100 << 20,
      push: async (tenant, streams) => {
        pushed.push(`${tenant} ${streams.map((s) => s.labelsString).join(' ')}`);
      },
      now: () => NOW,
      labelsCacheBytes: maxBytes,
    });
    const caches = (distributor as unknown as { labelsCaches: StreamLabelsCaches }).labelsCaches;
    const opts = { contentType: 'application/x-protobuf', contentEncoding: undefined, legacyJson: false };
    for (let t = 0; t < 2000; t++) {
      const body = promtailBody([{ labels: `{job="j", t="${t}"}`, entries: [{ ns: NOW - 1n, line: 'hello' }] }]);
      await distributor.push(`tenant-${t}`, body, opts);
      expect(caches.stats().bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(pushed[1999]).toBe('tenant-1999 {job="j", service_name="j", t="1999"}');
    expect(caches.stats().tenants).toBeLessThan(2000);
  });
});
