// The `| regexp`, `| pattern` and `| unpack` stages: labels from named regex groups, from pattern
// captures, and from a packed JSON entry whose `_entry` replaces the line. Pure; no I/O.
import { isValidLabelName } from '../../model/labels.js';
import { parseGoRegex } from '../../model/regex.js';
import { ERR_JSON, PipelineBuildError } from './errors.js';
import { JsonType, objectEach, unescapeJson } from './json-scan.js';
import { extractedName, sanitizeLabelKey } from './label-names.js';
import { Category, type LabelsBuilder } from './labels-builder.js';
import { PatternMatcher } from './pattern.js';
import type { Stage } from './stage.js';

export class RegexpParserStage implements Stage {
  private readonly re: RegExp;
  /** [group index, label name] of the named groups. */
  private readonly groups: [number, string][] = [];

  constructor(pattern: string) {
    let compiled;
    try {
      compiled = parseGoRegex(pattern);
    } catch (e) {
      throw new PipelineBuildError((e as Error).message);
    }
    const seen = new Set<string>();
    compiled.groupNames.forEach((name, i) => {
      if (name === undefined) return;
      if (!isValidLabelName(name)) throw new PipelineBuildError(`invalid extracted label name '${name}'`);
      if (seen.has(name)) throw new PipelineBuildError(`duplicate extracted label name '${name}'`);
      seen.add(name);
      this.groups.push([i, name]);
    });
    if (this.groups.length === 0) throw new PipelineBuildError('at least one named capture must be supplied');
    this.re = compiled.regex;
  }

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    const m = this.re.exec(line);
    if (!m) return line;
    for (const [i, name] of this.groups) lbs.set(Category.Parsed, extractedName(lbs, name), m[i] ?? '');
    return line;
  }
}

export class PatternParserStage implements Stage {
  private readonly matcher: PatternMatcher;

  constructor(pattern: string) {
    try {
      this.matcher = PatternMatcher.forParser(pattern);
    } catch (e) {
      throw new PipelineBuildError((e as Error).message);
    }
  }

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    const values = this.matcher.matches(line);
    if (!values) return line;
    const names = this.matcher.names;
    for (let i = 0; i < values.length; i++) lbs.set(Category.Parsed, extractedName(lbs, names[i]), values[i]);
    return line;
  }
}

const PACKED_ENTRY_KEY = '_entry';

export class UnpackStage implements Stage {
  private readonly pending: string[] = [];

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    if (line.length === 0) return line;
    if (line[0] !== '{') {
      lbs.setErr(ERR_JSON, 'expecting json object(6), but it is not');
      return line;
    }
    const pending = this.pending;
    if (pending.length !== 0) pending.length = 0;
    let entry: string | undefined;
    const err = objectEach(line, 0, line.length, (key, v) => {
      if (v.type !== JsonType.String) return undefined;
      const raw = line.slice(v.start, v.end);
      if (key === PACKED_ENTRY_KEY) {
        const e = unescapeJson(raw);
        if (e === undefined) return 'Encountered an invalid escape sequence in a string';
        entry = e;
        return undefined;
      }
      const name = extractedName(lbs, key);
      if (lbs.wasExtracted(name)) return undefined;
      const value = unescapeJson(raw) ?? '';
      pending.push(sanitizeLabelKey(name, true), value.includes('\ufffd') ? value.replace(/\ufffd/g, ' ') : value);
      return undefined;
    });
    if (err !== undefined) {
      lbs.setErr(ERR_JSON, err);
      return line;
    }
    if (entry === undefined) return line;
    for (let i = 0; i < pending.length; i += 2) lbs.set(Category.Parsed, pending[i], pending[i + 1]);
    return entry;
  }
}
