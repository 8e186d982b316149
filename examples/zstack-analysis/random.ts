/**
 * A small seeded random number generator (mulberry32), so a z-stack is the same for the same
 * seed on every machine, and normal deviates from it (Box–Muller) for the noise.
 */

/** Uniform numbers in [0, 1), the same sequence for the same seed. */
export type Random = () => number;

/** A seeded generator: mulberry32, 32 bits of state, good enough for synthetic images. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A normal deviate with mean 0 and standard deviation 1 (Box–Muller). */
export function normal(random: Random): number {
  // 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
