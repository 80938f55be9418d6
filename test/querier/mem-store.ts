// A store double for StoreSource tests: series with their chunk refs and chunk bytes in memory;
// counts fetches and can delay them.
import { MemChunk } from '../../src/chunks/index.js';
import type { Labels } from '../../src/model/index.js';
import { fingerprint } from '../../src/model/labels.js';
import type { ChunkRef, ChunkStore } from '../../src/storage/index.js';

export interface Entry {
  ts: bigint;
  line: string;
}

/** A store double: series with their chunk refs, chunk bytes by key; counts fetches. */
export class MemStore {
  readonly list: { labels: Labels; fingerprint: string; chunks: ChunkRef[] }[] = [];
  readonly data = new Map<string, Uint8Array>();
  readonly entries = new Map<string, Entry[]>();
  fetches = 0;
  delayMs = 0;

  add(labels: Labels, chunks: Entry[][]): void {
    const fp = fingerprint(labels);
    const refs: ChunkRef[] = [];
    for (const list of chunks) {
      const c = new MemChunk({ blockSize: 16 * 1024, targetSize: 0, codec: 'gzip' });
      for (const e of list) c.append(e.ts, e.line);
      const data = c.encode();
      const key = `${fp}/${this.data.size}`;
      this.data.set(key, data);
      refs.push({ tenant: 't', fingerprint: fp, from: c.minTs, through: c.maxTs, checksum: 0, entries: c.entries, uncompressedBytes: c.uncompressedBytes, size: data.length, key });
    }
    this.list.push({ labels, fingerprint: fp, chunks: refs });
    this.entries.set(fp, chunks.flat());
  }

  async series(): Promise<{ labels: Labels; fingerprint: string; chunks: ChunkRef[] }[]> {
    return this.list.map((s) => ({ ...s, chunks: [...s.chunks] }));
  }

  async fetchChunk(ref: ChunkRef): Promise<Uint8Array> {
    this.fetches++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return this.data.get(ref.key)!;
  }

  asStore(): ChunkStore {
    return this as unknown as ChunkStore;
  }
}
