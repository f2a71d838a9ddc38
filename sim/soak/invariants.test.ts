// The invariant checker on hand-made worlds: each invariant caught once, and a clean run judged clean.
import { describe, expect, it } from "vitest";
import type { ReleaseFacts } from "./collect.js";
import type { DrivenRelease } from "./driver.js";
import { checkInvariants, percentile, type CheckInput } from "./invariants.js";
import type { WorldHistory } from "./recorder.js";
import type { ScriptedRelease } from "./script.js";

const rel = (version: string, kind: ScriptedRelease["kind"], expect: ScriptedRelease["expect"]): ScriptedRelease => ({
  index: 0,
  service: "svc-01",
  namespace: "soak",
  version,
  releaseId: `soak/svc-01/${version}`,
  kind,
  expect,
});
const driven = (id: string, pushedAt = 1_000): DrivenRelease => ({ releaseId: id, pushedAt, pushAttempts: 1, faultAt: null, finalSeenAt: 9_000, clicks: [], problems: [] });
const facts = (id: string, states: Array<[string, number, string?]>, extra: Partial<ReleaseFacts> = {}): ReleaseFacts => ({
  releaseId: id,
  audit: states.map(([to, at, event], seq) => ({ seq, event: event ?? "tick", from: "", to, reason: `to ${to}`, at })),
  completed: [states.at(-1)?.[0] === "succeeded" ? "promoted" : (states.at(-1)?.[0] ?? "")],
  approvalMessages: 1,
  promotedReplies: states.at(-1)?.[0] === "succeeded" ? 1 : 0,
  ...extra,
});
const emptyHistory = (): WorldHistory => ({ routes: [], vmCreates: [], migrations: [] });

function input(over: Partial<CheckInput> = {}): CheckInput {
  const a = rel("v1.1.0", "healthy", "promoted");
  const b = rel("v1.2.0", "errors5xx", "rolledBack");
  return {
    script: [a, b],
    driven: new Map([
      [a.releaseId, driven(a.releaseId)],
      [b.releaseId, driven(b.releaseId)],
    ]),
    facts: new Map([
      [a.releaseId, facts(a.releaseId, [["provisioning", 1_100], ["finalizing", 21_000], ["succeeded", 25_000]])],
      [b.releaseId, facts(b.releaseId, [["provisioning", 1_100], ["rollingBack", 11_000], ["rolledBack", 12_000]])],
    ]),
    history: {
      routes: [
        { at: 5_000, service: "svc-01", weights: { v1: 90, "v1.1.0": 10 } },
        { at: 10_000, service: "svc-01", weights: { v1: 50, "v1.1.0": 50 } },
        { at: 20_000, service: "svc-01", weights: { v1: 0, "v1.1.0": 100 } },
      ],
      vmCreates: [{ at: 2_000, name: "svc-01-v1-1-0", service: "svc-01", version: "v1.1.0" }],
      migrations: [],
    },
    stepWeights: [10, 50, 100],
    approvers: ["U0ONCALL1"],
    freezeGraceMs: 2_000,
    ...over,
  };
}

describe("checkInvariants", () => {
  it("judges a clean run clean, with each release's time to decision", () => {
    const r = checkInvariants(input());
    expect(r).toMatchObject({ asExpected: 2, lost: 0, wrong: 0, duplicatedEffects: [], violations: [] });
    expect(r.releases.map((x) => x.decisionMs)).toEqual([20_000, 10_000]);
  });

  it("counts a release with no KV entry and no completion as lost, and a different outcome as wrong", () => {
    const i = input();
    const f = new Map(i.facts);
    f.set("soak/svc-01/v1.1.0", { releaseId: "soak/svc-01/v1.1.0", audit: [], completed: [], approvalMessages: 0, promotedReplies: 0 });
    f.set("soak/svc-01/v1.2.0", facts("soak/svc-01/v1.2.0", [["finalizing", 9_000], ["succeeded", 12_000]]));
    const r = checkInvariants({ ...i, facts: f });
    expect(r).toMatchObject({ lost: 1, wrong: 1, asExpected: 0 });
    expect(r.releases[1]?.why).toMatch(/expected rolledBack, got promoted/);
  });

  it("finds duplicated effects: two completions, two approval messages, two promoted replies, a VM created twice", () => {
    const i = input();
    const f = new Map(i.facts);
    f.set("soak/svc-01/v1.1.0", { ...(f.get("soak/svc-01/v1.1.0") as ReleaseFacts), completed: ["promoted", "promoted"], approvalMessages: 2, promotedReplies: 2 });
    const history = { ...i.history, vmCreates: [...i.history.vmCreates, { at: 3_000, name: "svc-01-v1-1-0", service: "svc-01", version: "v1.1.0" }] };
    expect(checkInvariants({ ...i, facts: f, history }).duplicatedEffects).toHaveLength(4);
  });

  it.each([
    ["a weight no step names", { v1: 75, "v1.1.0": 25 }, /not a step of the plan/],
    ["weights not summing to 100", { v1: 90, "v1.1.0": 50 }, /not a step of the plan/],
    ["two canaries at once", { v1: 50, "v1.1.0": 10, "v1.2.0": 40 }, /two canaries|not a step/],
  ])("finds %s", (_name, weights, re) => {
    const history = { ...emptyHistory(), routes: [{ at: 1, service: "svc-01", weights }] };
    const r = checkInvariants(input({ history }));
    expect(r.violations.join("\n")).toMatch(re);
  });

  it("finds a weight move inside a live migration, but not one within the grace after it started", () => {
    const routes = [
      { at: 10_500, service: "svc-01", weights: { v1: 50, "v1.1.0": 50 } },
      { at: 15_000, service: "svc-01", weights: { v1: 0, "v1.1.0": 100 } },
    ];
    const r = checkInvariants(input({ history: { routes, vmCreates: [], migrations: [{ service: "svc-01", vmi: "svc-01-v1", start: 10_000, end: 18_000 }] } }));
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatch(/5\.0 s into the live migration of svc-01-v1/);
  });

  it("finds an approval decided by someone who is not an approver", () => {
    const i = input();
    const f = new Map(i.facts);
    const base = f.get("soak/svc-01/v1.1.0") as ReleaseFacts;
    f.set("soak/svc-01/v1.1.0", { ...base, audit: [...base.audit.slice(0, 1), { seq: 9, event: "evt.approval.granted", from: "step.awaitingApproval", to: "step.shifting", reason: "", actor: { kind: "slack", id: "U0INTRUDER" }, at: 15_000 }, ...base.audit.slice(1)] });
    expect(checkInvariants({ ...i, facts: f }).violations).toEqual(["soak/svc-01/v1.1.0: evt.approval.granted by U0INTRUDER, who is not an approver"]);
  });

  it("counts a release decided beyond the bound of its no-chaos time as wrong", () => {
    const baseline = new Map([
      ["healthy", 5_000],
      ["errors5xx", 10_000],
    ]);
    const r = checkInvariants(input({ baseline, bound: { factor: 2, plusMs: 5_000 } }));
    expect(r.wrong).toBe(1);
    expect(r.releases[0]?.why).toMatch(/beyond 2× the no-chaos 5\.0 s of a healthy release \+ 5 s/);
  });

  it("takes nearest-rank percentiles", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 99)).toBe(5);
    expect(percentile([], 50)).toBeNull();
  });
});
