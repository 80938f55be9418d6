// Least-recently-used cache of byte arrays (chunk bytes; expanded sections of their blocks),
// bounded by total bytes. In memory only; never copies the cached arrays, so callers must treat them
// as read-only.

export class ChunkCache<V extends Uint8Array = Uint8Array> {
  private readonly entries = new Map<string, V>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): V | undefined {
    const data = this.entries.get(key);
    if (data !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, data);
    }
    return data;
  }

  /** Stores the chunk unless it alone exceeds the budget; evicts the least recently used first. */
  set(key: string, data: V): void {
    if (data.length > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.length;
      this.entries.delete(key);
    }
    this.entries.set(key, data);
    this.bytes += data.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }

  get size(): number {
    return this.bytes;
  }
}
