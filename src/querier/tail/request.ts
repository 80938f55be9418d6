// The tail request (loghttp.ParseTailQuery): query (plus the legacy `regexp` filter), limit, start
// and delay_for, validated with Loki's error texts before the websocket upgrade. Pure.
import type { LogSelectorExpr } from '../../logql/ast.js';
import { parseExpr, parseLogSelector, printExpr } from '../../logql/syntax/index.js';
import { ValidationError, type Nanos } from '../../model/index.js';
import { goQuote } from '../../model/labels.js';
import { nowNanos } from '../../model/time.js';
import { parseBounds, parseLimit, type Params } from '../params.js';

/** delay_for may be at most this many seconds. */
const MAX_DELAY_FOR_SECONDS = 5;

export interface TailRequest {
  /** The query as given (with the `regexp` filter appended). */
  query: string;
  limit: number;
  /** History replay starts here (default: now - 1h). */
  start: Nanos;
  delayForSeconds: number;
}

function parseDelayFor(v: string | null): number {
  if (v === null || v === '') return 0;
  if (!/^[+-]?\d+$/.test(v)) throw new ValidationError(`strconv.Atoi: parsing ${goQuote(v)}: invalid syntax`);
  const n = BigInt(v);
  // Loki stores it as uint32: a negative value wraps to a huge delay.
  if (n < 0n || n > BigInt(MAX_DELAY_FOR_SECONDS))
    throw new ValidationError(`delay_for can't be greater than ${MAX_DELAY_FOR_SECONDS}`);
  return Number(n);
}

export function parseTailRequest(p: Params, now: Nanos = nowNanos()): TailRequest {
  let query = p.get('query') ?? '';
  parseExpr(query);
  const regexp = p.get('regexp');
  if (regexp) query = `${printExpr(parseLogSelector(query))} |~ ${goQuote(regexp)}`;
  const limit = parseLimit(p);
  const { start } = parseBounds(p, now);
  const delayForSeconds = parseDelayFor(p.get('delay_for'));
  return { query, limit, start, delayForSeconds };
}

/** The log selector a tail follows (a metric query cannot be tailed). */
export function tailSelector(req: TailRequest): LogSelectorExpr {
  return parseLogSelector(req.query);
}
