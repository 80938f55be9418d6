// Parser hints (Loki's ParserHint): which labels a metric query's parsers must extract, computed once
// per sample extractor from the stages, the grouping and the unwrap. Pure; log queries never use it.
import { isValidLabelName } from '../../model/labels.js';
import { ERROR_LABEL } from './errors.js';
import { DUPLICATE_SUFFIX } from './labels-builder.js';
import type { LabelsBuilder } from './labels-builder.js';
import type { Stage } from './stage.js';

/** A label filter parsers run as soon as they set its one label (Loki's ShouldContinueParsingLine). */
export interface EarlyLabelFilter {
  name: string;
  test: (lbs: LabelsBuilder) => boolean;
}

const MAX_CACHED_PREFIXES = 256;

export class ParserHints {
  /** Prefix → whether some required label starts with it (nested JSON objects). */
  private readonly prefixes = new Map<string, boolean>();
  /** The required labels that are valid label names: a key equal to one needs no sanitizing. */
  readonly requiredNames: readonly string[] | undefined;
  /**
   * `table` at L * 128 + c: whether an ASCII key of L characters starting with character c can
   * sanitize to a required label (1 or 0; length 0 is left to the caller); no key longer than
   * `longest` can. Scanners that rule keys out themselves (json-scan-wasm.ts) read it too.
   */
  readonly asciiKeyTable: { readonly table: Uint8Array; readonly longest: number } | undefined;
  /** At c: whether an ASCII key starting with character c, of any length, can sanitize to a required label. */
  private readonly asciiFirsts: Uint8Array | undefined;

  constructor(
    /** Labels parsers may add; undefined: every label. Holds `x` for every required `x_extracted`. */
    readonly required: readonly string[] | undefined,
    /** A required __error__: parser errors also set __preserve_error__="true". */
    readonly preserveError: boolean,
    /** Single-label filters, in stage order; parsers drop the entry when one fails. */
    readonly earlyFilters: readonly EarlyLabelFilter[],
  ) {
    this.requiredNames = required?.filter(isValidLabelName);
    if (required !== undefined) {
      // Sanitizing keeps name characters, turns others into `_` and puts `_` before a leading digit.
      const longest = Math.max(0, ...required.map((r) => r.length));
      const starts = new Uint8Array((longest + 1) * 128);
      for (const r of required) {
        const l = r.length;
        if (l === 0) continue;
        const c = r.charCodeAt(0);
        if (c === 0x5f) {
          starts.fill(1, l * 128, (l + 1) * 128);
          if (l > 1) starts.fill(1, (l - 1) * 128 + 0x30, (l - 1) * 128 + 0x3a);
        } else if (c < 128) starts[l * 128 + c] = 1;
      }
      this.asciiKeyTable = { table: starts, longest };
      const firsts = new Uint8Array(128);
      for (let l = 1; l <= longest; l++) for (let c = 0; c < 128; c++) firsts[c] |= starts[l * 128 + c];
      this.asciiFirsts = firsts;
    }
  }

  /**
   * False when no ASCII key starting with character `c` can become a required label, whatever its
   * length (asciiKeyMayBeRequired without the length).
   */
  asciiFirstMayBeRequired(c: number): boolean {
    const t = this.asciiFirsts;
    return t === undefined || c >= 128 || t[c] === 1;
  }

  /**
   * False when the ASCII key s[start, end) cannot become a required label, by its length and first
   * character: sanitizing maps each character to one and at most prefixes `_`. The key must hold no
   * character Go's TrimSpace removes (none at its edges).
   */
  asciiKeyMayBeRequired(s: string, start: number, end: number): boolean {
    const k = this.asciiKeyTable;
    const length = end - start;
    if (k === undefined || length === 0) return true;
    if (length > k.longest) return false;
    const c = s.charCodeAt(start);
    return c >= 128 || k.table[length * 128 + c] === 1;
  }

  /** Index of `name` among the required labels, or -1. */
  requiredIndex(name: string): number {
    const r = this.required;
    if (r === undefined) return -1;
    for (let i = 0; i < r.length; i++) if (r[i] === name) return i;
    return -1;
  }

  /** Whether a parser should add a label of this (final, possibly `_extracted`) name. */
  shouldExtract(name: string): boolean {
    return this.required === undefined || this.requiredIndex(name) >= 0;
  }

  /** Whether some required label starts with `prefix` (a nested JSON object worth descending into). */
  shouldExtractPrefix(prefix: string): boolean {
    const r = this.required;
    if (r === undefined) return true;
    let yes = this.prefixes.get(prefix);
    if (yes === undefined) {
      yes = r.some((l) => l.startsWith(prefix));
      if (this.prefixes.size < MAX_CACHED_PREFIXES) this.prefixes.set(prefix, yes);
    }
    return yes;
  }

  /** False when an early filter on `name` rejects the entry. */
  continueParsing(name: string, lbs: LabelsBuilder): boolean {
    const fs = this.earlyFilters;
    for (let i = 0; i < fs.length; i++) if (fs[i].name === name) return fs[i].test(lbs);
    return true;
  }
}

/**
 * The grouping and unwrap of one sample extractor, as Loki's NewParserHint receives them: groups
 * after the unwrap rule (no `by` or `without` adds the unwrapped label and turns into `without`).
 */
export interface HintInputs {
  stages: readonly Stage[];
  groups: readonly string[];
  without: boolean;
  noLabels: boolean;
  /** The unwrapped label, or "" for line extractors (Loki adds it to the hints either way). */
  metricLabel: string;
  /** The unwrap post-filters reduced to one (Loki's ReduceAndLabelFilter), as a stage. */
  postFilter?: Stage;
}

/** Adds each name, and for `x_extracted` also `x` (hints apply before the suffix is chosen). */
function appendLabelHints(dst: string[], names: readonly string[]): void {
  for (const n of names) {
    dst.push(n);
    if (n.endsWith(DUPLICATE_SUFFIX)) dst.push(n.slice(0, -DUPLICATE_SUFFIX.length));
  }
}

/**
 * Loki's NewParserHint. Undefined when parsers must extract everything and no early filter
 * applies. A stage whose label reads cannot be listed (a template reading `.` whole) counts as
 * `without`: every label is extracted.
 */
export function buildParserHints(h: HintInputs): ParserHints | undefined {
  const stages = h.postFilter ? [...h.stages, h.postFilter] : h.stages;
  const reads: string[] = [];
  let readsAll = false;
  const earlyFilters: EarlyLabelFilter[] = [];
  for (const s of stages) {
    const r = s.requiredLabels?.();
    if (r === undefined) {
      if (s.requiredLabels) readsAll = true;
    } else reads.push(...r);
    const f = s.earlyFilter;
    if (f) earlyFilters.push(f);
  }
  const names: string[] = [];
  appendLabelHints(names, reads);
  appendLabelHints(names, h.groups);
  appendLabelHints(names, [h.metricLabel]);
  const required = [...new Set(names)];
  const preserveError = required.includes(ERROR_LABEL);
  if (h.noLabels && !readsAll) return new ParserHints(required, preserveError, earlyFilters);
  if (h.without || h.groups.length === 0 || readsAll) {
    return earlyFilters.length > 0 ? new ParserHints(undefined, false, earlyFilters) : undefined;
  }
  return new ParserHints(required, preserveError, []);
}
