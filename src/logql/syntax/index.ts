// Public entry points of the LogQL syntax module: parse (with Loki's exact errors), print, prettify.
// Every failure is a ParseError; nothing here does I/O.
import type { Expr, LogSelectorExpr, Matcher } from '../ast.js';
import { ParseError } from '../../model/errors.js';
import { asParseError, parseUnvalidated, parseValidated } from './parse.js';
import { exprString } from './printer.js';
import { prettyString } from './pretty.js';
import { validationError } from './validate.js';

export { MAX_INPUT_SIZE } from './parse.js';

/** Loki's syntax.ParseExpr: parses and validates a query. */
export function parseExpr(input: string): Expr {
  return asParseError(() => parseValidated(input));
}

/** Loki's syntax.ParseLogSelector(input, true): a log query (selector and pipeline) only. */
export function parseLogSelector(input: string): LogSelectorExpr {
  return asParseError(() => {
    const expr = parseUnvalidated(input);
    if (expr.kind !== 'logSelector') throw new ParseError('only log selector is supported');
    const err = validationError(expr);
    if (err !== undefined) throw new ParseError(`parse error : ${err}`);
    return expr;
  });
}

/** Loki's syntax.ParseMatchers(input, true): a bare `{…}` selector, e.g. /series match[]. */
export function parseMatchers(input: string): Matcher[] {
  return asParseError(() => {
    const expr = parseValidated(input);
    if (expr.kind !== 'logSelector' || expr.stages.length > 0) throw new ParseError('only label matchers are supported');
    return expr.matchers;
  });
}

/** Loki's `Expr.String()`: the canonical one-line form. */
export function printExpr(expr: Expr): string {
  return exprString(expr);
}

/** Loki's syntax.Prettify: what /loki/api/v1/format_query returns. */
export function prettyExpr(expr: Expr): string {
  return prettyString(expr);
}
