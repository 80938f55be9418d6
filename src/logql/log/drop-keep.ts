// The `| drop` and `| keep` stages: remove labels by name or name+matcher. keep never removes the
// error labels; drop can reset them. Label matchers use Prometheus semantics (anchored, . matches \n).
import { parseGoRegex } from '../../model/regex.js';
import type { Matcher, NamedLabel } from '../ast.js';
import { ERROR_DETAILS_LABEL, ERROR_LABEL, PipelineBuildError } from './errors.js';
import type { LabelsBuilder } from './labels-builder.js';
import type { Stage } from './stage.js';

const PRESERVE_ERROR_LABEL = '__preserve_error__';

/** A Prometheus label matcher on a value. */
function compileMatcher(m: Matcher): (v: string) => boolean {
  switch (m.op) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~':
    case '!~': {
      let re: RegExp;
      try {
        re = parseGoRegex(m.value, { anchored: true, dotAll: true }).regex;
      } catch (e) {
        throw new PipelineBuildError((e as Error).message);
      }
      return m.op === '=~' ? (v) => re.test(v) : (v) => !re.test(v);
    }
  }
}

interface CompiledNamed {
  name: string;
  test?: (v: string) => boolean;
}

function compileNamed(labels: readonly NamedLabel[]): CompiledNamed[] {
  return labels.map((l) => (l.matcher ? { name: l.matcher.name, test: compileMatcher(l.matcher) } : { name: l.name }));
}

export class DropStage implements Stage {
  private readonly labels: CompiledNamed[];

  constructor(labels: readonly NamedLabel[]) {
    this.labels = compileNamed(labels);
  }

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    for (const { name, test } of this.labels) {
      if (name === ERROR_LABEL) {
        if (!test || test(lbs.getErr())) lbs.resetErr();
      } else if (name === ERROR_DETAILS_LABEL) {
        if (!test || test(lbs.getErrDetails())) lbs.resetErrDetails();
      } else if (test) {
        if (test(lbs.get(name) ?? '')) lbs.deleteLabel(name);
      } else if (lbs.get(name) !== undefined) lbs.deleteLabel(name);
    }
    return line;
  }
}

export class KeepStage implements Stage {
  private readonly labels: CompiledNamed[];

  constructor(labels: readonly NamedLabel[]) {
    this.labels = compileNamed(labels);
  }

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    if (this.labels.length === 0) return line;
    for (const l of lbs.labelList()) {
      if (l.name === ERROR_LABEL || l.name === ERROR_DETAILS_LABEL || l.name === PRESERVE_ERROR_LABEL) continue;
      const keep = this.labels.some((k) => k.name === l.name && (!k.test || k.test(l.value)));
      if (!keep) lbs.deleteLabel(l.name);
    }
    return line;
  }
}
