// The ingester's gRPC server: runs calls on an in-process Ingester (push, reads through
// LocalIngesterReader, live tail) and streams results back in bounded batches with flow control,
// stopping as soon as the caller goes away. Never keeps reading for a caller that left.
import {
  Metadata,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Expr, LogSelectorExpr, RangeAggregationExpr, Stage } from '../../logql/ast.js';
import type { Pipeline, SampleExtractor } from '../../logql/contracts.js';
import {
  labelsString,
  LokiError,
  parseLabels,
  StatusError,
  UnauthorizedError,
  ValidationError,
  type Labels,
} from '../../model/index.js';
import { QueryStats } from '../../model/stats.js';
import type { Ingester, IngesterLogger, PushStream } from '../ingester.js';
import type { TenantInstance } from '../instance.js';
import { LocalIngesterReader } from '../reader.js';
import { lokits } from '../../../gen/proto.js';
import { describeError, toGrpcStatus } from './errors.js';
import type { DecodedPushStream } from './push-codec.js';
import { ingesterServiceDefinition, TENANT_METADATA, type IngesterMethodName } from './service.js';
import type { TailBroadcaster } from './tail.js';
import {
  labelsToWire,
  resultLabelsToWire,
  sampleHashColumn,
  sampleTimestampsColumn,
  statsToWire,
  streamResultsToWire,
  wireToDirection,
  wireToMatchers,
  wireToNanos,
} from './wire.js';

import pb = lokits.ingester;

/** Message size limits when none are configured (Loki's ingester client allows 100 MiB both ways). */
export const DEFAULT_MAX_MSG_SIZE = 100 << 20;
/** A query's results are sent in messages of about this many bytes of entries. */
export const DEFAULT_BATCH_BYTES = 1 << 20;

export interface IngesterGrpcServerOptions {
  ingester: Ingester;
  host: string;
  /** 0 picks a free port. */
  port: number;
  maxRecvMsgSize?: number;
  maxSendMsgSize?: number;
  logger: IngesterLogger;
  parseExpr(query: string): Expr;
  buildPipeline(stages: Stage[]): Pipeline;
  buildSampleExtractor(expr: RangeAggregationExpr): SampleExtractor;
  /** The broadcaster fed by the ingester's onAccepted hook; without it Tail is refused. */
  tails?: TailBroadcaster;
  batchBytes?: number;
  /** Server pings an idle connection after this long (default 2 h, as gRPC and Loki). */
  keepaliveTimeMs?: number;
  keepaliveTimeoutMs?: number;
  /** stop() waits this long for calls in flight before cutting them (default 10 s). */
  shutdownGraceMs?: number;
}

export interface IngesterGrpcCounters {
  logBatchesSent: number;
  sampleBatchesSent: number;
  tailBatchesSent: number;
  /** Streaming calls that ended because the caller went away (cancel, deadline, disconnect). */
  cancelledStreams: number;
  activeStreams: number;
}

export interface IngesterGrpcServer {
  readonly port: number;
  readonly counters: Readonly<IngesterGrpcCounters>;
  stop(): Promise<void>;
}

function tenantOf(metadata: Metadata): string {
  const v = metadata.get(TENANT_METADATA)[0];
  if (typeof v !== 'string' || v === '') throw new UnauthorizedError('no org id');
  return v;
}

/** Writes a server stream's messages, waiting while the caller's buffers are full. */
class CallWriter<T> {
  constructor(private readonly call: ServerWritableStream<unknown, T>) {}

  get gone(): boolean {
    return this.call.cancelled || this.call.destroyed;
  }

  /** Resolves false once the caller is gone (the message may then be lost). */
  async write(message: T): Promise<boolean> {
    if (this.gone) return false;
    if (!this.call.write(message)) await this.drained();
    return !this.gone;
  }

  private drained(): Promise<void> {
    const call = this.call;
    return new Promise((resolve) => {
      const done = (): void => {
        call.off('drain', done);
        call.off('cancelled', done);
        call.off('close', done);
        resolve();
      };
      call.on('drain', done);
      call.on('cancelled', done);
      call.on('close', done);
    });
  }
}

/** Sizes of what a batch holds, to cut messages near the configured size. */
function entriesBytes(entries: readonly { line: string }[]): number {
  let n = 0;
  for (const e of entries) n += e.line.length + 16;
  return n;
}

class IngesterGrpcService {
  readonly counters: IngesterGrpcCounters = {
    logBatchesSent: 0,
    sampleBatchesSent: 0,
    tailBatchesSent: 0,
    cancelledStreams: 0,
    activeStreams: 0,
  };
  /** Ends each open tail call (on stop). */
  readonly openTails = new Set<() => void>();
  private readonly reader: LocalIngesterReader;
  private readonly batchBytes: number;

  constructor(private readonly o: IngesterGrpcServerOptions) {
    this.reader = new LocalIngesterReader(o.ingester);
    this.batchBytes = o.batchBytes ?? DEFAULT_BATCH_BYTES;
  }

  handlers(): Record<IngesterMethodName, UntypedServiceImplementation[string]> {
    return {
      push: this.unary((call: ServerUnaryCall<DecodedPushStream[], pb.PushResponse.$Properties>) => this.push(call)),
      queryLogs: this.streaming((call: ServerWritableStream<pb.LogsRequest, pb.LogsBatch.$Properties>, out) => this.queryLogs(call, out)),
      querySamples: this.streaming((call: ServerWritableStream<pb.SamplesRequest, pb.SamplesBatch.$Properties>, out) =>
        this.querySamples(call, out),
      ),
      labelNames: this.unary(async (call: ServerUnaryCall<pb.LabelNamesRequest, pb.LabelNamesResponse.$Properties>) => {
        const r = call.request;
        const names = await this.reader.labelNames(tenantOf(call.metadata), wireToNanos(r.startNs), wireToNanos(r.endNs), this.optionalMatchers(r.matchers));
        return { names };
      }),
      labelValues: this.unary(async (call: ServerUnaryCall<pb.LabelValuesRequest, pb.LabelValuesResponse.$Properties>) => {
        const r = call.request;
        const values = await this.reader.labelValues(
          tenantOf(call.metadata),
          r.name,
          wireToNanos(r.startNs),
          wireToNanos(r.endNs),
          this.optionalMatchers(r.matchers),
        );
        return { values };
      }),
      series: this.unary(async (call: ServerUnaryCall<pb.SeriesRequest, pb.SeriesResponse.$Properties>) => {
        const r = call.request;
        const series = await this.reader.series(tenantOf(call.metadata), this.optionalMatchers(r.matchers), wireToNanos(r.startNs), wireToNanos(r.endNs));
        return { series: series.map((labels) => ({ labels: labelsToWire(labels) })) };
      }),
      stats: this.unary(async (call: ServerUnaryCall<pb.StatsRequest, pb.StatsResponse.$Properties>) => {
        const r = call.request;
        return this.reader.stats(tenantOf(call.metadata), wireToMatchers(r.matchers), wireToNanos(r.startNs), wireToNanos(r.endNs));
      }),
      tail: this.streaming((call: ServerWritableStream<pb.TailRequest, pb.TailBatch.$Properties>, out) => this.tail(call, out)),
    };
  }

  private unary<Req, Res>(run: (call: ServerUnaryCall<Req, Res>) => Promise<Res>) {
    return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
      run(call).then(
        (res) => callback(null, res),
        (err: unknown) => {
          this.logUntyped(call.getPath(), err);
          callback(toGrpcStatus(err));
        },
      );
    };
  }

  private streaming<Req, Res>(run: (call: ServerWritableStream<Req, Res>, out: CallWriter<Res>) => Promise<void>) {
    return (call: ServerWritableStream<Req, Res>): void => {
      const out = new CallWriter<Res>(call);
      this.counters.activeStreams++;
      run(call, out)
        .then(
          () => {
            if (out.gone) this.counters.cancelledStreams++;
            else call.end();
          },
          (err: unknown) => {
            if (out.gone) {
              this.counters.cancelledStreams++;
              return;
            }
            this.logUntyped(call.getPath(), err);
            call.emit('error', toGrpcStatus(err));
          },
        )
        .finally(() => this.counters.activeStreams--);
    };
  }

  private logUntyped(path: string, err: unknown): void {
    if (err instanceof LokiError) return;
    this.o.logger.error({ method: path, err: err instanceof Error ? err.message : String(err) }, 'ingester gRPC call failed');
  }

  private optionalMatchers(ms: pb.LabelMatcher.$Properties[] | null | undefined) {
    const out = wireToMatchers(ms);
    return out.length ? out : undefined;
  }

  private parseLogSelector(query: string): LogSelectorExpr {
    const expr = this.o.parseExpr(query);
    if (expr.kind !== 'logSelector') throw new ValidationError(`ingester: not a log selector: ${query}`);
    return expr;
  }

  private async push(call: ServerUnaryCall<DecodedPushStream[], pb.PushResponse.$Properties>): Promise<pb.PushResponse.$Properties> {
    const tenant = tenantOf(call.metadata);
    try {
      await this.o.ingester.push(tenant, pushStreams(call.request, this.o.ingester.instance(tenant)));
      return {};
    } catch (err) {
      if (err instanceof LokiError) return { rejection: describeError(err) };
      throw err;
    }
  }

  private async queryLogs(call: ServerWritableStream<pb.LogsRequest, pb.LogsBatch.$Properties>, out: CallWriter<pb.LogsBatch.$Properties>) {
    const tenant = tenantOf(call.metadata);
    const r = call.request;
    const selector = this.parseLogSelector(r.selector);
    const matchers = wireToMatchers(r.matchers);
    const params = {
      selector,
      matchers: matchers.length ? matchers : selector.matchers,
      pipeline: this.o.buildPipeline(selector.stages),
      start: wireToNanos(r.startNs),
      end: wireToNanos(r.endNs),
      direction: wireToDirection(r.direction),
      limit: r.limit,
    };
    const stats = new QueryStats();
    const served = new Set<string>();
    let streams: pb.ResultStream.$Properties[] = [];
    let bytes = 0;
    for await (const batch of this.reader.selectLogs(tenant, params, stats, served)) {
      if (out.gone) return;
      for (const s of batch) bytes += entriesBytes(s.entries);
      streams.push(...streamResultsToWire(batch));
      if (bytes < this.batchBytes) continue;
      this.counters.logBatchesSent++;
      if (!(await out.write({ streams }))) return;
      streams = [];
      bytes = 0;
    }
    this.counters.logBatchesSent++;
    await out.write({ streams, servedChunkKeys: [...served], stats: statsToWire(stats.ingester) });
  }

  private async querySamples(
    call: ServerWritableStream<pb.SamplesRequest, pb.SamplesBatch.$Properties>,
    out: CallWriter<pb.SamplesBatch.$Properties>,
  ) {
    const tenant = tenantOf(call.metadata);
    const r = call.request;
    const expr = this.o.parseExpr(r.expr);
    if (expr.kind !== 'rangeAggregation') throw new ValidationError(`ingester: not a range aggregation: ${r.expr}`);
    const matchers = wireToMatchers(r.matchers);
    const params = {
      expr,
      matchers: matchers.length ? matchers : expr.range.selector.matchers,
      extractor: this.o.buildSampleExtractor(expr),
      start: wireToNanos(r.startNs),
      end: wireToNanos(r.endNs),
    };
    const stats = new QueryStats();
    const served = new Set<string>();
    let series: pb.SeriesSamples.$Properties[] = [];
    let bytes = 0;
    // Every sample carries its line's hash: queriers drop the replicas of one entry by it.
    for await (const batch of this.reader.selectSamples(tenant, params, stats, served, true)) {
      if (out.gone) return;
      for (const s of batch) {
        series.push({
          labels: resultLabelsToWire(s.labels),
          timestampsNs: sampleTimestampsColumn(s.baseTs, s.offsets),
          values: Array.from(s.values),
          lineHashes: s.hashes ? sampleHashColumn(s.hashes) : null,
        });
        bytes += s.offsets.length * 24;
      }
      if (bytes < this.batchBytes) continue;
      this.counters.sampleBatchesSent++;
      if (!(await out.write({ series }))) return;
      series = [];
      bytes = 0;
    }
    this.counters.sampleBatchesSent++;
    await out.write({ series, servedChunkKeys: [...served], stats: statsToWire(stats.ingester) });
  }

  private async tail(call: ServerWritableStream<pb.TailRequest, pb.TailBatch.$Properties>, out: CallWriter<pb.TailBatch.$Properties>) {
    const tails = this.o.tails;
    if (!tails) throw new StatusError(501, 'tail is not enabled on this ingester');
    const tenant = tenantOf(call.metadata);
    const selector = this.parseLogSelector(call.request.selector);
    const matchers = wireToMatchers(call.request.matchers);
    let finish = (): void => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const subscription = tails.subscribe(tenant, matchers.length ? matchers : selector.matchers, this.o.buildPipeline(selector.stages), {
      ready: () => !out.gone && !call.writableNeedDrain,
      deliver: (streams, droppedEntries) => {
        this.counters.tailBatchesSent++;
        call.write({ streams: streamResultsToWire(streams), droppedEntries });
      },
    });
    this.openTails.add(finish);
    call.once('cancelled', finish);
    call.once('close', finish);
    // Headers tell the caller that the subscription is live.
    call.sendMetadata(new Metadata());
    try {
      await finished;
    } finally {
      subscription.unsubscribe();
      this.openTails.delete(finish);
    }
  }
}

/** Streams of a push with parsed labels: a stream the tenant already has keeps its labels unparsed. */
function pushStreams(streams: DecodedPushStream[], inst: TenantInstance | undefined): PushStream[] {
  return streams.map((s) => {
    const known = inst?.get(s.labels);
    if (known) return { labels: known.labels, labelsString: known.labelsString, entries: s.entries };
    let labels: Labels;
    try {
      labels = parseLabels(s.labels);
    } catch (e) {
      throw new ValidationError(`Error parsing labels '${s.labels}' with error: ${(e as Error).message}`);
    }
    return { labels, labelsString: labelsString(labels), entries: s.entries };
  });
}

function listenAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Starts serving the ingester over gRPC; resolves once listening. */
export async function startIngesterGrpcServer(o: IngesterGrpcServerOptions): Promise<IngesterGrpcServer> {
  const service = new IngesterGrpcService(o);
  const server = new Server({
    'grpc.max_receive_message_length': o.maxRecvMsgSize ?? DEFAULT_MAX_MSG_SIZE,
    'grpc.max_send_message_length': o.maxSendMsgSize ?? DEFAULT_MAX_MSG_SIZE,
    'grpc.keepalive_time_ms': o.keepaliveTimeMs ?? 2 * 60 * 60 * 1000,
    'grpc.keepalive_timeout_ms': o.keepaliveTimeoutMs ?? 20_000,
  });
  server.addService(ingesterServiceDefinition(), service.handlers());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listenAddress(o.host, o.port), ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  let stopped: Promise<void> | undefined;
  return {
    port,
    counters: service.counters,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        for (const finish of service.openTails) finish();
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, o.shutdownGraceMs ?? 10_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      })),
  };
}
