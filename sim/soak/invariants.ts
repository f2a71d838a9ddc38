/**
 * The soak's invariant checker. Pure: from the script, what the driver did, what the world says about
 * each release, and the simulator's write history, it judges:
 * - every requested release ended (else *lost*) with the scripted outcome (else *wrong*);
 * - each route only took weights a step of the plan names, summing to 100, with at most one canary;
 * - no weight moved during a live migration of the service's VMs (after a grace for the event's trip);
 * - no effect twice: one VM per version, one approval message, one completion, one "promoted" reply;
 * - every approval decision in the audit was made by an allowed approver;
 * - each release's time to decision stays within the bound of its no-chaos run (when one is given).
 */
import type { ReleaseFacts } from "./collect.js";
import type { DrivenRelease } from "./driver.js";
import type { WorldHistory } from "./recorder.js";
import { timingKind, type Outcome, type ScriptedRelease } from "./script.js";

/** Bound on a release's time to decision under chaos, against its no-chaos run. */
export interface DecisionBound {
  factor: number;
  plusMs: number;
}

/** Inputs of {@link checkInvariants}. */
export interface CheckInput {
  script: readonly ScriptedRelease[];
  driven: ReadonlyMap<string, DrivenRelease>;
  facts: ReadonlyMap<string, ReleaseFacts>;
  history: WorldHistory;
  /** Weights a step of the plan names (the soak rollouts: 10, 50, 100). */
  stepWeights: readonly number[];
  approvers: readonly string[];
  /** A weight change this soon after a migration started is still the step that was under way. */
  freezeGraceMs: number;
  /** Time to decision of the no-chaos run, by kind of release (see {@link timingKind}). */
  baseline?: ReadonlyMap<string, number>;
  bound?: DecisionBound;
  /** Which releases the bound applies to (default all): the chaos run's, not the baseline's own. */
  bounded?: (r: ScriptedRelease) => boolean;
}

/** One release's verdict. */
export interface ReleaseVerdict {
  releaseId: string;
  kind: string;
  expected: Outcome;
  outcome: Outcome | null;
  verdict: "asExpected" | "lost" | "wrong";
  /** Push → rollback or promotion decision. */
  decisionMs: number | null;
  why?: string;
}

/** What the checker found. */
export interface CheckResult {
  releases: ReleaseVerdict[];
  asExpected: number;
  lost: number;
  wrong: number;
  /** Effects applied more than once, one line each. */
  duplicatedEffects: string[];
  /** Broken weight, freeze, canary and approver invariants, one line each. */
  violations: string[];
}

const outcomeOfState: Record<string, Outcome> = { succeeded: "promoted", rolledBack: "rolledBack", aborted: "aborted", superseded: "superseded", failed: "failed" };
const decided = (to: string) => to.startsWith("rollingBack") || to.startsWith("finalizing") || to in outcomeOfState;

/** Judge the run. */
export function checkInvariants(i: CheckInput): CheckResult {
  const releases: ReleaseVerdict[] = [];
  const duplicatedEffects: string[] = [];
  const violations: string[] = [];
  const allowed = new Set<number>([0, 100, ...i.stepWeights, ...i.stepWeights.map((w) => 100 - w)]);

  for (const r of i.script) {
    const f = i.facts.get(r.releaseId);
    const d = i.driven.get(r.releaseId);
    const last = f?.audit.at(-1)?.to;
    const outcome = last === undefined ? (f?.completed[0] as Outcome | undefined) ?? null : outcomeOfState[last] ?? (f?.completed[0] as Outcome | undefined) ?? null;
    const decision = f?.audit.find((a) => decided(a.to));
    const decisionMs = decision !== undefined && d?.pushedAt != null ? decision.at - d.pushedAt : null;
    const v: ReleaseVerdict = { releaseId: r.releaseId, kind: timingKind(r), expected: r.expect, outcome, verdict: "asExpected", decisionMs };
    if (outcome === null) {
      v.verdict = "lost";
      v.why = d?.pushedAt == null ? "never accepted by release-trigger" : `no outcome (last state ${last ?? "none"}; ${d.problems.join("; ") || "driver saw nothing wrong"})`;
    } else if (outcome !== r.expect) {
      v.verdict = "wrong";
      v.why = `expected ${r.expect}, got ${outcome}: ${f?.audit.find((a) => a.to.startsWith("rollingBack"))?.reason ?? f?.audit.at(-1)?.reason ?? ""}`;
    } else {
      const base = i.baseline?.get(timingKind(r));
      if (i.bound !== undefined && base !== undefined && (i.bounded?.(r) ?? true) && decisionMs !== null && decisionMs > base * i.bound.factor + i.bound.plusMs) {
        v.verdict = "wrong";
        v.why = `decided after ${(decisionMs / 1000).toFixed(1)} s, beyond ${i.bound.factor}× the no-chaos ${(base / 1000).toFixed(1)} s of a ${v.kind} release + ${i.bound.plusMs / 1000} s`;
      }
    }
    releases.push(v);

    if (f !== undefined) {
      if (f.completed.length > 1) duplicatedEffects.push(`${r.releaseId}: ${f.completed.length} evt.release.completed (${f.completed.join(", ")})`);
      if (f.approvalMessages > 1) duplicatedEffects.push(`${r.releaseId}: ${f.approvalMessages} approval messages in Slack`);
      if (f.promotedReplies > 1) duplicatedEffects.push(`${r.releaseId}: ${f.promotedReplies} "Release promoted" replies in Slack`);
      for (const a of f.audit) {
        if (!/approval\.(granted|denied)$/.test(a.event)) continue;
        if (a.actor === undefined || !i.approvers.includes(a.actor.id)) violations.push(`${r.releaseId}: ${a.event} by ${a.actor?.id ?? "nobody"}, who is not an approver`);
      }
    }
  }

  const perVm = new Map<string, number>();
  for (const c of i.history.vmCreates) perVm.set(c.name, (perVm.get(c.name) ?? 0) + 1);
  for (const [name, n] of perVm) if (n > 1) duplicatedEffects.push(`VM ${name} created ${n} times`);

  for (const s of i.history.routes) {
    const ws = Object.entries(s.weights);
    const sum = ws.reduce((a, [, w]) => a + w, 0);
    const bad = ws.filter(([, w]) => !allowed.has(w));
    if (bad.length > 0 || (ws.length > 1 && sum !== 100)) violations.push(`${s.service} at ${new Date(s.at).toISOString()}: weights ${JSON.stringify(s.weights)} are not a step of the plan`);
    if (ws.filter(([, w]) => w > 0).length > 2) violations.push(`${s.service} at ${new Date(s.at).toISOString()}: two canaries at once ${JSON.stringify(s.weights)}`);
  }
  for (const m of i.history.migrations) {
    const end = m.end ?? Number.POSITIVE_INFINITY;
    for (const s of i.history.routes) {
      if (s.service === m.service && s.at > m.start + i.freezeGraceMs && s.at < end) {
        violations.push(`${s.service}: weights moved to ${JSON.stringify(s.weights)} ${((s.at - m.start) / 1000).toFixed(1)} s into the live migration of ${m.vmi}`);
      }
    }
  }

  const count = (k: ReleaseVerdict["verdict"]) => releases.filter((r) => r.verdict === k).length;
  return { releases, asExpected: count("asExpected"), lost: count("lost"), wrong: count("wrong"), duplicatedEffects, violations };
}

/** The p-th percentile (0..100) of `xs` (nearest rank); null when empty. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}
