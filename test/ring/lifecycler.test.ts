import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInMemoryKV, Lifecycler, StateTransitionError, type KVStore, type LifecyclerOptions } from '../../src/ring/index.js';
import { eventually } from './eventually.js';

let sequence = 0;
const started: Lifecycler[] = [];

function setup(): { kv: KVStore; make: (id: string, extra?: Partial<LifecyclerOptions>) => Lifecycler } {
  const kv = createInMemoryKV(`lifecycler-${++sequence}`);
  const make = (id: string, extra: Partial<LifecyclerOptions> = {}): Lifecycler => {
    const l = new Lifecycler(kv, { id, addr: `${id}:9095`, numTokens: 16, heartbeatPeriodMs: 50, ...extra });
    started.push(l);
    return l;
  };
  return { kv, make };
}

afterEach(() => {
  for (const l of started.splice(0)) l.halt();
});

describe('Lifecycler', () => {
  it('registers, picks numTokens distinct tokens and goes ACTIVE', async () => {
    const { kv, make } = setup();
    const l = make('ing-1', { httpAddr: 'ing-1:3100', zone: 'z1' });
    const before = Date.now();
    await l.start();
    expect(l.state).toBe('ACTIVE');
    const desc = await kv.get('ring');
    const self = desc?.instances['ing-1'];
    expect(self?.state).toBe('ACTIVE');
    expect(self?.addr).toBe('ing-1:9095');
    expect(self?.httpAddr).toBe('ing-1:3100');
    expect(self?.zone).toBe('z1');
    expect(self?.tokens).toHaveLength(16);
    expect(new Set(self?.tokens).size).toBe(16);
    expect([...(self?.tokens ?? [])].sort((a, b) => a - b)).toEqual(self?.tokens);
    expect(self?.tokens).toEqual([...l.tokens]);
    expect(self?.registeredMs).toBeGreaterThanOrEqual(before);
  });

  it('picks tokens no other instance holds', async () => {
    const { kv, make } = setup();
    await make('a', { numTokens: 64 }).start();
    await make('b', { numTokens: 64 }).start();
    const desc = await kv.get('ring');
    const all = [...(desc?.instances.a.tokens ?? []), ...(desc?.instances.b.tokens ?? [])];
    expect(new Set(all).size).toBe(128);
  });

  it('stays PENDING without tokens until joinAfterMs passes', async () => {
    const { kv, make } = setup();
    const l = make('late', { joinAfterMs: 200 });
    await l.start();
    expect(l.state).toBe('PENDING');
    expect((await kv.get('ring'))?.instances.late).toMatchObject({ state: 'PENDING', tokens: [] });
    await eventually(async () => (await kv.get('ring'))?.instances.late?.state === 'ACTIVE', 'the delayed join');
    expect(l.state).toBe('ACTIVE');
    expect((await kv.get('ring'))?.instances.late.tokens).toHaveLength(16);
  });

  it('advances its heartbeat every period', async () => {
    const { kv, make } = setup();
    await make('hb').start();
    const first = (await kv.get('ring'))?.instances.hb.heartbeatMs ?? 0;
    await eventually(async () => ((await kv.get('ring'))?.instances.hb.heartbeatMs ?? 0) > first, 'a newer heartbeat');
  });

  it('allows PENDING -> JOINING -> ACTIVE -> LEAVING and writes each state to the ring', async () => {
    const { kv, make } = setup();
    const l = make('t', { joinAfterMs: 60_000 });
    await l.start();
    for (const state of ['JOINING', 'ACTIVE', 'LEAVING'] as const) {
      await l.changeState(state);
      expect(l.state).toBe(state);
      expect((await kv.get('ring'))?.instances.t.state).toBe(state);
    }
  });

  it('refuses transitions Loki disallows, with its message', async () => {
    const { make } = setup();
    const l = make('t');
    await l.start();
    await expect(l.changeState('PENDING')).rejects.toThrow(new StateTransitionError('Changing instance state from ACTIVE -> PENDING is disallowed'));
    await l.changeState('LEAVING');
    await expect(l.changeState('ACTIVE')).rejects.toThrow('Changing instance state from LEAVING -> ACTIVE is disallowed');
    expect(l.state).toBe('LEAVING');
  });

  it('stays LEAVING in the ring while beforeUnregister runs, then removes itself', async () => {
    const { kv, make } = setup();
    const l = make('leaver');
    await make('stayer').start();
    await l.start();
    let stateDuringFlush: string | undefined;
    await l.stop(async () => {
      stateDuringFlush = (await kv.get('ring'))?.instances.leaver?.state;
    });
    expect(stateDuringFlush).toBe('LEAVING');
    expect(l.state).toBe('LEAVING');
    expect(Object.keys((await kv.get('ring'))?.instances ?? {})).toEqual(['stayer']);
  });

  it('keeps heartbeating while beforeUnregister runs and never after it is gone', async () => {
    const { kv, make } = setup();
    const l = make('slow');
    await l.start();
    await l.stop(async () => {
      const at = (await kv.get('ring'))?.instances.slow.heartbeatMs ?? 0;
      await eventually(async () => ((await kv.get('ring'))?.instances.slow.heartbeatMs ?? 0) > at, 'a heartbeat while leaving');
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await kv.get('ring'))?.instances.slow).toBeUndefined();
  });

  it('still unregisters when beforeUnregister throws, and rethrows', async () => {
    const { kv, make } = setup();
    const l = make('failing');
    await l.start();
    await expect(
      l.stop(async () => {
        throw new Error('flush failed');
      }),
    ).rejects.toThrow('flush failed');
    expect((await kv.get('ring'))?.instances.failing).toBeUndefined();
  });

  it('leaves its entry as LEAVING when unregisterOnShutdown is false', async () => {
    const { kv, make } = setup();
    const l = make('kept', { unregisterOnShutdown: false });
    await l.start();
    await l.stop();
    expect((await kv.get('ring'))?.instances.kept.state).toBe('LEAVING');
  });

  it('adds itself back with its tokens when the ring loses it', async () => {
    const { kv, make } = setup();
    const l = make('back');
    await l.start();
    const tokens = [...l.tokens];
    await kv.cas('ring', () => ({ instances: {} }));
    await eventually(async () => (await kv.get('ring'))?.instances.back, 'the re-added instance');
    expect((await kv.get('ring'))?.instances.back).toMatchObject({ state: 'ACTIVE', tokens });
  });

  it('adopts the state and tokens the ring holds for its id after a restart', async () => {
    const { kv, make } = setup();
    const first = make('same');
    await first.start();
    const tokens = [...first.tokens];
    const registeredMs = (await kv.get('ring'))?.instances.same.registeredMs;
    first.halt();
    const second = make('same');
    await second.start();
    expect(second.state).toBe('ACTIVE');
    expect(second.tokens).toEqual(tokens);
    expect((await kv.get('ring'))?.instances.same.registeredMs).toBe(registeredMs);
  });

  it('rejoins ACTIVE from a LEAVING entry that still holds all its tokens', async () => {
    const { kv, make } = setup();
    const first = make('crashed', { unregisterOnShutdown: false });
    await first.start();
    await first.stop();
    const second = make('crashed');
    await second.start();
    expect(second.state).toBe('ACTIVE');
    expect((await kv.get('ring'))?.instances.crashed.state).toBe('ACTIVE');
  });

  it('restarts the lifecycle from a JOINING entry', async () => {
    const { kv, make } = setup();
    await kv.cas('ring', () => ({
      instances: { j: { id: 'j', addr: 'j:9095', state: 'JOINING', tokens: [], heartbeatMs: Date.now(), registeredMs: 1 } },
    }));
    const l = make('j');
    await l.start();
    expect(l.state).toBe('ACTIVE');
    expect(l.tokens).toHaveLength(16);
  });

  it('rejects start when it cannot register, and can start later', async () => {
    const { kv } = setup();
    let failing = true;
    const flaky: KVStore = {
      get: (key) => kv.get(key),
      cas: (key, update) => (failing ? Promise.reject(new Error('connection refused')) : kv.cas(key, update)),
      watch: (key, onChange) => kv.watch(key, onChange),
      close: () => kv.close(),
    };
    const l = new Lifecycler(flaky, { id: 'flaky', addr: 'flaky:9095', numTokens: 4, heartbeatPeriodMs: 50 });
    started.push(l);
    await expect(l.start()).rejects.toThrow('failed to join the ring ring: connection refused');
    expect(await kv.get('ring')).toBeUndefined();
    failing = false;
    await l.start();
    expect(l.state).toBe('ACTIVE');
  });

  describe('tokens file', () => {
    let dir = '';
    afterEach(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('stores its tokens and takes them back, ACTIVE at once, after leaving the ring', async () => {
      dir = await mkdtemp(join(tmpdir(), 'ring-tokens-'));
      const tokensFile = join(dir, 'sub', 'tokens.json');
      const { kv, make } = setup();
      const first = make('persist', { tokensFile });
      await first.start();
      const tokens = [...first.tokens];
      expect(JSON.parse(await readFile(tokensFile, 'utf8'))).toEqual({ tokens });
      await first.stop();
      expect((await kv.get('ring'))?.instances.persist).toBeUndefined();

      const second = make('persist', { tokensFile, joinAfterMs: 60_000 });
      await second.start();
      expect(second.state).toBe('ACTIVE');
      expect((await kv.get('ring'))?.instances.persist).toMatchObject({ state: 'ACTIVE', tokens });
    });

    it('ignores an unreadable tokens file and picks new tokens', async () => {
      dir = await mkdtemp(join(tmpdir(), 'ring-tokens-'));
      const tokensFile = join(dir, 'tokens.json');
      await writeFile(tokensFile, 'not json');
      const logged: string[] = [];
      const { make } = setup();
      const l = make('broken', { tokensFile, logger: (msg) => logged.push(msg) });
      await l.start();
      expect(l.tokens).toHaveLength(16);
      expect(logged).toContain('error loading tokens from file');
    });
  });

  describe('checkReady', () => {
    it('is not ready before it owns tokens', async () => {
      const { make } = setup();
      const l = make('r', { joinAfterMs: 60_000 });
      await l.start();
      await expect(l.checkReady()).rejects.toThrow('this instance owns no tokens');
    });

    it('waits minReadyDuration after the first passing check, then latches', async () => {
      const { make } = setup();
      const l = make('r');
      await l.start();
      const now = Date.now();
      await expect(l.checkReady(now)).rejects.toThrow('waiting for 15s after being ready');
      await expect(l.checkReady(now + 14_999)).rejects.toThrow('waiting for 15s after being ready');
      await expect(l.checkReady(now + 15_000)).resolves.toBeUndefined();
      l.halt();
      await expect(l.checkReady(now + 10 * 60_000)).resolves.toBeUndefined();
    });

    it('is not ready while another instance in the ring is unhealthy', async () => {
      const { kv, make } = setup();
      const l = make('r', { minReadyDurationMs: 0 });
      await l.start();
      await kv.cas('ring', (current) => {
        const desc = current ?? { instances: {} };
        desc.instances.old = { id: 'old', addr: 'old:9095', state: 'ACTIVE', tokens: [1], heartbeatMs: Date.now() - 120_000, registeredMs: 1 };
        return desc;
      });
      await expect(l.checkReady()).rejects.toThrow('instance old:9095 past heartbeat timeout');
    });

    it('checks only itself when readinessCheckRingHealth is off', async () => {
      const { kv, make } = setup();
      const l = make('r', { minReadyDurationMs: 0, readinessCheckRingHealth: false });
      await l.start();
      await kv.cas('ring', (current) => {
        const desc = current ?? { instances: {} };
        desc.instances.other = { id: 'other', addr: 'other:9095', state: 'PENDING', tokens: [], heartbeatMs: Date.now(), registeredMs: 1 };
        return desc;
      });
      await expect(l.checkReady()).resolves.toBeUndefined();
    });

    it('names a non-ACTIVE instance by address and state', async () => {
      const { make } = setup();
      const l = make('r', { minReadyDurationMs: 0 });
      await l.start();
      await l.changeState('LEAVING');
      await expect(l.checkReady()).rejects.toThrow('instance r:9095 in state LEAVING');
    });
  });
});
