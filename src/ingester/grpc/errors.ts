// Typed errors across the ingester's gRPC boundary: a LokiError leaves as (HTTP status, class,
// exact message) — in gRPC status and trailers, or in a push response — and is rebuilt as the same
// class on the other side. Transport failures become IngesterClientError. Never invents texts users see.
import { Metadata, status as GrpcStatus, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { LokiError, StatusError } from '../../model/errors.js';
import { describeError, rebuildError, type ErrorDescription } from '../../model/error-description.js';
import { wellFormed } from './wire.js';

export { describeError, rebuildError, type ErrorDescription };

const HTTP_STATUS_TRAILER = 'loki-http-status';
const ERROR_KIND_TRAILER = 'loki-error-kind';

function grpcCodeFor(httpStatus: number): GrpcStatus {
  switch (httpStatus) {
    case 400:
    case 422:
      return GrpcStatus.INVALID_ARGUMENT;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 404:
      return GrpcStatus.NOT_FOUND;
    case 413:
    case 429:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 499:
      return GrpcStatus.CANCELLED;
    case 501:
      return GrpcStatus.UNIMPLEMENTED;
    case 503:
      return GrpcStatus.UNAVAILABLE;
    case 504:
      return GrpcStatus.DEADLINE_EXCEEDED;
    default:
      return httpStatus >= 500 ? GrpcStatus.INTERNAL : GrpcStatus.FAILED_PRECONDITION;
  }
}

/** Status details travel in an HTTP/2 trailer: keep them well-formed and far below header limits. */
const MAX_DETAILS_ENCODED = 16 * 1024;

export function trailerSafeDetails(message: string): string {
  let s = wellFormed(message);
  if (encodeURI(s).length <= MAX_DETAILS_ENCODED) return s;
  let keep = Math.min(s.length, MAX_DETAILS_ENCODED);
  const suffix = ' … (truncated)';
  while (keep > 0 && encodeURI(s.slice(0, keep) + suffix).length > MAX_DETAILS_ENCODED) keep = Math.floor(keep * 0.8);
  s = s.slice(0, keep);
  if (/[\ud800-\udbff]$/.test(s)) s = s.slice(0, -1);
  return s + suffix;
}

/** The gRPC status a server handler ends with for an error; anything untyped is an internal error. */
export function toGrpcStatus(err: unknown): Partial<StatusObject> {
  const metadata = new Metadata();
  if (err instanceof LokiError) {
    const d = describeError(err);
    metadata.set(HTTP_STATUS_TRAILER, String(d.httpStatus));
    metadata.set(ERROR_KIND_TRAILER, d.kind);
    return { code: grpcCodeFor(d.httpStatus), details: trailerSafeDetails(d.message), metadata };
  }
  metadata.set(HTTP_STATUS_TRAILER, '500');
  const message = err instanceof Error ? err.message : String(err);
  return { code: GrpcStatus.INTERNAL, details: trailerSafeDetails(message), metadata };
}

/** A call to a remote ingester failed in transport (unreachable, deadline, size limit) or internally. */
export class IngesterClientError extends StatusError {
  constructor(
    readonly address: string,
    readonly method: string,
    readonly code: GrpcStatus,
    status: number,
    message: string,
  ) {
    super(status, message);
  }
}

function httpStatusForTransport(code: GrpcStatus): number {
  switch (code) {
    case GrpcStatus.UNAVAILABLE:
      return 503;
    case GrpcStatus.DEADLINE_EXCEEDED:
      return 504;
    case GrpcStatus.CANCELLED:
      return 499;
    default:
      return 500;
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as ServiceError).code === 'number' && 'metadata' in err;
}

/** The typed error for a failed call: the ingester's own error when it sent one, else a transport error. */
export function fromGrpcError(err: unknown, address: string, method: string, timeoutMs: number): LokiError {
  if (err instanceof LokiError) return err;
  if (!isServiceError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new IngesterClientError(address, method, GrpcStatus.UNKNOWN, 500, `ingester ${address}: ${method}: ${message}`);
  }
  const httpStatus = Number(err.metadata.get(HTTP_STATUS_TRAILER)[0]);
  const kind = err.metadata.get(ERROR_KIND_TRAILER)[0];
  if (typeof kind === 'string' && httpStatus > 0) return rebuildError({ httpStatus, kind, message: err.details });
  const reason =
    err.code === GrpcStatus.DEADLINE_EXCEEDED ? `deadline exceeded after ${timeoutMs}ms` : `${GrpcStatus[err.code]}: ${err.details}`;
  return new IngesterClientError(
    address,
    method,
    err.code,
    httpStatus > 0 ? httpStatus : httpStatusForTransport(err.code),
    `ingester ${address}: ${method}: ${reason}`,
  );
}
