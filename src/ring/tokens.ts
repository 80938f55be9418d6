// Ring tokens: the stream hash key (FNV-1 32 over tenant + labels, as Loki's TokenFor), random token
// choice without collisions, and each instance's share of the token space. Pure: no I/O.
import type { RingDesc } from './model.js';

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** Token space size: 2^32. */
export const TOKEN_SPACE = 0x1_0000_0000;
/** Go's math.MaxUint32, the denominator dskit's ring page uses for ownership. */
export const MAX_UINT32 = 0xffff_ffff;

/** Folds the UTF-8 bytes of s into an FNV-1 (multiply, then xor) 32-bit hash without allocating. */
function fnv1Update(hash: number, s: string): number {
  let h = hash;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h, FNV32_PRIME) ^ c;
      continue;
    }
    if (c < 0x800) {
      h = Math.imul(h, FNV32_PRIME) ^ (0xc0 | (c >> 6));
      h = Math.imul(h, FNV32_PRIME) ^ (0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        i++;
        const cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        h = Math.imul(h, FNV32_PRIME) ^ (0xf0 | (cp >> 18));
        h = Math.imul(h, FNV32_PRIME) ^ (0x80 | ((cp >> 12) & 0x3f));
        h = Math.imul(h, FNV32_PRIME) ^ (0x80 | ((cp >> 6) & 0x3f));
        h = Math.imul(h, FNV32_PRIME) ^ (0x80 | (cp & 0x3f));
        continue;
      }
    }
    // A lone surrogate encodes as U+FFFD, as Buffer.from and Go's []byte(string) conversion of invalid text do.
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    h = Math.imul(h, FNV32_PRIME) ^ (0xe0 | (c >> 12));
    h = Math.imul(h, FNV32_PRIME) ^ (0x80 | ((c >> 6) & 0x3f));
    h = Math.imul(h, FNV32_PRIME) ^ (0x80 | (c & 0x3f));
  }
  return h;
}

/** The ring key of a stream: 32-bit FNV-1 (not 1a) over the tenant bytes, then the canonical labels string. */
export function tokenFor(tenant: string, labelsString: string): number {
  return fnv1Update(fnv1Update(FNV32_OFFSET, tenant), labelsString) >>> 0;
}

/** A uniformly random uint32. */
export function randomUint32(): number {
  return (Math.random() * TOKEN_SPACE) >>> 0;
}

/** Picks count distinct random tokens none of which is in taken; returns them sorted ascending. */
export function generateTokens(count: number, taken: Iterable<number>, random: () => number = randomUint32): number[] {
  if (count <= 0) return [];
  const used = new Set<number>(taken);
  const out: number[] = [];
  while (out.length < count) {
    const candidate = random() >>> 0;
    if (used.has(candidate)) continue;
    used.add(candidate);
    out.push(candidate);
  }
  return out.sort((a, b) => a - b);
}

/** Index of the first token strictly greater than key in an ascending array, wrapping to 0 past the end. */
export function searchToken(tokens: ArrayLike<number>, key: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo === tokens.length ? 0 : lo;
}

/** Clockwise distance from one token to the next; equal tokens span the whole ring (one token owns everything). */
export function tokenDistance(from: number, to: number): number {
  return from < to ? to - from : TOKEN_SPACE - from + to;
}

/**
 * How much of the token space each instance owns: every token owns the range back to the previous
 * token on the ring. Instances without tokens own 0. The values sum to 2^32.
 */
export function ownedTokenSpace(desc: RingDesc): Map<string, number> {
  const owners = new Map<number, string>();
  const ids = Object.keys(desc.instances).sort();
  for (const id of ids) for (const t of desc.instances[id].tokens) if (!owners.has(t)) owners.set(t, id);
  const tokens = [...owners.keys()].sort((a, b) => a - b);
  const owned = new Map<string, number>();
  for (const id of ids) owned.set(id, 0);
  for (let i = 0; i < tokens.length; i++) {
    const prev = tokens[i === 0 ? tokens.length - 1 : i - 1];
    const id = owners.get(tokens[i]) as string;
    owned.set(id, (owned.get(id) ?? 0) + tokenDistance(prev, tokens[i]));
  }
  return owned;
}
