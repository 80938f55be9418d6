// The ingester's gRPC service (proto/ingester.proto) as method descriptors whose (de)serializers
// are the generated protobuf code; shared by the server and its clients. Never imports the ingester.
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { lokits } from '../../../gen/proto.js';
import { decodePushRequest, encodePushRequest, type DecodedPushStream, type EncodableStream } from './push-codec.js';

import pb = lokits.ingester;

const SERVICE_PATH = '/lokits.ingester.Ingester/';

/** The tenant of every call, in request metadata (as Loki's `X-Scope-OrgID`). */
export const TENANT_METADATA = 'x-scope-orgid';

/** How one message type crosses the wire. */
interface MessageCodec<Props, Decoded> {
  encode(message: Props): Uint8Array;
  decode(bytes: Uint8Array): Decoded;
}

interface GeneratedMessage<Props, Decoded> {
  encode(message: Props): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Decoded;
}

function generated<Props, Decoded>(type: GeneratedMessage<Props, Decoded>): MessageCodec<Props, Decoded> {
  return { encode: (m) => type.encode(m).finish(), decode: (b) => type.decode(b) };
}

/** One RPC: its path, whether the response streams, and how both messages cross the wire. */
export interface IngesterMethod<ReqProps, Req, ResProps, Res> {
  readonly name: string;
  readonly path: string;
  readonly responseStream: boolean;
  serializeRequest(message: ReqProps): Buffer;
  deserializeRequest(bytes: Buffer): Req;
  serializeResponse(message: ResProps): Buffer;
  deserializeResponse(bytes: Buffer): Res;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function method<ReqProps, Req, ResProps, Res>(
  name: string,
  request: MessageCodec<ReqProps, Req>,
  response: MessageCodec<ResProps, Res>,
  responseStream: boolean,
): IngesterMethod<ReqProps, Req, ResProps, Res> {
  return {
    name,
    path: SERVICE_PATH + name,
    responseStream,
    serializeRequest: (m) => toBuffer(request.encode(m)),
    deserializeRequest: (b) => request.decode(b),
    serializeResponse: (m) => toBuffer(response.encode(m)),
    deserializeResponse: (b) => response.decode(b),
  };
}

/**
 * Push requests encoded so far, by the stream list they were encoded from: a distributor sends one
 * list to every replica of its streams (see distributor/replication.ts), which is encoded once.
 */
const encodedPushes = new WeakMap<readonly EncodableStream[], Buffer>();

function encodePushOnce(streams: readonly EncodableStream[]): Buffer {
  let buf = encodedPushes.get(streams);
  if (buf === undefined) {
    buf = encodePushRequest(streams);
    encodedPushes.set(streams, buf);
  }
  return buf;
}

/** Push requests use the hand-written codec of the ingest hot path; everything else the generated code. */
const pushRequest: MessageCodec<readonly EncodableStream[], DecodedPushStream[]> = { encode: encodePushOnce, decode: decodePushRequest };

export const INGESTER_METHODS = {
  push: method('Push', pushRequest, generated(pb.PushResponse), false),
  queryLogs: method('QueryLogs', generated(pb.LogsRequest), generated(pb.LogsBatch), true),
  querySamples: method('QuerySamples', generated(pb.SamplesRequest), generated(pb.SamplesBatch), true),
  labelNames: method('LabelNames', generated(pb.LabelNamesRequest), generated(pb.LabelNamesResponse), false),
  labelValues: method('LabelValues', generated(pb.LabelValuesRequest), generated(pb.LabelValuesResponse), false),
  series: method('Series', generated(pb.SeriesRequest), generated(pb.SeriesResponse), false),
  stats: method('Stats', generated(pb.StatsRequest), generated(pb.StatsResponse), false),
  tail: method('Tail', generated(pb.TailRequest), generated(pb.TailBatch), true),
};

export type IngesterMethodName = keyof typeof INGESTER_METHODS;

/** The service in grpc-js' shape, keyed like INGESTER_METHODS (for Server.addService). */
export function ingesterServiceDefinition(): ServiceDefinition<Record<IngesterMethodName, unknown>> {
  const out = {} as Record<IngesterMethodName, MethodDefinition<unknown, unknown>>;
  for (const [key, m] of Object.entries(INGESTER_METHODS) as [IngesterMethodName, IngesterMethod<unknown, unknown, unknown, unknown>][]) {
    out[key] = {
      path: m.path,
      requestStream: false,
      responseStream: m.responseStream,
      requestSerialize: m.serializeRequest,
      requestDeserialize: m.deserializeRequest,
      responseSerialize: m.serializeResponse,
      responseDeserialize: m.deserializeResponse,
      originalName: m.name,
    };
  }
  return out;
}
