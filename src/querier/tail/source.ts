// Where tailed entries come from: the TailSource contract (a tenant's entries matching a selector,
// after its pipeline) and its single-process form over the local ingester's fan-out. No HTTP here.
import type { LogSelectorExpr, Stage } from '../../logql/ast.js';
import type { Pipeline, StreamResult } from '../../logql/contracts.js';
import type { Matcher } from '../../model/index.js';

export interface TailBatch {
  streams: StreamResult[];
  /** Entries the source skipped because this tail did not keep up (count only). */
  droppedEntries: number;
}

export interface TailSubscription {
  unsubscribe(): void;
}

/**
 * Entries pushed from now on that match a selector, after its pipeline. In one process the local
 * ingester feeds it; in distributed mode the queriers' gRPC Tail streams from every ingester do.
 */
export interface TailSource {
  /** Resolves once entries are being delivered to `onBatch`; `onError` reports a source that ended. */
  subscribe(
    tenant: string,
    selector: LogSelectorExpr,
    onBatch: (batch: TailBatch) => void,
    onError: (err: unknown) => void,
  ): Promise<TailSubscription>;
  /** Open tails of the tenant (the most any ingester has), for max_concurrent_tail_requests. */
  activeTails(tenant: string): Promise<number>;
}

/** Where a fan-out delivers a session's batches (the ingester's TailBroadcaster sink shape). */
export interface TailFanoutSink {
  ready(): boolean;
  deliver(streams: StreamResult[], droppedEntries: number): void;
}

/** The local ingester's tail fan-out, fed by its onAccepted hook. */
export interface TailFanout {
  subscribe(tenant: string, matchers: readonly Matcher[], pipeline: Pipeline, sink: TailFanoutSink): TailSubscription;
}

/** A TailSource over the local ingester's fan-out; counts its own open tails per tenant. */
export class LocalTailSource implements TailSource {
  private readonly open = new Map<string, number>();

  constructor(
    private readonly fanout: TailFanout,
    private readonly buildPipeline: (stages: Stage[]) => Pipeline,
  ) {}

  async subscribe(tenant: string, selector: LogSelectorExpr, onBatch: (batch: TailBatch) => void): Promise<TailSubscription> {
    const sub = this.fanout.subscribe(tenant, selector.matchers, this.buildPipeline(selector.stages), {
      ready: () => true,
      deliver: (streams, droppedEntries) => onBatch({ streams, droppedEntries }),
    });
    this.open.set(tenant, (this.open.get(tenant) ?? 0) + 1);
    let done = false;
    return {
      unsubscribe: () => {
        if (done) return;
        done = true;
        sub.unsubscribe();
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
