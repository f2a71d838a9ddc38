// Deterministic pseudo-random numbers for the simulation: every stream is seeded from the mesh seed and
// a name (a workload, a host), so one run of N requests always gives the same codes and latencies.

/** A seeded stream of uniform numbers in [0, 1). */
export interface Rng {
  /** The next uniform number in [0, 1). */
  next(): number;
  /** The next standard normal deviate (mean 0, sd 1). */
  normal(): number;
}

/** A 32-bit hash (FNV-1a) of the parts, for deriving seeds from names. */
export function hashSeed(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = `${String(part)}\u0000`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

/** A mulberry32 generator: small, fast, and good enough for traffic shares and latency draws. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  let spare: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      // Box–Muller; 1 - u keeps the log argument in (0, 1].
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}
