// The gRPC client of one remote ingester: push for distributors, the querier's IngesterReader
// (logs, samples, labels, series, stats) and live tail. Every call has a deadline; errors come back
// typed. The channel reconnects by itself; this never retries a call.
import { Client, credentials, Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { lokits } from '../../gen/proto.js';
import { fromGrpcError, rebuildError } from '../ingester/grpc/errors.js';
import { INGESTER_METHODS, TENANT_METADATA, type IngesterMethod } from '../ingester/grpc/service.js';
import {
  directionToWire,
  LabelsResultDecoder,
  matchersToWire,
  nanosToWire,
  readSampleHashColumn,
  readSampleTimestampsColumn,
  wireToLabels,
  wireToNumber,
  wellFormed,
  wireToStats,
} from '../ingester/grpc/wire.js';
import type { PushStream } from '../ingester/ingester.js';
import type { LogSelectorExpr } from '../logql/ast.js';
import type { SelectLogsParams, SelectSamplesParams, SeriesSamples, StreamResult } from '../logql/contracts.js';
import { printExpr } from '../logql/syntax/index.js';
import type { Labels, Matcher, Nanos } from '../model/index.js';
import type { QueryStats } from '../model/stats.js';
import type { IndexStats, IngesterReader } from '../querier/sources.js';

import pb = lokits.ingester;

export interface IngesterClientOptions {
  /** Largest message accepted from the ingester (Loki's ingester_client default: 100 MiB). */
  maxRecvMsgSize: number;
  /** Largest message sent, i.e. push request (100 MiB). */
  maxSendMsgSize: number;
  /** Deadline of a push (Loki's ingester_client remote_timeout: 5 s). */
  pushTimeoutMs: number;
  /** Deadline of a query, label, series or stats call (Loki's query_timeout: 1 m). */
  queryTimeoutMs: number;
  /** Pings on an idle connection (dskit's ingester client: every 20 s, 10 s to answer, also without calls). */
  keepaliveTimeMs: number;
  keepaliveTimeoutMs: number;
  /** Backoff between reconnection attempts of the channel. */
  initialReconnectBackoffMs: number;
  maxReconnectBackoffMs: number;
}

export const DEFAULT_INGESTER_CLIENT_OPTIONS: IngesterClientOptions = {
  maxRecvMsgSize: 100 << 20,
  maxSendMsgSize: 100 << 20,
  pushTimeoutMs: 5_000,
  queryTimeoutMs: 60_000,
  keepaliveTimeMs: 20_000,
  keepaliveTimeoutMs: 10_000,
  initialReconnectBackoffMs: 1_000,
  maxReconnectBackoffMs: 10_000,
};

export interface TailBatch {
  streams: StreamResult[];
  /** Entries the ingester skipped because this tail did not keep up. */
  droppedEntries: number;
}

/** An open live tail: iterate for batches; close() ends it. */
export interface IngesterTail extends AsyncIterable<TailBatch> {
  close(): void;
}

type Method<ReqProps, Res> = IngesterMethod<ReqProps, unknown, unknown, Res>;

const ignore = (): void => undefined;
const MAX_UINT32 = 0xffffffff;

export class IngesterClient implements IngesterReader {
  private readonly client: Client;
  private readonly o: IngesterClientOptions;
  private active = 0;
  private lastUsedMs = Date.now();

  constructor(
    readonly address: string,
    options: Partial<IngesterClientOptions> = {},
  ) {
    this.o = { ...DEFAULT_INGESTER_CLIENT_OPTIONS, ...options };
    this.client = new Client(address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': this.o.maxRecvMsgSize,
      'grpc.max_send_message_length': this.o.maxSendMsgSize,
      'grpc.keepalive_time_ms': this.o.keepaliveTimeMs,
      'grpc.keepalive_timeout_ms': this.o.keepaliveTimeoutMs,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.initial_reconnect_backoff_ms': this.o.initialReconnectBackoffMs,
      'grpc.max_reconnect_backoff_ms': this.o.maxReconnectBackoffMs,
    });
  }

  /** Calls in flight (a pool keeps a busy client open). */
  get activeCalls(): number {
    return this.active;
  }

  /** Wall-clock ms of the last call's start or end. */
  get lastUsed(): number {
    return this.lastUsedMs;
  }

  close(): void {
    this.client.close();
  }

  private metadata(tenant: string): Metadata {
    const md = new Metadata();
    md.set(TENANT_METADATA, tenant);
    return md;
  }

  private begin(): void {
    this.active++;
    this.lastUsedMs = Date.now();
  }

  private end(): void {
    this.active--;
    this.lastUsedMs = Date.now();
  }

  private unary<ReqProps, Res>(m: Method<ReqProps, Res>, tenant: string, request: ReqProps, timeoutMs: number): Promise<Res> {
    this.begin();
    return new Promise<Res>((resolve, reject) => {
      this.client.makeUnaryRequest(
        m.path,
        m.serializeRequest,
        m.deserializeResponse,
        request,
        this.metadata(tenant),
        { deadline: Date.now() + timeoutMs },
        (err, res) => {
          this.end();
          if (err || !res) reject(fromGrpcError(err, this.address, m.name, timeoutMs));
          else resolve(res);
        },
      );
    });
  }

  /** The messages of a server stream; leaving the loop early cancels the call. */
  private async *stream<ReqProps, Res>(m: Method<ReqProps, Res>, tenant: string, request: ReqProps, timeoutMs: number): AsyncGenerator<Res> {
    this.begin();
    const call: ClientReadableStream<Res> = this.client.makeServerStreamRequest(
      m.path,
      m.serializeRequest,
      m.deserializeResponse,
      request,
      this.metadata(tenant),
      { deadline: Date.now() + timeoutMs },
    );
    try {
      for await (const message of call) yield message as Res;
    } catch (err) {
      throw fromGrpcError(err, this.address, m.name, timeoutMs);
    } finally {
      call.on('error', ignore);
      call.cancel();
      this.end();
    }
  }

  /** Sends streams to the ingester; throws its rejection (same class and text) or a transport error. */
  async push(tenant: string, streams: readonly Pick<PushStream, 'labelsString' | 'entries'>[]): Promise<void> {
    const res = await this.unary(INGESTER_METHODS.push, tenant, streams, this.o.pushTimeoutMs);
    const r = res.rejection;
    if (r) throw rebuildError({ httpStatus: r.httpStatus ?? 500, kind: r.kind ?? '', message: r.message ?? '' });
  }

  async *selectLogs(tenant: string, params: SelectLogsParams, stats: QueryStats, served: Set<string>): AsyncGenerator<StreamResult[]> {
    const request: pb.LogsRequest.$Properties = {
      selector: wellFormed(printExpr(params.selector)),
      matchers: matchersToWire(params.matchers),
      startNs: nanosToWire(params.start),
      endNs: nanosToWire(params.end),
      direction: directionToWire(params.direction),
      limit: Math.min(Math.max(0, params.limit), MAX_UINT32),
    };
    const labels = new LabelsResultDecoder();
    for await (const batch of this.stream(INGESTER_METHODS.queryLogs, tenant, request, this.o.queryTimeoutMs)) {
      for (const key of batch.servedChunkKeys) served.add(key);
      if (batch.stats) stats.merge({ ingester: wireToStats(batch.stats) });
      if (batch.streams.length) yield labels.streams(batch.streams);
    }
  }

  async *selectSamples(
    tenant: string,
    params: SelectSamplesParams,
    stats: QueryStats,
    served: Set<string>,
  ): AsyncGenerator<SeriesSamples[]> {
    const request: pb.SamplesRequest.$Properties = {
      expr: wellFormed(printExpr(params.expr)),
      matchers: matchersToWire(params.matchers),
      startNs: nanosToWire(params.start),
      endNs: nanosToWire(params.end),
    };
    const labels = new LabelsResultDecoder();
    for await (const batch of this.stream(INGESTER_METHODS.querySamples, tenant, request, this.o.queryTimeoutMs)) {
      for (const key of batch.servedChunkKeys) served.add(key);
      if (batch.stats) stats.merge({ ingester: wireToStats(batch.stats) });
      if (!batch.series.length) continue;
      // Offsets from the query start, as local sources give them; each sample keeps its line's hash.
      yield batch.series.map((s) => {
        const offsets = readSampleTimestampsColumn(s.timestampsNs, params.start);
        const hashes = readSampleHashColumn(s.lineHashes);
        const out: SeriesSamples = { labels: labels.decode(s.labels), baseTs: params.start, offsets, values: Float64Array.from(s.values ?? []) };
        if (hashes && hashes.length === offsets.length) out.hashes = hashes;
        return out;
      });
    }
  }

  async labelNames(tenant: string, start: Nanos, end: Nanos, matchers?: Matcher[]): Promise<string[]> {
    const res = await this.unary(
      INGESTER_METHODS.labelNames,
      tenant,
      { startNs: nanosToWire(start), endNs: nanosToWire(end), matchers: matchersToWire(matchers) },
      this.o.queryTimeoutMs,
    );
    return res.names;
  }

  async labelValues(tenant: string, name: string, start: Nanos, end: Nanos, matchers?: Matcher[]): Promise<string[]> {
    const res = await this.unary(
      INGESTER_METHODS.labelValues,
      tenant,
      { name, startNs: nanosToWire(start), endNs: nanosToWire(end), matchers: matchersToWire(matchers) },
      this.o.queryTimeoutMs,
    );
    return res.values;
  }

  async series(tenant: string, matchers: Matcher[] | undefined, start: Nanos, end: Nanos): Promise<Labels[]> {
    const res = await this.unary(
      INGESTER_METHODS.series,
      tenant,
      { startNs: nanosToWire(start), endNs: nanosToWire(end), matchers: matchersToWire(matchers) },
      this.o.queryTimeoutMs,
    );
    return res.series.map((s) => wireToLabels(s.labels));
  }

  async stats(tenant: string, matchers: Matcher[], start: Nanos, end: Nanos): Promise<IndexStats> {
    const res = await this.unary(
      INGESTER_METHODS.stats,
      tenant,
      { startNs: nanosToWire(start), endNs: nanosToWire(end), matchers: matchersToWire(matchers) },
      this.o.queryTimeoutMs,
    );
    return {
      streams: wireToNumber(res.streams),
      chunks: wireToNumber(res.chunks),
      bytes: wireToNumber(res.bytes),
      entries: wireToNumber(res.entries),
    };
  }

  /**
   * Opens a live tail of entries pushed from now on that pass the selector's pipeline; resolves
   * once the ingester has subscribed. No deadline: it lasts until close() or the ingester stops.
   */
  openTail(tenant: string, selector: LogSelectorExpr): Promise<IngesterTail> {
    const m = INGESTER_METHODS.tail;
    const request: pb.TailRequest.$Properties = { selector: wellFormed(printExpr(selector)), matchers: matchersToWire(selector.matchers) };
    const call = this.client.makeServerStreamRequest(m.path, m.serializeRequest, m.deserializeResponse, request, this.metadata(tenant));
    this.begin();
    let ended = false;
    let failure: unknown;
    const finish = (): void => {
      if (ended) return;
      ended = true;
      call.cancel();
      this.end();
    };
    // Kept for the call's life: an error before anyone iterates must not go unhandled.
    call.on('error', (err) => (failure ??= err));
    const address = this.address;
    const labels = new LabelsResultDecoder();
    const tail: IngesterTail = {
      close: finish,
      async *[Symbol.asyncIterator]() {
        try {
          for await (const batch of call as AsyncIterable<pb.TailBatch>) {
            yield { streams: labels.streams(batch.streams), droppedEntries: wireToNumber(batch.droppedEntries) };
          }
        } catch (err) {
          failure ??= err;
        } finally {
          const closedByUs = ended;
          finish();
          if (failure !== undefined && !closedByUs) throw fromGrpcError(failure, address, m.name, 0);
        }
      },
    };
    return new Promise<IngesterTail>((resolve, reject) => {
      const onMetadata = (): void => {
        call.off('status', onStatus);
        resolve(tail);
      };
      const onStatus = (): void => {
        call.off('metadata', onMetadata);
        finish();
        reject(fromGrpcError(failure, address, m.name, 0));
      };
      call.once('metadata', onMetadata);
      call.once('status', onStatus);
    });
  }
}
