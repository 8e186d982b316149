/** A seeded pseudo-random generator, so an optimisation can be replayed exactly. */
export interface Random {
  /** A uniform number in [0, 1). */
  next(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** A normally distributed number (mean 0, standard deviation 1). */
  gaussian(): number;
}

/**
 * Mulberry32: a small 32-bit generator with a full period of 2³², good enough for an
 * optimiser (not for cryptography).
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    // Box–Muller; 1 − u keeps the logarithm away from 0.
    gaussian: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}
