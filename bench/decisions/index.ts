/**
 * Benchmark `decisions`: a seeded Monte Carlo that judges the same generated releases three ways
 * (judges.ts) over a grid of traffic, canary weight, background 5xx and regression, and reports per
 * cell and judge the false-rollback rate of healthy releases, the miss rate of regressions (promoted)
 * and the detection time from the first bad scrape. Writes `cells` in the shape of issue #16.
 * Params: `healthy`, `regressed`, `boundary` (releases per cell), `alpha`, `grid` ("small" for tests).
 */
import { quantileSorted, summarize } from "../lib/stats.js";
import type { BenchContext, BenchOutput, Benchmark, Figure, Table } from "../lib/types.js";
import { judgeRelease, JudgeName, type Outcome } from "./judges.js";
import { regressionName, type Cell, type Regression } from "./streams.js";

/** One row of `bench/results/decisions.json`. */
export interface DecisionCell {
  rps: number;
  weight: number;
  baselineErrorPct: number;
  regression: string;
  judge: JudgeName;
  releases: number;
  /** Healthy releases rolled back (null for a regression cell). */
  falseRollbackRate: number | null;
  /** Regressed releases promoted (null for a healthy cell). */
  missRate: number | null;
  /** Seconds from the first bad scrape to the rollback, over the regressed releases rolled back. */
  detectionMedianS: number | null;
  detectionP95S: number | null;
  promotedRate: number;
  rolledBackRate: number;
  /** Neither rolled back nor promoted within the 30-minute horizon (held: the noData policy). */
  heldRate: number;
}

const regressions: Regression[] = [
  { kind: "none" },
  { kind: "errors", points: 1 },
  { kind: "errors", points: 5 },
  { kind: "errors", points: 10 },
  { kind: "latency", factor: 1.5 },
  { kind: "latency", factor: 3 },
];

function grid(small: boolean): Cell[] {
  const out: Cell[] = [];
  for (const rps of small ? [10] : [1, 10, 100])
    for (const weight of small ? [10] : [10, 50])
      for (const baselineErrorPct of small ? [0.5] : [0.1, 0.5, 1])
        for (const regression of small ? regressions.slice(0, 4) : regressions) out.push({ rps, weight, baselineErrorPct, regression });
  return out;
}

function seedOf(cell: Cell, i: number): number {
  const r = cell.regression;
  const k = r.kind === "none" ? 0 : r.kind === "errors" ? r.points : 100 + r.factor * 10;
  // Healthy and regressed releases of one traffic setting share their first seeds: the same noise.
  return ((cell.rps * 7919 + cell.weight * 104729 + cell.baselineErrorPct * 1000 * 31 + k * 1_000_003) ^ (i * 2654435761)) >>> 0;
}

/** Judge `count` releases of `cell` and summarize per judge. */
export function runCell(cell: Cell, count: number, alpha: number): DecisionCell[] {
  const outcomes: Record<JudgeName, Outcome[]> = { threshold: [], "per-interval-test": [], sequential: [] };
  for (let i = 0; i < count; i++) {
    const o = judgeRelease(cell, seedOf(cell, i), alpha);
    for (const j of JudgeName) outcomes[j].push(o[j]);
  }
  const healthy = cell.regression.kind === "none";
  return JudgeName.map((judge) => {
    const os = outcomes[judge];
    const share = (k: Outcome["kind"]) => os.filter((o) => o.kind === k).length / count;
    // The canary is bad from its first scrape (t = 1 s); a decision at second t comes t − 1 s after it.
    const det = os.filter((o) => o.kind === "rollback").map((o) => o.at - 1).sort((a, b) => a - b);
    return {
      rps: cell.rps,
      weight: cell.weight,
      baselineErrorPct: cell.baselineErrorPct,
      regression: regressionName(cell.regression),
      judge,
      releases: count,
      falseRollbackRate: healthy ? share("rollback") : null,
      missRate: healthy ? null : share("promote"),
      detectionMedianS: healthy || det.length === 0 ? null : quantileSorted(det, 0.5),
      detectionP95S: healthy || det.length === 0 ? null : quantileSorted(det, 0.95),
      promotedRate: share("promote"),
      rolledBackRate: share("rollback"),
      heldRate: share("held"),
    };
  });
}

const pctCell = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)} %`);
const sCell = (x: number | null) => (x === null ? "-" : `${x} s`);

/** Run the benchmark. */
export async function runDecisions(ctx: BenchContext): Promise<BenchOutput> {
  const alpha = (ctx.params["alpha"] as number | undefined) ?? 0.05;
  const small = ctx.params["grid"] === "small";
  const healthyCount = (rps: number) => (ctx.params["healthy"] as number | undefined) ?? (ctx.quick ? (rps >= 10 ? 500 : 200) : 2000);
  const regressedCount = (ctx.params["regressed"] as number | undefined) ?? (ctx.quick ? 100 : 500);
  const boundaryCount = (ctx.params["boundary"] as number | undefined) ?? (ctx.quick ? 1000 : 10_000);
  const cells: DecisionCell[] = [];
  const t0 = performance.now();
  for (const cell of grid(small)) {
    const n = cell.regression.kind === "none" ? healthyCount(cell.rps) : regressedCount;
    cells.push(...runCell(cell, n, alpha));
    ctx.log(`decisions: ${cell.rps} rps, ${cell.weight} %, ${cell.baselineErrorPct} % 5xx, ${regressionName(cell.regression)}: ${n} releases (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  // The null at its boundary: the hardest healthy canary, exactly stable + 0.5 points and exactly the 1 % SLO.
  const boundaryCell: Cell = { rps: 100, weight: 10, baselineErrorPct: 0.5, regression: { kind: "errors", points: 0.5 } };
  const boundary = runCell(boundaryCell, boundaryCount, alpha);
  ctx.log(`decisions: boundary of the null, ${boundaryCount} releases (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

  const healthyRows = cells.filter((c) => c.regression === "none");
  const tables: Table[] = [
    {
      title: `healthy releases: false rollbacks (and promoted) per judge, α ${alpha}`,
      columns: ["rps", "weight", "5xx", "n", "threshold", "per-interval-test", "sequential", "sequential promoted"],
      rows: groupRows(healthyRows).map(([k, rows]) => [
        k.rps, `${k.weight} %`, `${k.baselineErrorPct} %`, rows[0]?.releases ?? 0,
        pctCell(byJudge(rows, "threshold").falseRollbackRate),
        pctCell(byJudge(rows, "per-interval-test").falseRollbackRate),
        pctCell(byJudge(rows, "sequential").falseRollbackRate),
        pctCell(byJudge(rows, "sequential").promotedRate),
      ]),
    },
    {
      title: "regressions: miss rate (promoted) and detection median / p95 from the first bad scrape",
      columns: ["rps", "weight", "5xx", "regression", "n", "threshold", "per-interval-test", "sequential"],
      rows: groupRows(cells.filter((c) => c.regression !== "none")).map(([k, rows]) => [
        k.rps, `${k.weight} %`, `${k.baselineErrorPct} %`, k.regression, rows[0]?.releases ?? 0,
        ...JudgeName.map((j) => {
          const r = byJudge(rows, j);
          return `miss ${pctCell(r.missRate)}, ${sCell(r.detectionMedianS)} / ${sCell(r.detectionP95S)}`;
        }),
      ]),
    },
    {
      title: `the boundary of the null (canary 1 % = stable 0.5 % + 0.5 points = the 1 % SLO), 100 rps, 10 %: ${boundaryCount} releases, 30 min, 1 s looks`,
      columns: ["judge", "rolled back", "promoted", "held"],
      rows: boundary.map((r) => [r.judge, pctCell(r.rolledBackRate), pctCell(r.promotedRate), pctCell(r.heldRate)]),
    },
  ];
  const figures: Figure[] = cells
    .filter((c) => c.regression !== "none" && c.rps === 100 && c.weight === 10 && c.baselineErrorPct === 0.5)
    .map((c) => ({ name: `${c.judge}: ${c.regression} at 100 rps, 10 %: detection (median ${c.detectionMedianS} s)`, unit: "s", summary: summarize(c.detectionMedianS === null ? [] : [c.detectionMedianS, c.detectionP95S ?? c.detectionMedianS]) }));
  return {
    tables,
    figures,
    setup: {
      alpha,
      releasesPerCell: { healthy: small ? "param" : ctx.quick ? "500 (≥ 10 rps), 200 (1 rps)" : 2000, regressed: regressedCount },
      scrapeSeconds: 1,
      intervalSeconds: 60,
      bakeSeconds: 600,
      horizonSeconds: 1800,
      latency: "log-normal, median 25 ms, p99 100 ms (the sim's normal profile), Istio's default buckets",
      sequential: "errors: max 1 %, stable + 0.5 points; latency: share slower than the bucket boundary nearest stable's reference p99 ≤ stable's + 2 points; prior Beta(0.5, 5)",
    },
    caveats: [
      "Generated streams, not the simulated mesh: stationary Poisson traffic and independent requests; real services have bursts and diurnal swings that no judge here models.",
      "The canary is bad from its first scrape; detection counts from it (the first bad scrape at t = 1 s), so a rollback at the first look is 0 s.",
      "The per-interval judges see the interval's histogram; the sequential judge sees per-second counts of requests slower than one boundary.",
    ],
    cells: [...cells, ...boundary.map((b) => ({ ...b, regression: "boundary: +0.5 pt 5xx (tolerated)", falseRollbackRate: b.rolledBackRate, missRate: null, detectionMedianS: null, detectionP95S: null }))],
  };
}

function byJudge(rows: readonly DecisionCell[], j: JudgeName): DecisionCell {
  const r = rows.find((x) => x.judge === j);
  if (r === undefined) throw new Error(`decisions: no row for judge ${j}`);
  return r;
}

function groupRows(rows: readonly DecisionCell[]): Array<[DecisionCell, DecisionCell[]]> {
  const groups = new Map<string, DecisionCell[]>();
  for (const r of rows) {
    const k = `${r.rps}|${r.weight}|${r.baselineErrorPct}|${r.regression}`;
    const g = groups.get(k) ?? [];
    g.push(r);
    groups.set(k, g);
  }
  return [...groups.values()].map((g) => [g[0] as DecisionCell, g]);
}

/** The benchmark. */
export const decisions: Benchmark = {
  name: "decisions",
  title: "Decision quality under noise: fixed thresholds, per-interval tests and the sequential judge on the same streams",
  run: async (ctx) => runDecisions(ctx),
};
