/**
 * The step plan: which traffic each step gives the canary, how long each bakes, which are gated. Pure.
 *
 * A step is exactly one of: `mirror` (a copy of a share of the traffic, user-facing weight 0),
 * `match` (only requests matching headers or a cookie reach the canary, weight 0 for the rest) or
 * `weight`. Rules: 1–20 steps; mirror and matched steps come before every weight step; weights are
 * integers in 1..100 and strictly increasing. The last step may be below 100 (or a mirror or matched
 * step): after it passes, promotion still moves the canary to 100 % (without baking there, as Argo
 * Rollouts does after its last step); add an explicit 100 step to have 100 % judged.
 */
import type { ResolvedRollout } from "../../schemas/rollout-defaults.js";
import type { RouteMatch, StepSpec } from "../../schemas/rollout.js";
import { SiskinError } from "../../schemas/errors.js";
import { trafficShapeOf } from "../../schemas/traffic.js";

/** What a step does with traffic. */
export type StepKind = "weight" | "mirror" | "match";

/** One step of the plan, defaults resolved. */
export interface PlannedStep {
  index: number;
  kind: StepKind;
  /** User-facing canary weight: the step's weight, 0 for mirror and matched steps. */
  weight: number;
  /** Mirror steps: percent of requests copied to the canary; else null. */
  mirrorPercentage: number | null;
  /** Matched steps: the conditions that send a request to the canary; else null. */
  match: RouteMatch[] | null;
  /** The traffic-router's key for this step's routes ("" for a plain weight), see schemas/traffic.ts. */
  shape: string;
  /** Short text for people: `10 %`, `mirror 100 %`, `match x-canary=always`. */
  label: string;
  bakeIntervals: number;
  /** Ask before shifting to this step. */
  approval: { timeoutMs: number; onTimeout: "reject" | "approve" } | null;
}

/** The resolved plan of a release. */
export interface StepPlan {
  steps: PlannedStep[];
  intervalMs: number;
  /** True when the last step is below 100 %, so promotion shifts the rest unjudged. */
  promoteJump: boolean;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

/** A regex the mesh can use: compiles, and no lookaround or backreference (RE2, Envoy's engine, has none). */
function regexProblem(re: string): string | null {
  // Backreferences (\1, \k<n>) and lookarounds ((?=, (?!, (?<=, (?<!) exist in JavaScript but not in RE2.
  if (/\\[1-9]|\\k<|\(\?<?[=!]/.test(re)) return "uses a lookaround or backreference, which RE2 (Envoy's regex engine) does not support";
  try {
    new RegExp(re);
  } catch (err) {
    return `does not compile: ${(err as Error).message}`;
  }
  return null;
}

function matchProblems(match: readonly RouteMatch[], at: string): string[] {
  const problems: string[] = [];
  if (match.length === 0) problems.push(`${at} is empty: give at least one condition, e.g. [{headers: {x-canary: {exact: always}}}]`);
  match.forEach((m, j) => {
    const here = `${at}[${j}]`;
    const headers = Object.entries(m.headers ?? {});
    if (headers.length === 0 && m.cookie === undefined) problems.push(`${here} has no condition: give headers or a cookie`);
    if (headers.length > 0 && m.cookie !== undefined) problems.push(`${here} has both headers and a cookie: give each its own entry (entries are ORed)`);
    for (const [name, sm] of headers) {
      if (!HEADER_NAME.test(name)) problems.push(`${here}.headers["${name}"]: a header name is a lower-case HTTP token (e.g. x-canary)`);
      if (name === "cookie") problems.push(`${here}.headers.cookie: use {cookie: {name, value}} for cookies`);
      const kinds = (["exact", "prefix", "regex"] as const).filter((k) => sm[k] !== undefined);
      if (kinds.length !== 1) problems.push(`${here}.headers["${name}"] gives ${kinds.length === 0 ? "no" : kinds.join(" and ")} match: give exactly one of exact, prefix, regex`);
      if (sm.regex !== undefined) {
        const p = regexProblem(sm.regex);
        if (p !== null) problems.push(`${here}.headers["${name}"].regex ${JSON.stringify(sm.regex)} ${p}`);
      }
    }
    if (m.cookie !== undefined && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(m.cookie.name)) {
      problems.push(`${here}.cookie.name ${JSON.stringify(m.cookie.name)} is not a cookie name (an HTTP token)`);
    }
    if (m.cookie !== undefined && /[;,\s"\\]/.test(m.cookie.value)) {
      problems.push(`${here}.cookie.value ${JSON.stringify(m.cookie.value)} holds a character a cookie value cannot (; , space, quote or backslash)`);
    }
  });
  return problems;
}

function kindOf(s: StepSpec): StepKind[] {
  return [...(s.weight !== undefined ? ["weight" as const] : []), ...(s.mirror !== undefined ? ["mirror" as const] : []), ...(s.match !== undefined ? ["match" as const] : [])];
}

/** Problems with a step list (empty when valid), each naming the step and the fix. */
export function validateSteps(steps: readonly StepSpec[]): string[] {
  const problems: string[] = [];
  if (steps.length === 0) problems.push("spec.steps is empty: give at least one step, e.g. [{weight: 100}]");
  if (steps.length > 20) problems.push(`spec.steps has ${steps.length} steps: at most 20 are allowed`);
  let prevWeight: { at: number; weight: number } | null = null;
  steps.forEach((s, i) => {
    const at = `spec.steps[${i}]`;
    const kinds = kindOf(s);
    if (kinds.length !== 1) {
      problems.push(`${at} gives ${kinds.length === 0 ? "none" : kinds.join(" and ")} of weight, mirror, match: give exactly one (split it into ${Math.max(2, kinds.length)} steps)`);
    }
    if (s.weight !== undefined) {
      if (!Number.isInteger(s.weight) || s.weight < 1 || s.weight > 100) {
        problems.push(`${at}.weight is ${s.weight}: use an integer from 1 to 100`);
      }
      if (prevWeight !== null && s.weight <= prevWeight.weight) {
        problems.push(`${at}.weight ${s.weight} is not above the previous step's ${prevWeight.weight}: weights must strictly increase`);
      }
      prevWeight = { at: i, weight: s.weight };
    } else if (prevWeight !== null && kinds.length === 1) {
      problems.push(`${at} is a ${kinds[0]} step after the weight step spec.steps[${prevWeight.at}]: mirror and matched steps come before any user traffic shifts (e.g. mirror → match → 10 → 50 → 100)`);
    }
    if (s.mirror !== undefined) {
      const p = s.mirror.percentage;
      if (typeof p !== "number" || !Number.isFinite(p) || p <= 0 || p > 100) problems.push(`${at}.mirror.percentage is ${p}: use a number above 0 and at most 100`);
    }
    if (s.match !== undefined) problems.push(...matchProblems(s.match, `${at}.match`));
    if (s.bakeIntervals !== undefined && (!Number.isInteger(s.bakeIntervals) || s.bakeIntervals < 1)) {
      problems.push(`${at}.bakeIntervals is ${s.bakeIntervals}: use an integer ≥ 1`);
    }
  });
  return problems;
}

/** `x-canary=always`, `x-version^=v2`, `x-user~=.*@corp`, `cookie beta=true`; entries joined by " or ". */
export function describeMatch(match: readonly RouteMatch[]): string {
  return match
    .map((m) => {
      if (m.cookie !== undefined) return `cookie ${m.cookie.name}=${m.cookie.value}`;
      return Object.entries(m.headers ?? {})
        .map(([n, sm]) => (sm.exact !== undefined ? `${n}=${sm.exact}` : sm.prefix !== undefined ? `${n}^=${sm.prefix}` : `${n}~=${sm.regex ?? ""}`))
        .join(" and ");
    })
    .join(" or ");
}

function plannedStep(s: StepSpec, index: number): PlannedStep {
  const mirrorPercentage = s.mirror?.percentage ?? null;
  const match = s.match === undefined ? null : structuredClone(s.match);
  const kind: StepKind = mirrorPercentage !== null ? "mirror" : match !== null ? "match" : "weight";
  const weight = kind === "weight" ? (s.weight ?? 0) : 0;
  const label = kind === "mirror" ? `mirror ${mirrorPercentage} %` : kind === "match" ? `match ${describeMatch(match ?? [])}` : `${weight} %`;
  return {
    index,
    kind,
    weight,
    mirrorPercentage,
    match,
    shape: trafficShapeOf({ ...(mirrorPercentage === null ? {} : { mirror: { percentage: mirrorPercentage } }), ...(match === null ? {} : { match }) }),
    label,
    bakeIntervals: s.bakeIntervals ?? 1,
    approval:
      s.approval === undefined
        ? null
        : { timeoutMs: (s.approval.timeoutSeconds ?? 3600) * 1000, onTimeout: s.approval.onTimeout ?? "reject" },
  };
}

/** The plan of a resolved rollout, or the problems that prevent one. */
export function tryPlanSteps(rollout: ResolvedRollout): { plan: StepPlan; problems: [] } | { plan: null; problems: string[] } {
  const problems = validateSteps(rollout.steps);
  if (problems.length > 0) return { plan: null, problems };
  const steps = rollout.steps.map(plannedStep);
  const last = steps[steps.length - 1];
  return { plan: { steps, intervalMs: rollout.intervalMs, promoteJump: (last?.weight ?? 0) < 100 }, problems: [] };
}

/** The plan of a resolved rollout; throws SISKIN_ERR_INVALID_ROLLOUT listing every problem. */
export function planSteps(rollout: ResolvedRollout): StepPlan {
  const r = tryPlanSteps(rollout);
  if (r.plan === null) {
    throw new SiskinError("SISKIN_ERR_INVALID_ROLLOUT", `VMRollout steps are invalid: ${r.problems.join("; ")}`);
  }
  return r.plan;
}

/** The step at `index`; throws when out of range (a bug, not an input problem). */
export function stepAt(plan: StepPlan, index: number): PlannedStep {
  const s = plan.steps[index];
  if (s === undefined) throw new RangeError(`step ${index} is outside the plan of ${plan.steps.length} steps`);
  return s;
}

/** True when `index` is the plan's last step. */
export function isLast(plan: StepPlan, index: number): boolean {
  return index >= plan.steps.length - 1;
}

/** The step after `index`, or null after the last. */
export function nextStep(plan: StepPlan, index: number): PlannedStep | null {
  return plan.steps[index + 1] ?? null;
}

/** How long a step bakes at its weight: bakeIntervals × interval. */
export function bakeMs(plan: StepPlan, index: number): number {
  return stepAt(plan, index).bakeIntervals * plan.intervalMs;
}
