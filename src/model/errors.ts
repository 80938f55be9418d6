// Typed errors every module throws; server/ maps them to HTTP status codes once. Modules never
// write HTTP responses themselves. The message is exactly the text the user sees.

export abstract class LokiError extends Error {
  abstract readonly status: number;
}

/** Bad input: unparsable request, invalid labels, rejected entries, bad LogQL, bad parameters (400). */
export class ValidationError extends LokiError {
  readonly status: number = 400;
}

/** LogQL syntax or semantic error; the message is Loki's `parse error ...` text (400). */
export class ParseError extends ValidationError {}

/** A tenant or stream limit was hit and the client should retry later (429). */
export class RateLimitedError extends LokiError {
  readonly status = 429;
}

/** Request body too large (413). */
export class TooLargeError extends LokiError {
  readonly status = 413;
}

/** No usable streams in a push (422). */
export class UnprocessableError extends LokiError {
  readonly status = 422;
}

/** Missing or invalid tenant (401). */
export class UnauthorizedError extends LokiError {
  readonly status = 401;
}

export class NotFoundError extends LokiError {
  readonly status = 404;
}

/** Stored data failed its checksum or could not be decoded: reported, never returned as garbage (500). */
export class CorruptDataError extends LokiError {
  readonly status = 500;
}

/** A dependency (ingesters, quorum, object store) is not available; clients retry 5xx (503). */
export class UnavailableError extends LokiError {
  readonly status: number = 503;
}

/** The server is out of memory headroom for new data (Promtail retries 429). */
export class BackpressureError extends RateLimitedError {}

export class TimeoutError extends LokiError {
  readonly status = 504;
  constructor() {
    super(
      'request timed out, decrease the duration of the request or add more label matchers (prefer exact match over regex match) to reduce the amount of data processed',
    );
  }
}

export class CancelledError extends LokiError {
  readonly status = 499;
  constructor() {
    super('the request was cancelled by the client');
  }
}

/** Wraps an error with a specific status (used when relaying an error from a remote component). */
export class StatusError extends LokiError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
