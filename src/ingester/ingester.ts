// The ingester: accepts validated streams, keeps them in memory per tenant, logs every accepted
// entry to the WAL before acknowledging, flushes full/idle/old chunks to the object store, writes
// checkpoints, and replays the WAL on start. It never speaks HTTP; errors are typed.
import type { Codec } from '../chunks/index.js';
import type { Limits } from '../config/limits.js';
import {
  fingerprint,
  formatGoTime,
  lineByteLength,
  parseLabels,
  RateLimitedError,
  ValidationError,
  StatusError,
  BackpressureError,
  type Entry,
  type Labels,
} from '../model/index.js';
import type { FlushedChunk } from '../storage/index.js';
import { TenantInstance } from './instance.js';
import { IngesterStream, type ChunkDesc, type RejectedEntry, type StreamLimits } from './stream.js';
import type { WriteAheadLog } from './wal/wal.js';
import type { WalRecord } from './wal/record.js';

/**
 * Memory relief. Over the unflushed limit pushes are refused until unflushed bytes fall below
 * LOW_WATERMARK of it (so acceptance does not flap at the limit), and each refusal starts a relief
 * sweep that flushes the largest chunks down to half the limit.
 * Process-level pressure (resident memory, V8 heap) refuses pushes only while the ingester holds more
 * than PROCESS_REFUSAL_SHARE of its limit unflushed: below that the memory is held by something else
 * (queries, garbage), refusing cannot relieve it and a flush would only cut small chunks, so pushes are
 * accepted and V8's collector deals with it. Such a refusal flushes down to PROCESS_RELIEF_SHARE of the
 * limit and holds until that flush is done or the ingester is below that share.
 * A relief sweep never flushes a chunk smaller than one block (`blockSize`: a chunk below it has not
 * sealed one compressed block yet), unless so many chunks are open that blocks would not fit the
 * sweep's target: then the floor is the target over the number of open chunks, which still guarantees
 * the target is reached (chunks under it add up to less than the target).
 */
const LOW_WATERMARK = 0.9;
const PROCESS_REFUSAL_SHARE = 1 / 4;
const PROCESS_RELIEF_SHARE = 1 / 8;

export interface PushStream {
  labels: Labels;
  labelsString: string;
  entries: Entry[];
}

/** Where flushed chunks go (the ChunkStore in production). */
export interface ChunkSink {
  putChunks(tenant: string, chunks: FlushedChunk[]): Promise<{ key: string }[]>;
}

export interface IngesterLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface IngesterOptions {
  blockSize: number;
  targetSize: number;
  codec: Codec;
  maxChunkAge: bigint;
  chunkIdlePeriodMs: number;
  chunkRetainPeriodMs: number;
  flushCheckPeriodMs: number;
  checkpointPeriodMs: number;
  flushOnShutdown: boolean;
  concurrentFlushes: number;
  /** Unflushed bytes above which pushes get 429 (and the largest chunks are flushed early); 0 disables. */
  maxMemoryBytes: number;
  /** A process-level memory check (resident memory, heap): a message means refuse pushes for now. */
  memoryPressure?: () => string | undefined;
  limits: (tenant: string) => Limits;
  /** Number of ingesters and replication factor, to turn global stream limits into local ones. */
  ringShare: () => { ingesters: number; replicationFactor: number };
  sink: ChunkSink;
  wal?: WriteAheadLog;
  logger: IngesterLogger;
  /** Called after entries of a stream were accepted (live tail, metrics). */
  onAccepted?: (tenant: string, stream: IngesterStream, entries: readonly Entry[]) => void;
  onFlushed?: (tenant: string, chunks: number, bytes: number) => void;
}

export interface IngesterStatus {
  tenants: number;
  streams: number;
  unflushedBytes: number;
}

export class Ingester {
  private readonly instances = new Map<string, TenantInstance>();
  private seq = 0;
  private unflushed = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private checkpointTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** A relief sweep (flushing the largest chunks early under memory pressure) is queued or running. */
  private relieving = false;
  /** Why pushes are being refused for memory, kept for the hysteresis (see LOW_WATERMARK). */
  private refusal: { cause: 'limit' | 'process'; message: string } | undefined;
  /** Process-level pressure was seen while pushes were accepted (logged once per episode). */
  private pressureIgnored = false;
  private checkpointing: Promise<void> | undefined;
  private stopping = false;
  readonly replayCorruptions: string[] = [];

  constructor(private readonly opts: IngesterOptions) {}

  /** Replays the WAL into memory, then starts the flush and checkpoint loops. */
  async start(): Promise<void> {
    if (this.opts.wal) {
      await this.replay(this.opts.wal);
      await this.opts.wal.start();
    }
    this.flushTimer = setInterval(() => void this.sweep(false), this.opts.flushCheckPeriodMs);
    this.flushTimer.unref();
    if (this.opts.wal && this.opts.checkpointPeriodMs > 0) {
      this.checkpointTimer = setInterval(() => void this.checkpoint(), this.opts.checkpointPeriodMs);
      this.checkpointTimer.unref();
    }
  }

  instance(tenant: string): TenantInstance | undefined {
    return this.instances.get(tenant);
  }

  tenants(): string[] {
    return [...this.instances.keys()];
  }

  status(): IngesterStatus {
    let streams = 0;
    for (const i of this.instances.values()) streams += i.streams.size;
    return { tenants: this.instances.size, streams, unflushedBytes: this.unflushed };
  }

  /** Streams and unflushed bytes per tenant (for metrics). */
  memoryByTenant(): Map<string, { streams: number; unflushedBytes: number }> {
    const out = new Map<string, { streams: number; unflushedBytes: number }>();
    for (const [tenant, inst] of this.instances) {
      let bytes = 0;
      for (const s of inst.streams.values()) bytes += s.unflushedBytes();
      out.set(tenant, { streams: inst.streams.size, unflushedBytes: bytes });
    }
    return out;
  }

  /**
   * Appends the streams, logs accepted entries to the WAL and resolves once they are durable.
   * Rejected entries are reported in Loki's format (400, or 429 for rate/stream limits) after
   * the accepted ones are stored.
   */
  async push(tenant: string, streams: readonly PushStream[]): Promise<void> {
    if (this.stopping) throw new StatusError(503, 'Ingester is shutting down');
    const refusal = this.memoryRefusal();
    if (refusal) {
      this.relieve(refusal.cause);
      throw new BackpressureError(refusal.message);
    }
    const limits = this.opts.limits(tenant);
    const streamLimits: StreamLimits = {
      unorderedWrites: limits.unordered_writes,
      maxChunkAge: this.opts.maxChunkAge,
      rateLimit: limits.per_stream_rate_limit,
      rateBurst: limits.per_stream_rate_limit_burst,
    };
    const inst = this.getOrCreateInstance(tenant);
    const nowMs = Date.now();
    const records: WalRecord[] = [];
    const errors: string[] = [];
    let status = 400;
    for (const ps of streams) {
      let stream = inst.get(ps.labelsString);
      if (!stream) {
        const limitErr = this.streamLimitError(inst, limits, ps.labelsString);
        if (limitErr) {
          errors.push(limitErr);
          status = 429;
          continue;
        }
        stream = new IngesterStream(
          ps.labels,
          ps.labelsString,
          fingerprint(ps.labels),
          { blockSize: this.opts.blockSize, targetSize: this.opts.targetSize, codec: this.opts.codec },
          nowMs,
          limits.per_stream_rate_limit_burst,
        );
        inst.add(stream);
      }
      // Unflushed bytes as flushing takes them out again: line and structured metadata bytes stored.
      const before = stream.unflushedBytes();
      const res = stream.push(ps.entries, streamLimits, nowMs);
      this.unflushed += stream.unflushedBytes() - before;
      if (res.accepted.length) {
        const seq = ++this.seq;
        stream.noteSeq(seq);
        records.push({ type: 'entries', seq, tenant, labels: ps.labelsString, labelsBytes: stream.labelsBytes, entries: res.accepted });
        this.opts.onAccepted?.(tenant, stream, res.accepted);
      }
      if (res.rateLimited.length) {
        status = 429;
        const bytes = res.rateLimited.reduce((n, e) => n + lineByteLength(e), 0);
        errors.push(
          `Per stream rate limit exceeded (limit: ${humanBytes(limits.per_stream_rate_limit)}/sec) while attempting to ingest for stream '${ps.labelsString}' totaling ${humanBytes(bytes)}, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased`,
        );
      }
      if (res.rejected.length) errors.push(failedEntriesMessage(tenant, ps.labelsString, res.rejected, ps.entries.length));
    }
    if (records.length && this.opts.wal) await this.opts.wal.append(records);
    if (errors.length) {
      const msg = errors.join('\n');
      throw status === 429 ? new RateLimitedError(msg) : new ValidationError(msg);
    }
  }

  /** Why pushes must wait for memory, or undefined (see LOW_WATERMARK for the rules). */
  private memoryRefusal(): { cause: 'limit' | 'process'; message: string } | undefined {
    const limit = this.opts.maxMemoryBytes;
    const held = this.unflushed;
    const prev = this.refusal;
    if (limit > 0 && (held > limit || (prev?.cause === 'limit' && held > limit * LOW_WATERMARK)))
      return (this.refusal = { cause: 'limit', message: `ingester memory limit reached: ${held} bytes of unflushed data (limit ${limit}), retry later` });
    const pressure = this.opts.memoryPressure?.();
    if (limit <= 0) {
      // No unflushed limit to measure against: the process check alone decides, as it always did.
      this.refusal = pressure === undefined ? undefined : { cause: 'process', message: pressure };
      return this.refusal;
    }
    if (prev?.cause === 'process' && held > limit * PROCESS_RELIEF_SHARE && (pressure !== undefined || this.relieving))
      return (this.refusal = { cause: 'process', message: pressure ?? prev.message });
    this.refusal = undefined;
    if (pressure === undefined) {
      this.pressureIgnored = false;
      return undefined;
    }
    if (held > limit * PROCESS_REFUSAL_SHARE) {
      this.pressureIgnored = false;
      return (this.refusal = { cause: 'process', message: pressure });
    }
    if (!this.pressureIgnored) {
      this.pressureIgnored = true;
      this.opts.logger.warn(
        { unflushedBytes: held, limit, pressure },
        'memory pressure while the ingester holds little unflushed data: accepting pushes, the memory is held elsewhere',
      );
    }
    return undefined;
  }

  /** Bytes a relief sweep for `cause` flushes down to. */
  private reliefTarget(cause: 'limit' | 'process'): number {
    const limit = this.opts.maxMemoryBytes;
    if (limit <= 0) return this.unflushed / 2;
    return cause === 'limit' ? limit / 2 : limit * PROCESS_RELIEF_SHARE;
  }

  /** Starts one sweep that also flushes the largest unflushed chunks early, unless one is already on its way. */
  private relieve(cause: 'limit' | 'process'): void {
    if (this.relieving) return;
    this.relieving = true;
    void this.sweep(false, this.reliefTarget(cause))
      .catch((e) => this.opts.logger.error({ err: (e as Error).message }, 'failed to flush chunks under memory pressure'))
      .finally(() => {
        this.relieving = false;
      });
  }

  private getOrCreateInstance(tenant: string): TenantInstance {
    let inst = this.instances.get(tenant);
    if (!inst) this.instances.set(tenant, (inst = new TenantInstance(tenant)));
    return inst;
  }

  private streamLimitError(inst: TenantInstance, limits: Limits, labelsString: string): string | undefined {
    const { ingesters, replicationFactor } = this.opts.ringShare();
    let limit = limits.max_streams_per_user > 0 ? limits.max_streams_per_user : Infinity;
    if (limits.max_global_streams_per_user > 0) {
      const local = Math.floor((limits.max_global_streams_per_user / Math.max(1, ingesters)) * replicationFactor);
      limit = Math.min(limit, Math.max(local, 1));
    }
    if (inst.streams.size < limit) return undefined;
    return `maximum active stream limit exceeded when trying to create stream ${labelsString}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '${inst.tenant}'`;
  }

  /** Flushes every in-memory chunk now (POST /flush, shutdown). */
  async flushAll(): Promise<void> {
    await this.sweep(true);
  }

  /**
   * One pass of the flush loop; `force` flushes everything, otherwise only full, idle or old chunks,
   * and with `relieveTo` also the largest others, none below the floor, until at most `relieveTo`
   * bytes stay unflushed.
   */
  sweep(force: boolean, relieveTo?: number): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.flushing) await this.flushing;
      const p = this.flushOnce(force, relieveTo);
      this.flushing = p;
      try {
        await p;
      } finally {
        if (this.flushing === p) this.flushing = undefined;
      }
    };
    return run();
  }

  private async flushOnce(force: boolean, relieveTo: number | undefined): Promise<void> {
    const relieve = relieveTo !== undefined;
    const nowMs = Date.now();
    type Job = { tenant: string; stream: IngesterStream; desc: ChunkDesc };
    const jobs: Job[] = [];
    const others: Job[] = [];
    let remaining = this.unflushed;
    for (const [tenant, inst] of this.instances) {
      for (const stream of inst.streams.values()) {
        for (const desc of stream.chunks) {
          if (desc.flushedMs || desc.chunk.entries === 0) continue;
          const span = desc.chunk.maxTs - desc.chunk.minTs;
          const due =
            force ||
            desc.closed ||
            desc.chunk.isFull() ||
            nowMs - desc.lastUpdatedMs > this.opts.chunkIdlePeriodMs ||
            span > this.opts.maxChunkAge;
          if (!due) {
            if (relieve) others.push({ tenant, stream, desc });
            continue;
          }
          desc.closed = true;
          jobs.push({ tenant, stream, desc });
          remaining -= desc.chunk.uncompressedBytes;
        }
      }
    }
    if (relieve && others.length) {
      const floor = reliefFloor(this.opts.blockSize, relieveTo, others.length, this.opts.maxMemoryBytes > 0);
      others.sort((a, b) => b.desc.chunk.uncompressedBytes - a.desc.chunk.uncompressedBytes);
      for (const j of others) {
        if (remaining <= relieveTo || j.desc.chunk.uncompressedBytes < floor) break;
        j.desc.closed = true;
        jobs.push(j);
        remaining -= j.desc.chunk.uncompressedBytes;
      }
    }
    const byTenant = new Map<string, typeof jobs>();
    for (const j of jobs) {
      let list = byTenant.get(j.tenant);
      if (!list) byTenant.set(j.tenant, (list = []));
      list.push(j);
    }
    const batches: (typeof jobs)[] = [];
    for (const list of byTenant.values()) for (let i = 0; i < list.length; i += 64) batches.push(list.slice(i, i + 64));
    let next = 0;
    let failure: unknown;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++];
        try {
          await this.flushBatch(batch);
        } catch (e) {
          failure = e;
          this.opts.logger.error({ err: (e as Error).message, tenant: batch[0].tenant }, 'failed to flush chunks');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.opts.concurrentFlushes, batches.length)) }, worker));
    this.release(Date.now());
    if (failure && force) throw failure;
  }

  private async flushBatch(batch: { tenant: string; stream: IngesterStream; desc: ChunkDesc }[]): Promise<void> {
    const chunks: FlushedChunk[] = batch.map(({ stream, desc }) => ({
      labels: stream.labels,
      fingerprint: stream.fingerprint,
      from: desc.chunk.minTs,
      through: desc.chunk.maxTs,
      entries: desc.chunk.entries,
      uncompressedBytes: desc.chunk.uncompressedBytes,
      data: desc.chunk.encode(),
    }));
    const refs = await this.opts.sink.putChunks(batch[0].tenant, chunks);
    const flushedMs = Date.now();
    let bytes = 0;
    const marks: WalRecord[] = [];
    const touched = new Set<IngesterStream>();
    batch.forEach(({ stream, desc }, i) => {
      desc.flushedMs = flushedMs;
      desc.storeKey = refs[i]?.key;
      bytes += desc.chunk.uncompressedBytes;
      this.unflushed -= desc.chunk.uncompressedBytes;
      touched.add(stream);
    });
    for (const stream of touched) {
      let durable = stream.lastSeq;
      for (const c of stream.chunks) {
        if (!c.flushedMs) {
          durable = Math.min(durable, prevSeq(stream, c));
          break;
        }
      }
      if (durable > stream.durableSeq) {
        stream.durableSeq = durable;
        marks.push({ type: 'flushed', seq: durable, tenant: batch[0].tenant, labels: stream.labelsString });
      }
    }
    if (marks.length && this.opts.wal) await this.opts.wal.append(marks);
    this.opts.onFlushed?.(batch[0].tenant, batch.length, bytes);
  }

  /** Drops flushed chunks past the retain period, and streams left without chunks. */
  private release(nowMs: number): void {
    for (const [tenant, inst] of this.instances) {
      for (const stream of [...inst.streams.values()]) {
        const keep = stream.chunks.filter((c) => !c.flushedMs || nowMs - c.flushedMs < this.opts.chunkRetainPeriodMs);
        if (keep.length !== stream.chunks.length) stream.chunks.splice(0, stream.chunks.length, ...keep);
        if (stream.chunks.length === 0) inst.remove(stream);
      }
      if (inst.streams.size === 0) this.instances.delete(tenant);
    }
  }

  /** Writes a WAL checkpoint of all unflushed entries so older segments can be deleted. */
  checkpoint(): Promise<void> {
    const wal = this.opts.wal;
    if (!wal) return Promise.resolve();
    if (this.checkpointing) return this.checkpointing;
    const run = wal.checkpoint(async (emit) => {
      for (const [tenant, inst] of [...this.instances]) {
        for (const stream of [...inst.streams.values()]) {
          const entries: Entry[] = [];
          for (const c of stream.chunks) {
            if (c.flushedMs) continue;
            for (const e of c.chunk.iterate(c.chunk.minTs, c.chunk.maxTs + 1n, 'forward')) entries.push(e);
          }
          if (entries.length) await emit([{ type: 'entries', seq: stream.lastSeq, tenant, labels: stream.labelsString, entries }]);
          else await new Promise((r) => setImmediate(r));
        }
      }
    });
    this.checkpointing = run.finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing.catch((e) => {
      this.opts.logger.error({ err: (e as Error).message }, 'failed to write WAL checkpoint');
    });
  }

  private async replay(wal: WriteAheadLog): Promise<void> {
    const started = Date.now();
    const data = await wal.load();
    for (const c of data.corruptions) {
      this.replayCorruptions.push(c);
      this.opts.logger.warn({ detail: c }, 'WAL: skipped a torn or corrupt record and everything after it in that file');
    }
    const key = (tenant: string, labels: string): string => tenant + '\u0000' + labels;
    const skipUpTo = new Map<string, number>();
    for (const r of data.segments) {
      if (r.type !== 'flushed') continue;
      const k = key(r.tenant, r.labels);
      skipUpTo.set(k, Math.max(skipUpTo.get(k) ?? 0, r.seq));
    }
    const nowMs = Date.now();
    let entries = 0;
    const apply = (r: WalRecord & { type: 'entries' }): void => {
      const limits = this.opts.limits(r.tenant);
      const inst = this.getOrCreateInstance(r.tenant);
      let stream = inst.get(r.labels);
      if (!stream) {
        const labels = parseLabels(r.labels);
        stream = new IngesterStream(
          labels,
          r.labels,
          fingerprint(labels),
          { blockSize: this.opts.blockSize, targetSize: this.opts.targetSize, codec: this.opts.codec },
          nowMs,
          limits.per_stream_rate_limit_burst,
        );
        inst.add(stream);
      }
      const before = stream.unflushedBytes();
      entries += stream.replay(r.entries, { unorderedWrites: limits.unordered_writes, maxChunkAge: this.opts.maxChunkAge, rateLimit: 0, rateBurst: 0 }, nowMs);
      this.unflushed += stream.unflushedBytes() - before;
      stream.noteSeq(Math.max(stream.lastSeq, r.seq));
      this.seq = Math.max(this.seq, r.seq);
    };
    for (const r of data.checkpoint) {
      if (r.type !== 'entries') continue;
      const k = key(r.tenant, r.labels);
      skipUpTo.set(k, Math.max(skipUpTo.get(k) ?? 0, r.seq));
      apply(r);
    }
    for (const r of data.segments) {
      this.seq = Math.max(this.seq, r.seq);
      if (r.type !== 'entries') continue;
      if (r.seq <= (skipUpTo.get(key(r.tenant, r.labels)) ?? 0)) continue;
      apply(r);
    }
    if (entries || data.corruptions.length)
      this.opts.logger.info({ entries, streams: this.status().streams, ms: Date.now() - started }, 'WAL replay complete');
  }

  /** Stops taking writes; flushes everything (when configured) and closes the WAL. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.flushTimer);
    clearInterval(this.checkpointTimer);
    if (this.checkpointing) await this.checkpointing.catch(() => undefined);
    if (this.opts.flushOnShutdown) {
      try {
        await this.sweep(true);
      } catch (e) {
        this.opts.logger.error({ err: (e as Error).message }, 'flush on shutdown failed; data stays in the WAL');
      }
    }
    if (this.flushing) await this.flushing.catch(() => undefined);
    await this.opts.wal?.close();
  }
}

/**
 * The smallest chunk a relief sweep flushes: one block, or, when `open` chunks of a block would not
 * fit `target`, target/open — the chunks below that add up to less than the target, so flushing the
 * others always reaches it and a refusal over the unflushed limit cannot last forever. Without an
 * unflushed limit (`bounded` false) the target only halves what is held, so the floor stays one block.
 */
function reliefFloor(blockSize: number, target: number, open: number, bounded: boolean): number {
  return bounded ? Math.min(blockSize, target / Math.max(1, open)) : blockSize;
}

/** Highest WAL sequence of the chunks before `c` in its stream (everything before it is flushed). */
function prevSeq(stream: IngesterStream, c: ChunkDesc): number {
  let seq = stream.durableSeq;
  for (const d of stream.chunks) {
    if (d === c) break;
    seq = Math.max(seq, d.maxSeq);
  }
  return seq;
}

function failedEntriesMessage(tenant: string, labels: string, failed: RejectedEntry[], total: number): string {
  const lines: string[] = [];
  for (const f of failed.slice(0, 10)) lines.push(`entry with timestamp ${formatGoTime(f.entry.ts)} ignored, reason: '${f.reason}',`);
  lines.push(`user '${tenant}', total ignored: ${failed.length} out of ${total} for stream: ${labels}`);
  return lines.join('\n');
}

/** go-humanize Bytes (SI units), as Loki prints rate limits. */
export function humanBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const v = n / 1000 ** e;
  const f = v < 10 ? v.toFixed(1) : v.toFixed(0);
  return `${f} ${units[e]}`;
}
