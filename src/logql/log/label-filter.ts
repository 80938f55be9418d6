// Label filter stages: string matchers, ip(), number/duration/bytes comparisons and and/or trees.
// A failed conversion keeps the entry and marks it with __error__="LabelFilterErr". No I/O.
import { parseGoRegex } from '../../model/regex.js';
import type { CmpOp, LabelFilter, Matcher } from '../ast.js';
import { parseGoDurationNanos, parseGoFloat, parseHumanBytes, parseSimpleDurationNanos, type Converted } from './conversions.js';
import { ERR_LABEL_FILTER, ERROR_LABEL, PipelineBuildError } from './errors.js';
import { IpFilter } from './ip.js';
import type { LabelsBuilder } from './labels-builder.js';
import type { EarlyLabelFilter } from './parser-hints.js';
import { compileSimpleFilter, simplifyRegex } from './regex-simplify.js';
import type { Stage } from './stage.js';

export type LabelTest = (lbs: LabelsBuilder) => boolean;

/** A label's value for string filters: __error__ reads the error, a missing label is "". */
function labelValue(lbs: LabelsBuilder, name: string): string {
  if (name === ERROR_LABEL) return lbs.getErr();
  return lbs.get(name) ?? '';
}

/** Loki's label-filter string matching (its regex simplifier decides what `=~` means). */
export function compileStringMatch(m: Matcher): (v: string) => boolean {
  switch (m.op) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~':
    case '!~': {
      let re;
      try {
        re = parseGoRegex(m.value);
      } catch (e) {
        throw new PipelineBuildError((e as Error).message);
      }
      const simple = simplifyRegex(re.tree, true);
      let test: (v: string) => boolean;
      if (simple) test = compileSimpleFilter(simple);
      else {
        const anchored = parseGoRegex(m.value, { anchored: true }).regex;
        test = (v) => anchored.test(v);
      }
      return m.op === '=~' ? test : (v) => !test(v);
    }
  }
}

function compare<T extends number | bigint>(op: CmpOp, a: T, b: T): boolean {
  switch (op) {
    case '=':
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

/** A typed comparison: a missing label drops the entry, a failed conversion marks it and keeps it. */
function typedFilter<T extends number | bigint>(
  name: string,
  convert: (v: string) => { ok: true; value: T } | { ok: false; error: string },
  op: CmpOp,
  want: T,
): LabelTest {
  return (lbs) => {
    const v = lbs.get(name);
    if (v === undefined) return false;
    const c = convert(v);
    if (!c.ok) {
      if (!lbs.hasErr()) lbs.setErr(ERR_LABEL_FILTER, c.error);
      return true;
    }
    return compare(op, c.value, want);
  };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * typedFilter over durations: the common one-number form is compared as an exact double, with no
 * BigInt or result object per entry; any other form goes through Go's full parse.
 */
function durationFilter(name: string, op: CmpOp, want: bigint): LabelTest {
  const full = typedFilter<bigint>(name, parseGoDurationNanos, op, want);
  if (want > MAX_SAFE || want < -MAX_SAFE) return full;
  const wantNumber = Number(want);
  return (lbs) => {
    const v = lbs.get(name);
    if (v === undefined) return false;
    const simple = parseSimpleDurationNanos(v);
    return simple === undefined ? full(lbs) : compare(op, simple, wantNumber);
  };
}

export function compileLabelFilter(f: LabelFilter): LabelTest {
  switch (f.kind) {
    case 'matcher': {
      const test = compileStringMatch(f.matcher);
      const name = f.matcher.name;
      return (lbs) => test(labelValue(lbs, name));
    }
    case 'ip': {
      let ip: IpFilter;
      try {
        ip = new IpFilter(f.pattern);
      } catch (e) {
        throw new PipelineBuildError((e as Error).message);
      }
      const want = f.op === '=';
      return (lbs) => {
        if (lbs.hasErr()) return true;
        const v = lbs.get(f.name);
        if (v === undefined) return false;
        return ip.matchesText(v) === want;
      };
    }
    case 'number':
      return typedFilter<number>(f.name, parseGoFloat as (v: string) => Converted, f.op, f.value);
    case 'duration':
      return durationFilter(f.name, f.op, f.value);
    case 'bytes':
      return typedFilter<number>(f.name, parseHumanBytes, f.op, f.value);
    case 'and': {
      const l = compileLabelFilter(f.left);
      const r = compileLabelFilter(f.right);
      // Both sides always run (a conversion error on the right is recorded even if the left failed).
      return (lbs) => {
        const a = l(lbs);
        const b = r(lbs);
        return a && b;
      };
    }
    case 'or': {
      const l = compileLabelFilter(f.left);
      const r = compileLabelFilter(f.right);
      return (lbs) => l(lbs) || r(lbs);
    }
  }
}

/** Every label a filter reads, with repeats (Loki's RequiredLabelNames). */
export function labelFilterNames(f: LabelFilter): string[] {
  switch (f.kind) {
    case 'matcher':
      return [f.matcher.name];
    case 'and':
    case 'or':
      return [...labelFilterNames(f.left), ...labelFilterNames(f.right)];
    default:
      return [f.name];
  }
}

export class LabelFilterStage implements Stage {
  private readonly test: LabelTest;
  private readonly names: readonly string[];
  readonly earlyFilter: EarlyLabelFilter | undefined;

  constructor(filter: LabelFilter) {
    this.test = compileLabelFilter(filter);
    this.names = labelFilterNames(filter);
    // Loki leaves and/or filters out of early filtering, even on one label.
    this.earlyFilter = filter.kind === 'and' || filter.kind === 'or' ? undefined : { name: this.names[0], test: this.test };
  }

  requiredLabels(): readonly string[] {
    return this.names;
  }

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    return this.test(lbs) ? line : undefined;
  }
}
