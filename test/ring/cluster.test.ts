import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Lifecycler, renderRingPage, Ring, tokenFor, type KVStore } from '../../src/ring/index.js';
import { eventually } from './eventually.js';
import { inMemoryBackend, redisBackend, type KVNamespace } from './kv-backends.js';

const HEARTBEAT_MS = 100;
const TIMEOUT_MS = 1_000;

describe.each([inMemoryBackend(), redisBackend()])('a ring of lifecyclers ($name)', (backend) => {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  const lifecyclers: Lifecycler[] = [];
  const rings: Ring[] = [];
  afterEach(async () => {
    for (const l of lifecyclers.splice(0)) l.halt();
    await Promise.all(rings.splice(0).map((r) => r.stop()));
    await backend.closeAll();
  });

  /** Each ingester and each ring reader gets its own client, as separate processes would. */
  function ingester(ns: KVNamespace, id: string): Lifecycler {
    const l = new Lifecycler(ns.open(), { id, addr: `${id}:9095`, numTokens: 128, heartbeatPeriodMs: HEARTBEAT_MS });
    lifecyclers.push(l);
    return l;
  }

  async function reader(ns: KVNamespace, replicationFactor: number): Promise<Ring> {
    const kv: KVStore = ns.open();
    const ring = new Ring(kv, { heartbeatTimeoutMs: TIMEOUT_MS, replicationFactor });
    rings.push(ring);
    await ring.start();
    return ring;
  }

  const activeIds = (ring: Ring): string[] =>
    ring
      .healthyInstances('read')
      .filter((i) => i.state === 'ACTIVE')
      .map((i) => i.id);

  it('sees three started lifecyclers ACTIVE and healthy and writes each key to all three', async () => {
    const ns = backend.namespace();
    await Promise.all(['ing-a', 'ing-b', 'ing-c'].map((id) => ingester(ns, id).start()));
    const ring = await reader(ns, 3);
    await eventually(() => activeIds(ring).length === 3, 'three ACTIVE instances');
    expect(activeIds(ring)).toEqual(['ing-a', 'ing-b', 'ing-c']);
    const set = ring.get(tokenFor('fake', '{job="varlogs"}'), 'write');
    expect(set.instances.map((i) => i.id).sort()).toEqual(['ing-a', 'ing-b', 'ing-c']);
    expect(set.minSuccess).toBe(2);
    expect(set.maxErrors).toBe(1);
  });

  it('marks an instance that stops heartbeating unhealthy after the timeout', async () => {
    const ns = backend.namespace();
    const [a, b, c] = ['ing-a', 'ing-b', 'ing-c'].map((id) => ingester(ns, id));
    await Promise.all([a, b, c].map((l) => l.start()));
    const ring = await reader(ns, 3);
    await eventually(() => activeIds(ring).length === 3, 'three ACTIVE instances');
    c.halt();
    await eventually(() => activeIds(ring).length === 2, 'ing-c to become unhealthy', 15_000);
    expect(activeIds(ring)).toEqual(['ing-a', 'ing-b']);
    const set = ring.get(tokenFor('fake', '{job="varlogs"}'), 'write');
    expect(set.instances.map((i) => i.id).sort()).toEqual(['ing-a', 'ing-b']);
    expect(set.maxErrors).toBe(0);
    const page = renderRingPage(ring.describe(), Date.now(), TIMEOUT_MS).json;
    expect(page.shards.map((s) => [s.id, s.state])).toEqual([
      ['ing-a', 'ACTIVE'],
      ['ing-b', 'ACTIVE'],
      ['ing-c', 'UNHEALTHY'],
    ]);
  });

  it('keeps a leaving instance readable during its flush and removes it afterwards', async () => {
    const ns = backend.namespace();
    const [a, b, c] = ['ing-a', 'ing-b', 'ing-c'].map((id) => ingester(ns, id));
    await Promise.all([a, b, c].map((l) => l.start()));
    const ring = await reader(ns, 3);
    await eventually(() => activeIds(ring).length === 3, 'three ACTIVE instances');
    let readableWhileFlushing: string[] = [];
    await c.stop(async () => {
      await eventually(() => ring.describe().instances['ing-c']?.state === 'LEAVING', 'the reader to see LEAVING');
      readableWhileFlushing = ring.healthyInstances('read').map((i) => i.id);
    });
    expect(readableWhileFlushing).toEqual(['ing-a', 'ing-b', 'ing-c']);
    await eventually(() => !ring.describe().instances['ing-c'], 'ing-c to leave the ring');
    expect(Object.keys(ring.describe().instances).sort()).toEqual(['ing-a', 'ing-b']);
  });

  it('moves ownership of some keys, and only those, to a fourth instance', async () => {
    const ns = backend.namespace();
    await Promise.all(['ing-a', 'ing-b', 'ing-c'].map((id) => ingester(ns, id).start()));
    const ring = await reader(ns, 1);
    await eventually(() => activeIds(ring).length === 3, 'three ACTIVE instances');
    const keys = Array.from({ length: 2000 }, (_, i) => tokenFor('tenant', `{stream="${i}"}`));
    const ownerOf = (key: number): string => ring.get(key, 'write').instances[0].id;
    const before = keys.map(ownerOf);
    await ingester(ns, 'ing-d').start();
    await eventually(() => activeIds(ring).length === 4, 'four ACTIVE instances');
    const after = keys.map(ownerOf);
    const moved = keys.filter((_, i) => before[i] !== after[i]).length;
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThan(keys.length);
    for (let i = 0; i < keys.length; i++) if (before[i] !== after[i]) expect(after[i]).toBe('ing-d');
    expect(after.filter((o) => o === 'ing-d').length).toBe(moved);
  });
});
