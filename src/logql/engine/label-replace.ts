// label_replace(v, dst, replacement, src, regex): a fully anchored Go regex on the src label value,
// replacement expanded like Go's Regexp.Expand ($1, ${1}, $name, $$). Pure label rewriting.
import type { LabelReplaceExpr } from '../ast.js';
import { compileGoRegex, RegexSyntaxError } from '../../model/regex.js';
import { getLabel } from '../../model/index.js';
import { invalidLabelReplaceRegexError } from './errors.js';
import { seriesOf, withLabel } from './vector.js';
import type { Series, StepVectors } from './vector.js';

export function replaceLabels(expr: LabelReplaceExpr, input: StepVectors): StepVectors {
  let re: RegExp;
  try {
    re = compileGoRegex(expr.regex, { anchored: true });
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw invalidLabelReplaceRegexError(e.message);
    throw e;
  }
  const replaced = new Map<string, Series>();
  const rewrite = (series: Series): Series => {
    let out = replaced.get(series.key);
    if (!out) {
      out = series;
      const src = getLabel(series.labels, expr.src) ?? '';
      const match = re.exec(src);
      if (match) {
        const value = expandTemplate(expr.replacement, match);
        const labels = withLabel(series.labels, expr.dst, value === '' ? undefined : value);
        out = seriesOf(labels);
      }
      replaced.set(series.key, out);
    }
    return out;
  };
  const steps = input.steps.map((vec) => vec.map((s) => ({ series: rewrite(s.series), value: s.value })));
  return { steps, failure: input.failure };
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Go's Regexp.Expand: `$$` is a literal `$`; `$name`/`${name}` take the longest run of letters,
 * digits and `_` as the group name or number (so `$1x` names group "1x"); an unknown or
 * non-participating group expands to ""; a malformed reference leaves the `$` as text.
 */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) break;
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    const ref = readReference(template, i);
    if (!ref) {
      out += '$';
      continue;
    }
    i = ref.end;
    out += groupValue(ref.name, match) ?? '';
  }
  return out + template.slice(i);
}

function readReference(s: string, start: number): { name: string; end: number } | undefined {
  let i = start;
  const brace = s[i] === '{';
  if (brace) i++;
  const nameStart = i;
  while (i < s.length) {
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === nameStart) return undefined;
  const name = s.slice(nameStart, i);
  if (brace) {
    if (s[i] !== '}') return undefined;
    i++;
  }
  return { name, end: i };
}

function groupValue(name: string, match: RegExpExecArray): string | undefined {
  if (/^(0|[1-9][0-9]{0,8})$/.test(name)) return match[Number(name)];
  return match.groups?.[name];
}
