// The typed LogQL syntax tree: what the parser produces, the printer prints, the pipeline builder
// compiles and the engine evaluates. Plain data only (no behaviour), so it can be compared in tests.

import type { Matcher } from '../model/matchers.js';

export type { MatchOp, Matcher } from '../model/matchers.js';

// ---------------------------------------------------------------------------------------------
// Log pipeline

export type LineFilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

/** One alternative of a line filter: a literal/regex/pattern string, or an ip("...") matcher. */
export interface LineMatch {
  value: string;
  ip: boolean;
}

/**
 * `op match (or match)*`. Positive ops match when any alternative matches. The parser rewrites a
 * negative `!= "a" or "b"` into two chained filters (`!= "a" != "b"`), so `or` only appears with
 * positive ops.
 */
export interface LineFilter {
  op: LineFilterOp;
  match: LineMatch;
  or: LineMatch[];
}

export type CmpOp = '==' | '=' | '!=' | '>' | '>=' | '<' | '<=';

export type LabelFilter =
  | { kind: 'matcher'; matcher: Matcher }
  | { kind: 'ip'; name: string; op: '=' | '!='; pattern: string }
  /** `value` is the number; `text` the literal as written (kept for printing). */
  | { kind: 'number'; name: string; op: CmpOp; value: number; text: string }
  /** `value` in nanoseconds. */
  | { kind: 'duration'; name: string; op: CmpOp; value: bigint; text: string }
  /** `value` in bytes. */
  | { kind: 'bytes'; name: string; op: CmpOp; value: number; text: string }
  | { kind: 'and' | 'or'; left: LabelFilter; right: LabelFilter };

/** `name="expression"` in json/logfmt parsers; `name` alone means `name="name"`. */
export interface Extraction {
  label: string;
  expression: string;
}

/** `dst=src` renames (src removed); `dst="template"` sets from a template (sources kept). */
export type LabelFmt = { dst: string; rename: string } | { dst: string; template: string };

/** A label named in drop/keep, optionally restricted by a matcher on its value. */
export interface NamedLabel {
  name: string;
  matcher?: Matcher;
}

export type Stage =
  /** Consecutive line filters form one stage; all must pass. */
  | { kind: 'lineFilters'; filters: LineFilter[] }
  | { kind: 'json'; extractions: Extraction[] }
  | { kind: 'logfmt'; strict: boolean; keepEmpty: boolean; extractions: Extraction[] }
  | { kind: 'regexp'; pattern: string }
  | { kind: 'pattern'; pattern: string }
  | { kind: 'unpack' }
  | { kind: 'labelFilter'; filter: LabelFilter }
  | { kind: 'lineFormat'; template: string }
  | { kind: 'labelFormat'; formats: LabelFmt[] }
  | { kind: 'decolorize' }
  | { kind: 'drop'; labels: NamedLabel[] }
  | { kind: 'keep'; labels: NamedLabel[] };

/** A stream selector with an optional pipeline: `{app="x"} |= "err" | json`. */
export interface LogSelectorExpr {
  kind: 'logSelector';
  matchers: Matcher[];
  stages: Stage[];
}

// ---------------------------------------------------------------------------------------------
// Metric expressions

export type UnwrapConversion = '' | 'bytes' | 'duration' | 'duration_seconds';

export interface Unwrap {
  label: string;
  conversion: UnwrapConversion;
  /** Label filters written after the unwrap (`| unwrap x | __error__=""`). */
  postFilters: LabelFilter[];
}

export interface LogRange {
  selector: LogSelectorExpr;
  /** Range in nanoseconds. */
  range: bigint;
  /** Offset in nanoseconds (0 when absent). */
  offset: bigint;
  unwrap?: Unwrap;
}

export type RangeOp =
  | 'count_over_time'
  | 'rate'
  | 'rate_counter'
  | 'bytes_over_time'
  | 'bytes_rate'
  | 'avg_over_time'
  | 'sum_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'stdvar_over_time'
  | 'stddev_over_time'
  | 'quantile_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'absent_over_time';

/** `by ()` is `{without: false, labels: []}`; no grouping at all is `undefined` on the node. */
export interface Grouping {
  without: boolean;
  labels: string[];
}

export interface RangeAggregationExpr {
  kind: 'rangeAggregation';
  op: RangeOp;
  /** Only quantile_over_time: the φ parameter. */
  param?: number;
  range: LogRange;
  grouping?: Grouping;
}

export type VectorOp =
  | 'sum'
  | 'avg'
  | 'count'
  | 'max'
  | 'min'
  | 'stddev'
  | 'stdvar'
  | 'bottomk'
  | 'topk'
  | 'sort'
  | 'sort_desc'
  | 'approx_topk';

export interface VectorAggregationExpr {
  kind: 'vectorAggregation';
  op: VectorOp;
  /** topk/bottomk/approx_topk: k. */
  param?: number;
  grouping?: Grouping;
  expr: SampleExpr;
}

export type BinaryOp =
  | 'or'
  | 'and'
  | 'unless'
  | '=='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^';

export interface VectorMatching {
  /** true for on(...), false for ignoring(...). */
  on: boolean;
  labels: string[];
  card: 'one-to-one' | 'many-to-one' | 'one-to-many';
  /** Labels listed in group_left(...)/group_right(...). */
  include: string[];
}

export interface BinaryOpExpr {
  kind: 'binaryOp';
  op: BinaryOp;
  returnBool: boolean;
  matching?: VectorMatching;
  lhs: SampleExpr;
  rhs: SampleExpr;
}

export interface LiteralExpr {
  kind: 'literal';
  value: number;
}

export interface VectorExpr {
  kind: 'vector';
  value: number;
}

export interface LabelReplaceExpr {
  kind: 'labelReplace';
  expr: SampleExpr;
  dst: string;
  replacement: string;
  src: string;
  regex: string;
}

export type SampleExpr =
  | RangeAggregationExpr
  | VectorAggregationExpr
  | BinaryOpExpr
  | LiteralExpr
  | VectorExpr
  | LabelReplaceExpr;

export type Expr = LogSelectorExpr | SampleExpr;

export function isLogExpr(e: Expr): e is LogSelectorExpr {
  return e.kind === 'logSelector';
}
