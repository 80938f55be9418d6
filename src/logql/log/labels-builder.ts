// Per-entry label state of a pipeline (Loki's LabelsBuilder): stream labels, structured metadata and
// parsed labels with their precedence, deletions, error labels, and cached LabelsResults. No I/O.
import { labelsString, type Labels } from '../../model/labels.js';
import type { LabelsResult } from '../contracts.js';
import { ERROR_DETAILS_LABEL, ERROR_LABEL } from './errors.js';
import type { ParserHints } from './parser-hints.js';

const PRESERVE_ERROR_LABEL = '__preserve_error__';

export const enum Category {
  Stream = 0,
  StructuredMetadata = 1,
  Parsed = 2,
}

/** Suffix given to an extracted label whose name is already a stream label. */
export const DUPLICATE_SUFFIX = '_extracted';

interface MutableLabel {
  name: string;
  value: string;
}

/** by/without grouping applied to sample labels (Loki's GroupedLabels). Groups are sorted. */
export interface LabelGrouping {
  groups: readonly string[];
  without: boolean;
  /** `by ()` (or absent_over_time): every sample gets the empty label set. */
  noLabels: boolean;
}

type NameValue = { readonly name: string; readonly value: string };

function hashLabels(ls: readonly NameValue[]): number {
  let h = 0x811c9dc5;
  for (const l of ls) {
    for (let i = 0; i < l.name.length; i++) h = Math.imul(h ^ l.name.charCodeAt(i), 16777619);
    h = Math.imul(h ^ 0xffff, 16777619);
    for (let i = 0; i < l.value.length; i++) h = Math.imul(h ^ l.value.charCodeAt(i), 16777619);
    h = Math.imul(h ^ 0xfffe, 16777619);
  }
  return h;
}

function sameLabels(a: readonly NameValue[], b: readonly NameValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  return true;
}

/** A map keyed by sorted label sets (hashed, compared label by label; no key strings are built). */
export class LabelsMap<T> {
  private readonly buckets = new Map<number, { labels: readonly NameValue[]; value: T }[]>();

  get(ls: readonly NameValue[]): T | undefined {
    const bucket = this.buckets.get(hashLabels(ls));
    if (bucket) for (const e of bucket) if (sameLabels(e.labels, ls)) return e.value;
    return undefined;
  }

  /** `ls` must not change afterwards. */
  set(ls: readonly NameValue[], value: T): void {
    const h = hashLabels(ls);
    const bucket = this.buckets.get(h);
    if (bucket) bucket.push({ labels: ls, value });
    else this.buckets.set(h, [{ labels: ls, value }]);
  }
}

/** LabelsResults shared by all streams of one pipeline, so equal label sets yield the same object. */
export class LabelsResultCache extends LabelsMap<LabelsResult> {}

/** Insertion sort by name: label sets are small, and this avoids Array.prototype.sort's call overhead. */
function sortByName(ls: MutableLabel[]): MutableLabel[] {
  for (let i = 1; i < ls.length; i++) {
    const x = ls[i];
    let j = i - 1;
    while (j >= 0 && ls[j].name > x.name) {
      ls[j + 1] = ls[j];
      j--;
    }
    ls[j + 1] = x;
  }
  return ls;
}

function freeze(ls: readonly MutableLabel[]): Labels {
  return ls.map((l) => ({ name: l.name, value: l.value }));
}

function makeResult(stream: Labels, structuredMetadata: Labels, parsed: Labels, all: Labels): LabelsResult {
  return { stream, structuredMetadata, parsed, all, key: labelsString(all) };
}

function indexOfName(ls: readonly MutableLabel[], n: number, name: string): number {
  for (let i = 0; i < n; i++) if (ls[i].name === name) return i;
  return -1;
}

export class LabelsBuilder {
  private readonly baseValues: Map<string, string>;
  /** Labels added per category; only the first addLen[c] entries are live (the rest are reused). */
  private readonly add: MutableLabel[][] = [[], [], []];
  private readonly addLen = [0, 0, 0];
  private readonly del: string[] = [];
  /** Names newly set during this entry (parsers skip a name already extracted: first value wins). */
  private readonly extracted: string[] = [];
  private extractedLen = 0;
  private err = '';
  private errDetails = '';
  readonly baseResult: LabelsResult;
  private groupedBase: LabelsResult | undefined;
  /** The last categorised result: consecutive entries often end with the same labels. */
  private last: LabelsResult | undefined;
  /** Per required hint label: set as a parsed label during this entry (Loki's RecordExtracted). */
  private readonly requiredSeen: Uint8Array | undefined;
  /** Required hint labels not yet set during this entry. */
  private requiredLeft = 0;
  /**
   * The entry's line when its reader knows every character of it is printable ASCII (0x20–0x7f):
   * parsers may then search it natively (no control character can act as a separator).
   */
  printableLine: string | undefined = undefined;

  constructor(
    readonly base: Labels,
    private readonly cache: LabelsResultCache,
    /** The metric query's parser hints; undefined: parsers extract every label. */
    readonly hints?: ParserHints,
  ) {
    const required = hints?.required;
    if (required !== undefined) {
      this.requiredSeen = new Uint8Array(required.length);
      this.requiredLeft = required.length;
    }
    this.baseValues = new Map(base.map((l) => [l.name, l.value]));
    let r = cache.get(base);
    if (!r) {
      r = makeResult(base, [], [], base);
      cache.set(base, r);
    }
    this.baseResult = r;
  }

  reset(): void {
    this.addLen[0] = this.addLen[1] = this.addLen[2] = 0;
    // Setting length is a runtime call in V8: only when there is something to clear.
    if (this.del.length !== 0) this.del.length = 0;
    this.extractedLen = 0;
    this.err = '';
    this.errDetails = '';
    const seen = this.requiredSeen;
    if (seen !== undefined && this.requiredLeft !== seen.length) {
      seen.fill(0);
      this.requiredLeft = seen.length;
    }
  }

  /**
   * Loki's AllRequiredExtracted (and so its NoLabels): every required hint label is set. Parser
   * stages then skip the line, and a parser stops scanning once it holds.
   */
  allRequiredExtracted(): boolean {
    return this.requiredLeft === 0 && this.requiredSeen !== undefined;
  }

  /**
   * True when no later key of the line can add a required label: each one still missing is a
   * stream label or structured metadata name (a parser would add it as `<name>_extracted`) or "".
   * Only a parser that reports no errors may stop on this (it cannot observe the rest of the line).
   */
  restUnneeded(): boolean {
    const seen = this.requiredSeen;
    if (seen === undefined) return false;
    const required = this.hints!.required!;
    for (let i = 0; i < seen.length; i++) {
      if (seen[i] !== 0) continue;
      const r = required[i];
      if (r !== '' && !this.baseValues.has(r) && !this.contains(Category.StructuredMetadata, r)) return false;
    }
    return true;
  }

  /** A parser's error (Loki's addErrLabel): __preserve_error__ too when the query reads __error__. */
  setParserErr(err: string, details?: string): void {
    this.setErr(err, details);
    if (this.hints?.preserveError) this.set(Category.Parsed, PRESERVE_ERROR_LABEL, 'true');
  }

  private recordExtracted(name: string): void {
    const i = this.hints!.requiredIndex(name);
    if (i >= 0 && this.requiredSeen![i] === 0) {
      this.requiredSeen![i] = 1;
      this.requiredLeft--;
    }
  }

  /** True when a label of that name was set earlier for this entry (by any stage). */
  wasExtracted(name: string): boolean {
    for (let i = 0; i < this.extractedLen; i++) if (this.extracted[i] === name) return true;
    return false;
  }

  hasStructuredMetadata(name: string): boolean {
    return this.contains(Category.StructuredMetadata, name);
  }

  /** True when the stream labels contain `name` (used for the _extracted suffix). */
  baseHas(name: string): boolean {
    return this.baseValues.has(name);
  }

  hasErr(): boolean {
    return this.err !== '';
  }

  getErr(): string {
    return this.err;
  }

  setErr(err: string, details?: string): void {
    this.err = err;
    if (details !== undefined) this.errDetails = details;
  }

  getErrDetails(): string {
    return this.errDetails;
  }

  resetErr(): void {
    this.err = '';
  }

  resetErrDetails(): void {
    this.errDetails = '';
  }

  /** The current value of a label (parsed over structured metadata over stream), or undefined. */
  get(name: string): string | undefined {
    for (let c = 0; c < 3; c++) {
      const ls = this.add[c];
      for (let i = 0; i < this.addLen[c]; i++) if (ls[i].name === name) return ls[i].value;
    }
    if (this.del.includes(name)) return undefined;
    return this.baseValues.get(name);
  }

  /** Like get, plus the label's category. */
  getWithCategory(name: string): [string, Category] | undefined {
    for (let c = 0; c < 3; c++) {
      const ls = this.add[c];
      for (let i = 0; i < this.addLen[c]; i++) if (ls[i].name === name) return [ls[i].value, c as Category];
    }
    if (this.del.includes(name)) return undefined;
    const v = this.baseValues.get(name);
    return v === undefined ? undefined : [v, Category.Stream];
  }

  private contains(c: Category, name: string): boolean {
    return indexOfName(this.add[c], this.addLen[c], name) >= 0;
  }

  private removeFrom(c: Category, name: string): void {
    const ls = this.add[c];
    const i = indexOfName(ls, this.addLen[c], name);
    if (i < 0) return;
    const [freed] = ls.splice(i, 1);
    ls.push(freed);
    this.addLen[c]--;
  }

  /** Sets a label; parsed labels take precedence over structured metadata over stream labels. */
  set(c: Category, name: string, value: string): void {
    if (c === Category.Parsed) {
      this.removeFrom(Category.StructuredMetadata, name);
      this.removeFrom(Category.Stream, name);
    } else if (c === Category.StructuredMetadata) {
      this.removeFrom(Category.Stream, name);
      if (this.contains(Category.Parsed, name)) return;
    } else if (this.contains(Category.StructuredMetadata, name) || this.contains(Category.Parsed, name)) return;
    const ls = this.add[c];
    const n = this.addLen[c];
    const i = indexOfName(ls, n, name);
    if (i >= 0) {
      ls[i].value = value;
      return;
    }
    if (n < ls.length) {
      ls[n].name = name;
      ls[n].value = value;
    } else ls.push({ name, value });
    this.addLen[c] = n + 1;
    this.extracted[this.extractedLen++] = name;
    if (c === Category.Parsed && this.requiredSeen !== undefined) this.recordExtracted(name);
  }

  /** Adds labels (structured metadata); names clashing with stream labels get the _extracted suffix. */
  addLabels(c: Category, labels: Labels): void {
    for (const l of labels) {
      const name = this.baseValues.has(l.name) ? l.name + DUPLICATE_SUFFIX : l.name;
      if (name === ERROR_LABEL) this.err = l.value;
      else if (name === ERROR_DETAILS_LABEL) this.errDetails = l.value;
      else this.set(c, name, l.value);
    }
  }

  /** Removes a label from every category and hides the stream label of that name. */
  deleteLabel(name: string): void {
    for (let c = 0; c < 3; c++) this.removeFrom(c as Category, name);
    this.del.push(name);
  }

  private hasAdd(): boolean {
    return this.addLen[0] + this.addLen[1] + this.addLen[2] > 0;
  }

  /** All current labels, unsorted, including the error labels (Loki's UnsortedLabels). */
  private unsortedLabels(): MutableLabel[] {
    const out: MutableLabel[] = [];
    const stream = this.add[Category.Stream];
    for (const l of this.base) {
      if (this.del.includes(l.name)) continue;
      if (this.contains(Category.StructuredMetadata, l.name) || this.contains(Category.Parsed, l.name)) continue;
      const i = indexOfName(stream, this.addLen[Category.Stream], l.name);
      out.push(i >= 0 ? stream[i] : (l as MutableLabel));
    }
    const sm = this.add[Category.StructuredMetadata];
    for (let i = 0; i < this.addLen[Category.StructuredMetadata]; i++) {
      if (!this.contains(Category.Parsed, sm[i].name)) out.push(sm[i]);
    }
    const parsed = this.add[Category.Parsed];
    for (let i = 0; i < this.addLen[Category.Parsed]; i++) out.push(parsed[i]);
    if (this.err !== '') out.push({ name: ERROR_LABEL, value: this.err });
    if (this.errDetails !== '') out.push({ name: ERROR_DETAILS_LABEL, value: this.errDetails });
    return out;
  }

  /** The labels as a name→value view (templates read it). */
  labelList(): readonly MutableLabel[] {
    return sortByName(this.unsortedLabels());
  }

  /** The current labels as a cached, categorised LabelsResult. */
  labelsResult(): LabelsResult {
    if (this.del.length === 0 && !this.hasAdd() && this.err === '') return this.baseResult;
    const buf = sortByName(this.unsortedLabels());
    if (this.last && sameLabels(this.last.all, buf)) return this.last;
    const hit = this.cache.get(buf);
    if (hit) return (this.last = hit);
    const stream: MutableLabel[] = [];
    const sm: MutableLabel[] = [];
    const parsed: MutableLabel[] = [];
    for (const l of buf) {
      if (l.name === ERROR_LABEL || l.name === ERROR_DETAILS_LABEL || this.contains(Category.Parsed, l.name)) parsed.push(l);
      else if (this.contains(Category.StructuredMetadata, l.name)) sm.push(l);
      else stream.push(l);
    }
    const all = freeze(buf);
    const r = makeResult(freeze(stream), freeze(sm), freeze(parsed), all);
    this.cache.set(all, r);
    return (this.last = r);
  }

  private uncategorized(buf: readonly MutableLabel[]): LabelsResult {
    const hit = this.cache.get(buf);
    if (hit) return hit;
    const all = freeze(buf);
    const r = makeResult(all, [], [], all);
    this.cache.set(all, r);
    return r;
  }

  /** The stream labels reduced by the grouping (the builder is used with one grouping). */
  private groupedBaseOf(g: LabelGrouping): LabelsResult {
    if (!this.groupedBase) {
      const kept = this.base.filter((l) => g.groups.includes(l.name) !== g.without);
      this.groupedBase = this.uncategorized(kept);
    }
    return this.groupedBase;
  }

  /** True when no label of these names was set or deleted for this entry. */
  private groupsUntouched(names: readonly string[]): boolean {
    for (const name of names) {
      if (this.del.includes(name)) return false;
      for (let c = 0; c < 3; c++) if (indexOfName(this.add[c], this.addLen[c], name) >= 0) return false;
    }
    return true;
  }

  /** The labels reduced by a by/without grouping (Loki's GroupedLabels). */
  groupedLabels(g: LabelGrouping): LabelsResult {
    // An error must stay visible: return every label.
    if (this.err !== '') return this.labelsResult();
    if (g.noLabels) return this.uncategorized([]);
    const unchanged = this.del.length === 0 && !this.hasAdd();
    if (unchanged) return g.groups.length === 0 ? this.baseResult : this.groupedBaseOf(g);
    if (g.groups.length === 0) return this.labelsResult();
    // `by` labels that no stage set or deleted are the stream's own: the stream's grouped result.
    if (!g.without && this.groupsUntouched(g.groups)) return this.groupedBaseOf(g);
    const buf: MutableLabel[] = [];
    if (g.without) {
      for (const l of this.base) {
        if (this.del.includes(l.name) || g.groups.includes(l.name)) continue;
        if (this.contains(0, l.name) || this.contains(1, l.name) || this.contains(2, l.name)) continue;
        buf.push(l as MutableLabel);
      }
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < this.addLen[c]; i++) if (!g.groups.includes(this.add[c][i].name)) buf.push(this.add[c][i]);
      }
      sortByName(buf);
    } else {
      for (const name of g.groups) {
        if (this.del.includes(name)) continue;
        let found: MutableLabel | undefined;
        for (let c = 0; c < 3 && !found; c++) {
          const i = indexOfName(this.add[c], this.addLen[c], name);
          if (i >= 0) found = this.add[c][i];
        }
        if (found) buf.push(found);
        else {
          const v = this.baseValues.get(name);
          if (v !== undefined) buf.push({ name, value: v });
        }
      }
    }
    return this.uncategorized(buf);
  }
}

