import { quantile } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { Annotation, answer, faultActive, parseBehaviour } from "./behaviour.js";
import { fitLogNormal, LatencyProfile, logNormalAt, sampleLatency, Z99 } from "./latency.js";
import { createRng, hashSeed } from "./prng.js";

describe("latency sampling", () => {
  it.each([
    [5, 20],
    [25, 100],
    [50, 240],
    [300, 1500],
    [100, 100],
  ])("log-normal fitted to p50=%d p99=%d reproduces both within 5 %% (50k draws)", (p50, p99) => {
    const d = fitLogNormal({ p50Ms: p50, p99Ms: p99 });
    expect(logNormalAt(d, 0)).toBeCloseTo(p50, 6);
    expect(logNormalAt(d, Z99)).toBeCloseTo(p99, 6);
    const rng = createRng(hashSeed("latency", p50, p99));
    const xs = Array.from({ length: 50_000 }, () => sampleLatency(d, rng));
    expect(Math.abs(quantile(xs, 0.5) / p50 - 1)).toBeLessThan(0.05);
    expect(Math.abs(quantile(xs, 0.99) / p99 - 1)).toBeLessThan(0.05);
  });

  it("a seeded stream repeats; different seeds differ", () => {
    const a = createRng(1);
    const b = createRng(1);
    const c = createRng(2);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe("parseBehaviour", () => {
  it("defaults: no errors, normal profile, no fault delay", () => {
    const { behaviour: b, problems } = parseBehaviour({});
    expect(problems).toEqual([]);
    expect(b.errorRate).toBe(0);
    expect(b.errorCodes).toEqual([500]);
    expect(b.baseline).toEqual(fitLogNormal(LatencyProfile.normal));
    expect(b.faulty).toEqual(b.baseline);
  });

  it("reads every annotation", () => {
    const { behaviour: b, problems } = parseBehaviour({
      [Annotation.errorRate]: "0.2",
      [Annotation.errorCodes]: "500, 503",
      [Annotation.latencyP50]: "40",
      [Annotation.latencyP99]: "400",
      [Annotation.latencyProfile]: "fast",
      [Annotation.migrationLatency]: "250",
      [Annotation.faultAfter]: "30",
    });
    expect(problems).toEqual([]);
    expect(b).toMatchObject({ errorRate: 0.2, errorCodes: [500, 503], migrationLatencyMs: 250, faultAfterMs: 30_000 });
    expect(b.baseline).toEqual(fitLogNormal(LatencyProfile.fast));
    expect(b.faulty).toEqual(fitLogNormal({ p50Ms: 40, p99Ms: 400 }));
  });

  it("derives the missing percentile from the profile's ratio", () => {
    const { behaviour: b } = parseBehaviour({ [Annotation.latencyP99]: "700" });
    expect(b.faulty).toEqual(fitLogNormal({ p50Ms: 300, p99Ms: 700 })); // normal: p99 / p50 = 140 / 60
  });

  it.each([
    [Annotation.errorRate, "1.5"],
    [Annotation.errorRate, "20%"],
    [Annotation.errorCodes, "oops"],
    [Annotation.latencyProfile, "turbo"],
    [Annotation.latencyP50, "-3"],
    [Annotation.faultAfter, "soon"],
  ])("reports %s=%s and ignores it", (key, value) => {
    const { problems } = parseBehaviour({ [key]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(key);
  });

  it("leaves the cluster simulator's own sim.siskin.dev/* keys alone", () => {
    expect(parseBehaviour({ "sim.siskin.dev/boot-seconds": "3" }).problems).toEqual([]);
  });
});

describe("answer", () => {
  const cond = (readySinceMs: number | undefined, migrating = false) => ({ readySinceMs, migrating });

  it("errors at the scripted rate with the scripted codes", () => {
    const { behaviour: b } = parseBehaviour({ [Annotation.errorRate]: "0.2", [Annotation.errorCodes]: "500,503" });
    const rng = createRng(3);
    const codes: Record<number, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const a = answer(b, cond(0), 1000, rng);
      codes[a.code] = (codes[a.code] ?? 0) + 1;
    }
    expect(Object.keys(codes).sort()).toEqual(["200", "500", "503"]);
    expect(Math.abs(((codes[500] ?? 0) + (codes[503] ?? 0)) / 20_000 - 0.2)).toBeLessThan(0.01);
    expect(Math.abs((codes[500] ?? 0) / ((codes[500] ?? 0) + (codes[503] ?? 0)) - 0.5)).toBeLessThan(0.03);
  });

  it("fault-after-seconds starts errors and scripted latency N s after Ready", () => {
    const { behaviour: b } = parseBehaviour({ [Annotation.errorRate]: "1", [Annotation.latencyP50]: "5000", [Annotation.faultAfter]: "30" });
    const ready = 1_000_000;
    expect(faultActive(b, cond(ready), ready + 29_999)).toBe(false);
    expect(faultActive(b, cond(ready), ready + 30_000)).toBe(true);
    expect(faultActive(b, cond(undefined), ready + 99_000)).toBe(false);
    const rng = createRng(4);
    const before = answer(b, cond(ready), ready + 1000, rng);
    const after = answer(b, cond(ready), ready + 31_000, rng);
    expect(before.code).toBe(200);
    expect(before.latencyMs).toBeLessThan(1000);
    expect(after.code).toBe(500);
    expect(after.latencyMs).toBeGreaterThan(1000);
  });

  it("adds migration latency only while migrating", () => {
    const { behaviour: b } = parseBehaviour({ [Annotation.migrationLatency]: "300", [Annotation.latencyProfile]: "fast" });
    const a = answer(b, cond(0, false), 0, createRng(5));
    const m = answer(b, cond(0, true), 0, createRng(5));
    expect(m.latencyMs - a.latencyMs).toBeCloseTo(300, 9);
  });
});
