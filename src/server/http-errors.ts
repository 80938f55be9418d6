// The one place errors become HTTP responses: typed errors keep their status and text, anything
// else is a 500. Bodies are plain text as Loki writes them (push errors end with a newline).
import type { FastifyReply } from 'fastify';
import { LokiError } from '../model/errors.js';

export function errorStatus(err: unknown): number {
  if (err instanceof LokiError) return err.status;
  const code = (err as { code?: string }).code;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 413;
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 400;
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 600) return status;
  return 500;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Sends a plain-text error; `newline` for push-style errors (Go's http.Error appends one). */
export function sendError(reply: FastifyReply, err: unknown, newline: boolean): FastifyReply {
  const status = errorStatus(err);
  const msg = errorMessage(err);
  return reply
    .code(status)
    .header('Content-Type', 'text/plain; charset=utf-8')
    .header('X-Content-Type-Options', 'nosniff')
    .send(newline ? msg + '\n' : msg);
}
