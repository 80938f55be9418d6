// Line filters (|= != |~ !~ |> !> and ip("...")) with `or` alternatives, compiled to plain
// predicates on the line. Never reads labels, so storage can run them before building labels.
import { parseGoRegex } from '../../model/regex.js';
import type { LineFilter, LineMatch } from '../ast.js';
import { PipelineBuildError } from './errors.js';
import { IpFilter } from './ip.js';
import type { LabelsBuilder } from './labels-builder.js';
import { PatternMatcher } from './pattern.js';
import { compileSimpleFilter, simplifyRegex } from './regex-simplify.js';
import type { Stage } from './stage.js';

export type LinePredicate = (line: string) => boolean;

const always: LinePredicate = () => true;

function buildError(e: unknown): never {
  if (e instanceof Error) throw new PipelineBuildError(e.message);
  throw e;
}

/** A positive predicate for one alternative under the filter's operator (negation applied by the caller). */
function positive(op: LineFilter['op'], m: LineMatch): LinePredicate {
  if (m.ip) {
    if (op !== '|=' && op !== '!=') throw new PipelineBuildError('ip: invalid operation');
    try {
      const ip = new IpFilter(m.value);
      return (line) => ip.matchesText(line);
    } catch (e) {
      return buildError(e);
    }
  }
  switch (op) {
    case '|=':
    case '!=': {
      const s = m.value;
      return s === '' ? always : (line) => line.includes(s);
    }
    case '|~':
    case '!~': {
      let re;
      try {
        re = parseGoRegex(m.value);
      } catch (e) {
        return buildError(e);
      }
      const simple = simplifyRegex(re.tree, false);
      if (simple) return compileSimpleFilter(simple);
      const rx = re.regex;
      return (line) => rx.test(line);
    }
    case '|>':
    case '!>': {
      try {
        const p = PatternMatcher.forLineFilter(m.value);
        return (line) => p.test(line);
      } catch (e) {
        return buildError(e);
      }
    }
  }
}

/** Compiles one filter with its `or` alternatives; throws PipelineBuildError for bad regexes/patterns/ips. */
export function compileLineFilter(f: LineFilter): LinePredicate {
  const alts = [positive(f.op, f.match), ...f.or.map((m) => positive(f.op, m))];
  const negative = f.op === '!=' || f.op === '!~' || f.op === '!>';
  if (alts.length === 1) {
    const p = alts[0];
    return negative ? (line) => !p(line) : p;
  }
  const any: LinePredicate = (line) => {
    for (const p of alts) if (p(line)) return true;
    return false;
  };
  return negative ? (line) => !any(line) : any;
}

/** All filters of a stage must pass. */
export function compileLineFilters(filters: readonly LineFilter[]): LinePredicate {
  const ps = filters.map(compileLineFilter);
  if (ps.length === 1) return ps[0];
  return (line) => {
    for (const p of ps) if (!p(line)) return false;
    return true;
  };
}

export class LineFilterStage implements Stage {
  private readonly test: LinePredicate;

  constructor(filters: readonly LineFilter[]) {
    this.test = compileLineFilters(filters);
  }

  process(_ts: bigint, line: string, _lbs: LabelsBuilder): string | undefined {
    return this.test(line) ? line : undefined;
  }
}
