// The values a metric expression produces while it is evaluated: series identities, instant vectors
// per step, and the label operations PromQL semantics need. Pure data and helpers; no I/O.
import { labelsString } from '../../model/index.js';
import type { Labels, Label } from '../../model/index.js';
import type { Grouping } from '../ast.js';

/** A series identity: sorted labels and their labelsString (used as the map key everywhere). */
export interface Series {
  readonly labels: Labels;
  readonly key: string;
}

export interface Sample {
  readonly series: Series;
  readonly value: number;
}

/** The samples of one evaluation step. */
export type Vector = Sample[];

/**
 * The result of a sample expression over the step grid. `steps[k]` is the vector at step k. When
 * evaluation failed at some step (a pipeline error, a many-to-many match), `steps` holds only the
 * steps before it and `failure` says where and why, so callers can report errors in step order as
 * Loki's lazy step evaluators do.
 */
export interface StepVectors {
  steps: Vector[];
  failure?: { step: number; error: Error };
}

export const EMPTY_SERIES: Series = { labels: [], key: '{}' };

export function seriesOf(labels: Labels): Series {
  return { labels, key: labelsString(labels) };
}

/** Go's string ordering (byte order of UTF-8, i.e. code point order), not UTF-16 unit order. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    const surrogateA = ca >= 0xd800 && ca <= 0xdfff;
    const surrogateB = cb >= 0xd800 && cb <= 0xdfff;
    if (surrogateA !== surrogateB) return surrogateA ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

/** Prometheus labels.Compare: label by label (name, then value), then by length. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i].name !== b[i].name) return compareGoStrings(a[i].name, b[i].name);
    if (a[i].value !== b[i].value) return compareGoStrings(a[i].value, b[i].value);
  }
  return a.length - b.length;
}

/** Labels kept by `by (names)` (only those present), or left by `without (names)`. */
export function groupLabels(ls: Labels, grouping: Grouping | undefined): Labels {
  if (!grouping) return [];
  const names = grouping.labels;
  if (grouping.without) return ls.filter((l) => l.name !== '__name__' && !names.includes(l.name));
  return ls.filter((l) => names.includes(l.name));
}

/** Keeps only `names` (on) or drops them (ignoring), as a matching signature for binary operators. */
export function matchingLabels(ls: Labels, on: boolean, names: readonly string[]): Labels {
  return on ? ls.filter((l) => names.includes(l.name)) : ls.filter((l) => !names.includes(l.name));
}

/** Returns `ls` with `name` set to `value` (or removed when value is undefined), kept sorted. */
export function withLabel(ls: Labels, name: string, value: string | undefined): Labels {
  const out: Label[] = [];
  let placed = value === undefined;
  for (const l of ls) {
    if (l.name === name) continue;
    if (!placed && l.name > name) {
      out.push({ name, value: value! });
      placed = true;
    }
    out.push(l);
  }
  if (!placed) out.push({ name, value: value! });
  return out;
}
