/** The soak's report: out/soak-report.json and the printed table. Pure. */
import { percentile, type DecisionBound } from "./invariants.js";
import type { SoakRunResult } from "./run.js";
import { kindsOf } from "./script.js";

/** The JSON report. */
export interface SoakReport {
  seed: number;
  mode: "quick" | "full" | "custom";
  /** Releases of the chaos phase. */
  releases: number;
  /** Releases of the no-chaos phase (one of each kind). */
  noChaosReleases: number;
  services: number;
  kinds: Record<string, number>;
  /** Over both phases. */
  asExpected: number;
  lost: number;
  wrong: number;
  /** Effects applied more than once (count; the lines are in `details.duplicatedEffects`). */
  duplicatedEffects: number;
  /** Broken weight, freeze, canary and approver invariants (count). */
  violations: number;
  workerKills: number;
  workerKillsByWorker: Record<string, number>;
  natsRestarts: number;
  apiFaults: number;
  apiFaultKinds: Record<string, number>;
  prometheusOutageMs: number;
  slack429s: number;
  /** Time to decision (push → rollback or promotion decision), ms. */
  decisionMs: { chaos: { p50: number | null; p99: number | null }; noChaos: { p50: number | null; p99: number | null } | null };
  decisionBound: DecisionBound | null;
  durationMs: { startup: number; chaos: number; noChaos: number | null };
  /** Median no-chaos time to decision by kind of release (ms). */
  noChaosDecisionByKind: Record<string, number>;
  workerCrashes: number;
  ok: boolean;
  details: {
    notAsExpected: Array<{ releaseId: string; kind: string; verdict: string; expected: string; outcome: string | null; why?: string }>;
    duplicatedEffects: string[];
    violations: string[];
    /** Worker exits nobody caused. */
    crashes: Array<{ id: string; code: number | null; signal: string | null }>;
    chaosTimeline: string[];
  };
}

/** Build the report of a run. */
export function buildReport(mode: SoakReport["mode"], seed: number, services: number, chaos: SoakRunResult, bound: DecisionBound | undefined): SoakReport {
  const c = chaos.check;
  const kills = chaos.chaos?.workerKills ?? {};
  const pct = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99) });
  const ok = c.lost === 0 && c.wrong === 0 && c.duplicatedEffects.length === 0 && c.violations.length === 0;
  return {
    seed,
    mode,
    releases: chaos.script.length,
    noChaosReleases: chaos.baselineScript.length,
    services,
    kinds: kindsOf(chaos.script),
    asExpected: c.asExpected,
    lost: c.lost,
    wrong: c.wrong,
    duplicatedEffects: c.duplicatedEffects.length,
    violations: c.violations.length,
    workerKills: Object.values(kills).reduce((a, b) => a + b, 0),
    workerKillsByWorker: kills,
    natsRestarts: chaos.chaos?.natsRestarts ?? 0,
    apiFaults: chaos.chaos?.apiFaults ?? 0,
    apiFaultKinds: { ...(chaos.chaos?.apiFaultKinds ?? {}) },
    prometheusOutageMs: chaos.chaos?.prometheusOutageMs ?? 0,
    slack429s: chaos.chaos?.slack429s ?? 0,
    decisionMs: { chaos: pct(chaos.decisions.chaos), noChaos: chaos.baselineScript.length === 0 ? null : pct(chaos.decisions.noChaos) },
    decisionBound: bound ?? null,
    durationMs: chaos.durationMs,
    noChaosDecisionByKind: Object.fromEntries(chaos.baselineByKind),
    workerCrashes: chaos.crashes.length,
    ok,
    details: {
      notAsExpected: c.releases.filter((r) => r.verdict !== "asExpected").map((r) => ({ releaseId: r.releaseId, kind: r.kind, verdict: r.verdict, expected: r.expected, outcome: r.outcome, ...(r.why === undefined ? {} : { why: r.why }) })),
      duplicatedEffects: c.duplicatedEffects,
      violations: c.violations,
      crashes: chaos.crashes.map(({ id, code, signal }) => ({ id, code, signal })),
      chaosTimeline: chaos.chaos?.timeline ?? [],
    },
  };
}

const secs = (ms: number | null | undefined) => (ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);

/** The printed table. */
export function reportTable(r: SoakReport): string[] {
  const rows: Array<[string, string]> = [
    ["releases (chaos phase)", `${r.releases} over ${r.services} services (${Object.entries(r.kinds).map(([k, n]) => `${k} ${n}`).join(", ")})`],
    ["releases (no-chaos phase)", String(r.noChaosReleases)],
    ["as expected", String(r.asExpected)],
    ["lost", String(r.lost)],
    ["wrong", String(r.wrong)],
    ["duplicated effects", String(r.duplicatedEffects)],
    ["invariant violations", String(r.violations)],
    ["worker crashes (restarted)", String(r.workerCrashes)],
    ["worker kills", `${r.workerKills} (${Object.entries(r.workerKillsByWorker).sort().map(([w, n]) => `${w} ${n}`).join(", ")})`],
    ["NATS node restarts", String(r.natsRestarts)],
    ["API faults injected", `${r.apiFaults} (${Object.entries(r.apiFaultKinds).map(([k, n]) => `${k} ${n}`).join(", ")})`],
    ["Prometheus outage", secs(r.prometheusOutageMs)],
    ["Slack 429s scheduled", String(r.slack429s)],
    ["time to decision p50 / p99, chaos", `${secs(r.decisionMs.chaos.p50)} / ${secs(r.decisionMs.chaos.p99)}`],
    ["time to decision p50 / p99, no chaos", r.decisionMs.noChaos === null ? "(not run)" : `${secs(r.decisionMs.noChaos.p50)} / ${secs(r.decisionMs.noChaos.p99)}`],
    ["bound per release", r.decisionBound === null ? "(none)" : `≤ ${r.decisionBound.factor}× the no-chaos time of its kind + ${r.decisionBound.plusMs / 1000} s`],
    ["start-up / no-chaos / chaos phase", `${secs(r.durationMs.startup)} / ${secs(r.durationMs.noChaos)} / ${secs(r.durationMs.chaos)}`],
    ["result", r.ok ? "OK" : "FAILED"],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const out = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  for (const x of r.details.notAsExpected) out.push(`  ${x.verdict}: ${x.releaseId} (${x.kind}) expected ${x.expected}, got ${x.outcome ?? "nothing"}${x.why === undefined ? "" : `: ${x.why}`}`);
  for (const x of r.details.duplicatedEffects) out.push(`  duplicated: ${x}`);
  for (const x of r.details.violations) out.push(`  violation: ${x}`);
  return out;
}
