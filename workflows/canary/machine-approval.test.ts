import { describe, expect, it } from "vitest";
import { drive, names, toFirstBake, type Driver } from "./driver.test-util.js";
import { T0, ev, makeInput, makeSpec, tick, verdict } from "./fixtures.test-util.js";

const spec = (onTimeout: "reject" | "approve") =>
  makeSpec({ steps: [{ weight: 10 }, { weight: 50, approval: { timeoutSeconds: 600, onTimeout } }, { weight: 100 }] });

function toGate(onTimeout: "reject" | "approve" = "reject"): { r: Driver; t: number } {
  const r = drive(makeInput(spec(onTimeout)));
  const t = toFirstBake(r, T0);
  const out = r.send(ev.analysis(t + 60_000, [verdict.pass()]));
  expect(r.state).toBe("step.awaitingApproval");
  expect(names(out)).toEqual(["cmd.approval.request"]);
  expect(out[0]?.data).toMatchObject({ requestId: "1-1", step: 1, fromWeight: 10, toWeight: 50, onTimeout, expiresAt: t + 60_000 + 600_000 });
  return { r, t: t + 60_000 };
}

describe("approval gates", () => {
  it("granted: the decision is durable (who, when), then the step shifts", () => {
    const { r, t } = toGate();
    const out = r.send(ev.granted(t + 5000, "1-1"));
    expect(r.state).toBe("step.shifting");
    expect(names(out)).toEqual(["set_weights:50"]);
    expect(r.ctx.approvals).toEqual([
      expect.objectContaining({ requestId: "1-1", decision: "granted", actor: { kind: "slack", id: "U123", name: "ana" }, at: t + 5000 }),
    ]);
    expect(r.ctx.lastActor?.id).toBe("U123");
  });

  it.each([
    ["an unlisted Slack user", { kind: "slack" as const, id: "UEVE", name: "eve" }, undefined, "you are not an approver; ask <@U123>, <!subteam^SONCALL>"],
    ["a group the request does not list", { kind: "slack" as const, id: "UEVE" }, "group:SOTHER", "you are not an approver"],
    ["a listed id from another channel", { kind: "cli" as const, id: "U123" }, undefined, "a cli actor cannot decide a Slack approval request"],
  ])("a grant by %s is refused: audited with who and why, the release keeps waiting", (_name, actor, via, why) => {
    const { r, t } = toGate();
    expect(r.send(ev.granted(t + 5000, "1-1", actor, via))).toEqual([]);
    expect(r.state).toBe("step.awaitingApproval");
    expect(r.ctx.pendingApproval).toBe("1-1");
    expect(r.ctx.approvals[0]).toMatchObject({ decision: null, refusals: [{ actor, at: t + 5000, reason: expect.stringContaining(why) }] });
    expect(r.ctx.lastActor).toEqual(actor);
    expect(r.ctx.lastReason).toMatch(new RegExp(`^approval 1-1: grant by .*${actor.id}.* refused: .*still waiting for an approver`));
  });

  it("a refused grant does not stop the timeout: the request expires by its policy", () => {
    const { r, t } = toGate("reject");
    r.send(ev.granted(t + 5000, "1-1", { kind: "slack", id: "UEVE" }));
    r.send(tick(t + 600_000));
    expect(r.state).toBe("rollingBack");
    expect(r.ctx.approvals[0]).toMatchObject({ decision: "expired", refusals: [expect.objectContaining({ actor: { kind: "slack", id: "UEVE" } })] });
  });

  it("a denial by a non-approver is refused too, and an approver still decides after it", () => {
    const { r, t } = toGate();
    r.send({ ...ev.denied(t + 1000, "1-1"), data: { requestId: "1-1", actor: { kind: "slack", id: "UEVE" }, at: t + 1000 } });
    expect(r.state).toBe("step.awaitingApproval");
    r.send(ev.granted(t + 2000, "1-1", { kind: "slack", id: "UBOB" }, "group:SONCALL"));
    expect(r.state).toBe("step.shifting");
    expect(r.ctx.approvals[0]).toMatchObject({ decision: "granted", actor: { kind: "slack", id: "UBOB" } });
  });

  it("the request carries the allow-list the workflow checks against", () => {
    const { r } = toGate();
    expect(r.ctx.approvals[0]?.approvers).toEqual({ users: ["U123"], groups: ["SONCALL"] });
  });

  it("a decision for another request id is ignored", () => {
    const { r, t } = toGate();
    r.send(ev.granted(t + 5000, "0-1"));
    expect(r.state).toBe("step.awaitingApproval");
  });

  it("denied: rolls back, naming the approver", () => {
    const { r, t } = toGate();
    r.send(ev.denied(t + 5000, "1-1"));
    expect(r.state).toBe("rollingBack");
    expect(r.ctx.rollback?.reason).toBe("approval 1-1 denied by ana (slack:U123): not today");
    expect(r.ctx.approvals[0]).toMatchObject({ decision: "denied", comment: "not today" });
  });

  it.each([
    ["reject", "rollingBack"],
    ["approve", "step.shifting"],
  ] as const)("expired event with onTimeout=%s → %s", (policy, state) => {
    const { r, t } = toGate(policy);
    r.send(ev.expired(t + 600_000, "1-1", policy));
    expect(r.state).toBe(state);
    expect(r.ctx.approvals[0]).toMatchObject({ decision: "expired", actor: null });
  });

  it.each([
    ["reject", "rollingBack", ["cmd.approval.cancel", "set_weights:0", "cmd.analysis.stop"]],
    ["approve", "step.shifting", ["cmd.approval.cancel", "set_weights:50"]],
  ] as const)("the clock expires it too (onTimeout=%s), closing the request", (policy, state, cmds) => {
    const { r, t } = toGate(policy);
    expect(r.send(tick(t + 599_999))).toEqual([]);
    const out = r.send(tick(t + 600_000));
    expect(r.state).toBe(state);
    expect(names(out)).toEqual(cmds);
  });

  it("a CLI approve counts, and closes the Slack request", () => {
    const { r, t } = toGate();
    const out = r.send(ev.control(t + 1000, "approve"));
    expect(r.state).toBe("step.shifting");
    expect(names(out)).toEqual(["cmd.approval.cancel", "set_weights:50"]);
    expect(r.ctx.approvals[0]).toMatchObject({ decision: "granted", actor: { kind: "cli", id: "alice" } });
  });

  it("a CLI reject rolls back", () => {
    const { r, t } = toGate();
    r.send(ev.control(t + 1000, "reject"));
    expect(r.state).toBe("rollingBack");
  });

  it("a failing interval while waiting still rolls back (no blind spot at the gate)", () => {
    const { r, t } = toGate();
    r.send(ev.analysis(t + 60_000, [verdict.fail()]));
    r.send(ev.analysis(t + 120_000, [verdict.fail()]));
    expect(r.state).toBe("rollingBack");
  });

  it("pause at the gate cancels the request; resume asks again with a new id", () => {
    const { r, t } = toGate();
    expect(names(r.send(ev.control(t + 1000, "pause")))).toEqual(["cmd.approval.cancel"]);
    expect(r.state).toBe("paused");
    const out = r.send(ev.control(t + 2000, "resume"));
    expect(r.state).toBe("step.awaitingApproval");
    expect(out[0]?.data).toMatchObject({ requestId: "1-2" });
  });

  it("a granted gate is not asked again after pause and resume", () => {
    const { r, t } = toGate();
    r.send(ev.granted(t + 1000, "1-1"));
    r.send(ev.weightsSet(t + 2000, 50));
    r.send(ev.control(t + 3000, "pause"));
    r.send(ev.control(t + 4000, "resume"));
    expect(r.state).toBe("step.analyzing");
  });
});
