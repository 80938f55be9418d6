// Every error the LogQL engine reports, with Loki's exact texts (logqlmodel, engine.go, evaluator.go).
// Builders only: nothing here evaluates anything or decides when an error applies.
import { CancelledError, LokiError, ParseError, ValidationError, formatGoDuration, labelsString, getLabel } from '../../model/index.js';
import type { Labels } from '../../model/index.js';

export const ERROR_LABEL = '__error__';
export const PRESERVE_ERROR_LABEL = '__preserve_error__';

/** A series that still carries `__error__` (and did not ask to keep it) fails a metric query. */
export function hasPipelineError(ls: Labels): boolean {
  let err = false;
  let preserve = false;
  for (const l of ls) {
    if (l.name === ERROR_LABEL) err = true;
    else if (l.name === PRESERVE_ERROR_LABEL) preserve = l.value === 'true';
  }
  return err && !preserve;
}

export function pipelineError(metric: Labels): ValidationError {
  const type = getLabel(metric, ERROR_LABEL) ?? '';
  return new ValidationError(
    `pipeline error: '${type}' for series: '${labelsString(metric)}'.\n` +
      `Use a label filter to intentionally skip this error. (e.g | __error__!="${type}").\n` +
      `To skip all potential errors you can match empty errors.(e.g __error__="")\n` +
      `The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__="" )\n`,
  );
}

export function seriesLimitError(limit: number): ValidationError {
  return new ValidationError(`maximum of series (${limit}) reached for a single query`);
}

export function instantLogQueryError(): ValidationError {
  return new ValidationError(
    'log queries are not supported as an instant query type, please change your query to a range query type',
  );
}

export function approxTopkRangeError(): ValidationError {
  return new ValidationError('approx_topk error: count min sketches are only supported on instant queries');
}

/** Ours: windows are evaluated on nanosecond offsets held exactly in doubles (Loki refuses such ranges by max_query_length). */
export function rangeTooLongError(range: bigint, max: bigint): ValidationError {
  return new ValidationError(`range vector of ${formatGoDuration(range)} is longer than the longest range evaluated (${formatGoDuration(max)})`);
}

export function invalidStepError(): ValidationError {
  return new ValidationError('zero or negative query resolution step widths are not accepted. Try a positive integer');
}

export function duplicateSeriesError(side: 'left' | 'right'): ValidationError {
  return new ValidationError(
    `found duplicate series on the ${side} hand-side;many-to-many matching not allowed: matching labels must be unique on one side`,
  );
}

export function manyToOneImplicitError(): ValidationError {
  return new ValidationError(
    'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
  );
}

export function groupingNotUniqueError(): ValidationError {
  return new ValidationError('multiple matches for labels: grouping labels must ensure unique matches');
}

/** `or`/`and`/`unless` with a literal leg (the parser rejects these already; kept for hand-built trees). */
export function logicalLiteralError(op: string, side: 'left' | 'right', value: number): ParseError {
  return new ParseError(
    `parse error : unexpected literal for ${side} leg of logical/set binary operation (${op}): ${value.toFixed(6)}`,
  );
}

export function invalidLabelReplaceRegexError(detail: string): ParseError {
  return new ParseError(`parse error : invalid regex in label_replace: ${detail}`);
}

export function unsupportedExprError(goType: string): ValidationError {
  return new ValidationError(`unexpected expr type (${goType}) for Evaluator type (*logql.DefaultEvaluator) `);
}

/** Throws when the query was aborted: the signal's own LokiError (e.g. a timeout) or a cancellation. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof LokiError ? signal.reason : new CancelledError();
}
