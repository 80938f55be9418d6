import Fastify from 'fastify';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerResponseCompression } from '../../src/server/request.js';

// Text shaped like a streams answer: what the query routes send.
function answer(entries: number): string {
  const values: string[] = [];
  for (let i = 0; i < entries; i++) values.push(`["17000000000${String(i).padStart(8, '0')}",${JSON.stringify(`level=info msg="request ${i}" duration=${(i * 37) % 997}ms`)}]`);
  return `{"status":"success","data":{"resultType":"streams","result":[{"stream":{"app":"a"},"values":[${values.join(',')}]}]}}\n`;
}

describe('response compression', () => {
  const app = Fastify();
  const small = answer(3);
  const medium = answer(2_000); // well under 512 KiB: compressed on the event loop
  const large = answer(20_000); // over 512 KiB: compressed on the thread pool
  let url = '';

  beforeAll(async () => {
    registerResponseCompression(app);
    app.get('/small', async (_req, reply) => reply.header('Content-Type', 'application/json').send(small));
    app.get('/medium', async (_req, reply) => reply.header('Content-Type', 'application/json').send(medium));
    app.get('/large', async (_req, reply) => reply.header('Content-Type', 'application/json').send(Buffer.from(large)));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  it('sizes the test answers on both sides of the event-loop limit', () => {
    expect(Buffer.byteLength(medium)).toBeGreaterThan(100 * 1024);
    expect(Buffer.byteLength(medium)).toBeLessThan(512 * 1024);
    expect(Buffer.byteLength(large)).toBeGreaterThan(512 * 1024);
  });

  for (const [path, body] of [['/medium', () => medium], ['/large', () => large]] as const) {
    it(`gzips ${path} for a client that accepts gzip, byte for byte`, async () => {
      const res = await fetch(url + path, { headers: { 'Accept-Encoding': 'gzip' } });
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      // fetch gunzips on its own over real HTTP; inject hands over the bytes as sent.
      expect(await res.text()).toBe(body());
      const plain = await app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'gzip' } });
      expect(plain.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(plain.rawPayload).toString('utf8')).toBe(body());
      expect(plain.rawPayload.length).toBeLessThan(Buffer.byteLength(body()) / 3);
    });

    it(`sends ${path} as is to a client that does not accept gzip`, async () => {
      const res = await app.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'identity' } });
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.payload).toBe(body());
    });
  }

  it('leaves answers under 1 KiB uncompressed', async () => {
    const res = await app.inject({ method: 'GET', url: '/small', headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.payload).toBe(small);
  });
});
