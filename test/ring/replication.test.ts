import { describe, it, expect } from 'vitest';
import { UnavailableError } from '../../src/model/errors.js';
import { createInMemoryKV, ReplicationError, Ring, type InstanceDesc, type InstanceState, type RingDesc } from '../../src/ring/index.js';

const NOW = 1_700_000_000_000;
const TIMEOUT = 60_000;

function inst(id: string, tokens: number[], state: InstanceState = 'ACTIVE', heartbeatAgeMs = 0): InstanceDesc {
  return { id, addr: `10.0.0.${id.charCodeAt(0) - 96}:9095`, state, tokens, heartbeatMs: NOW - heartbeatAgeMs, registeredMs: NOW - 3_600_000 };
}

function ringOf(rf: number, ...instances: InstanceDesc[]): Ring {
  const ring = new Ring(createInMemoryKV('replication-unused'), { heartbeatTimeoutMs: TIMEOUT, replicationFactor: rf });
  const desc: RingDesc = { instances: {} };
  for (const i of instances) desc.instances[i.id] = i;
  ring.update(desc);
  return ring;
}

const ids = (instances: InstanceDesc[]): string[] => instances.map((i) => i.id);

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('Ring.get', () => {
  const three = (): Ring => ringOf(3, inst('a', [100, 400]), inst('b', [200, 500]), inst('c', [300, 600]), inst('d', [700]));

  it('collects RF distinct instances clockwise from the first token greater than the key', () => {
    expect(ids(three().get(50, 'write', NOW).instances)).toEqual(['a', 'b', 'c']);
    expect(ids(three().get(250, 'write', NOW).instances)).toEqual(['c', 'a', 'b']);
  });

  it('starts after a token equal to the key', () => {
    expect(ids(three().get(100, 'write', NOW).instances)).toEqual(['b', 'c', 'a']);
  });

  it('wraps around past the highest token', () => {
    expect(ids(three().get(650, 'write', NOW).instances)).toEqual(['d', 'a', 'b']);
    expect(ids(three().get(700, 'write', NOW).instances)).toEqual(['a', 'b', 'c']);
    expect(ids(three().get(0xffffffff, 'write', NOW).instances)).toEqual(['a', 'b', 'c']);
  });

  it('skips further tokens of an instance already chosen', () => {
    const ring = ringOf(3, inst('a', [100, 150, 160]), inst('b', [200]), inst('c', [300]));
    expect(ids(ring.get(50, 'write', NOW).instances)).toEqual(['a', 'b', 'c']);
  });

  it('requires a quorum of RF/2+1 and tolerates the rest as errors', () => {
    const set = three().get(50, 'write', NOW);
    expect(set.minSuccess).toBe(2);
    expect(set.maxErrors).toBe(1);
  });

  it('drops an owner with a stale heartbeat for writes without extending to the next instance', () => {
    const ring = ringOf(3, inst('a', [100]), inst('b', [200], 'ACTIVE', TIMEOUT + 1), inst('c', [300]), inst('d', [400]));
    const set = ring.get(50, 'write', NOW);
    expect(ids(set.instances)).toEqual(['a', 'c']);
    expect(set.minSuccess).toBe(2);
    expect(set.maxErrors).toBe(0);
  });

  it('counts a heartbeat exactly at the timeout as healthy', () => {
    const ring = ringOf(1, inst('a', [100], 'ACTIVE', TIMEOUT));
    expect(ids(ring.get(50, 'write', NOW).instances)).toEqual(['a']);
  });

  it('writes only to ACTIVE owners', () => {
    const ring = ringOf(3, inst('a', [100]), inst('b', [200], 'LEAVING'), inst('c', [300]), inst('d', [400]));
    expect(ids(ring.get(50, 'write', NOW).instances)).toEqual(['a', 'c']);
  });

  it('fails below quorum with Loki text listing unhealthy addresses', () => {
    const ring = ringOf(3, inst('a', [100]), inst('b', [200], 'ACTIVE', TIMEOUT + 1), inst('c', [300], 'JOINING'), inst('d', [400]));
    const err = errorOf(() => ring.get(50, 'write', NOW));
    expect(err).toBeInstanceOf(ReplicationError);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toBe('at least 2 live replicas required, could only find 1 - unhealthy instances: 10.0.0.2:9095,10.0.0.3:9095');
    expect((err as ReplicationError).status).toBe(500);
  });

  it('fails without the unhealthy suffix when the ring is simply too small', () => {
    const ring = ringOf(5, inst('a', [100]), inst('b', [200]));
    expect(errorOf(() => ring.get(50, 'write', NOW)).message).toBe('at least 3 live replicas required, could only find 2');
  });

  it('accepts fewer instances than RF while a quorum remains', () => {
    const set = ringOf(3, inst('a', [100]), inst('b', [200])).get(50, 'write', NOW);
    expect(ids(set.instances)).toEqual(['a', 'b']);
    expect(set.minSuccess).toBe(2);
    expect(set.maxErrors).toBe(0);
  });

  it('serves a single instance with RF 1', () => {
    const set = ringOf(1, inst('a', [100])).get(12345, 'write', NOW);
    expect(ids(set.instances)).toEqual(['a']);
    expect(set.minSuccess).toBe(1);
    expect(set.maxErrors).toBe(0);
  });

  it('reads from LEAVING owners', () => {
    const ring = ringOf(3, inst('a', [100]), inst('b', [200], 'LEAVING'), inst('c', [300]), inst('d', [400]));
    expect(ids(ring.get(50, 'read', NOW).instances)).toEqual(['a', 'b', 'c']);
  });

  it('extends a read past a PENDING owner and raises the quorum with it', () => {
    const ring = ringOf(3, inst('a', [100]), inst('b', [200], 'PENDING'), inst('c', [300]), inst('d', [400]));
    const set = ring.get(50, 'read', NOW);
    expect(ids(set.instances)).toEqual(['a', 'b', 'c', 'd']);
    expect(set.minSuccess).toBe(3);
    expect(set.maxErrors).toBe(1);
  });

  it('fails on an empty ring', () => {
    const ring = ringOf(3, inst('p', [], 'PENDING'));
    const err = errorOf(() => ring.get(1, 'write', NOW));
    expect(err).toBeInstanceOf(ReplicationError);
    expect(err.message).toBe('empty ring');
  });

  it('ignores the heartbeat when the timeout is 0', () => {
    const ring = new Ring(createInMemoryKV('replication-unused'), { heartbeatTimeoutMs: 0, replicationFactor: 1 });
    ring.update({ instances: { a: inst('a', [100], 'ACTIVE', 10 * TIMEOUT) } });
    expect(ids(ring.get(50, 'write', NOW).instances)).toEqual(['a']);
  });
});

describe('Ring.healthyInstances and replicationSetForAll', () => {
  const ring = (): Ring =>
    ringOf(
      3,
      inst('d', [400]),
      inst('a', [100]),
      inst('b', [200], 'LEAVING'),
      inst('c', [300], 'ACTIVE', TIMEOUT + 1),
      inst('e', [500], 'JOINING'),
      inst('f', [], 'PENDING'),
    );

  it('lists every instance healthy for reads, by id', () => {
    expect(ids(ring().healthyInstances('read', NOW))).toEqual(['a', 'b', 'd', 'f']);
  });

  it('lists only ACTIVE fresh instances for writes', () => {
    expect(ids(ring().healthyInstances('write', NOW))).toEqual(['a', 'd']);
  });

  it('tolerates RF/2 unhealthy instances over the whole ring', () => {
    const r = ringOf(3, inst('a', [100]), inst('b', [200]), inst('c', [300], 'ACTIVE', TIMEOUT + 1));
    const set = r.replicationSetForAll('read', NOW);
    expect(ids(set.instances)).toEqual(['a', 'b']);
    expect(set.minSuccess).toBe(2);
    expect(set.maxErrors).toBe(0);
  });

  it('fails when more instances are unhealthy than the ring can lose', () => {
    expect(errorOf(() => ring().replicationSetForAll('read', NOW)).message).toBe('too many unhealthy instances in the ring');
  });
});

describe('Ring.forget', () => {
  it('removes the instance from the ring in the KV store', async () => {
    const kv = createInMemoryKV('replication-forget');
    await kv.cas('ring', () => ({ instances: { a: inst('a', [1]), b: inst('b', [2]) } }));
    const ring = new Ring(kv, { heartbeatTimeoutMs: TIMEOUT, replicationFactor: 1 });
    await ring.forget('a');
    expect(Object.keys((await kv.get('ring'))?.instances ?? {})).toEqual(['b']);
  });

  it('reports an empty ring with the text of the ring page', async () => {
    const ring = new Ring(createInMemoryKV('replication-forget-empty'), { heartbeatTimeoutMs: TIMEOUT, replicationFactor: 1 });
    await expect(ring.forget('x')).rejects.toThrow("error forgetting instance 'x': found empty ring when trying to unregister");
  });
});
