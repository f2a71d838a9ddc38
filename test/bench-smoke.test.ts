// The benchmark suite runs: the quick variants of two cheap benchmarks with tiny sizes, through the
// runner that prints tables and writes the JSON results. Only the shape of the results is checked,
// never a time: a benchmark is not a test.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alertRollback } from "../bench/alert-rollback.js";
import { runBenchmarks } from "../bench/lib/runner.js";
import type { BenchResult, Benchmark } from "../bench/lib/types.js";
import { decisions } from "../bench/decisions/index.js";
import { recovery } from "../bench/recovery.js";
import { benchmarks } from "../bench/suite.js";

const out = mkdtempSync(join(tmpdir(), "siskin-bench-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A benchmark with fixed tiny parameters. */
const tiny = (b: Benchmark, params: Record<string, unknown>): Benchmark => ({ ...b, run: (ctx) => b.run({ ...ctx, params }) });

function expectShape(r: BenchResult): void {
  expect(r.machine).toEqual({
    os: expect.any(String),
    cpuModel: expect.any(String),
    cpuCount: expect.any(Number),
    totalMemBytes: expect.any(Number),
    node: process.version,
    loadAvg1: expect.any(Number),
  });
  expect(Number.isNaN(Date.parse(r.date))).toBe(false);
  expect(r.quick).toBe(true);
  expect(r.tables.length).toBeGreaterThan(0);
  for (const t of r.tables) {
    expect(t.title).not.toBe("");
    for (const row of t.rows) expect(row).toHaveLength(t.columns.length);
  }
  expect(r.figures.length).toBeGreaterThan(0);
  for (const f of r.figures) {
    expect(f.summary.n).toBeGreaterThan(0);
    expect(Object.keys(f.summary).sort()).toEqual(["max", "mean", "median", "min", "n", "p99"]);
  }
  expect(r.caveats.length).toBeGreaterThan(0);
}

describe("benchmark suite (smoke)", () => {
  it("has the benchmarks of the issues, each with a unique name", () => {
    expect(benchmarks.map((b) => b.name)).toEqual(["alert-rollback", "fault-rollback", "scale", "watch-throughput", "recovery", "dashboard", "decisions"]);
  });

  it("runs decisions on a small grid and writes its cells in the issue's shape", async () => {
    const { results, failed } = await runBenchmarks([tiny(decisions, { grid: "small", healthy: 20, regressed: 10, boundary: 10 })], {
      quick: true,
      outDir: out,
      print: () => undefined,
      log: () => undefined,
    });
    expect(failed).toEqual([]);
    const written = JSON.parse(readFileSync(join(out, "decisions.json"), "utf8")) as { cells: Array<Record<string, unknown>> };
    // 4 cells (none, +1, +5, +10 points) × 3 judges, then the boundary of the null × 3 judges.
    expect(written.cells).toHaveLength(15);
    for (const c of written.cells) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(["rps", "weight", "baselineErrorPct", "regression", "judge", "falseRollbackRate", "missRate", "detectionMedianS", "detectionP95S"]));
      expect(["threshold", "per-interval-test", "sequential"]).toContain(c["judge"]);
    }
    expect(results[0]?.tables.length).toBe(3);
  }, 20_000);

  it("runs alert-rollback and recovery quick with tiny sizes, prints tables and writes their JSON", async () => {
    const printed: string[] = [];
    const { results, failed } = await runBenchmarks(
      [tiny(alertRollback, { releases: 2, floorSamples: 3 }), tiny(recovery, { releases: 3, restarts: 1 })],
      { quick: true, outDir: out, print: (t) => printed.push(t), log: () => undefined },
    );
    expect(failed).toEqual([]);
    expect(results.map((r) => r.name)).toEqual(["alert-rollback", "recovery"]);
    for (const r of results) {
      expectShape(r);
      const written = JSON.parse(readFileSync(join(out, `${r.name}.json`), "utf8")) as BenchResult;
      expect(written.name).toBe(r.name);
      expect(written.tables).toHaveLength(r.tables.length);
    }
    const alert = results[0] as BenchResult;
    expect(alert.figures.map((f) => f.name)).toEqual(expect.arrayContaining(["floor: NATS request/reply round trip", "alert → stable weight 100 (watch)"]));
    expect(alert.figures.find((f) => f.name.startsWith("alert →"))?.summary.n).toBe(2);
    expect(printed.join("\n")).toMatch(/\| what +\| unit +\| n +\| min +\| median +\| p99 +\| max +\|/);
  }, 20_000);
});
