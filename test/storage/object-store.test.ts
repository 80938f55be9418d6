import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store, ObjectNotFoundError, resolveS3Config, type ObjectStore } from '../../src/storage/index.js';
import { filesystemBackend, s3Backend, type Backend } from './backends.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const s3 = s3Backend();
const backends: Backend[] = [filesystemBackend(), s3];
beforeAll(() => Promise.all(backends.map((b) => b.start())));
afterAll(() => Promise.all(backends.map((b) => b.stop())));

describe.each(backends)('$name object store', (backend) => {
  let store: ObjectStore;
  let location: string;
  const fresh = async (): Promise<ObjectStore> => {
    location = backend.newLocation();
    store = backend.open(location);
    return store;
  };

  it('returns the bytes that were put, and the newest bytes after an overwrite', async () => {
    await fresh();
    await store.put('chunks/t/abc/1-2-3', bytes('first'));
    expect(text(await store.get('chunks/t/abc/1-2-3'))).toBe('first');
    await store.put('chunks/t/abc/1-2-3', bytes('second!'));
    expect(text(await store.get('chunks/t/abc/1-2-3'))).toBe('second!');
    await store.put('empty', new Uint8Array(0));
    expect((await store.get('empty')).length).toBe(0);
    await store.close();
  });

  it('throws ObjectNotFoundError naming the key for a missing object', async () => {
    await fresh();
    await store.put('present', bytes('x'));
    const err = await store.get('a/missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectNotFoundError);
    expect((err as ObjectNotFoundError).key).toBe('a/missing');
    await expect(store.getRange('a/missing', 0, 4)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.getRange('a/missing', 0, 0)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await store.close();
  });

  it('reads byte ranges, truncated at the end of the object', async () => {
    await fresh();
    await store.put('r', bytes('0123456789'));
    expect(text(await store.getRange('r', 0, 4))).toBe('0123');
    expect(text(await store.getRange('r', 6, 4))).toBe('6789');
    expect(text(await store.getRange('r', 8, 10))).toBe('89');
    expect((await store.getRange('r', 10, 5)).length).toBe(0);
    expect((await store.getRange('r', 3, 0)).length).toBe(0);
    await expect(store.getRange('r', -1, 2)).rejects.toThrow(RangeError);
    await store.close();
  });

  it('lists exactly the keys under a prefix, sorted, including a prefix ending mid-segment', async () => {
    await fresh();
    const keys = ['index/1/t/w-2', 'index/1/t/w-1', 'index/10/t/w-1', 'index/1/tb/w-1', 'chunks/tenant-a/f/1', 'chunks/tenant-b/f/1', 'chunks/other/f/1'];
    for (const k of keys) await store.put(k, bytes(k));
    expect(await store.list('index/1/')).toEqual(['index/1/t/w-1', 'index/1/t/w-2', 'index/1/tb/w-1']);
    expect(await store.list('index/1/t/')).toEqual(['index/1/t/w-1', 'index/1/t/w-2']);
    expect(await store.list('chunks/ten')).toEqual(['chunks/tenant-a/f/1', 'chunks/tenant-b/f/1']);
    expect(await store.list('nothing/')).toEqual([]);
    expect(await store.list('')).toEqual([...keys].sort());
    await store.close();
  });

  it('lists more than 1000 keys across pages', async () => {
    await fresh();
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
    const queue = [...keys];
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let k = queue.shift(); k !== undefined; k = queue.shift()) await store.put(k, bytes('v'));
      }),
    );
    await store.put('manyother', bytes('v'));
    expect(await store.list('many/')).toEqual(keys);
    await store.close();
  });

  it('deletes objects, and deleting a missing object succeeds', async () => {
    await fresh();
    await store.put('d/one', bytes('1'));
    await store.put('d/two', bytes('2'));
    await store.delete('d/one');
    await store.delete('d/one');
    await store.delete('d/never-existed');
    expect(await store.list('d/')).toEqual(['d/two']);
    await expect(store.get('d/one')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await store.close();
  });

  it('rejects keys that are empty, absolute or contain . or .. segments', async () => {
    await fresh();
    for (const key of ['', '/abs', 'a//b', 'a/../b', './a', 'a/', 'a\\b'])
      await expect(store.put(key, bytes('x')), key).rejects.toThrow(/invalid object key/);
    await store.close();
  });

  it('shows objects written by one client to another client on the same location', async () => {
    const a = await fresh();
    const b = backend.open(location);
    await a.put('shared/k', bytes('from a'));
    expect(text(await b.get('shared/k'))).toBe('from a');
    expect(await b.list('shared/')).toEqual(['shared/k']);
    await a.close();
    await b.close();
  });
});

describe('filesystem object store atomicity', () => {
  const backend = backends[0];

  it('never lists temp files or returns partial objects while puts are in flight', async () => {
    const location = backend.newLocation();
    const store = backend.open(location);
    const big = new Uint8Array(256 * 1024).fill(7);
    const writes = Array.from({ length: 40 }, (_, i) => store.put(`atomic/obj-${i}`, big));
    const seen = new Set<string>();
    let done = false;
    const all = Promise.all(writes).then(() => {
      done = true;
    });
    while (!done) {
      for (const key of await store.list('atomic/')) {
        expect(key).toMatch(/^atomic\/obj-\d+$/);
        seen.add(key);
        expect((await store.get(key)).length).toBe(big.length);
      }
    }
    await all;
    expect((await store.list('atomic/')).length).toBe(40);
    expect((await readdir(path.join(location, 'atomic'))).sort()).toEqual(await store.list('atomic/').then((ks) => ks.map((k) => k.slice(7)).sort()));
  });

  it('ignores a temp file left behind by a crashed put', async () => {
    const location = backend.newLocation();
    const store = backend.open(location);
    await store.put('x/done', bytes('ok'));
    await mkdir(path.join(location, 'x'), { recursive: true });
    await writeFile(path.join(location, 'x', '.tmp-partial-1-abc'), 'half');
    expect(await store.list('x/')).toEqual(['x/done']);
    expect(await store.list('')).toEqual(['x/done']);
  });
});

/** An HTTP proxy in front of the S3 server that answers chosen requests with a failure instead. */
interface FaultProxy {
  endpoint: string;
  /** Requests seen per `METHOD path` (injected and forwarded). */
  attempts: Map<string, number>;
  inject(method: string, pathSuffix: string, fault: '503' | '429' | '403' | 'reset', times: number): void;
  close(): Promise<void>;
}

async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const faults: { method: string; suffix: string; fault: string }[] = [];
  const attempts = new Map<string, number>();
  const respond = (req: IncomingMessage, status: number, code: string, res: import('node:http').ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
    });
  };
  const server: Server = createServer((req, res) => {
    const pathname = (req.url ?? '').split('?')[0];
    const id = `${req.method} ${pathname}`;
    attempts.set(id, (attempts.get(id) ?? 0) + 1);
    const i = faults.findIndex((f) => f.method === req.method && pathname.endsWith(f.suffix));
    if (i >= 0) {
      const [f] = faults.splice(i, 1);
      if (f.fault === 'reset') req.socket.destroy();
      else if (f.fault === '503') respond(req, 503, 'SlowDown', res);
      else if (f.fault === '429') respond(req, 429, 'TooManyRequests', res);
      else respond(req, 403, 'AccessDenied', res);
      return;
    }
    const up = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    inject(method, pathSuffix, fault, times) {
      for (let n = 0; n < times; n++) faults.push({ method, suffix: pathSuffix, fault });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('s3 object store retries', () => {
  let proxy: FaultProxy;
  let store: ObjectStore;
  beforeAll(async () => {
    proxy = await startFaultProxy(s3.server().endpoint);
    const bucket = s3.newLocation();
    store = createS3Store({ ...s3.config(bucket), endpoint: proxy.endpoint });
    await store.put('warm', bytes('up'));
  });
  afterAll(async () => {
    await store?.close();
    await proxy?.close();
  });

  it('retries a put answered with 503 SlowDown and stores the object', async () => {
    proxy.inject('PUT', '/retry/slowdown', '503', 2);
    await store.put('retry/slowdown', bytes('payload'));
    expect([...proxy.attempts].find(([k]) => k.startsWith('PUT') && k.endsWith('/retry/slowdown'))?.[1]).toBe(3);
    expect(text(await store.get('retry/slowdown'))).toBe('payload');
  });

  it('retries a get answered with 429 and a range read after a dropped connection', async () => {
    await store.put('retry/throttled', bytes('0123456789'));
    proxy.inject('GET', '/retry/throttled', '429', 1);
    expect(text(await store.get('retry/throttled'))).toBe('0123456789');
    proxy.inject('GET', '/retry/throttled', 'reset', 1);
    expect(text(await store.getRange('retry/throttled', 2, 3))).toBe('234');
    expect([...proxy.attempts].find(([k]) => k.startsWith('GET') && k.endsWith('/retry/throttled'))?.[1]).toBe(4);
  });

  it('gives up after max_retries retries with the last error', async () => {
    proxy.inject('PUT', '/retry/down', '503', 4);
    const err = await store.put('retry/down', bytes('x')).catch((e: unknown) => e);
    expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(503);
    expect([...proxy.attempts].find(([k]) => k.startsWith('PUT') && k.endsWith('/retry/down'))?.[1]).toBe(4);
  });

  it('does not retry a 403', async () => {
    await store.put('retry/denied', bytes('secret'));
    proxy.inject('GET', '/retry/denied', '403', 1);
    const err = await store.get('retry/denied').catch((e: unknown) => e);
    expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
    expect([...proxy.attempts].find(([k]) => k.startsWith('GET') && k.endsWith('/retry/denied'))?.[1]).toBe(1);
    expect(text(await store.get('retry/denied'))).toBe('secret');
  });
});

describe('S3 config resolution', () => {
  it('reads Loki aws keys, adding the scheme from insecure and path style for IP endpoints', () => {
    const cfg = resolveS3Config({ endpoint: '127.0.0.1:9000', bucketnames: 'chunks', access_key_id: 'k', secret_access_key: 's', insecure: true });
    expect(cfg).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      buckets: ['chunks'],
      region: 'us-east-1',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      forcePathStyle: true,
      backoff: { minDelayMs: 100, maxDelayMs: 3000, maxRetries: 5 },
    });
    expect(resolveS3Config({ endpoint: 's3.example.com', bucketnames: 'a, b', region: 'eu-west-1' })).toMatchObject({
      endpoint: 'https://s3.example.com',
      buckets: ['a', 'b'],
      region: 'eu-west-1',
      credentials: undefined,
      forcePathStyle: false,
    });
  });

  it('reads the s3 URL form: credentials, bucket, and a region or an endpoint host', () => {
    expect(resolveS3Config({ s3: 's3://AK:S%2Fx@eu-central-1/logs' })).toMatchObject({
      endpoint: undefined,
      region: 'eu-central-1',
      buckets: ['logs'],
      credentials: { accessKeyId: 'AK', secretAccessKey: 'S/x' },
    });
    expect(resolveS3Config({ s3: 'http://AK:SK@minio:9000/loki' })).toMatchObject({
      endpoint: 'http://minio:9000',
      buckets: ['loki'],
      forcePathStyle: true,
    });
    expect(resolveS3Config({ s3: 's3://AK:SK@s3.example.com/loki', insecure: true })).toMatchObject({ endpoint: 'http://s3.example.com' });
  });

  it('reads backoff_config durations and rejects a missing bucket', () => {
    expect(resolveS3Config({ bucketnames: 'b', backoff_config: { min_period: '250ms', max_period: '5s', max_retries: 2 } }).backoff).toEqual({
      minDelayMs: 250,
      maxDelayMs: 5000,
      maxRetries: 2,
    });
    expect(() => resolveS3Config({})).toThrow('S3 storage needs a bucket');
  });
});
