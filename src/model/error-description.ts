// A LokiError as plain data (HTTP status, class name, exact message), to cross a process or thread
// boundary and be rebuilt as the same class on the other side. Pure.
import {
  BackpressureError,
  CancelledError,
  CorruptDataError,
  LokiError,
  NotFoundError,
  ParseError,
  RateLimitedError,
  StatusError,
  TimeoutError,
  TooLargeError,
  UnauthorizedError,
  UnavailableError,
  UnprocessableError,
  ValidationError,
} from './errors.js';

/** A LokiError as it crosses a boundary. */
export interface ErrorDescription {
  httpStatus: number;
  kind: string;
  message: string;
}

type ErrorClass = abstract new (...args: never[]) => LokiError;

/** Most specific first: the first class an error is an instance of names its kind. */
const KINDS: readonly [string, ErrorClass, (message: string) => LokiError][] = [
  ['ParseError', ParseError, (m) => new ParseError(m)],
  ['ValidationError', ValidationError, (m) => new ValidationError(m)],
  ['BackpressureError', BackpressureError, (m) => new BackpressureError(m)],
  ['RateLimitedError', RateLimitedError, (m) => new RateLimitedError(m)],
  ['TooLargeError', TooLargeError, (m) => new TooLargeError(m)],
  ['UnprocessableError', UnprocessableError, (m) => new UnprocessableError(m)],
  ['UnauthorizedError', UnauthorizedError, (m) => new UnauthorizedError(m)],
  ['NotFoundError', NotFoundError, (m) => new NotFoundError(m)],
  ['CorruptDataError', CorruptDataError, (m) => new CorruptDataError(m)],
  ['UnavailableError', UnavailableError, (m) => new UnavailableError(m)],
  ['TimeoutError', TimeoutError, () => new TimeoutError()],
  ['CancelledError', CancelledError, () => new CancelledError()],
];

export function describeError(err: LokiError): ErrorDescription {
  const known = KINDS.find(([, cls]) => err instanceof cls);
  return { httpStatus: err.status, kind: known ? known[0] : 'StatusError', message: err.message };
}

/** The same class as on the sending side; an unknown kind keeps its status as a StatusError. */
export function rebuildError(d: ErrorDescription): LokiError {
  const known = KINDS.find(([kind]) => kind === d.kind);
  if (known) {
    const err = known[2](d.message);
    if (err.status === d.httpStatus) return err;
  }
  return new StatusError(d.httpStatus, d.message);
}

