import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptDataError } from '../../src/model/errors.js';
import { fingerprint, labelsFromRecord } from '../../src/model/labels.js';
import type { Matcher } from '../../src/model/matchers.js';
import {
  ChunkStore,
  ObjectNotFoundError,
  encodeIndexFile,
  type ChunkStoreOptions,
  type FlushedChunk,
  type ObjectStore,
  type SeriesRefs,
} from '../../src/storage/index.js';
import { filesystemBackend, s3Backend, type Backend } from './backends.js';

const backends: Backend[] = [filesystemBackend(), s3Backend()];
beforeAll(() => Promise.all(backends.map((b) => b.start())));
afterAll(() => Promise.all(backends.map((b) => b.stop())));

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function chunk(rec: Record<string, string>, from: bigint, through: bigint, body = `${JSON.stringify(rec)}@${from}`, entries = 3): FlushedChunk {
  const labels = labelsFromRecord(rec);
  return { labels, fingerprint: fingerprint(labels), from, through, entries, uncompressedBytes: body.length * 10, data: bytes(body) };
}

const eq = (name: string, value: string): Matcher => ({ name, op: '=', value });
const ne = (name: string, value: string): Matcher => ({ name, op: '!=', value });
const re = (name: string, value: string): Matcher => ({ name, op: '=~', value });
const nre = (name: string, value: string): Matcher => ({ name, op: '!~', value });

/** Series as `{labels} [from-through, ...]` strings: compact exact expectations. */
const summary = (series: SeriesRefs[]): string[] =>
  series.map((s) => `${s.labels.map((l) => `${l.name}=${l.value}`).join(',')} ${s.chunks.map((c) => `${c.from}-${c.through}`).join(' ')}`);

/** An ObjectStore wrapper that counts gets and can run a hook before a get. */
function instrumented(inner: ObjectStore): ObjectStore & { gets: string[]; beforeGet?: (key: string) => Promise<void> } {
  const wrapper = {
    gets: [] as string[],
    beforeGet: undefined as ((key: string) => Promise<void>) | undefined,
    put: (k: string, d: Uint8Array) => inner.put(k, d),
    async get(k: string) {
      wrapper.gets.push(k);
      const hook = wrapper.beforeGet;
      if (hook) {
        wrapper.beforeGet = undefined;
        await hook(k);
      }
      return inner.get(k);
    },
    getRange: (k: string, o: number, l: number) => inner.getRange(k, o, l),
    list: (p: string) => inner.list(p),
    delete: (k: string) => inner.delete(k),
    close: () => inner.close(),
  };
  return wrapper;
}

const P = 100n; // index period used by most tests: timestamps 0..99 are period 0, 100..199 period 1, ...

describe.each(backends)('chunk store on $name', (backend) => {
  const setup = (opts: Partial<ChunkStoreOptions> = {}, location = backend.newLocation()) => {
    const store = backend.open(location);
    const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
    const chunks = new ChunkStore(store, {
      writerId: 'ingester-0',
      indexPeriod: P,
      indexRefreshMs: 0,
      logger: { warn: (obj, msg) => warnings.push({ obj, msg }) },
      ...opts,
    });
    return { store, chunks, location, warnings };
  };

  const seed = async (cs: ChunkStore, tenant = 'tenant-a'): Promise<void> => {
    await cs.putChunks(tenant, [
      chunk({ app: 'api', env: 'prod' }, 0n, 49n),
      chunk({ app: 'api', env: 'prod' }, 50n, 99n),
      chunk({ app: 'api', env: 'dev' }, 120n, 180n),
      chunk({ app: 'web', env: 'prod' }, 30n, 60n),
    ]);
    await cs.putChunks(tenant, [chunk({ app: 'db' }, 200n, 250n)]);
  };

  it('stores chunk objects under the layout keys and fetches them back', async () => {
    const { store, chunks } = setup();
    const c = chunk({ app: 'api' }, 0x10n, 0x2an, 'chunk-bytes');
    const [ref] = await chunks.putChunks('tenant-a', [c]);
    const checksum = crc32(c.data);
    expect(ref).toEqual({
      tenant: 'tenant-a',
      fingerprint: c.fingerprint,
      from: 16n,
      through: 42n,
      checksum,
      entries: 3,
      uncompressedBytes: 110,
      size: 11,
      key: `chunks/tenant-a/${c.fingerprint}/10-2a-${checksum.toString(16)}`,
    });
    expect(new TextDecoder().decode(await chunks.fetchChunk(ref))).toBe('chunk-bytes');
    expect(await store.list('chunks/')).toEqual([ref.key]);
    const index = await store.list('index/');
    expect(index).toHaveLength(1);
    expect(index[0]).toMatch(/^index\/0\/tenant-a\/ingester-0-\d{16}$/);
  });

  it('selects series by =, !=, =~ and !~ matchers with chunks overlapping [start, end)', async () => {
    const { chunks } = setup();
    await seed(chunks);
    expect(summary(await chunks.series('tenant-a', [eq('app', 'api')], 0n, 1000n))).toEqual(['app=api,env=dev 120-180', 'app=api,env=prod 0-49 50-99']);
    expect(summary(await chunks.series('tenant-a', [ne('env', 'prod')], 0n, 1000n))).toEqual(['app=api,env=dev 120-180', 'app=db 200-250']);
    expect(summary(await chunks.series('tenant-a', [re('app', 'api|web'), eq('env', 'prod')], 55n, 60n))).toEqual([
      'app=api,env=prod 50-99',
      'app=web,env=prod 30-60',
    ]);
    expect(summary(await chunks.series('tenant-a', [nre('app', 'a.*')], 0n, 1000n))).toEqual(['app=db 200-250', 'app=web,env=prod 30-60']);
    expect(summary(await chunks.series('tenant-a', [re('app', '.+')], 99n, 100n))).toEqual(['app=api,env=prod 50-99']);
    expect(summary(await chunks.series('tenant-a', [re('app', '.+')], 100n, 120n))).toEqual([]);
    expect(summary(await chunks.series('tenant-a', [re('app', '.+')], 180n, 201n))).toEqual(['app=api,env=dev 120-180', 'app=db 200-250']);
    expect(await chunks.series('tenant-a', [eq('app', 'api')], 50n, 50n)).toEqual([]);
  });

  it('answers label names, label values and stats from the index, honouring range and matchers', async () => {
    const { chunks } = setup();
    await seed(chunks);
    expect(await chunks.labelNames('tenant-a', 0n, 1000n)).toEqual(['app', 'env']);
    expect(await chunks.labelNames('tenant-a', 200n, 300n)).toEqual(['app']);
    expect(await chunks.labelNames('tenant-a', 0n, 1000n, [eq('app', 'db')])).toEqual(['app']);
    expect(await chunks.labelValues('tenant-a', 'app', 0n, 1000n)).toEqual(['api', 'db', 'web']);
    expect(await chunks.labelValues('tenant-a', 'env', 0n, 100n)).toEqual(['prod']);
    expect(await chunks.labelValues('tenant-a', 'env', 0n, 1000n, [eq('app', 'api')])).toEqual(['dev', 'prod']);
    expect(await chunks.labelValues('tenant-a', 'nope', 0n, 1000n)).toEqual([]);
    const all = await chunks.series('tenant-a', [], 0n, 1000n);
    const uncompressed = all.flatMap((s) => s.chunks).reduce((n, c) => n + c.uncompressedBytes, 0);
    expect(await chunks.stats('tenant-a', [], 0n, 1000n)).toEqual({ streams: 4, chunks: 5, bytes: uncompressed, entries: 15 });
    expect(await chunks.stats('tenant-a', [eq('env', 'prod')], 40n, 55n)).toEqual({
      streams: 2,
      chunks: 3,
      bytes: all.filter((s) => s.labels.some((l) => l.value === 'prod')).flatMap((s) => s.chunks).reduce((n, c) => n + c.uncompressedBytes, 0),
      entries: 9,
    });
  });

  it('lists a chunk spanning several periods in each period and returns it once', async () => {
    const { store, chunks } = setup();
    const [ref] = await chunks.putChunks('tenant-a', [chunk({ app: 'long' }, 50n, 250n)]);
    expect((await store.list('index/')).map((k) => k.split('/').slice(0, 3).join('/'))).toEqual(['index/0/tenant-a', 'index/1/tenant-a', 'index/2/tenant-a']);
    expect((await chunks.series('tenant-a', [], 0n, 300n)).map((s) => s.chunks.map((c) => c.key))).toEqual([[ref.key]]);
    expect((await chunks.series('tenant-a', [], 150n, 160n)).map((s) => s.chunks.map((c) => c.key))).toEqual([[ref.key]]);
    expect(await chunks.stats('tenant-a', [], 0n, 300n)).toMatchObject({ streams: 1, chunks: 1 });
  });

  it('works with the default 24h index period on real timestamps', async () => {
    const { store, chunks } = setup({ indexPeriod: undefined });
    const day = 86_400_000_000_000n;
    const t = 1_795_400_000_000_000_000n;
    await chunks.putChunks('tenant-a', [chunk({ job: 'x' }, t, t + 1000n)]);
    expect((await store.list('index/'))[0].startsWith(`index/${t / day}/tenant-a/`)).toBe(true);
    expect(await chunks.labelValues('tenant-a', 'job', t - 1n, t + 1n)).toEqual(['x']);
  });

  it('merges the index files of several writers, and de-duplicates replicated chunks', async () => {
    const location = backend.newLocation();
    const a = setup({ writerId: 'ingester-a' }, location);
    const b = setup({ writerId: 'ingester-b' }, location);
    await a.chunks.putChunks('tenant-a', [chunk({ app: 'api' }, 0n, 10n), chunk({ app: 'web' }, 5n, 15n)]);
    await b.chunks.putChunks('tenant-a', [chunk({ app: 'api' }, 0n, 10n), chunk({ app: 'api' }, 20n, 30n)]);
    const expected = ['app=api 0-10 20-30', 'app=web 5-15'];
    expect(summary(await a.chunks.series('tenant-a', [], 0n, 100n))).toEqual(expected);
    expect(summary(await b.chunks.series('tenant-a', [], 0n, 100n))).toEqual(expected);
    expect((await a.store.list('index/0/tenant-a/')).map((k) => k.replace(/-\d{16}$/, ''))).toEqual([
      'index/0/tenant-a/ingester-a',
      'index/0/tenant-a/ingester-b',
    ]);
  });

  it("sees its own writes at once and other writers' after the refresh interval", async () => {
    const location = backend.newLocation();
    const slow = setup({ writerId: 'querier', indexRefreshMs: 3_600_000 }, location);
    const other = setup({ writerId: 'ingester-b' }, location);
    expect(await slow.chunks.series('tenant-a', [], 0n, 100n)).toEqual([]);
    await other.chunks.putChunks('tenant-a', [chunk({ app: 'other' }, 0n, 10n)]);
    await slow.chunks.putChunks('tenant-a', [chunk({ app: 'own' }, 0n, 10n)]);
    expect(summary(await slow.chunks.series('tenant-a', [], 0n, 100n))).toEqual(['app=own 0-10']);
    const fresh = setup({ writerId: 'querier-2', indexRefreshMs: 3_600_000 }, location);
    expect(summary(await fresh.chunks.series('tenant-a', [], 0n, 100n))).toEqual(['app=other 0-10', 'app=own 0-10']);
  });

  it('compacts each period and tenant into one file with identical query results', async () => {
    const location = backend.newLocation();
    const { store, chunks } = setup({}, location);
    const reader = setup({ writerId: 'querier' }, location);
    await seed(chunks, 'tenant-a');
    await seed(chunks, 'tenant-b');
    for (const t of [10n, 110n, 210n]) await chunks.putChunks('tenant-a', [chunk({ app: 'late' }, t, t + 10n)]);
    const query = async (cs: ChunkStore) => ({
      series: await cs.series('tenant-a', [], 0n, 1000n),
      names: await cs.labelNames('tenant-a', 0n, 1000n),
      values: await cs.labelValues('tenant-a', 'app', 0n, 1000n),
      stats: await cs.stats('tenant-a', [], 0n, 1000n),
      b: await cs.series('tenant-b', [ne('app', 'db')], 0n, 1000n),
    });
    const before = await query(chunks);
    expect(await query(reader.chunks)).toEqual(before);
    const filesBefore = await store.list('index/');
    expect(filesBefore).toHaveLength(9);

    const result = await chunks.compact();
    const filesAfter = await store.list('index/');
    expect(filesAfter.map((k) => k.split('/').slice(0, 3).join('/'))).toEqual([
      'index/0/tenant-a',
      'index/0/tenant-b',
      'index/1/tenant-a',
      'index/1/tenant-b',
      'index/2/tenant-a',
      'index/2/tenant-b',
    ]);
    expect(result.written.sort()).toEqual(filesAfter.filter((k) => !filesBefore.includes(k)).sort());
    expect(result.written.map((k) => k.split('/').slice(0, 3).join('/'))).toEqual(['index/0/tenant-a', 'index/1/tenant-a', 'index/2/tenant-a']);
    expect(result.deleted.sort()).toEqual(filesBefore.filter((k) => !filesAfter.includes(k)).sort());
    expect(result.corrupt).toEqual([]);

    expect(await query(chunks)).toEqual(before);
    expect(await query(reader.chunks)).toEqual(before);
    expect(await query(setup({ writerId: 'fresh' }, location).chunks)).toEqual(before);
    expect((await chunks.compact()).written).toEqual([]);
  });

  it('finds compacted data when the files it listed disappear before it reads them', async () => {
    const location = backend.newLocation();
    const writer = setup({}, location);
    await writer.chunks.putChunks('tenant-a', [chunk({ app: 'one' }, 0n, 10n)]);
    await writer.chunks.putChunks('tenant-a', [chunk({ app: 'two' }, 0n, 10n)]);
    const store = instrumented(backend.open(location));
    const reader = new ChunkStore(store, { writerId: 'querier', indexPeriod: P, indexRefreshMs: 0 });
    store.beforeGet = async () => {
      await writer.chunks.compact();
    };
    expect(summary(await reader.series('tenant-a', [], 0n, 100n))).toEqual(['app=one 0-10', 'app=two 0-10']);
    const compacted = await store.list('index/');
    expect(compacted).toHaveLength(1);
    expect(store.gets).toContain(compacted[0]);
  });

  it('keeps tenants apart, including tenants whose names share a prefix', async () => {
    const { chunks } = setup();
    await chunks.putChunks('team', [chunk({ app: 'api', owner: 'team' }, 0n, 10n)]);
    await chunks.putChunks('team-b', [chunk({ app: 'api', owner: 'team-b' }, 0n, 10n)]);
    expect(await chunks.labelValues('team', 'owner', 0n, 100n)).toEqual(['team']);
    expect(await chunks.labelValues('team-b', 'owner', 0n, 100n)).toEqual(['team-b']);
    const [refs] = await chunks.series('team', [eq('app', 'api')], 0n, 100n);
    expect(refs.chunks.map((c) => c.tenant)).toEqual(['team']);
    expect(refs.chunks[0].key.startsWith('chunks/team/')).toBe(true);
    expect(await chunks.series('nobody', [], 0n, 100n)).toEqual([]);
    await expect(chunks.putChunks('../x', [chunk({ a: 'b' }, 0n, 1n)])).rejects.toThrow('invalid tenant ID');
  });

  it('skips and reports corrupt index files, including a file of another tenant placed in its folder', async () => {
    const { store, chunks, warnings } = setup();
    await chunks.putChunks('tenant-a', [chunk({ app: 'good' }, 0n, 10n)]);
    await store.put('index/0/tenant-a/garbage-0000000000000001', bytes('not an index file'));
    const foreign = encodeIndexFile({ tenant: 'tenant-b', period: 0n, series: [] });
    await store.put('index/0/tenant-a/foreign-0000000000000001', foreign);
    const flipped = encodeIndexFile({ tenant: 'tenant-a', period: 0n, series: [] });
    flipped[flipped.length - 3] ^= 0xff;
    await store.put('index/0/tenant-a/flipped-0000000000000001', flipped);

    expect(summary(await chunks.series('tenant-a', [], 0n, 100n))).toEqual(['app=good 0-10']);
    expect(warnings.map((w) => [w.msg, w.obj.key]).sort()).toEqual([
      ['skipping corrupt index file', 'index/0/tenant-a/flipped-0000000000000001'],
      ['skipping corrupt index file', 'index/0/tenant-a/foreign-0000000000000001'],
      ['skipping corrupt index file', 'index/0/tenant-a/garbage-0000000000000001'],
    ]);
    expect(warnings.map((w) => w.obj.err).sort()).toEqual([
      'corrupt index file index/0/tenant-a/flipped-0000000000000001: checksum mismatch',
      'corrupt index file index/0/tenant-a/foreign-0000000000000001: holds tenant "tenant-b" period 0',
      'corrupt index file index/0/tenant-a/garbage-0000000000000001: bad magic',
    ]);
    expect(summary(await chunks.series('tenant-a', [], 0n, 100n))).toEqual(['app=good 0-10']);
    expect(warnings).toHaveLength(3);

    const result = await chunks.compact();
    expect(result.corrupt.sort()).toEqual([
      'index/0/tenant-a/flipped-0000000000000001',
      'index/0/tenant-a/foreign-0000000000000001',
      'index/0/tenant-a/garbage-0000000000000001',
    ]);
    expect(result.deleted).toEqual([]);
    expect(await store.list('index/0/tenant-a/')).toHaveLength(4);
  });

  it('caches fetched chunks, passes ObjectNotFoundError through and rejects damaged chunk bytes', async () => {
    const location = backend.newLocation();
    const store = instrumented(backend.open(location));
    const chunks = new ChunkStore(store, { writerId: 'ingester-0', indexPeriod: P, chunkCacheBytes: 1024 });
    const [ref, other] = await chunks.putChunks('tenant-a', [chunk({ app: 'api' }, 0n, 10n, 'payload'), chunk({ app: 'web' }, 0n, 10n, 'other')]);
    await Promise.all([chunks.fetchChunk(ref), chunks.fetchChunk(ref)]);
    await chunks.fetchChunk(ref);
    expect(store.gets.filter((k) => k === ref.key)).toHaveLength(1);

    await store.delete(other.key);
    await expect(chunks.fetchChunk(other)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await store.put(other.key, bytes('otheR'));
    await expect(chunks.fetchChunk(other)).rejects.toBeInstanceOf(CorruptDataError);
  });
});
