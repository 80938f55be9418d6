// Chunk micro benchmark: append, encode, decode + iterate and sample-only reads per codec, on
// realistic logfmt lines. Run with `npx vitest bench test/chunks`; not part of `vitest run`.
import { bench, describe } from 'vitest';
import { type Codec, DEFAULT_CHUNK_OPTIONS, MemChunk, StoredChunk } from '../../src/chunks/index.js';
import type { Entry } from '../../src/model/index.js';
import { T0 } from './fixtures.js';
import { xorshift } from '../support/random.js';

const CODECS: Codec[] = ['snappy', 'gzip', 'none'];
const LINES = 100_000;

function realisticEntries(n: number): Entry[] {
  const r = xorshift(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const paths = ['/api/v1/users', '/api/v1/orders', '/healthz', '/api/v1/cart/items', '/login', '/static/app.js'];
  const levels = ['info', 'info', 'info', 'debug', 'warn', 'error'];
  const out: Entry[] = [];
  let ts = T0;
  for (let i = 0; i < n; i++) {
    ts += BigInt(Math.floor(r() * 3_000_000));
    const traceId = Math.floor(r() * 2 ** 52).toString(16).padStart(13, '0') + Math.floor(r() * 2 ** 32).toString(16);
    const status = r() < 0.92 ? 200 : pick([301, 400, 404, 500, 503]);
    const line =
      `ts=2023-11-14T22:13:${String(20 + (i % 40)).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z level=${pick(levels)} ` +
      `caller=handler.go:${40 + Math.floor(r() * 200)} msg="http request" method=${pick(['GET', 'GET', 'POST', 'PUT'])} ` +
      `path=${pick(paths)}/${Math.floor(r() * 100000)} status=${status} duration=${(r() * 250).toFixed(3)}ms ` +
      `bytes=${Math.floor(r() * 20000)} trace_id=${traceId} user_agent="Mozilla/5.0 (X11; Linux x86_64)"`;
    out.push({ ts, line, metadata: undefined });
  }
  return out;
}

const entries = realisticEntries(LINES);
const rawBytes = entries.reduce((n, e) => n + Buffer.byteLength(e.line), 0);

/** Appends all entries, starting a new chunk whenever one is full; returns the chunks. */
function ingest(codec: Codec): MemChunk[] {
  const chunks = [new MemChunk({ ...DEFAULT_CHUNK_OPTIONS, codec })];
  for (const e of entries) {
    let c = chunks[chunks.length - 1];
    if (c.isFull()) chunks.push((c = new MemChunk({ ...DEFAULT_CHUNK_OPTIONS, codec })));
    c.append(e.ts, e.line, e.metadata);
  }
  return chunks;
}

const encoded = new Map<Codec, Uint8Array[]>();
for (const codec of CODECS) {
  const chunks = ingest(codec).map((c) => c.encode());
  encoded.set(codec, chunks);
  const size = chunks.reduce((n, c) => n + c.length, 0);
  console.log(
    `${codec.padEnd(6)} ${LINES} lines, ${(rawBytes / 2 ** 20).toFixed(1)} MiB raw -> ${chunks.length} chunks, ` +
      `${(size / 2 ** 20).toFixed(2)} MiB encoded (ratio ${(rawBytes / size).toFixed(2)}x)`,
  );
}

const ALL_FROM = -(2n ** 63n);
const ALL_THROUGH = 2n ** 63n - 1n;

describe(`append ${LINES} lines (blocks sealed as they fill)`, () => {
  for (const codec of CODECS) bench(codec, () => void ingest(codec), { iterations: 5 });
});

describe(`decode + iterate ${LINES} lines`, () => {
  for (const codec of CODECS) {
    bench(
      codec,
      () => {
        let n = 0;
        for (const data of encoded.get(codec)!) for (const e of StoredChunk.decode(data).iterate(ALL_FROM, ALL_THROUGH, 'forward')) n += e.line.length;
        if (n === 0) throw new Error('nothing read');
      },
      { iterations: 5 },
    );
  }
});

describe(`decode + sample views (count and bytes) of ${LINES} lines`, () => {
  for (const codec of CODECS) {
    bench(
      codec,
      () => {
        let n = 0;
        for (const data of encoded.get(codec)!)
          for (const v of StoredChunk.decode(data).sampleViews(ALL_FROM, ALL_THROUGH)) for (let i = 0; i < v.bytes.length; i++) n += v.bytes[i];
        if (n !== rawBytes) throw new Error('bytes mismatch');
      },
      { iterations: 10 },
    );
  }
});
