// Sends validated streams to the ingesters that own them: each stream's token (FNV-1 of tenant +
// labels) picks RF ring owners, requests are batched per ingester, and a stream counts as written
// once a quorum of its owners accepted it. Speaks no HTTP; errors are typed.
import { LokiError, StatusError, UnavailableError } from '../model/errors.js';
import { tokenFor, type InstanceDesc, type Ring } from '../ring/index.js';
import type { ValidStream } from './validate.js';

/** The push side of an ingester client (gRPC in production). */
export interface IngesterPusher {
  push(tenant: string, streams: readonly ValidStream[]): Promise<void>;
}

export interface ReplicatorOptions {
  ring: Ring;
  client: (instance: InstanceDesc) => IngesterPusher;
}

interface StreamTracker {
  minSuccess: number;
  maxErrors: number;
  succeeded: number;
  failed: number;
  done: boolean;
}

/**
 * A replica that stored a stream but refused some entries answers 4xx; that replica still counts
 * toward the quorum (what it could store is stored) and its message is returned to the client.
 */
function isClientError(e: unknown): e is LokiError {
  return e instanceof LokiError && e.status >= 400 && e.status < 500;
}

export class Replicator {
  constructor(private readonly o: ReplicatorOptions) {}

  async push(tenant: string, streams: readonly ValidStream[]): Promise<void> {
    if (streams.length === 0) return;
    const perInstance = new Map<string, { instance: InstanceDesc; streams: ValidStream[]; trackers: StreamTracker[] }>();
    const trackers: StreamTracker[] = [];
    for (const s of streams) {
      const set = this.o.ring.get(tokenFor(tenant, s.labelsString), 'write');
      const tracker: StreamTracker = { minSuccess: set.minSuccess, maxErrors: set.maxErrors, succeeded: 0, failed: 0, done: false };
      trackers.push(tracker);
      for (const inst of set.instances) {
        let batch = perInstance.get(inst.id);
        if (!batch) perInstance.set(inst.id, (batch = { instance: inst, streams: [], trackers: [] }));
        batch.streams.push(s);
        batch.trackers.push(tracker);
      }
    }

    shareIdenticalBatches([...perInstance.values()]);

    return new Promise<void>((resolve, reject) => {
      let pending = trackers.length;
      let settled = false;
      let clientError: LokiError | undefined;
      let lastError: unknown;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else if (clientError) reject(clientError);
        else resolve();
      };
      const record = (t: StreamTracker, ok: boolean): void => {
        if (t.done) return;
        if (ok) t.succeeded++;
        else t.failed++;
        if (t.succeeded >= t.minSuccess) {
          t.done = true;
          if (--pending === 0) finish();
        } else if (t.failed > t.maxErrors) {
          t.done = true;
          const msg = lastError instanceof Error ? lastError.message : String(lastError);
          finish(lastError instanceof LokiError && lastError.status >= 500 ? lastError : new StatusError(500, msg));
        }
      };
      for (const { instance, streams: batch, trackers: ts } of perInstance.values()) {
        let pusher: IngesterPusher;
        try {
          pusher = this.o.client(instance);
        } catch (e) {
          lastError = e;
          for (const t of ts) record(t, false);
          continue;
        }
        pusher.push(tenant, batch).then(
          () => {
            for (const t of ts) record(t, true);
          },
          (e: unknown) => {
            if (isClientError(e)) {
              // Keep the most severe client error: 429 tells Promtail to retry, so it wins over 400.
              if (!clientError || e.status > clientError.status) clientError = e;
              for (const t of ts) record(t, true);
              return;
            }
            lastError = e instanceof Error ? new UnavailableError(`${instance.addr}: ${e.message}`) : e;
            for (const t of ts) record(t, false);
          },
        );
      }
    });
  }
}

/**
 * Makes replicas that were given the same streams in the same order share one list, so the request
 * is encoded once for all of them (with as many ingesters as the replication factor, every batch is
 * the whole push).
 */
function shareIdenticalBatches(batches: { streams: ValidStream[] }[]): void {
  for (let i = 1; i < batches.length; i++) {
    const b = batches[i].streams;
    for (let j = 0; j < i; j++) {
      const a = batches[j].streams;
      if (a.length === b.length && a.every((s, k) => s === b[k])) {
        batches[i].streams = a;
        break;
      }
    }
  }
}
