/**
 * What the pages show of a release: a row of the releases list, and the detail page's model. Built
 * from the shared release view (services/runtime/release-view.ts) plus the parts of the stored spec
 * the dashboard needs (approvers, service, version label). Pure.
 */
import { ControlAction } from "../../schemas/control.js";
import { actionProblem } from "../runtime/release-actions.js";
import { lastVerdictSummary, type ActorLike, type AuditLine, type ReleaseView } from "../runtime/release-view.js";
import type { ReleaseHistory } from "./history.js";

/** The spec fields the dashboard reads from a stored release. */
export interface SpecFacts {
  approvers: { users: string[]; groups: string[] };
  /** Istio canonical service (`spec.service`). */
  service: string;
  versionLabel: string;
  /** Labels every VM of the rollout carries (`spec.vmTemplate.metadata.labels`). */
  templateLabels: Record<string, string>;
  /** Steps that wait for an approval before shifting (0-based). */
  gatedSteps: number[];
  /** `spec.steps[].weight`. */
  stepWeights: number[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);

/** The spec facts of a stored release (tolerant: missing parts are empty). */
export function specFactsOf(stored: unknown): SpecFacts {
  const ctx = isObj(stored) && isObj(stored.snapshot) && isObj(stored.snapshot.context) ? stored.snapshot.context : {};
  const spec = isObj(ctx.spec) ? ctx.spec : {};
  const approvers = isObj(spec.approvers) ? spec.approvers : {};
  const tmpl = isObj(spec.vmTemplate) && isObj(spec.vmTemplate.metadata) && isObj(spec.vmTemplate.metadata.labels) ? spec.vmTemplate.metadata.labels : {};
  const steps = Array.isArray(spec.steps) ? spec.steps.filter(isObj) : [];
  return {
    approvers: { users: strings(approvers.users), groups: strings(approvers.groups) },
    service: typeof spec.service === "string" ? spec.service : "",
    versionLabel: typeof spec.versionLabel === "string" ? spec.versionLabel : "version",
    templateLabels: Object.fromEntries(Object.entries(tmpl).filter((e): e is [string, string] => typeof e[1] === "string")),
    gatedSteps: steps.flatMap((s, i) => (s.approval !== undefined ? [i] : [])),
    stepWeights: steps.map((s) => (typeof s.weight === "number" ? s.weight : 0)),
  };
}

/** One row of the releases list. */
export interface ReleaseRow {
  releaseId: string;
  namespace: string;
  rollout: string;
  version: string | null;
  stableVersion: string | null;
  state: string;
  /** What the row says the release is doing, in a word: `analyzing`, `awaiting approval`, `promoted`. */
  phase: string;
  done: boolean;
  outcome: string | null;
  /** 1-based step shown, and the number of steps. */
  step: number | null;
  steps: number | null;
  weight: number;
  requestedAt: number | null;
  updatedAt: number | null;
  awaitingApproval: boolean;
  /** Who must approve: listed when the release waits for them or has a gated step ahead. */
  approvers: string[];
  verdict: string;
  reason: string;
}

/** A word for the state: the outcome once done, else the leaf of the state path in words. */
export function phaseOf(v: ReleaseView): string {
  if (v.done) return v.outcome ?? v.state;
  if (v.awaitingApproval) return "awaiting approval";
  const leaf = v.state.split(".").at(-1) ?? v.state;
  return leaf.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** The row of a release. */
export function rowOf(v: ReleaseView, f: SpecFacts): ReleaseRow {
  const [namespace = "", rollout = ""] = v.rollout.split("/");
  const gateAhead = !v.done && f.gatedSteps.some((s) => v.step === null || s >= v.step);
  return {
    releaseId: v.releaseId,
    namespace,
    rollout,
    version: v.version,
    stableVersion: v.stableVersion,
    state: v.state,
    phase: phaseOf(v),
    done: v.done,
    outcome: v.outcome,
    step: v.step === null ? null : v.step + 1,
    steps: v.steps,
    weight: v.weight,
    requestedAt: v.requestedAt,
    updatedAt: v.updatedAt,
    awaitingApproval: v.awaitingApproval,
    approvers: v.awaitingApproval || gateAhead ? [...f.approvers.users, ...f.approvers.groups.map((g) => `group:${g}`)] : [],
    verdict: lastVerdictSummary(v.verdicts),
    reason: v.reason,
  };
}

/**
 * The releases list: every rollout's current release (its live one, else its latest), or every
 * release with `all`; filtered by `q` (words that must all appear in the id, state or phase).
 * `rows` must be sorted as sortReleases sorts views (live first, newest first).
 */
export function listRows(rows: readonly ReleaseRow[], opts: { q?: string; all?: boolean }): ReleaseRow[] {
  const seen = new Set<string>();
  const words = (opts.q ?? "").toLowerCase().split(/\s+/).filter((w) => w !== "");
  return rows.filter((r) => {
    const key = `${r.namespace}/${r.rollout}`;
    if (opts.all !== true) {
      if (seen.has(key)) return false;
      seen.add(key);
    }
    const hay = `${r.releaseId} ${r.state} ${r.phase}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** An entry of the detail page's timeline. */
export interface TimelineItem {
  seq: number | null;
  at: number | null;
  /** `fact` (something happened), `decision` (the workflow moved, with its reason), `approval`, `action` (a person). */
  kind: "fact" | "decision" | "approval" | "action";
  title: string;
  reason: string;
  actor: ActorLike | null;
}

const APPROVAL_EVENTS = new Set(["evt.approval.granted", "evt.approval.denied", "evt.approval.expired"]);

/** A timeline item of an audit line. */
export function timelineItemOf(a: AuditLine): TimelineItem {
  const kind: TimelineItem["kind"] = APPROVAL_EVENTS.has(a.event)
    ? "approval"
    : a.event === "cmd.orchestrator.control"
      ? "action"
      : a.from === a.to
        ? "fact"
        : "decision";
  const title = a.from === a.to ? `${a.event} (stays ${a.to})` : `${a.from} → ${a.to} on ${a.event}`;
  return { seq: a.seq, at: a.at, kind, title, reason: a.reason, actor: a.actor };
}

/** The detail page's model. */
export interface ReleaseDetail {
  row: ReleaseRow;
  timeline: TimelineItem[];
  approvals: ReleaseView["approvals"];
  verdicts: ReleaseView["verdicts"];
  history: ReleaseHistory;
  stepWeights: number[];
  /** For each action: null when it applies now, else why not. */
  actions: Record<ControlAction, string | null>;
  slackThread: string | null;
  completedAt: number | null;
}

/** Build the detail model. */
export function detailOf(v: ReleaseView, f: SpecFacts, history: ReleaseHistory, slackThread: string | null): ReleaseDetail {
  return {
    row: rowOf(v, f),
    timeline: v.audit.map(timelineItemOf),
    approvals: v.approvals,
    verdicts: v.verdicts,
    history,
    stepWeights: f.stepWeights,
    actions: Object.fromEntries(ControlAction.map((a) => [a, actionProblem(a, v)])) as Record<ControlAction, string | null>,
    slackThread,
    completedAt: v.completedAt,
  };
}

/** A link to a Slack message: the workspace's archive URL when known, else Slack's redirect. */
export function slackLink(thread: { channel: string; ts: string }, workspaceUrl: string | undefined): string {
  if (workspaceUrl !== undefined) return `${workspaceUrl.replace(/\/+$/, "")}/archives/${encodeURIComponent(thread.channel)}/p${thread.ts.replace(".", "")}`;
  return `https://slack.com/app_redirect?channel=${encodeURIComponent(thread.channel)}&message_ts=${encodeURIComponent(thread.ts)}`;
}
