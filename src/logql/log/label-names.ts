// Turning arbitrary keys found in log lines into label names, as Loki's parsers do (invalid runes →
// `_`, leading digit → `_` prefix, Go's TrimSpace), and the collision rule for extracted names.
import { DUPLICATE_SUFFIX, type LabelsBuilder } from './labels-builder.js';

const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** Go strings.TrimSpace (Unicode White_Space, unlike JS trim() it keeps U+FEFF). */
export function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE, '');
}

function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x30 && c <= 0x39);
}

/** Each code point outside [A-Za-z0-9_] becomes `_`. */
function mapInvalid(s: string): string {
  let ok = true;
  for (let i = 0; i < s.length; i++) {
    if (!isNameChar(s.charCodeAt(i))) {
      ok = false;
      break;
    }
  }
  if (ok) return s;
  let out = '';
  for (const ch of s) out += ch.length === 1 && isNameChar(ch.charCodeAt(0)) ? ch : '_';
  return out;
}

/**
 * The index in `names` of the key s[start, end) when it equals one of them, else -1. With label
 * names, an equal key is its own sanitized name: parsers match keys in place, slicing nothing.
 */
export function nameIndexAt(s: string, start: number, end: number, names: readonly string[]): number {
  const len = end - start;
  for (let i = 0; i < names.length; i++) if (names[i].length === len && s.startsWith(names[i], start)) return i;
  return -1;
}

/** True when s[start, end) is a label name ([A-Za-z_][A-Za-z0-9_]*), which sanitizing keeps as it is. */
export function isLabelNameAt(s: string, start: number, end: number): boolean {
  if (start >= end) return false;
  const c = s.charCodeAt(start);
  if (c >= 0x30 && c <= 0x39) return false;
  for (let i = start; i < end; i++) if (!isNameChar(s.charCodeAt(i))) return false;
  return true;
}

/** Loki's sanitizeLabelKey: trim, `_` before a leading digit (when isPrefix), invalid runes → `_`. */
export function sanitizeLabelKey(key: string, isPrefix: boolean): string {
  if (key.length === 0) return key;
  const k = goTrimSpace(key);
  if (k.length === 0) return k;
  const c = k.charCodeAt(0);
  return mapInvalid(isPrefix && c >= 0x30 && c <= 0x39 ? '_' + k : k);
}

/**
 * The flattened name of `key` inside an object whose own flattened name is `parent` ("" at the top):
 * blank keys add nothing, others are sanitized and joined with `_` (Loki's json key prefixes).
 */
export function childName(parent: string, key: string): string {
  const k = goTrimSpace(key);
  if (k.length === 0) return parent;
  const c = k.charCodeAt(0);
  const part = mapInvalid(c >= 0x30 && c <= 0x39 ? '_' + k : k);
  return parent.length > 0 ? parent + '_' + part : part;
}

/** The name an extracted label gets: `<name>_extracted` when a stream label or structured metadata has it. */
export function extractedName(lbs: LabelsBuilder, name: string): string {
  return lbs.baseHas(name) || lbs.hasStructuredMetadata(name) ? name + DUPLICATE_SUFFIX : name;
}
