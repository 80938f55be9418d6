// Deterministic pseudo-random numbers for tests and micro-benchmarks, so every run (and every
// failure) sees the same data.

/** Xorshift32 over [0, 1); a zero seed counts as 1 (xorshift never leaves 0). */
export function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}
