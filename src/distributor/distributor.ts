// The distributor's push path: decode the body, validate it, apply the tenant's ingestion rate limit
// and hand the valid streams to the ingesters. Speaks no HTTP; every refusal is a typed error.
import type { Limits } from '../config/limits.js';
import { lineByteLength } from '../model/entry.js';
import { nowNanos } from '../model/time.js';
import { decodePushRequest, type PushStream } from './decode.js';
import { IngestionRateLimiter } from './rate-limit.js';
import { streamLabelsCaches, validatePush, type StreamLabelsCaches, type ValidStream } from './validate.js';

/** The counters the distributor feeds (prom-client counters fit). */
export interface DistributorMetrics {
  linesReceived: { inc(labels: { tenant: string }, value: number): void };
  bytesReceived: { inc(labels: { tenant: string }, value: number): void };
  discardedSamples: { inc(labels: { reason: string; tenant: string }, value: number): void };
}

export interface DistributorOptions {
  limits: (tenant: string) => Limits;
  maxRecvMsgSize: number;
  maxDecompressedSize: number;
  /** Writes validated streams (to local or remote ingesters); rejects with the ingesters' typed error. */
  push: (tenant: string, streams: ValidStream[]) => Promise<void>;
  metrics?: DistributorMetrics;
  /** The clock, in ns; tests pass a fixed one. */
  now?: () => bigint;
  /** Estimated bytes all tenants' parsed stream label caches may hold together (default 64 MiB). */
  labelsCacheBytes?: number;
}

export interface PushRequestOptions {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  legacyJson: boolean;
  userAgent?: string;
}

export class Distributor {
  private readonly rateLimiter: IngestionRateLimiter;
  private readonly labelsCaches: StreamLabelsCaches;

  constructor(private readonly o: DistributorOptions) {
    this.rateLimiter = new IngestionRateLimiter(o.limits);
    this.labelsCaches = streamLabelsCaches(o.labelsCacheBytes);
  }

  /**
   * Ingests one push body for `tenant`. Resolves when the valid entries are written; rejects with
   * ValidationError (400, after writing the valid entries), TooLargeError (413), UnprocessableError
   * (422), RateLimitedError (429, nothing written) or whatever the ingesters answered.
   */
  async push(tenant: string, body: Buffer, opts: PushRequestOptions): Promise<void> {
    const payload = decodePushRequest(body, {
      contentType: opts.contentType,
      contentEncoding: opts.contentEncoding,
      legacyJson: opts.legacyJson,
      maxRecvMsgSize: this.o.maxRecvMsgSize,
      maxDecompressedSize: this.o.maxDecompressedSize,
    });
    this.countReceived(tenant, payload.streams);
    const now = (this.o.now ?? nowNanos)();
    const result = validatePush(payload, tenant, this.o.limits(tenant), now, this.labelsCaches.forTenant(tenant));
    if (result.streams.length > 0) {
      try {
        this.rateLimiter.enforce(tenant, result.lineCount, result.byteSize, now);
      } catch (err) {
        this.o.metrics?.discardedSamples.inc({ reason: 'rate_limited', tenant }, result.lineCount);
        throw err;
      }
      await this.o.push(tenant, result.streams);
    }
    if (result.error) throw result.error;
  }

  private countReceived(tenant: string, streams: readonly PushStream[]): void {
    const metrics = this.o.metrics;
    if (metrics === undefined) return;
    let lines = 0;
    let bytes = 0;
    for (const s of streams) {
      for (const e of s.entries) {
        lines++;
        bytes += lineByteLength(e);
        if (e.metadata) for (const l of e.metadata) bytes += Buffer.byteLength(l.name) + Buffer.byteLength(l.value);
      }
    }
    if (lines > 0) metrics.linesReceived.inc({ tenant }, lines);
    metrics.bytesReceived.inc({ tenant }, bytes);
  }
}
