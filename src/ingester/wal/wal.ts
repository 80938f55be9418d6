// The ingester's write-ahead log on disk: numbered segment files written with group commit,
// checkpoints that snapshot unflushed data so older segments can be deleted, and loading for replay.
// It never interprets records beyond framing; the ingester decides what to apply.
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecords, encodeRecords, type WalRecord } from './record.js';

export interface WalOptions {
  dir: string;
  /** Rotate to a new segment after this many bytes (default 128 MiB). */
  segmentSize?: number;
  /** fdatasync after each group commit (survives power loss; kill -9 is survived without it). */
  fsync?: boolean;
}

export interface ReplayData {
  checkpoint: WalRecord[];
  segments: WalRecord[];
  /** One message per torn/corrupt file tail that was skipped. */
  corruptions: string[];
}

const SEGMENT_RE = /^(\d{8})$/;
const CHECKPOINT_RE = /^checkpoint\.(\d{8})$/;
const pad = (n: number): string => String(n).padStart(8, '0');

export class WriteAheadLog {
  private fh: FileHandle | undefined;
  private segment = 0;
  private segmentBytes = 0;
  private queue: Buffer[] = [];
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private draining = false;
  private closed = false;
  private readonly segmentSize: number;

  private constructor(private readonly opts: WalOptions) {
    this.segmentSize = opts.segmentSize ?? 128 << 20;
  }

  static async open(opts: WalOptions): Promise<WriteAheadLog> {
    await mkdir(opts.dir, { recursive: true });
    return new WriteAheadLog(opts);
  }

  /** Reads the latest checkpoint and every later segment. Call before start(). */
  async load(): Promise<ReplayData> {
    const { segments, checkpoints } = await this.listFiles();
    const corruptions: string[] = [];
    const latest = checkpoints.length ? checkpoints[checkpoints.length - 1] : -1;
    const checkpoint: WalRecord[] = [];
    if (latest >= 0) {
      const res = decodeRecords(await readFile(join(this.opts.dir, `checkpoint.${pad(latest)}`)));
      checkpoint.push(...res.records);
      if (res.corruption) corruptions.push(`checkpoint.${pad(latest)} at byte ${res.corruption.offset}: ${res.corruption.reason}`);
    }
    const records: WalRecord[] = [];
    for (const s of segments) {
      if (s < latest) continue;
      const res = decodeRecords(await readFile(join(this.opts.dir, pad(s))));
      for (const r of res.records) records.push(r);
      if (res.corruption) corruptions.push(`segment ${pad(s)} at byte ${res.corruption.offset}: ${res.corruption.reason}`);
    }
    return { checkpoint, segments: records, corruptions };
  }

  /** Opens a fresh segment after the highest existing one (a possibly torn old tail is never appended to). */
  async start(): Promise<void> {
    for (const name of await readdir(this.opts.dir)) if (name.endsWith('.tmp')) await rm(join(this.opts.dir, name), { force: true });
    const { segments, checkpoints } = await this.listFiles();
    const highest = Math.max(-1, ...segments, ...checkpoints);
    await this.openSegment(highest + 1);
  }

  /** Appends records; resolves once they are written to the segment file. */
  append(records: readonly WalRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WAL is closed'));
    const buf = encodeRecords(records);
    return new Promise((resolve, reject) => {
      this.queue.push(buf);
      this.waiters.push({ resolve, reject });
      if (!this.draining) {
        this.draining = true;
        this.serial(() => this.drain());
      }
    });
  }

  /**
   * Writes a checkpoint: rotates to a new segment S, lets `snapshot` emit the unflushed state
   * (taken after the rotation), then makes it durable as checkpoint.S and deletes older files.
   */
  async checkpoint(snapshot: (emit: (records: WalRecord[]) => Promise<void>) => Promise<void>): Promise<void> {
    const seg = await this.serial(async () => {
      await this.openSegment(this.segment + 1);
      return this.segment;
    });
    const tmp = join(this.opts.dir, `checkpoint.${pad(seg)}.tmp`);
    const fh = await open(tmp, 'w');
    try {
      await snapshot(async (records) => {
        if (records.length) await fh.write(encodeRecords(records));
      });
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.opts.dir, `checkpoint.${pad(seg)}`));
    await this.syncDir();
    const { segments, checkpoints } = await this.listFiles();
    for (const s of segments) if (s < seg) await rm(join(this.opts.dir, pad(s)), { force: true });
    for (const c of checkpoints) if (c < seg) await rm(join(this.opts.dir, `checkpoint.${pad(c)}`), { force: true });
  }

  /** Bytes in segment files plus the latest checkpoint (for metrics and tests). */
  async size(): Promise<number> {
    let total = 0;
    for (const name of await readdir(this.opts.dir)) total += (await stat(join(this.opts.dir, name))).size;
    return total;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.serial(async () => {
      await this.fh?.close();
      this.fh = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const bufs = this.queue.splice(0);
      const waiters = this.waiters.splice(0);
      try {
        const fh = this.fh;
        if (!fh) throw new Error('WAL segment is not open');
        await fh.writev(bufs);
        if (this.opts.fsync) await fh.datasync();
        for (const b of bufs) this.segmentBytes += b.length;
        for (const w of waiters) w.resolve();
        if (this.segmentBytes >= this.segmentSize) await this.openSegment(this.segment + 1);
      } catch (e) {
        for (const w of waiters) w.reject(e as Error);
      }
    }
    this.draining = false;
  }

  private async openSegment(n: number): Promise<void> {
    const old = this.fh;
    this.fh = await open(join(this.opts.dir, pad(n)), 'a');
    this.segment = n;
    this.segmentBytes = 0;
    if (old) {
      if (this.opts.fsync) await old.sync();
      await old.close();
    }
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    const d = await open(this.opts.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async listFiles(): Promise<{ segments: number[]; checkpoints: number[] }> {
    const segments: number[] = [];
    const checkpoints: number[] = [];
    for (const name of await readdir(this.opts.dir)) {
      let m = SEGMENT_RE.exec(name);
      if (m) segments.push(Number(m[1]));
      m = CHECKPOINT_RE.exec(name);
      if (m) checkpoints.push(Number(m[1]));
    }
    segments.sort((a, b) => a - b);
    checkpoints.sort((a, b) => a - b);
    return { segments, checkpoints };
  }
}
