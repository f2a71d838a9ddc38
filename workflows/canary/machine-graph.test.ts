/**
 * Path coverage with @xstate/graph: every state reachable, every final state reached, and — over
 * the whole abstracted state graph — no promotion after a failed interval without a later passing
 * interval at the last (100 %) step, unless an operator promoted by hand.
 */
import { getAdjacencyMap, getShortestPaths } from "@xstate/graph";
import { describe, expect, it } from "vitest";
import { canaryMachine } from "./machine.js";
import { statePath } from "./state-path.js";
import { ev, makeInput, makeSpec, STABLE, verdict } from "./fixtures.test-util.js";
import type { CanaryContext, CanaryInput, WorkflowEvent } from "./types.js";

type Snap = ReturnType<typeof canaryMachine.transition>;

const spec = makeSpec({
  steps: [{ weight: 10 }, { weight: 50, approval: { timeoutSeconds: 600, onTimeout: "reject" } }, { weight: 100 }],
  analysis: { intervalSeconds: 60, failureLimit: 1, inconclusiveLimit: 1, errorLimit: 1, noData: "hold" },
});

/** The latest time the context knows; events happen after it. */
function clockOf(c: CanaryContext): number {
  const times = [
    c.requestedAt,
    c.provision?.startedAt,
    c.provision?.retryAt,
    c.bake?.startedAt,
    c.lastAnalysisAt,
    c.weights?.sentAt,
    c.rollback?.startedAt,
    c.paused?.at,
    ...c.approvals.map((a) => a.requestedAt),
    ...Object.values(c.migrations).map((m) => m.startedAt),
  ];
  return Math.max(...times.filter((t): t is number => typeof t === "number"));
}

/** Events that matter in each state (others are no-ops there, and only slow the traversal). */
function eventsFor(s: Snap): WorkflowEvent[] {
  const c = s.context;
  const t = clockOf(c) + 60_000;
  const path = statePath(s.value as Parameters<typeof statePath>[0]);
  const late: WorkflowEvent = { type: "tick", now: t + 3_600_000 };
  const soon: WorkflowEvent = { type: "tick", now: t };
  const control = (...actions: Array<"pause" | "resume" | "abort" | "promote" | "approve" | "reject">) => actions.map((a) => ev.control(t, a));
  const analyses = [verdict.pass(), verdict.fail(), verdict.inconclusive(), verdict.error(), verdict.critical()].map((v) => ev.analysis(t, [v]));
  const weights = c.weights === null ? [] : [ev.weightsSet(t, c.weights.target), ev.weightsFailed(t, c.weights.target, true), ev.weightsFailed(t, c.weights.target, false)];
  const migration = Object.keys(c.migrations).length > 0 ? [ev.migrationCompleted(t, STABLE)] : [ev.migrationStarted(t, STABLE)];
  switch (path) {
    case "queued":
      return [ev.start(t), ev.superseded(t), ...control("abort")];
    case "provisioning":
    case "awaitingCanaryReady":
      return [ev.provisioned(t), ev.ready(t), ev.provisionFailed(t, true), ev.provisionFailed(t, false), ev.crashed(t), soon, late, ...control("abort")];
    case "step.awaitingApproval":
    case "step.shifting":
    case "step.analyzing":
    case "paused": {
      const gate = c.pendingApproval === null ? [] : [ev.granted(t, c.pendingApproval), ev.denied(t, c.pendingApproval), ev.expired(t, c.pendingApproval, "reject")];
      const ctl = path === "paused" ? control("resume", "abort", "promote") : control("pause", "abort", "promote");
      return [...analyses, ...weights, ...gate, ...migration, ev.alert(t), ev.superseded(t), soon, late, ...ctl];
    }
    case "promoting":
      return [...weights, ...migration, analyses[0]!, analyses[4]!, ev.alert(t), soon, late, ...control("abort")];
    case "finalizing":
      return [ev.alert(t), ev.superseded(t), late, ...control("abort")];
    case "rollingBack":
      return [...weights, soon];
    default:
      return [];
  }
}

function serializeState(s: Snap): string {
  const c = s.context;
  return JSON.stringify([
    statePath(s.value as Parameters<typeof statePath>[0]),
    c.stepIndex,
    c.canaryWeight,
    c.weights?.target ?? null,
    c.weights?.retryAt !== null && c.weights !== null,
    c.counters.failures,
    Math.min(c.counters.inconclusive, 2),
    Math.min(c.counters.errors, 2),
    c.bake?.passed ?? null,
    c.rollback?.kind ?? null,
    c.rollback?.confirmed ?? null,
    c.pendingApproval !== null,
    Object.keys(c.migrations).length,
    c.promoted,
    c.promotedBy !== null,
    c.provision?.retryAt != null,
    c.queuedBehind !== null,
  ]);
}

const serializeEvent = (e: WorkflowEvent): string => {
  if (e.type === "evt.analysis.completed") return `analysis:${e.data.verdicts.map((v) => (v.critical ? "critical" : v.verdict)).join(",")}`;
  if (e.type === "cmd.orchestrator.control") return `control:${e.data.action}`;
  if (e.type === "tick") return `tick:${e.now}`;
  if (e.type === "evt.traffic.weights_failed") return `weights_failed:${e.data.retryable}`;
  if (e.type === "evt.vm.provision_failed") return `provision_failed:${e.data.retryable}`;
  return e.type;
};

function traverse(input: CanaryInput) {
  return getAdjacencyMap(canaryMachine, { input, events: eventsFor, serializeState, serializeEvent: serializeEvent as never, limit: 2_000_000 });
}

const liveInput = makeInput(spec);
const queuedInput = makeInput(spec, { queuedBehind: "shop/ratings/v1.0.5" });
const allStates = [
  "queued",
  "provisioning",
  "awaitingCanaryReady",
  "step.awaitingApproval",
  "step.shifting",
  "step.analyzing",
  "promoting",
  "finalizing",
  "paused",
  "rollingBack",
  "succeeded",
  "rolledBack",
  "aborted",
  "superseded",
  "failed",
];

describe("canary machine: state graph", () => {
  const live = traverse(liveInput);
  const queued = traverse(queuedInput);
  const states = (m: typeof live) => new Set(Object.values(m).map((v) => statePath(v.state.value as Parameters<typeof statePath>[0])));

  it("every state is reachable, every final state is reached", () => {
    const reached = new Set([...states(live), ...states(queued)]);
    for (const s of allStates) expect(reached, s).toContain(s);
  });

  it("getShortestPaths finds a path to each final outcome", () => {
    // A smaller plan (two steps, no gate) keeps this traversal quick; the gate is covered above.
    const small = makeInput(makeSpec({ steps: [{ weight: 50 }, { weight: 100 }], analysis: { intervalSeconds: 60, failureLimit: 0, inconclusiveLimit: 0, errorLimit: 0 } }));
    const paths = getShortestPaths(canaryMachine, {
      input: small,
      events: eventsFor,
      serializeState,
      serializeEvent: serializeEvent as never,
      toState: (s) => s.status === "done",
    });
    const outcomes = new Set(paths.map((p) => p.state.context.outcome));
    expect([...outcomes].sort()).toEqual(["aborted", "failed", "promoted", "rolledBack", "superseded"]);
  });

  it("never promotes after a failed interval without a later passing interval at the last step", () => {
    // Product of the state graph with a monitor bit: "a failure was counted and no pass at 100 % since".
    const lastStep = 2;
    const promotedStates = new Set(["promoting", "finalizing", "succeeded"]);
    const start = Object.keys(live)[0]!;
    const seen = new Set<string>();
    const queue: Array<[string, boolean]> = [[start, false]];
    const violations: string[] = [];
    while (queue.length > 0) {
      const [key, dirty] = queue.shift()!;
      const id = `${key}|${dirty}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = live[key as keyof typeof live];
      if (node === undefined) continue;
      for (const [evKey, { event, state: next }] of Object.entries(node.transitions)) {
        if (evKey === "control:promote") continue; // an operator's explicit override
        const from = node.state.context;
        const to = next.context;
        let d = dirty;
        if (to.counters.failures > from.counters.failures) d = true;
        const passedAtLast =
          event.type === "evt.analysis.completed" &&
          from.stepIndex === lastStep &&
          ((to.bake?.passed ?? 0) > (from.bake?.passed ?? 0) || promotedStates.has(statePath(next.value as never)));
        if (passedAtLast) d = false;
        const nextPath = statePath(next.value as Parameters<typeof statePath>[0]);
        if (d && promotedStates.has(nextPath) && !promotedStates.has(statePath(node.state.value as never))) {
          violations.push(`${key} --${evKey}--> ${nextPath}`);
        }
        queue.push([serializeState(next), d]);
      }
    }
    expect(violations).toEqual([]);
    expect(seen.size).toBeGreaterThan(100);
  });
});
