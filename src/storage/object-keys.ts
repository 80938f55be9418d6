// The object layout (DESIGN.md): chunk keys, index file keys and index periods. Pure: no I/O.
import { ValidationError } from '../model/errors.js';

export const CHUNKS_PREFIX = 'chunks/';
export const INDEX_PREFIX = 'index/';

/** A tenant must be usable as one key segment. */
export function validateTenant(tenant: string): void {
  if (tenant === '' || tenant === '.' || tenant === '..' || tenant.includes('/') || tenant.includes('\\') || tenant.includes('\0'))
    throw new ValidationError(`invalid tenant ID for storage: ${JSON.stringify(tenant)}`);
}

/** `chunks/<tenant>/<fingerprint>/<from>-<through>-<checksum>`, times in hex ns, checksum hex CRC32. */
export function chunkKey(tenant: string, fingerprint: string, from: bigint, through: bigint, checksum: number): string {
  return `${CHUNKS_PREFIX}${tenant}/${fingerprint}/${from.toString(16)}-${through.toString(16)}-${(checksum >>> 0).toString(16)}`;
}

/** The period number holding timestamp `ts`: floor(ts / period). */
export function periodOf(ts: bigint, period: bigint): bigint {
  const q = ts / period;
  return ts < 0n && q * period !== ts ? q - 1n : q;
}

/** Every period a chunk spanning [from, through] (inclusive) must be listed in. */
export function periodsSpanned(from: bigint, through: bigint, period: bigint): bigint[] {
  const out: bigint[] = [];
  for (let p = periodOf(from, period), last = periodOf(through, period); p <= last; p++) out.push(p);
  return out;
}

/** Periods that may hold chunks overlapping the query range [start, end). */
export function periodsOverlapping(start: bigint, end: bigint, period: bigint): bigint[] {
  if (end <= start) return [];
  return periodsSpanned(start, end - 1n, period);
}

/** `index/<period>/<tenant>/` — the folder listed to find a period's index files for a tenant. */
export function indexFolder(period: bigint, tenant: string): string {
  return `${INDEX_PREFIX}${period}/${tenant}/`;
}

export function indexFileKey(period: bigint, tenant: string, writerId: string, seq: string): string {
  return `${indexFolder(period, tenant)}${writerId}-${seq}`;
}

/** Splits `index/<period>/<tenant>/<file>`; undefined for keys of any other shape. */
export function parseIndexFileKey(key: string): { period: bigint; tenant: string } | undefined {
  const m = /^index\/(-?\d+)\/([^/]+)\/[^/]+$/.exec(key);
  return m ? { period: BigInt(m[1]), tenant: m[2] } : undefined;
}
