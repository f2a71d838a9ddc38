/**
 * Seeded random counts for simulating request streams: a small generator and the Poisson and
 * binomial samplers the sequential judge's simulation test and the decisions benchmark draw from.
 * Test support (workflows/ stays free of randomness); exact samplers, no normal approximations, so a
 * type-I figure measured with them is the judge's, not the sampler's.
 */
import { logGamma } from "./sequential-bounds.js";

/** A seeded stream of uniforms in (0, 1). */
export interface Uniform {
  (): number;
}

/** splitmix32: a 32-bit state, full period, good enough for Monte Carlo counts. */
export function uniformStream(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return ((z >>> 0) + 0.5) / 4294967296;
  };
}

function logFactorial(k: number): number {
  return logGamma(k + 1);
}

function binomialFromMode(u: Uniform, n: number, p: number): number {
  const q = 1 - p;
  const m = Math.floor((n + 1) * p);
  const pm = Math.exp(logFactorial(n) - logFactorial(m) - logFactorial(n - m) + m * Math.log(p) + (n - m) * Math.log(q));
  let x = u() - pm;
  if (x <= 0) return m;
  let lo = m;
  let hi = m;
  let plo = pm;
  let phi = pm;
  for (;;) {
    if (lo > 0) {
      plo *= (lo * q) / ((n - lo + 1) * p);
      lo--;
      x -= plo;
      if (x <= 0) return lo;
    }
    if (hi < n) {
      phi *= ((n - hi) * p) / ((hi + 1) * q);
      hi++;
      x -= phi;
      if (x <= 0) return hi;
    }
    if (lo <= 0 && hi >= n) return m;
  }
}

/**
 * Poisson(λ): inversion by sequential search below λ = 30, else Hörmann's PTRS transformed
 * rejection (1993), which needs about 1.1 pairs of uniforms per draw.
 */
export function poisson(u: Uniform, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 30) {
    let k = 0;
    let p = Math.exp(-lambda);
    let cdf = p;
    const x = u();
    while (x > cdf && k < 1000) {
      k++;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = u() - 0.5;
    const V = u();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) return k;
  }
}

/**
 * Binomial(n, p): by counting geometric waiting times (about n·p + 1 uniforms) when n·p is small,
 * else by inversion searching outward from the mode (Kemp 1986), about √(n·p·(1 − p)) steps.
 */
export function binomial(u: Uniform, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(u, n, 1 - p);
  if (n * p > 30) return binomialFromMode(u, n, p);
  const logq = Math.log1p(-p);
  let successes = 0;
  let position = 0;
  for (;;) {
    position += Math.floor(Math.log(u()) / logq) + 1;
    if (position > n) return successes;
    successes++;
  }
}
