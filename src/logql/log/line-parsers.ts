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
    const hints = lbs.hints;
    for (const [i, name] of this.groups) {
      const key = extractedName(lbs, name);
      if (hints === undefined) {
        lbs.set(Category.Parsed, key, m[i] ?? '');
        continue;
      }
      // Loki's regexp parser has no skip-when-done check, only the per-name hint.
      if (!hints.shouldExtract(key)) continue;
      lbs.set(Category.Parsed, key, m[i] ?? '');
      if (!hints.continueParsing(key, lbs)) return undefined;
    }
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
    const hints = lbs.hints;
    if (hints !== undefined && lbs.allRequiredExtracted()) return line;
    const values = this.matcher.matches(line);
    if (!values) return line;
    const names = this.matcher.names;
    for (let i = 0; i < values.length; i++) {
      const key = extractedName(lbs, names[i]);
      if (hints === undefined) {
        lbs.set(Category.Parsed, key, values[i]);
        continue;
      }
      if (!hints.shouldExtract(key)) continue;
      lbs.set(Category.Parsed, key, values[i]);
      if (!hints.continueParsing(key, lbs)) return undefined;
    }
    return line;
  }
}

const PACKED_ENTRY_KEY = '_entry';

export class UnpackStage implements Stage {
  private readonly pending: string[] = [];

  process(_ts: bigint, line: string, lbs: LabelsBuilder): string | undefined {
    const hints = lbs.hints;
    // Skipped when every required label is set: the line then stays packed, as in Loki.
    if (line.length === 0 || (hints !== undefined && lbs.allRequiredExtracted())) return line;
    if (line[0] !== '{') {
      lbs.setParserErr(ERR_JSON, 'expecting json object(6), but it is not');
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
      if (hints !== undefined && !hints.shouldExtract(name)) return undefined;
      if (lbs.wasExtracted(name)) return undefined;
      const value = unescapeJson(raw) ?? '';
      pending.push(sanitizeLabelKey(name, true), value.includes('\ufffd') ? value.replace(/\ufffd/g, ' ') : value);
      return undefined;
    });
    if (err !== undefined) {
      lbs.setParserErr(ERR_JSON, err);
      return line;
    }
    if (entry === undefined) return line;
    for (let i = 0; i < pending.length; i += 2) {
      lbs.set(Category.Parsed, pending[i], pending[i + 1]);
      if (hints !== undefined && !hints.continueParsing(pending[i], lbs)) return undefined;
    }
    return entry;
  }
}
