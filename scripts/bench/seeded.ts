// Seeded pseudo-random draws for the benchmarks: the same data and load for the same --seed.
import { mulberry32 } from '../../src/db/seed/mulberry32';

export function prng(seed: number) {
  const next = mulberry32(seed >>> 0 || 0x9e3779b9);
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
    /** An exponential draw with this mean (e.g. gaps between Poisson arrivals). */
    exponential: (mean: number) => -mean * Math.log(1 - next()),
    shuffle<T>(xs: T[]): T[] {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [xs[i], xs[j]] = [xs[j], xs[i]];
      }
      return xs;
    },
  };
}
export type Rng = ReturnType<typeof prng>;

export function weighted<T>(rng: Rng, items: readonly T[], share: (t: T) => number): T {
  let r = rng.next();
  for (const it of items) if ((r -= share(it)) < 0) return it;
  return items[items.length - 1];
}
