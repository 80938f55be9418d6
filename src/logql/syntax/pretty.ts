// Loki's syntax.Prettify (prettier.go): what /loki/api/v1/format_query returns. Expressions longer
// than 100 bytes are split over lines with two-space indents; shorter ones print as String().
import type { BinaryOpExpr, Expr, Grouping, LineFilter, LogRange, LogSelectorExpr, SampleExpr, Stage, Unwrap } from '../ast.js';
import { goQuote } from '../../model/labels.js';
import { formatPromDuration } from '../../model/time.js';
import { formatGoFloatV } from './numbers.js';
import { exprString, labelFilterString, lineFilterString, logSelectorString, selectorString, stageString } from './printer.js';

const indent = (level: number): string => '  '.repeat(level);

/**
 * Loki's syntax.Prettify. `lineWidth` is Loki's maxCharsPerLine (100): longer expressions are split.
 */
export function prettyString(expr: Expr, lineWidth = 100): string {
  const tooLong = (s: string): boolean => Buffer.byteLength(s, 'utf8') > lineWidth;

  function prettyLineFilters(filters: readonly LineFilter[], level: number): string {
    const whole = filters.map((f) => lineFilterString(f)).join(' ');
    if (!tooLong(whole)) return indent(level) + whole;
    const last = filters[filters.length - 1];
    const head = filters.length > 1 ? prettyLineFilters(filters.slice(0, -1), level) + '\n' : '';
    return head + indent(level) + lineFilterString(last, false);
  }

  function prettyStage(s: Stage, level: number): string {
    if (s.kind === 'lineFilters') return prettyLineFilters(s.filters, level);
    if (s.kind === 'decolorize') return stageString(s);
    return indent(level) + stageString(s);
  }

  function prettyLogSelector(e: LogSelectorExpr, level: number): string {
    const whole = logSelectorString(e);
    if (e.stages.length === 0 || !tooLong(whole)) return indent(level) + whole;
    const left = indent(level) + selectorString(e.matchers);
    return left + '\n' + e.stages.map((s) => prettyStage(s, level + 1)).join('\n');
  }

  function prettyUnwrap(u: Unwrap, level: number): string {
    let s = indent(level) + (u.conversion ? `| unwrap ${u.conversion}(${u.label})` : `| unwrap ${u.label}`);
    for (const f of u.postFilters) s += `\n${indent(level)}| ${labelFilterString(f)}`;
    return s;
  }

  function prettyLogRange(r: LogRange, level: number): string {
    let s = prettyLogSelector(r.selector, level);
    if (r.unwrap) s += '\n' + prettyUnwrap(r.unwrap, level + 1);
    s += ` [${formatPromDuration(r.range)}]`;
    if (r.offset !== 0n) s += ` offset ${formatPromDuration(r.offset)}`;
    return s;
  }

  function prettyGrouping(g: Grouping): string {
    let s = g.without ? ' without' : g.labels.length > 0 ? ' by' : '';
    if (g.labels.length > 0) s += ` (${g.labels.join(', ')})`;
    return s;
  }

  function prettyBinaryOperator(e: BinaryOpExpr): string {
    let op: string = e.op;
    if (e.returnBool) op += ' bool';
    const m = e.matching;
    if (m) {
      let group = m.card === 'many-to-one' ? 'group_left' : m.card === 'one-to-many' ? 'group_right' : '';
      if (m.include.length > 0) group = `${group} (${m.include.join(', ')})`;
      if (m.labels.length > 0) op = `${op} ${m.on ? 'on' : 'ignoring'} (${m.labels.join(', ')}) ${group}`;
    }
    return op;
  }

  function prettySample(e: SampleExpr, level: number): string {
    const whole = exprString(e);
    if (!tooLong(whole) || e.kind === 'literal' || e.kind === 'vector') return indent(level) + whole;
    switch (e.kind) {
      case 'rangeAggregation': {
        let s = indent(level) + e.op + '(\n';
        if (e.param !== undefined) s += `${indent(level + 1)}${formatGoFloatV(e.param)},\n`;
        s += prettyLogRange(e.range, level + 1) + '\n' + indent(level) + ')';
        if (e.grouping) s += prettyGrouping(e.grouping);
        return s;
      }
      case 'vectorAggregation': {
        const left = prettyExprAt(e.expr, level + 1);
        const params = e.param !== undefined ? [indent(level + 1) + String(e.param), left] : [left];
        const grouping = prettyGrouping(e.grouping ?? { without: false, labels: [] });
        return `${indent(level)}${e.op}${grouping}(\n${params.join(',\n')}\n${indent(level)})`;
      }
      case 'binaryOp':
        return `${prettyExprAt(e.lhs, level + 1)}\n${indent(level)}${prettyBinaryOperator(e)}\n${prettyExprAt(e.rhs, level + 1)}`;
      case 'labelReplace': {
        const params = [
          prettyExprAt(e.expr, level + 1),
          ...[e.dst, e.replacement, e.src, e.regex].map((v) => indent(level + 1) + goQuote(v)),
        ];
        return `${indent(level)}label_replace(\n${params.join(',\n')}\n${indent(level)})`;
      }
    }
  }

  function prettyExprAt(e: Expr, level: number): string {
    return e.kind === 'logSelector' ? prettyLogSelector(e, level) : prettySample(e, level);
  }

  return prettyExprAt(expr, 0);
}
