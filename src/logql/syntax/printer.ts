// Loki's canonical String() form of a LogQL AST (ast.go and log/label_filter.go String methods).
// Pure: prints, never validates.
import type {
  BinaryOpExpr,
  Expr,
  Grouping,
  LabelFilter,
  LineFilter,
  LineMatch,
  LogRange,
  LogSelectorExpr,
  Matcher,
  SampleExpr,
  Stage,
  Unwrap,
  VectorAggregationExpr,
} from '../ast.js';
import { goQuote } from '../../model/labels.js';
import { parseGoRegex } from '../../model/regex.js';
import { simplifyRegex } from '../log/regex-simplify.js';
import { formatGoDuration, formatPromDuration } from '../../model/time.js';
import { formatGoFloatF, formatGoFloatFixed6, formatGoFloatV, formatHumanBytes } from './numbers.js';

export function matcherString(m: Matcher): string {
  return m.name + m.op + goQuote(m.value);
}

export function selectorString(matchers: readonly Matcher[]): string {
  return '{' + matchers.map(matcherString).join(', ') + '}';
}

function lineMatchString(m: LineMatch): string {
  return m.ip ? `ip(${goQuote(m.value)})` : goQuote(m.value);
}

export function lineFilterString(f: LineFilter, withOr = true): string {
  let s = `${f.op} ${lineMatchString(f.match)}`;
  if (withOr) for (const alt of f.or) s += ' or ' + lineMatchString(alt);
  return s;
}

/**
 * A string label filter. Loki keeps a `=~` regex it cannot reduce to substring/equality tests as a
 * regex filter, which prints its original pattern in backticks (quoted if it contains one).
 */
function stringFilterString(m: Matcher): string {
  if (m.op !== '=~') return matcherString(m);
  let kept: boolean;
  try {
    kept = simplifyRegex(parseGoRegex(m.value).tree, true) === undefined;
  } catch {
    kept = false;
  }
  if (!kept) return matcherString(m);
  return `${m.name}=~${m.value.includes('`') ? goQuote(m.value) : '`' + m.value + '`'}`;
}

export function labelFilterString(f: LabelFilter): string {
  const cmp = (op: string): string => (op === '=' ? '==' : op);
  switch (f.kind) {
    case 'matcher':
      return stringFilterString(f.matcher);
    case 'ip':
      return `${f.name}${f.op}ip(${goQuote(f.pattern)})`;
    case 'number':
      return f.name + cmp(f.op) + formatGoFloatF(f.value);
    case 'duration':
      return f.name + cmp(f.op) + formatGoDuration(f.value);
    case 'bytes': {
      // Loki prints `x<0B`, which its own lexer reads as a bad binary literal; a space keeps it parsable.
      const text = formatHumanBytes(f.value);
      return f.name + cmp(f.op) + (text.startsWith('0') ? ' ' : '') + text;
    }
    case 'and':
      return `( ${labelFilterString(f.left)} , ${labelFilterString(f.right)} )`;
    case 'or':
      return `( ${labelFilterString(f.left)} or ${labelFilterString(f.right)} )`;
  }
}

export function stageString(s: Stage): string {
  switch (s.kind) {
    case 'lineFilters':
      return s.filters.map((f) => lineFilterString(f)).join(' ');
    case 'json':
      return s.extractions.length === 0
        ? '| json'
        : '| json ' + s.extractions.map((e) => `${e.label}=${goQuote(e.expression)}`).join(',');
    case 'logfmt': {
      if (s.extractions.length === 0) return '| logfmt' + (s.strict ? ' --strict' : '') + (s.keepEmpty ? ' --keep-empty' : '');
      const flags = (s.strict ? '--strict ' : '') + (s.keepEmpty ? '--keep-empty ' : '');
      return '| logfmt ' + flags + s.extractions.map((e) => `${e.label}=${goQuote(e.expression)}`).join(',');
    }
    case 'regexp':
    case 'pattern':
      return `| ${s.kind} ${goQuote(s.pattern)}`;
    case 'unpack':
      return '| unpack';
    case 'labelFilter':
      return '| ' + labelFilterString(s.filter);
    case 'lineFormat':
      return '| line_format ' + goQuote(s.template);
    case 'labelFormat':
      return (
        '| label_format ' +
        s.formats.map((f) => ('rename' in f ? `${f.dst}=${f.rename}` : `${f.dst}=${goQuote(f.template)}`)).join(',')
      );
    case 'decolorize':
      return '| decolorize';
    case 'drop':
    case 'keep':
      return `| ${s.kind} ` + s.labels.map((l) => (l.matcher ? matcherString(l.matcher) : l.name)).join(',');
  }
}

export function logSelectorString(e: LogSelectorExpr): string {
  const sel = selectorString(e.matchers);
  return e.stages.length === 0 ? sel : sel + ' ' + e.stages.map(stageString).join(' ');
}

export function unwrapString(u: Unwrap): string {
  let s = u.conversion ? ` | unwrap ${u.conversion}(${u.label})` : ` | unwrap ${u.label}`;
  for (const f of u.postFilters) s += ' | ' + labelFilterString(f);
  return s;
}

function logRangeString(r: LogRange): string {
  let s = logSelectorString(r.selector);
  if (r.unwrap) s += unwrapString(r.unwrap);
  s += `[${formatPromDuration(r.range)}]`;
  if (r.offset !== 0n) s += ` offset ${formatGoDuration(r.offset)}`;
  return s;
}

export function groupingString(g: Grouping): string {
  return ` ${g.without ? 'without' : 'by'} (${g.labels.join(',')})`;
}

function vectorAggregationString(e: VectorAggregationExpr): string {
  const g = e.grouping;
  const grouping = g && (g.without || g.labels.length > 0) ? groupingString(g) : '';
  const param = e.param !== undefined ? `${e.param},` : '';
  return `${e.op}${grouping}(${param}${exprString(e.expr)})`;
}

/** The operator with its modifiers, as BinOpExpr.String() writes it. */
function binaryOperatorString(e: BinaryOpExpr): string {
  let op: string = e.op;
  if (e.returnBool) op += ' bool';
  const m = e.matching;
  if (m && (m.on || m.labels.length > 0)) {
    let group = m.card === 'many-to-one' ? 'group_left' : m.card === 'one-to-many' ? 'group_right' : '';
    if (m.include.length > 0) group = `${group} (${m.include.join(',')})`;
    op = `${op} ${m.on ? 'on' : 'ignoring'} (${m.labels.join(',')}) ${group}`;
  }
  return op;
}

function sampleString(e: SampleExpr): string {
  switch (e.kind) {
    case 'rangeAggregation': {
      const param = e.param !== undefined ? formatGoFloatF(e.param) + ',' : '';
      return `${e.op}(${param}${logRangeString(e.range)})${e.grouping ? groupingString(e.grouping) : ''}`;
    }
    case 'vectorAggregation':
      return vectorAggregationString(e);
    case 'binaryOp':
      return `(${exprString(e.lhs)} ${binaryOperatorString(e)} ${exprString(e.rhs)})`;
    case 'literal':
      return formatGoFloatV(e.value);
    case 'vector':
      return `vector(${formatGoFloatFixed6(e.value)})`;
    case 'labelReplace':
      return `label_replace(${exprString(e.expr)},${goQuote(e.dst)},${goQuote(e.replacement)},${goQuote(e.src)},${goQuote(e.regex)})`;
  }
}

/** Loki's `expr.String()`. */
export function exprString(e: Expr): string {
  return e.kind === 'logSelector' ? logSelectorString(e) : sampleString(e);
}

