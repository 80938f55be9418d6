// One live tail session (Loki's Tailer): limit check, history replay oldest-first, live entries in ts
// order after delay_for, slow-client drops reported as dropped_entries, 1011 closes. No HTTP here.
import type { LogSelectorExpr } from '../../logql/ast.js';
import type { ResultStream } from '../../logql/engine/index.js';
import { ValidationError, type Nanos } from '../../model/index.js';
import { labelsString } from '../../model/labels.js';
import { nowNanos } from '../../model/time.js';
import { encodeLegacyTailFrame, encodeTailFrame, type DroppedEntry, type TailItem } from './frames.js';
import type { TailRequest } from './request.js';
import type { TailBatch, TailSource, TailSubscription } from './source.js';

/** Websocket close code for errors (CloseInternalServerErr). */
export const CLOSE_INTERNAL_ERROR = 1011;
/** Frames handed to the connection and not yet written out before the client counts as too slow. */
const MAX_BUFFERED_FRAMES = 10;
const MAX_ENTRIES_PER_FRAME = 100;
/** Dropped entries remembered for the next frame at most. */
const MAX_DROPPED_ENTRIES = 1000;
/** Entries due for sending that wait for a slow client at most; older ones beyond are dropped. */
const MAX_WAITING_ENTRIES = MAX_BUFFERED_FRAMES * MAX_ENTRIES_PER_FRAME;

const TAIL_DURATION_LIMIT_REASON = 'reached tail max duration limit';

/** The websocket as the tailer sees it. */
export interface TailConnection {
  /** Sends one text frame; `sent` runs once it is written out (with an error if it could not be). */
  send(frame: string, sent: (err?: Error) => void): void;
  close(code: number, reason: string): void;
}

export interface TailerOptions {
  tenant: string;
  request: TailRequest;
  selector: LogSelectorExpr;
  categorize: boolean;
  /** /api/prom/tail frames. */
  legacy: boolean;
  source: TailSource;
  /** The history replay: a backward log query over [start, end) with `limit` entries. */
  history: (start: Nanos, end: Nanos, limit: number) => Promise<ResultStream[]>;
  maxConcurrent: number;
  maxDurationMs: number;
  connection: TailConnection;
  now?: () => Nanos;
}

const itemKey = (i: TailItem): string => labelsString(i.labels) + '\u0000' + i.entry.ts + '\u0000' + i.entry.line;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class Tailer {
  /** Entries not yet sent, ascending by timestamp once sorted. */
  private pending: TailItem[] = [];
  private unsorted = false;
  /** Live entries that arrive while the history query runs. */
  private early: TailItem[] | undefined = [];
  private historyKeys = new Set<string>();
  private historyEnd = 0n;
  private dropped: DroppedEntry[] = [];
  private inFlight = 0;
  private scheduled = false;
  private stopped = false;
  private subscription: TailSubscription | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  private durationTimer: NodeJS.Timeout | undefined;
  private readonly now: () => Nanos;
  private readonly delayNs: bigint;

  constructor(private readonly o: TailerOptions) {
    this.now = o.now ?? nowNanos;
    this.delayNs = BigInt(o.request.delayForSeconds) * 1_000_000_000n;
  }

  /** Runs the session until the client goes away (stop) or an error closes it. */
  async start(): Promise<void> {
    try {
      const open = await this.o.source.activeTails(this.o.tenant);
      if (open >= this.o.maxConcurrent)
        throw new ValidationError(`max concurrent tail requests limit exceeded, count > limit (${open + 1} > ${this.o.maxConcurrent})`);
      const sub = await this.o.source.subscribe(
        this.o.tenant,
        this.o.selector,
        (b) => this.onBatch(b),
        (err) => this.fail(err),
      );
      this.subscription = sub;
      if (this.stopped) {
        sub.unsubscribe();
        return;
      }
      this.historyEnd = this.now();
      const history = await this.o.history(this.o.request.start, this.historyEnd, this.o.request.limit);
      if (this.stopped) return;
      this.replay(history);
      this.durationTimer = setTimeout(() => this.close(CLOSE_INTERNAL_ERROR, TAIL_DURATION_LIMIT_REASON), this.o.maxDurationMs);
      this.schedule();
    } catch (err) {
      this.fail(err);
    }
  }

  /** Ends the session without a close frame (the client closed). Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.subscription?.unsubscribe();
    clearTimeout(this.releaseTimer);
    clearTimeout(this.durationTimer);
  }

  private close(code: number, reason: string): void {
    if (this.stopped) return;
    this.stop();
    this.o.connection.close(code, reason);
  }

  private fail(err: unknown): void {
    this.close(CLOSE_INTERNAL_ERROR, errorText(err));
  }

  private toItems(batch: TailBatch): TailItem[] {
    const out: TailItem[] = [];
    for (const s of batch.streams) {
      const labels = this.o.categorize ? s.labels.stream : s.labels.all;
      for (const e of s.entries) {
        const entry = this.o.categorize
          ? { ts: e.ts, line: e.line, structuredMetadata: s.labels.structuredMetadata, parsed: s.labels.parsed }
          : { ts: e.ts, line: e.line };
        out.push({ labels, entry });
      }
    }
    return out;
  }

  private onBatch(batch: TailBatch): void {
    if (this.stopped) return;
    const items = this.toItems(batch);
    if (this.early) {
      this.early.push(...items);
      return;
    }
    this.enqueue(items);
    this.schedule();
  }

  /** Adds live entries, skipping those the history replay already delivered. */
  private enqueue(items: readonly TailItem[]): void {
    for (const i of items) {
      if (i.entry.ts < this.historyEnd && this.historyKeys.has(itemKey(i))) continue;
      this.pending.push(i);
      this.unsorted = true;
    }
  }

  /** History newest-first per stream, limited → all of it oldest first (Loki's reversed iterator). */
  private replay(history: readonly ResultStream[]): void {
    const items: TailItem[] = [];
    for (const s of history) for (const e of s.entries) items.push({ labels: s.labels, entry: e });
    items.sort((a, b) => (a.entry.ts < b.entry.ts ? -1 : a.entry.ts > b.entry.ts ? 1 : 0));
    for (const i of items) this.historyKeys.add(itemKey(i));
    this.pending.push(...items);
    const early = this.early ?? [];
    this.early = undefined;
    this.enqueue(early);
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.scheduled = false;
    if (this.stopped) return;
    if (this.unsorted) {
      this.pending.sort((a, b) => (a.entry.ts < b.entry.ts ? -1 : a.entry.ts > b.entry.ts ? 1 : 0));
      this.unsorted = false;
    }
    const now = this.now();
    let due = 0;
    while (due < this.pending.length && this.pending[due].entry.ts + this.delayNs < now) due++;
    let taken = 0;
    while (taken < due && this.inFlight < MAX_BUFFERED_FRAMES) {
      const n = Math.min(MAX_ENTRIES_PER_FRAME, due - taken);
      this.send(this.pending.slice(taken, taken + n));
      taken += n;
    }
    const waiting = due - taken;
    if (waiting > MAX_WAITING_ENTRIES) {
      const drop = waiting - MAX_WAITING_ENTRIES;
      for (let k = taken; k < taken + drop && this.dropped.length < MAX_DROPPED_ENTRIES; k++)
        this.dropped.push({ labels: this.pending[k].labels, ts: this.pending[k].entry.ts });
      taken += drop;
    }
    if (taken) this.pending.splice(0, taken);
    this.armReleaseTimer(now);
  }

  private send(items: TailItem[]): void {
    const dropped = this.dropped;
    this.dropped = [];
    const frame = this.o.legacy ? encodeLegacyTailFrame(items, dropped) : encodeTailFrame(items, dropped, this.o.categorize);
    this.inFlight++;
    this.o.connection.send(frame, (err) => {
      this.inFlight--;
      if (err) this.fail(err);
      else this.schedule();
    });
  }

  /** Wakes the pump when the oldest entry still held back by delay_for (or a future timestamp) is due. */
  private armReleaseTimer(now: Nanos): void {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    if (this.pending.length === 0 || this.inFlight >= MAX_BUFFERED_FRAMES) return;
    const dueAt = this.pending[0].entry.ts + this.delayNs;
    if (dueAt < now) return;
    const waitMs = Math.min(Number((dueAt - now) / 1_000_000n) + 1, 2_147_483_647);
    this.releaseTimer = setTimeout(() => this.schedule(), waitMs);
  }
}
