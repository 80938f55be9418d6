// Builders shared by the chunk tests: realistic logfmt lines and chunks filled from entry lists.
import type { Entry, Labels } from '../../src/model/index.js';
import { type ChunkOptions, MemChunk } from '../../src/chunks/index.js';

export const T0 = 1_700_000_000_000_000_000n;

export function logfmtLine(i: number): string {
  const level = ['info', 'warn', 'error', 'debug'][i % 4];
  return `ts=2023-11-14T22:13:20.${String(i % 1000).padStart(3, '0')}Z level=${level} caller=server.go:${100 + (i % 37)} msg="request completed" method=GET path=/api/v1/users/${i * 7919} status=${i % 13 === 0 ? 500 : 200} duration=${(i % 97) + 0.5}ms`;
}

export function chunkOf(entries: readonly Entry[], opts: Partial<ChunkOptions> = {}): MemChunk {
  const c = new MemChunk({ blockSize: 262_144, targetSize: 1_572_864, codec: 'snappy', ...opts });
  for (const e of entries) c.append(e.ts, e.line, e.metadata);
  return c;
}

/** `n` entries one millisecond apart from T0 with logfmt lines. */
export function logfmtEntries(n: number, start = T0): Entry[] {
  return Array.from({ length: n }, (_, i) => ({ ts: start + BigInt(i) * 1_000_000n, line: logfmtLine(i), metadata: undefined }));
}

export function md(rec: Record<string, string>): Labels {
  return Object.entries(rec).map(([name, value]) => ({ name, value }));
}

/** Entries sorted by ts, stable: the order a forward read must return. */
export function sortedByTs(entries: readonly Entry[]): Entry[] {
  return [...entries].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

export const utf8Length = (s: string): number => Buffer.byteLength(s);
