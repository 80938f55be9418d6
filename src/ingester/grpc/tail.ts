// Live tail inside an ingester: sessions subscribe with matchers and a compiled pipeline, entries the
// ingester accepts are offered to the matching sessions and delivered in batches on the next turn of
// the event loop. A push never waits for a tailing client: what a slow one cannot take is dropped and counted.
import type { Pipeline, StreamPipeline, StreamResult } from '../../logql/contracts.js';
import { compileMatchers, matchesLabels, type CompiledMatcher, type Entry, type Labels, type Matcher } from '../../model/index.js';

/** The part of an ingester stream tailing needs; the object identity keys per-stream caches. */
export interface TailedStream {
  readonly labels: Labels;
}

/** Where a session's batches go (the gRPC call of a querier). */
export interface TailSink {
  /** False while the receiver cannot take more; entries offered meanwhile are dropped. */
  ready(): boolean;
  deliver(streams: StreamResult[], droppedEntries: number): void;
}

/** Entries waiting for delivery at most; beyond that a session drops (a push burst a client cannot follow). */
const MAX_PENDING_ENTRIES = 10_000;

class TailSession {
  private readonly matchers: CompiledMatcher[];
  /** Per stream: its pipeline, or null when the stream does not match. */
  private readonly streams = new WeakMap<TailedStream, StreamPipeline | null>();
  private pending: { stream: TailedStream; entries: readonly Entry[] }[] = [];
  private pendingEntries = 0;
  private dropped = 0;
  private scheduled = false;

  constructor(
    matchers: readonly Matcher[],
    private readonly pipeline: Pipeline,
    private readonly sink: TailSink,
  ) {
    this.matchers = compileMatchers(matchers);
  }

  offer(stream: TailedStream, entries: readonly Entry[]): void {
    let p = this.streams.get(stream);
    if (p === undefined) {
      p = matchesLabels(this.matchers, stream.labels) ? this.pipeline.forStream(stream.labels) : null;
      this.streams.set(stream, p);
    }
    if (p === null) return;
    if (this.pendingEntries + entries.length > MAX_PENDING_ENTRIES) {
      this.dropped += entries.length;
      return;
    }
    this.pending.push({ stream, entries });
    this.pendingEntries += entries.length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    this.pendingEntries = 0;
    if (!this.sink.ready()) {
      for (const p of pending) this.dropped += p.entries.length;
      return;
    }
    const groups = new Map<string, StreamResult>();
    for (const { stream, entries } of pending) {
      const p = this.streams.get(stream)!;
      for (const e of entries) {
        const out = p.process(e.ts, e.line, e.metadata);
        if (!out) continue;
        let g = groups.get(out.labels.key);
        if (!g) groups.set(out.labels.key, (g = { labels: out.labels, entries: [] }));
        g.entries.push(out.line === e.line ? e : { ts: e.ts, line: out.line, metadata: e.metadata });
      }
    }
    if (groups.size === 0 && this.dropped === 0) return;
    const dropped = this.dropped;
    this.dropped = 0;
    this.sink.deliver([...groups.values()], dropped);
  }
}

export interface TailSubscription {
  unsubscribe(): void;
}

/** Fans accepted entries out to tail sessions; pass `onAccepted` to the Ingester's options. */
export class TailBroadcaster {
  private readonly byTenant = new Map<string, Set<TailSession>>();

  readonly onAccepted = (tenant: string, stream: TailedStream, entries: readonly Entry[]): void => {
    const sessions = this.byTenant.get(tenant);
    if (!sessions) return;
    for (const s of sessions) s.offer(stream, entries);
  };

  subscribe(tenant: string, matchers: readonly Matcher[], pipeline: Pipeline, sink: TailSink): TailSubscription {
    const session = new TailSession(matchers, pipeline, sink);
    let sessions = this.byTenant.get(tenant);
    if (!sessions) this.byTenant.set(tenant, (sessions = new Set()));
    sessions.add(session);
    return {
      unsubscribe: () => {
        const set = this.byTenant.get(tenant);
        if (!set) return;
        set.delete(session);
        if (set.size === 0) this.byTenant.delete(tenant);
      },
    };
  }

  /** Open sessions (all tenants). */
  get sessions(): number {
    let n = 0;
    for (const s of this.byTenant.values()) n += s.size;
    return n;
  }
}
