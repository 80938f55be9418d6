// Expanded lines sections of recently read stored blocks, so that a query reading the newest blocks of
// a stream again (a dashboard's refresh, the next query in Explore) does not decompress them again.
// Bounded by bytes, least recently used out first. Pure: no I/O.

/** One block's expanded lines, found by the buffer holding the block's stored bytes and their offset in it. */
interface Slot {
  readonly owner: Map<number, Slot>;
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
  readonly lines: Buffer;
}

/**
 * Keys are the stored bytes' buffer (weakly: a chunk evicted from the chunk cache and read by no query
 * takes its entries' keys with it), their offset, length and CRC: stored chunk bytes are a fresh buffer
 * per fetch that nothing writes to. Cached lines are shared by every reader and never written to.
 */
export class ExpandedLinesCache {
  private readonly byBuffer = new WeakMap<ArrayBufferLike, Map<number, Slot>>();
  /** Insertion order is use order: the first slot is the least recently used. */
  private readonly order = new Set<Slot>();
  private held = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes of expanded lines held. */
  get bytes(): number {
    return this.held;
  }

  get entries(): number {
    return this.order.size;
  }

  /** The expanded lines of the block stored in `block` with CRC `crc`, if held. */
  get(block: Uint8Array, crc: number): Buffer | undefined {
    const slot = this.byBuffer.get(block.buffer)?.get(block.byteOffset);
    if (slot === undefined || slot.length !== block.length || slot.crc !== crc) return undefined;
    this.order.delete(slot);
    this.order.add(slot);
    return slot.lines;
  }

  /** Holds `lines`, expanded from `block` after its checksum passed; a section over a quarter of the budget is not held. */
  set(block: Uint8Array, crc: number, lines: Buffer): void {
    if (lines.length > this.maxBytes / 4 || lines.buffer === block.buffer) return;
    let owner = this.byBuffer.get(block.buffer);
    if (owner === undefined) {
      owner = new Map();
      this.byBuffer.set(block.buffer, owner);
    }
    const old = owner.get(block.byteOffset);
    if (old !== undefined) this.drop(old);
    const slot: Slot = { owner, offset: block.byteOffset, length: block.length, crc, lines };
    owner.set(slot.offset, slot);
    this.order.add(slot);
    this.held += lines.length;
    for (const first of this.order) {
      if (this.held <= this.maxBytes) break;
      this.drop(first);
    }
  }

  private drop(slot: Slot): void {
    this.order.delete(slot);
    if (slot.owner.get(slot.offset) === slot) slot.owner.delete(slot.offset);
    this.held -= slot.lines.length;
  }
}
