// Encoding of one label-only index file: header (magic "LIDX", version, CRC32 of the payload) and a
// gzip'd JSON payload of series labels, fingerprints and chunk refs. Pure: no I/O; never holds log text.
import { crc32, gunzipSync, gzipSync } from 'node:zlib';
import { CorruptDataError } from '../model/errors.js';
import type { Labels } from '../model/labels.js';
import type { ChunkRef } from './chunk-ref.js';
import { chunkKey } from './object-keys.js';

const MAGIC = [0x4c, 0x49, 0x44, 0x58]; // "LIDX"
export const INDEX_FORMAT_VERSION = 1;
const HEADER_BYTES = 12; // magic(4) version(1) reserved(3) crc32(4)

export interface IndexSeries {
  labels: Labels;
  fingerprint: string;
  chunks: ChunkRef[];
}

/** The decoded content of one index file: one tenant, one period. */
export interface IndexFile {
  tenant: string;
  period: bigint;
  series: IndexSeries[];
}

/** Payload v1: {t: tenant, p: period, s: [[fingerprint, [name, value, ...], [[fromHex, throughHex, checksum, entries, uncompressedBytes, size], ...]], ...]} */
type ChunkTuple = [string, string, number, number, number, number];
type SeriesTuple = [string, string[], ChunkTuple[]];
interface PayloadV1 {
  t: string;
  p: string;
  s: SeriesTuple[];
}

export function encodeIndexFile(file: IndexFile): Uint8Array {
  const payload: PayloadV1 = {
    t: file.tenant,
    p: file.period.toString(),
    s: file.series.map((s) => [
      s.fingerprint,
      s.labels.flatMap((l) => [l.name, l.value]),
      s.chunks.map((c): ChunkTuple => [c.from.toString(16), c.through.toString(16), c.checksum, c.entries, c.uncompressedBytes, c.size]),
    ]),
  };
  const body = gzipSync(JSON.stringify(payload), { level: 6 });
  const out = new Uint8Array(HEADER_BYTES + body.length);
  out.set(MAGIC, 0);
  out[4] = INDEX_FORMAT_VERSION;
  new DataView(out.buffer).setUint32(8, crc32(body), false);
  out.set(body, HEADER_BYTES);
  return out;
}

function corrupt(key: string, why: string): CorruptDataError {
  return new CorruptDataError(`corrupt index file ${key}: ${why}`);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const HEX = /^[0-9a-f]+$/;

/** Decodes and checks an index file; any damage is a CorruptDataError naming `key`. */
export function decodeIndexFile(key: string, data: Uint8Array): IndexFile {
  if (data.length < HEADER_BYTES || MAGIC.some((b, i) => data[i] !== b)) throw corrupt(key, 'bad magic');
  if (data[4] !== INDEX_FORMAT_VERSION) throw corrupt(key, `unsupported version ${data[4]}`);
  const body = data.subarray(HEADER_BYTES);
  const want = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(8, false);
  if (crc32(body) !== want) throw corrupt(key, 'checksum mismatch');
  let payload: PayloadV1;
  try {
    payload = JSON.parse(gunzipSync(body).toString('utf8')) as PayloadV1;
  } catch (err) {
    throw corrupt(key, (err as Error).message);
  }
  if (typeof payload !== 'object' || payload === null || typeof payload.t !== 'string' || typeof payload.p !== 'string' || !/^-?\d+$/.test(payload.p) || !Array.isArray(payload.s))
    throw corrupt(key, 'bad payload');
  const tenant = payload.t;
  const series: IndexSeries[] = [];
  for (const s of payload.s) {
    if (!Array.isArray(s) || s.length !== 3 || typeof s[0] !== 'string' || !HEX.test(s[0]) || !Array.isArray(s[1]) || s[1].length % 2 !== 0 || !Array.isArray(s[2]))
      throw corrupt(key, 'bad series');
    const fingerprint = s[0];
    const labels: { name: string; value: string }[] = [];
    for (let i = 0; i < s[1].length; i += 2) {
      const name = s[1][i], value = s[1][i + 1];
      if (typeof name !== 'string' || typeof value !== 'string') throw corrupt(key, 'bad label');
      labels.push({ name, value });
    }
    const chunks: ChunkRef[] = [];
    for (const c of s[2]) {
      if (!Array.isArray(c) || c.length !== 6 || typeof c[0] !== 'string' || typeof c[1] !== 'string' || !HEX.test(c[0]) || !HEX.test(c[1]) || !c.slice(2).every(isCount) || c[2] > 0xffffffff)
        throw corrupt(key, 'bad chunk ref');
      const from = BigInt('0x' + c[0]);
      const through = BigInt('0x' + c[1]);
      chunks.push({
        tenant,
        fingerprint,
        from,
        through,
        checksum: c[2],
        entries: c[3],
        uncompressedBytes: c[4],
        size: c[5],
        key: chunkKey(tenant, fingerprint, from, through, c[2]),
      });
    }
    series.push({ labels, fingerprint, chunks });
  }
  return { tenant, period: BigInt(payload.p), series };
}
