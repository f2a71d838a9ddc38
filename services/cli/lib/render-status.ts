/** `siskin status` output: the table of releases, and one release with its timeline. Pure. */
import { plain, type Palette } from "./color.js";
import { actorLabel, formatAge, formatTime, num, verdictMark, weightBar } from "./format.js";
import { lastVerdictSummary, type ReleaseView, type VerdictLine } from "../../runtime/release-view.js";
import { renderTable } from "./table.js";

/** The state column: the outcome once done, else the state path (colored by how it goes). */
export function stateLabel(v: ReleaseView, p: Palette = plain): string {
  if (v.done) {
    const o = v.outcome ?? v.state;
    return o === "promoted" ? p.green(o) : o === "superseded" ? p.dim(o) : p.red(o);
  }
  if (v.state === "rollingBack") return p.red(v.state);
  if (v.state === "paused" || v.awaitingApproval) return p.yellow(v.state);
  return v.state;
}

/** `2/3`, `2/?` when the plan is unknown, `-` before the first step. */
export function stepLabel(v: ReleaseView): string {
  if (v.step === null) return "-";
  return `${v.step + 1}/${v.steps ?? "?"}`;
}

/**
 * What a rollback's row says in place of the last verdict: its cause (an alert, a VM failure, failed
 * intervals, an operator), which the last verdict alone often does not show (a fast-path rollback
 * follows passing intervals). Null when the release is not rolling or rolled back.
 */
export function rollbackCause(v: ReleaseView, max = 72): string | null {
  const rolling = v.state === "rollingBack" || (v.done && (v.outcome === "rolledBack" || v.outcome === "aborted"));
  if (!rolling || v.reason === "") return null;
  const text = v.reason.replace(/^(rolling back|rolled back to \S+): /, "");
  return `cause: ${text.length > max ? `${text.slice(0, max - 1)}…` : text}`;
}

/** The RELEASE, STATE, STEP, WEIGHT, LAST VERDICT (a rollback's cause), AGE table; age counts from the request. */
export function renderReleaseTable(views: readonly ReleaseView[], now: number, p: Palette = plain): string {
  const rows = views.map((v) => {
    const cause = rollbackCause(v);
    if (cause !== null) return [v.releaseId, stateLabel(v, p), stepLabel(v), `${v.weight}%`, p.red(cause), v.requestedAt === null ? "-" : formatAge(now - v.requestedAt)];
    const verdict = lastVerdictSummary(v.verdicts);
    const colored = verdict.startsWith("pass") ? p.green(verdict) : verdict === "-" ? verdict : verdict.startsWith("fail") ? p.red(verdict) : p.yellow(verdict);
    return [v.releaseId, stateLabel(v, p), stepLabel(v), `${v.weight}%`, colored, v.requestedAt === null ? "-" : formatAge(now - v.requestedAt)];
  });
  return renderTable(["RELEASE", "STATE", "STEP", "WEIGHT", "LAST VERDICT", "AGE"], rows);
}

/** The numbers of a verdict, when the KV entry had them: `canary 412 · stable 280 · > 1.2 × stable`. */
export function verdictNumbers(v: VerdictLine): string {
  const parts: string[] = [];
  if (v.canary !== undefined) parts.push(`canary ${v.canary === null ? "no data" : num(v.canary)}`);
  if (v.stable !== undefined) parts.push(`stable ${v.stable === null ? "no data" : num(v.stable)}`);
  if (v.threshold !== undefined) parts.push(v.threshold);
  return parts.join(" · ");
}

/** One line per verdict: mark, metric, verdict, numbers, reason. */
export function renderVerdicts(verdicts: readonly VerdictLine[], indent: string, p: Palette = plain): string[] {
  const metricW = Math.max(0, ...verdicts.map((v) => v.metric.length));
  const verdictW = Math.max(0, ...verdicts.map((v) => v.verdict.length + (v.critical === true ? 9 : 0)));
  return verdicts.map((v) => {
    const label = `${v.verdict}${v.critical === true ? " critical" : ""}`;
    const numbers = verdictNumbers(v);
    const tail = [numbers, v.reason].filter((s) => s !== "").join("  ");
    return `${indent}${verdictMark(v.verdict, p)} ${v.metric.padEnd(metricW)}  ${label.padEnd(verdictW)}  ${tail}`.trimEnd();
  });
}

/** The audit history as a TIME, TRANSITION, BY, REASON table. */
export function renderTimeline(v: ReleaseView): string {
  if (v.audit.length === 0) return "  (no transitions recorded yet)\n";
  const rows = v.audit.map((a) => [a.at === null ? "-" : formatTime(a.at), `${a.from || "(start)"} → ${a.to}`, actorLabel(a.actor), a.reason]);
  return renderTable(["TIME", "TRANSITION", "BY", "REASON"], rows)
    .split("\n")
    .map((l) => (l === "" ? l : `  ${l}`))
    .join("\n");
}

/** One release: what, where it is, its verdicts and approvals, and its timeline. */
export function renderReleaseDetail(v: ReleaseView, now: number, p: Palette = plain): string {
  const out: string[] = [];
  const field = (name: string, value: string) => out.push(`${p.bold(name.padEnd(10))} ${value}`);
  field("Release", v.releaseId);
  const versions = v.version === null ? "" : ` (stable ${v.stableVersion ?? "?"} → canary ${v.version})`;
  field("Rollout", `${v.rollout}${versions}`);
  field("State", `${stateLabel(v, p)}${v.step === null ? "" : `   step ${stepLabel(v)}`}   ${weightBar(v.weight, 20, p)}`);
  if (v.requestedAt !== null) field("Requested", `${formatTime(v.requestedAt)} by ${actorLabel(v.requestedBy)} (${formatAge(now - v.requestedAt)} ago)`);
  if (v.completedAt !== null) field("Completed", `${formatTime(v.completedAt)}${v.outcome === null ? "" : ` (${v.outcome})`}`);
  if (v.reason !== "") field("Reason", v.reason);
  if (v.verdicts.length > 0) {
    out.push(p.bold("Verdicts"));
    out.push(...renderVerdicts(v.verdicts, "  ", p));
  }
  if (v.approvals.length > 0) {
    out.push(p.bold("Approvals"));
    for (const a of v.approvals) {
      const who = a.decision === null ? `waiting${a.expiresAt === null ? "" : ` until ${formatTime(a.expiresAt)}`}` : `${a.decision}${a.actor === null ? "" : ` by ${actorLabel(a.actor)}`}${a.at === null ? "" : ` at ${formatTime(a.at)}`}`;
      out.push(`  step ${a.step + 1}: ${who}`);
    }
  }
  out.push(p.bold("Timeline"));
  return `${out.join("\n")}\n${renderTimeline(v)}`;
}

/** A view for `--json`: everything but the audit history (which `status <id> --json` adds as `timeline`). */
export function summaryJson(v: ReleaseView): Omit<ReleaseView, "audit"> {
  const { audit: _audit, ...rest } = v;
  return rest;
}
