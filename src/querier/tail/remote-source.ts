// The distributed-mode TailSource: one gRPC Tail stream to every healthy ingester of the ring
// (re-checked periodically, so ingesters that join later are tailed too), with the replicas of each
// entry delivered once. No HTTP here.
import type { LogSelectorExpr } from '../../logql/ast.js';
import type { StreamResult } from '../../logql/contracts.js';
import type { TailBatch, TailSource, TailSubscription } from './source.js';

/** What the source needs of an ingester client: a live tail it can iterate and close. */
export interface TailingClient {
  openTail(tenant: string, selector: LogSelectorExpr): Promise<AsyncIterable<TailBatch> & { close(): void }>;
}

export interface RemoteTailSourceOptions {
  /** Addresses of the ingesters to tail right now (healthy for reads). */
  addresses: () => string[];
  client: (address: string) => TailingClient;
  /** How often the ring is re-checked for new ingesters (default 5 s). */
  refreshMs?: number;
  /** How long an entry is remembered to drop its replicas (default 30 s). */
  dedupeWindowMs?: number;
}

/** Remembers recently delivered entries so replicas from other ingesters are dropped. */
class RecentEntries {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number) {}

  /** Returns the entries of `streams` not delivered before, and remembers them. */
  filter(streams: StreamResult[], nowMs: number): StreamResult[] {
    this.expire(nowMs);
    const out: StreamResult[] = [];
    for (const s of streams) {
      const fresh = s.entries.filter((e) => {
        const key = `${s.labels.key}\u0000${e.ts}\u0000${e.line}`;
        if (this.seen.has(key)) return false;
        this.seen.set(key, nowMs);
        return true;
      });
      if (fresh.length) out.push({ labels: s.labels, entries: fresh });
    }
    return out;
  }

  private expire(nowMs: number): void {
    for (const [key, at] of this.seen) {
      if (nowMs - at <= this.windowMs) break;
      this.seen.delete(key);
    }
  }
}

export class RemoteTailSource implements TailSource {
  private readonly open = new Map<string, number>();

  constructor(private readonly o: RemoteTailSourceOptions) {}

  async subscribe(
    tenant: string,
    selector: LogSelectorExpr,
    onBatch: (batch: TailBatch) => void,
    onError: (err: unknown) => void,
  ): Promise<TailSubscription> {
    const recent = new RecentEntries(this.o.dedupeWindowMs ?? 30_000);
    const tails = new Map<string, { close(): void }>();
    let closed = false;

    const follow = async (address: string): Promise<void> => {
      const tail = await this.o.client(address).openTail(tenant, selector);
      if (closed) return tail.close();
      tails.set(address, tail);
      void (async () => {
        try {
          for await (const batch of tail) {
            const streams = recent.filter(batch.streams, Date.now());
            if (streams.length || batch.droppedEntries) onBatch({ streams, droppedEntries: batch.droppedEntries });
          }
        } catch (err) {
          // An ingester that goes away ends its stream; others still hold the replicas.
          if (!closed && tails.size <= 1) onError(err);
        } finally {
          tails.delete(address);
        }
      })();
    };

    const connectNew = async (): Promise<void> => {
      const results = await Promise.allSettled(this.o.addresses().filter((a) => !tails.has(a)).map(follow));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed && tails.size === 0) throw (failed as PromiseRejectedResult).reason;
    };
    await connectNew();
    const timer = setInterval(() => void connectNew().catch(() => undefined), this.o.refreshMs ?? 5000);
    timer.unref();
    this.open.set(tenant, (this.open.get(tenant) ?? 0) + 1);

    return {
      unsubscribe: () => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        for (const t of tails.values()) t.close();
        tails.clear();
        const n = (this.open.get(tenant) ?? 1) - 1;
        if (n > 0) this.open.set(tenant, n);
        else this.open.delete(tenant);
      },
    };
  }

  async activeTails(tenant: string): Promise<number> {
    return this.open.get(tenant) ?? 0;
  }
}
