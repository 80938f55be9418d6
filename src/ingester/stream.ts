// One stream in an ingester: its in-memory chunks, the ordering rules for new entries (ordered or
// Loki's unordered window), exact-duplicate dropping and the per-stream rate limit.
// Never does I/O; the ingester decides when chunks are flushed.
import { MemChunk, type ChunkOptions } from '../chunks/index.js';
import { BytesEntry, lineByteLength, sameLine, type Entry, type Labels } from '../model/index.js';
import { formatRFC3339 } from '../model/time.js';

export interface StreamLimits {
  unorderedWrites: boolean;
  maxChunkAge: bigint;
  /** Bytes per second; 0 disables. */
  rateLimit: number;
  rateBurst: number;
}

/** A chunk held in memory, with what the flush loop and WAL need to know about it. */
export interface ChunkDesc {
  chunk: MemChunk;
  /** No more appends: it is full, too old or was flushed while idle. */
  closed: boolean;
  /** Wall-clock ms of the last append. */
  lastUpdatedMs: number;
  /** Wall-clock ms when it was written to storage; 0 while unflushed. */
  flushedMs: number;
  /** Object key in the store once flushed. */
  storeKey?: string;
  /** Highest WAL sequence number of the entries in it. */
  maxSeq: number;
}

export interface RejectedEntry {
  entry: Entry;
  reason: string;
}

export interface StreamPushResult {
  accepted: Entry[];
  rejected: RejectedEntry[];
  /** Entries refused by the per-stream rate limit. */
  rateLimited: Entry[];
}

export class IngesterStream {
  readonly chunks: ChunkDesc[] = [];
  /** Newest timestamp accepted so far (-1 before the first entry). */
  lastTs = -1n;
  /**
   * Entries accepted at lastTs, to drop exact duplicates in ordered mode. Between pushes they hold
   * their own copies of line bytes (see detachLastEntries), never views of a request body.
   */
  private lastEntries: Entry[] = [];
  /** How many of lastEntries are already detached (copies kept across pushes). */
  private detached = 0;
  /** Highest WAL sequence applied; all entries with seq <= durableSeq are in storage. */
  lastSeq = 0;
  durableSeq = 0;
  /** labelsString as UTF-8, written into every WAL record of the stream. */
  readonly labelsBytes: Buffer;
  private tokens: number;
  private tokensAtMs: number;

  constructor(
    readonly labels: Labels,
    readonly labelsString: string,
    readonly fingerprint: string,
    private readonly chunkOpts: ChunkOptions,
    nowMs: number,
    burst: number,
  ) {
    this.tokens = burst;
    this.tokensAtMs = nowMs;
    this.labelsBytes = Buffer.from(labelsString, 'utf8');
  }

  /** Validates and appends entries in order; returns what was accepted and why others were not. */
  push(entries: readonly Entry[], limits: StreamLimits, nowMs: number): StreamPushResult {
    const res: StreamPushResult = { accepted: [], rejected: [], rateLimited: [] };
    this.refill(limits, nowMs);
    for (const e of entries) {
      const reason = this.check(e, limits);
      if (reason === 'duplicate') continue;
      if (reason) {
        res.rejected.push({ entry: e, reason });
        continue;
      }
      const size = lineByteLength(e);
      if (limits.rateLimit > 0 && size > this.tokens) {
        res.rateLimited.push(e);
        continue;
      }
      if (!this.append(e, nowMs)) continue;
      if (limits.rateLimit > 0) this.tokens -= size;
      res.accepted.push(e);
    }
    this.detachLastEntries();
    return res;
  }

  /** Appends without limits (WAL replay); ordering/duplicate rules still apply silently. */
  replay(entries: readonly Entry[], limits: StreamLimits, nowMs: number): number {
    let n = 0;
    for (const e of entries) {
      if (this.check(e, limits) !== undefined) continue;
      if (this.append(e, nowMs)) n++;
    }
    this.detachLastEntries();
    return n;
  }

  /** Returns a rejection reason, 'duplicate' for a silently dropped exact duplicate, or undefined. */
  private check(e: Entry, limits: StreamLimits): string | undefined {
    if (this.lastTs < 0n) return undefined;
    if (e.ts === this.lastTs) return this.holdsAtLastTs(e) ? 'duplicate' : undefined;
    if (e.ts > this.lastTs) return undefined;
    if (!limits.unorderedWrites) return 'entry out of order';
    const oldest = this.lastTs - limits.maxChunkAge / 2n;
    if (e.ts < oldest)
      return `entry too far behind, entry timestamp is: ${formatRFC3339(e.ts)}, oldest acceptable timestamp is: ${formatRFC3339(oldest)}`;
    return undefined;
  }

  private append(e: Entry, nowMs: number): boolean {
    let head = this.chunks.length ? this.chunks[this.chunks.length - 1] : undefined;
    if (!head || head.closed || head.chunk.isFull()) {
      if (head) head.closed = true;
      head = { chunk: new MemChunk(this.chunkOpts), closed: false, lastUpdatedMs: nowMs, flushedMs: 0, maxSeq: 0 };
      this.chunks.push(head);
    }
    if (!head.chunk.append(e.ts, e.bytes ?? e.line, e.metadata)) return false;
    head.lastUpdatedMs = nowMs;
    if (e.ts > this.lastTs) {
      this.lastTs = e.ts;
      this.lastEntries.length = 0;
      this.detached = 0;
      this.lastEntries.push(e);
    } else if (e.ts === this.lastTs) this.lastEntries.push(e);
    return true;
  }

  /** Whether an entry with e's line and metadata was accepted at lastTs. */
  private holdsAtLastTs(e: Entry): boolean {
    // Like Loki's stream, a repeat of the line at the last timestamp is dropped whatever its metadata.
    for (const k of this.lastEntries) if (sameLine(k, e)) return true;
    return false;
  }

  /** Replaces entries kept at lastTs by copies that share no memory with the request they came in. */
  private detachLastEntries(): void {
    const kept = this.lastEntries;
    for (let i = this.detached; i < kept.length; i++) {
      const e = kept[i];
      const bytes = e.bytes;
      if (bytes !== undefined) kept[i] = new BytesEntry(e.ts, Uint8Array.prototype.slice.call(bytes), e.metadata);
    }
    this.detached = kept.length;
  }

  /** Records the WAL sequence of entries just appended (they went to the head chunk). */
  noteSeq(seq: number): void {
    this.lastSeq = seq;
    const head = this.chunks[this.chunks.length - 1];
    if (head) head.maxSeq = seq;
  }

  private refill(limits: StreamLimits, nowMs: number): void {
    if (limits.rateLimit <= 0) return;
    const elapsed = Math.max(0, nowMs - this.tokensAtMs) / 1000;
    this.tokens = Math.min(limits.rateBurst, this.tokens + elapsed * limits.rateLimit);
    this.tokensAtMs = nowMs;
  }

  /** Uncompressed bytes held in chunks not yet flushed. */
  unflushedBytes(): number {
    let n = 0;
    for (const c of this.chunks) if (!c.flushedMs) n += c.chunk.uncompressedBytes;
    return n;
  }
}


