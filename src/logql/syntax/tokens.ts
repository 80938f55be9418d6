// LogQL token types (chevrotain), their yacc names, the names Loki shows in syntax errors and
// the yacc declaration order used to list expected tokens. Data only: no lexing, no parsing.
import { createToken, Lexer, type TokenType } from 'chevrotain';

/** Token types in the order Loki's grammar declares them (its token numbers). */
const ORDERED_NAMES = [
  'BYTES', 'IDENTIFIER', 'STRING', 'NUMBER', 'PARSER_FLAG', 'DURATION', 'RANGE', 'MATCHERS', 'LABELS',
  'EQ', 'RE', 'NRE', 'NPA', 'OPEN_BRACE', 'CLOSE_BRACE', 'OPEN_BRACKET', 'CLOSE_BRACKET', 'COMMA', 'DOT',
  'PIPE_MATCH', 'PIPE_EXACT', 'PIPE_PATTERN', 'OPEN_PARENTHESIS', 'CLOSE_PARENTHESIS', 'BY', 'WITHOUT',
  'COUNT_OVER_TIME', 'RATE', 'RATE_COUNTER', 'SUM', 'SORT', 'SORT_DESC', 'AVG', 'MAX', 'MIN', 'COUNT',
  'STDDEV', 'STDVAR', 'BOTTOMK', 'TOPK', 'APPROX_TOPK', 'BYTES_OVER_TIME', 'BYTES_RATE', 'BOOL', 'JSON',
  'REGEXP', 'LOGFMT', 'PIPE', 'LINE_FMT', 'LABEL_FMT', 'UNWRAP', 'AVG_OVER_TIME', 'SUM_OVER_TIME',
  'MIN_OVER_TIME', 'MAX_OVER_TIME', 'STDVAR_OVER_TIME', 'STDDEV_OVER_TIME', 'QUANTILE_OVER_TIME',
  'BYTES_CONV', 'DURATION_CONV', 'DURATION_SECONDS_CONV', 'FIRST_OVER_TIME', 'LAST_OVER_TIME',
  'ABSENT_OVER_TIME', 'VECTOR', 'LABEL_REPLACE', 'UNPACK', 'OFFSET', 'PATTERN', 'IP', 'ON', 'IGNORING',
  'GROUP_LEFT', 'GROUP_RIGHT', 'DECOLORIZE', 'DROP', 'KEEP', 'VARIANTS', 'OF', 'OR', 'AND', 'UNLESS',
  'CMP_EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'ADD', 'SUB', 'MUL', 'DIV', 'MOD', 'POW',
] as const;

export type TokenName = (typeof ORDERED_NAMES)[number];

/** Keywords and operators always reserved (Loki's `tokens` map): text → token. Errors show the text. */
export const KEYWORD_TEXT: Readonly<Record<string, TokenName>> = {
  ',': 'COMMA', '.': 'DOT', '{': 'OPEN_BRACE', '}': 'CLOSE_BRACE', '=': 'EQ', '!=': 'NEQ', '=~': 'RE',
  '!~': 'NRE', '!>': 'NPA', '|=': 'PIPE_EXACT', '|~': 'PIPE_MATCH', '|>': 'PIPE_PATTERN', '|': 'PIPE',
  unwrap: 'UNWRAP', '(': 'OPEN_PARENTHESIS', ')': 'CLOSE_PARENTHESIS', by: 'BY', without: 'WITHOUT',
  bool: 'BOOL', '[': 'OPEN_BRACKET', ']': 'CLOSE_BRACKET', label_replace: 'LABEL_REPLACE', offset: 'OFFSET',
  on: 'ON', ignoring: 'IGNORING', group_left: 'GROUP_LEFT', group_right: 'GROUP_RIGHT', or: 'OR', and: 'AND',
  unless: 'UNLESS', '+': 'ADD', '-': 'SUB', '*': 'MUL', '/': 'DIV', '%': 'MOD', '^': 'POW', '==': 'CMP_EQ',
  '>': 'GT', '>=': 'GTE', '<': 'LT', '<=': 'LTE', json: 'JSON', regexp: 'REGEXP', logfmt: 'LOGFMT',
  unpack: 'UNPACK', pattern: 'PATTERN', label_format: 'LABEL_FMT', line_format: 'LINE_FMT', ip: 'IP',
  decolorize: 'DECOLORIZE', drop: 'DROP', keep: 'KEEP', variants: 'VARIANTS', of: 'OF',
};

/** Function names: tokens only when followed by `(` or `by (` / `without (`; otherwise identifiers. */
export const FUNCTION_TEXT: Readonly<Record<string, TokenName>> = {
  rate: 'RATE', rate_counter: 'RATE_COUNTER', count_over_time: 'COUNT_OVER_TIME', bytes_rate: 'BYTES_RATE',
  bytes_over_time: 'BYTES_OVER_TIME', avg_over_time: 'AVG_OVER_TIME', sum_over_time: 'SUM_OVER_TIME',
  min_over_time: 'MIN_OVER_TIME', max_over_time: 'MAX_OVER_TIME', stdvar_over_time: 'STDVAR_OVER_TIME',
  stddev_over_time: 'STDDEV_OVER_TIME', quantile_over_time: 'QUANTILE_OVER_TIME',
  first_over_time: 'FIRST_OVER_TIME', last_over_time: 'LAST_OVER_TIME', absent_over_time: 'ABSENT_OVER_TIME',
  vector: 'VECTOR', sum: 'SUM', avg: 'AVG', max: 'MAX', min: 'MIN', count: 'COUNT', stddev: 'STDDEV',
  stdvar: 'STDVAR', bottomk: 'BOTTOMK', topk: 'TOPK', sort: 'SORT', sort_desc: 'SORT_DESC',
  label_replace: 'LABEL_REPLACE', approx_topk: 'APPROX_TOPK', bytes: 'BYTES_CONV', duration: 'DURATION_CONV',
  duration_seconds: 'DURATION_SECONDS_CONV', ip: 'IP',
};

export const T = Object.fromEntries(
  ORDERED_NAMES.map((name) => [name, createToken({ name, pattern: Lexer.NA })]),
) as Record<TokenName, TokenType>;

export const ALL_TOKENS: TokenType[] = ORDERED_NAMES.map((n) => T[n]);

const ORDER = new Map<string, number>(ORDERED_NAMES.map((n, i) => [n, i]));

const DISPLAY = new Map<string, string>();
for (const [text, name] of Object.entries(KEYWORD_TEXT)) DISPLAY.set(name, text);

/** The name a syntax error shows for a token (`)`, `ip`, `RATE`, `IDENTIFIER`, `$end`). */
export function displayName(name: string): string {
  return DISPLAY.get(name) ?? name;
}

/** Sorts token names by their yacc token number (the order expected tokens are listed in). */
export function byDeclarationOrder(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => (ORDER.get(a) ?? 999) - (ORDER.get(b) ?? 999));
}
