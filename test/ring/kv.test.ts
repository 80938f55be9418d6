import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { InstanceDesc, RingDesc } from '../../src/ring/index.js';
import { eventually } from './eventually.js';
import { inMemoryBackend, redisBackend } from './kv-backends.js';

function inst(id: string, heartbeatMs = 0): InstanceDesc {
  return { id, addr: `${id}:9095`, state: 'ACTIVE', tokens: [], heartbeatMs, registeredMs: 0 };
}

const counterOf = (desc: RingDesc | undefined): number => desc?.instances.counter?.heartbeatMs ?? 0;

describe.each([inMemoryBackend(), redisBackend()])('KV store ($name)', (backend) => {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  afterEach(() => backend.closeAll());

  it('returns undefined for a key never written', async () => {
    const kv = backend.namespace().open();
    expect(await kv.get('ring')).toBeUndefined();
  });

  it('creates the value on the first cas, passing undefined as the current value', async () => {
    const kv = backend.namespace().open();
    let seen: RingDesc | undefined | null = null;
    await kv.cas('ring', (current) => {
      seen = current;
      return { instances: { a: inst('a', 5) } };
    });
    expect(seen).toBeUndefined();
    expect(await kv.get('ring')).toEqual({ instances: { a: inst('a', 5) } });
  });

  it('keeps the value when update returns undefined', async () => {
    const kv = backend.namespace().open();
    await kv.cas('ring', () => ({ instances: { a: inst('a') } }));
    await kv.cas('ring', () => undefined);
    expect(await kv.get('ring')).toEqual({ instances: { a: inst('a') } });
  });

  it('rejects with the error update throws, leaving the value alone', async () => {
    const kv = backend.namespace().open();
    await kv.cas('ring', () => ({ instances: { a: inst('a') } }));
    await expect(
      kv.cas('ring', () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await kv.get('ring')).toEqual({ instances: { a: inst('a') } });
  });

  it('hands out copies: mutating a returned value changes nothing stored', async () => {
    const kv = backend.namespace().open();
    const desc: RingDesc = { instances: { a: inst('a') } };
    await kv.cas('ring', () => desc);
    desc.instances.b = inst('b');
    const got = await kv.get('ring');
    (got as RingDesc).instances.c = inst('c');
    expect(Object.keys((await kv.get('ring'))?.instances ?? {})).toEqual(['a']);
  });

  it('keeps keys apart', async () => {
    const kv = backend.namespace().open();
    await kv.cas('ring', () => ({ instances: { a: inst('a') } }));
    await kv.cas('other', () => ({ instances: { b: inst('b') } }));
    expect(Object.keys((await kv.get('ring'))?.instances ?? {})).toEqual(['a']);
    expect(Object.keys((await kv.get('other'))?.instances ?? {})).toEqual(['b']);
  });

  it('loses no update when 20 writers on two clients cas concurrently', async () => {
    const ns = backend.namespace();
    const clients = [ns.open(), ns.open()];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        clients[i % 2].cas('ring', (current) => {
          const desc = current ?? { instances: {} };
          desc.instances.counter = inst('counter', counterOf(desc) + 1);
          desc.instances[`w${i}`] = inst(`w${i}`);
          return desc;
        }),
      ),
    );
    const final = await clients[0].get('ring');
    expect(counterOf(final)).toBe(20);
    expect(Object.keys(final?.instances ?? {}).length).toBe(21);
  });

  it('lets a second client see what the first wrote', async () => {
    const ns = backend.namespace();
    const [first, second] = [ns.open(), ns.open()];
    await first.cas('ring', () => ({ instances: { a: inst('a', 1) } }));
    expect(await second.get('ring')).toEqual({ instances: { a: inst('a', 1) } });
    await second.cas('ring', (current) => ({ instances: { ...current?.instances, b: inst('b', 2) } }));
    expect(Object.keys((await first.get('ring'))?.instances ?? {}).sort()).toEqual(['a', 'b']);
  });

  it('calls a watcher with the current value first, then with each change from another client', async () => {
    const ns = backend.namespace();
    const [writer, reader] = [ns.open(), ns.open()];
    await writer.cas('ring', () => ({ instances: { counter: inst('counter', 1) } }));
    const seen: number[] = [];
    const unwatch = reader.watch('ring', (value) => seen.push(counterOf(value)));
    await eventually(() => seen.includes(1), 'the initial value');
    await writer.cas('ring', () => ({ instances: { counter: inst('counter', 2) } }));
    await eventually(() => seen.includes(2), 'the first change');
    await writer.cas('ring', () => ({ instances: { counter: inst('counter', 3) } }));
    await eventually(() => seen.includes(3), 'the second change');
    unwatch();
    expect(seen[0]).toBe(1);
    expect(seen[seen.length - 1]).toBe(3);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('calls a watcher of a missing key with undefined', async () => {
    const kv = backend.namespace().open();
    const seen: (RingDesc | undefined)[] = [];
    kv.watch('ring', (value) => seen.push(value));
    await eventually(() => seen.length === 1, 'the initial call');
    expect(seen).toEqual([undefined]);
  });

  it('stops calling a watcher after unsubscribe and after close', async () => {
    const ns = backend.namespace();
    const [writer, reader, closing] = [ns.open(), ns.open(), ns.open()];
    const unsubscribed: number[] = [];
    const closed: number[] = [];
    const live: number[] = [];
    const unwatch = reader.watch('ring', (value) => unsubscribed.push(counterOf(value)));
    closing.watch('ring', (value) => closed.push(counterOf(value)));
    reader.watch('ring', (value) => live.push(counterOf(value)));
    await eventually(() => unsubscribed.length === 1 && closed.length === 1 && live.length === 1, 'initial calls');
    unwatch();
    await closing.close();
    await writer.cas('ring', () => ({ instances: { counter: inst('counter', 7) } }));
    await eventually(() => live.includes(7), 'the change on the live watcher');
    expect(unsubscribed).toEqual([0]);
    expect(closed).toEqual([0]);
  });
});

describe('Redis KV store specifics', () => {
  const backend = redisBackend();
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  afterEach(() => backend.closeAll());

  it('reaches a watcher by polling when a write publishes no notification', async () => {
    const ns = backend.namespace();
    const [writer, reader] = [ns.open(), ns.open()];
    await writer.cas('ring', () => ({ instances: { counter: inst('counter', 1) } }));
    const seen: number[] = [];
    reader.watch('ring', (value) => seen.push(counterOf(value)));
    await eventually(() => seen.includes(1), 'the initial value');
    await rawWrite(backend.redis().endpoint, `${ns.name}:ring`, '9', { instances: { counter: inst('counter', 9) } });
    await eventually(() => seen.includes(9), 'the unpublished change');
  });

  it('delivers a value again after the key restarts from version 1, as after a Redis restart', async () => {
    const ns = backend.namespace();
    const [writer, reader] = [ns.open(), ns.open()];
    for (let i = 1; i <= 3; i++) await writer.cas('ring', () => ({ instances: { counter: inst('counter', i) } }));
    const seen: number[] = [];
    reader.watch('ring', (value) => seen.push(counterOf(value)));
    await eventually(() => seen.includes(3), 'the initial value');
    await rawDelete(backend.redis().endpoint, `${ns.name}:ring`);
    await writer.cas('ring', () => ({ instances: { counter: inst('counter', 42) } }));
    await eventually(() => seen.includes(42), 'the value after the reset');
  });
});

async function withRaw<T>(endpoint: string, fn: (r: Redis) => Promise<T>): Promise<T> {
  const [host, port] = endpoint.split(':');
  const r = new Redis({ host, port: Number(port), lazyConnect: true });
  await r.connect();
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

const rawDelete = (endpoint: string, key: string): Promise<number> => withRaw(endpoint, (r) => r.del(key));
const rawWrite = (endpoint: string, key: string, version: string, value: RingDesc): Promise<number> =>
  withRaw(endpoint, (r) => r.hset(key, 'version', version, 'value', JSON.stringify(value)));
