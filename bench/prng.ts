// Deterministic randomness for the benchmark data set: the same seed gives the same practice.

/** mulberry32: a small, fast 32-bit generator; plenty for synthetic data (not for secrets). */
export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = ReturnType<typeof rng>;

/** A generator with the helpers the seed needs. */
export function rng(seed: number) {
  const next = mulberry32(seed);
  const random = {
    next,
    /** An integer in [min, max]. */
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    /** Standard normal (Box–Muller). */
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    /** Exponentially distributed with the given mean. */
    exponential: (mean: number) => -Math.log(1 - next()) * mean,
    /** An index drawn with probability proportional to `cumulative` (a running sum of weights). */
    weighted: (cumulative: Float64Array) => {
      const target = next() * cumulative[cumulative.length - 1]!;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cumulative[mid]! > target) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    },
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
  return random;
}

/** A 32-bit integer hash (lowbias32), used to derive ids from (kind, index). */
function hash32(x: number) {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/**
 * A random-looking but reproducible version-4 UUID for row `index` of `kind` (a small number per
 * table), so rows can point at each other without a lookup and runs produce the same ids.
 */
export function uuidFor(kind: number, index: number): string {
  const base = Math.imul(kind + 1, 0x9e3779b1) ^ index;
  const a = hash32(base ^ 0x1b873593);
  const b = hash32(base ^ 0x2c1b3c6d ^ a);
  const c = hash32(base ^ 0x297a2d39 ^ b);
  const d = hash32(base ^ 0x68e31da4 ^ c);
  const h = hex8(a) + hex8(b) + hex8(c) + hex8(d);
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Splits `total` into `weights.length` integer parts proportional to the weights, each at
 * least `min`, summing exactly to `total` (largest remainder).
 */
export function apportion(weights: ArrayLike<number>, total: number, min = 0): Int32Array {
  const n = weights.length;
  const out = new Int32Array(n);
  const spare = total - min * n;
  if (spare < 0) throw new Error(`cannot give ${n} parts at least ${min} out of ${total}`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i]!;
  const remainders: { i: number; r: number }[] = [];
  let given = 0;
  for (let i = 0; i < n; i++) {
    const exact = (weights[i]! / sum) * spare;
    const whole = Math.floor(exact);
    out[i] = min + whole;
    given += whole;
    remainders.push({ i, r: exact - whole });
  }
  remainders.sort((x, y) => y.r - x.r || x.i - y.i);
  for (let k = 0; k < spare - given; k++) {
    const j = remainders[k]!.i;
    out[j] = out[j]! + 1;
  }
  return out;
}
