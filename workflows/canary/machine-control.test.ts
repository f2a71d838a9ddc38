import { describe, expect, it } from "vitest";
import { drive, names, passInterval, toFirstBake } from "./driver.test-util.js";
import { CANARY, STABLE, T0, ev, makeInput, makeSpec, tick, verdict } from "./fixtures.test-util.js";

describe("operator control", () => {
  it("pause holds the step; resume restarts that step's bake from the resume", () => {
    const r = drive();
    const t = passInterval(r, toFirstBake(r, T0), 50); // at 50 %, baking
    r.send(ev.control(t + 10_000, "pause"));
    expect(r.state).toBe("paused");
    expect(r.ctx.paused).toMatchObject({ from: "step 2 (50 %)", actor: { kind: "cli", id: "alice" } });
    r.send(ev.analysis(t + 60_000, [verdict.pass()]));
    expect(r.state).toBe("paused"); // passing intervals do not advance a paused release
    expect(r.send(ev.control(t + 100_000, "resume"))).toEqual([]);
    expect(r.state).toBe("step.analyzing");
    expect(r.ctx.bake).toEqual({ startedAt: t + 100_000, until: t + 160_000, passed: 0 });
    expect(r.ctx.lastReason).toBe("resumed by cli:alice: restarting step 2 (50 %); baking step 2 at 50 % for 1 interval(s) (60 s)");
  });

  it("resume of a release paused while shifting shifts again", () => {
    const r = drive();
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.ready(T0 + 2000));
    r.send(ev.control(T0 + 2500, "pause"));
    expect(names(r.send(ev.control(T0 + 3000, "resume")))).toEqual(["set_weights:10"]);
    expect(r.state).toBe("step.shifting");
  });

  it("abort rolls back, then ends aborted", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    expect(names(r.send(ev.control(t + 1000, "abort")))).toEqual(["set_weights:0", "cmd.analysis.stop"]);
    expect(r.ctx.rollback).toMatchObject({ kind: "aborted", actor: { kind: "cli", id: "alice" } });
    r.send(ev.weightsSet(t + 2000, 0));
    expect(r.state).toBe("aborted");
    expect(r.ctx.outcome).toBe("aborted");
    expect(r.ctx.lastReason).toBe("aborted, traffic back on v1.0.0: abort by cli:alice: abort from test");
  });

  it("abort before any traffic ends aborted without touching routes", () => {
    const r = drive();
    expect(names(r.send(ev.control(T0 + 1000, "abort")))).toEqual(["cmd.vm.stop"]);
    expect(r.state).toBe("aborted");
  });

  it("manual promote skips the remaining steps and records who asked", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    expect(names(r.send(ev.control(t + 1000, "promote")))).toEqual(["set_weights:100"]);
    expect(r.state).toBe("promoting");
    r.send(ev.weightsSet(t + 2000, 100));
    expect(r.state).toBe("finalizing");
    expect(r.ctx.promotedBy).toEqual({ kind: "cli", id: "alice" });
    r.send(tick(t + 2000 + 300_000));
    expect(r.ctx.lastReason).toContain("promoted manually by cli:alice");
  });

  it("a control that does not apply is recorded as ignored", () => {
    const r = drive();
    r.send(ev.control(T0 + 1000, "resume"));
    expect(r.state).toBe("provisioning");
    expect(r.ctx.lastReason).toBe("resume by cli:alice ignored: the release is not in a state where this applies");
  });
});

describe("superseded", () => {
  it("in a step: rolls the canary back to stable and ends superseded", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    expect(names(r.send(ev.superseded(t + 1000)))).toEqual(["set_weights:0", "cmd.analysis.stop"]);
    r.send(ev.weightsSet(t + 2000, 0));
    expect(r.state).toBe("superseded");
    expect(r.ctx.outcome).toBe("superseded");
    expect(r.ctx.rollback?.supersededBy).toBe("shop/ratings/v1.2.0");
    expect(names(r.last)).toEqual(["cmd.vm.stop"]);
  });

  it("while queued: ends superseded without starting", () => {
    const r = drive(makeInput(makeSpec(), { queuedBehind: "shop/ratings/v1.0.5" }));
    expect(r.send(ev.superseded(T0 + 1000))).toEqual([]);
    expect(r.state).toBe("superseded");
  });

  it("after promotion: stops the old version now and succeeds (the canary is stable already)", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(ev.control(t + 1000, "promote"));
    r.send(ev.weightsSet(t + 2000, 100));
    const out = r.send(ev.superseded(t + 3000));
    expect(r.state).toBe("succeeded");
    expect(out).toEqual([
      { subject: "cmd.vm.stop", data: expect.objectContaining({ version: STABLE }) },
      { subject: "cmd.vm.prune", data: expect.objectContaining({ keep: [CANARY, STABLE], limit: 2 }) },
      { subject: "cmd.traffic.prune", data: expect.objectContaining({ keep: [CANARY, STABLE], limit: 2 }) },
    ]);
  });

  it("while rolling back: keeps rolling back, outcome unchanged", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(ev.alert(t + 1000));
    r.send(ev.superseded(t + 1500));
    r.send(ev.weightsSet(t + 2000, 0));
    expect(r.state).toBe("rolledBack");
  });
});

describe("counted path policies", () => {
  it.each([
    ["rollback", "rollingBack"],
    ["pause", "paused"],
    ["hold", "step.analyzing"],
  ] as const)("noData=%s: inconclusive beyond the limit → %s, never a pass", (noData, state) => {
    const r = drive(makeInput(makeSpec({ analysis: { intervalSeconds: 60, noData, inconclusiveLimit: 1 } })));
    const t = toFirstBake(r, T0);
    r.send(ev.analysis(t + 60_000, [verdict.inconclusive()]));
    expect(r.state).toBe("step.analyzing");
    const out = r.send(ev.analysis(t + 120_000, [verdict.inconclusive()]));
    expect(r.state).toBe(state);
    expect(r.ctx.counters.inconclusive).toBe(2);
    if (noData === "hold") expect(names(out)).toEqual(["cmd.notify.send"]);
    r.send(tick(t + 10 * 60_000));
    expect(r.ctx.stepIndex).toBe(0);
  });

  it("errors beyond errorLimit pause for a human; resume continues", () => {
    const r = drive(makeInput(makeSpec({ analysis: { intervalSeconds: 60, errorLimit: 1 } })));
    const t = toFirstBake(r, T0);
    r.send(ev.analysis(t + 60_000, [verdict.error()]));
    const out = r.send(ev.analysis(t + 120_000, [verdict.error()]));
    expect(r.state).toBe("paused");
    expect(names(out)).toEqual(["cmd.notify.send"]);
    expect(r.ctx.lastReason).toContain("2 consecutive query errors (limit 1), pausing for a human");
  });

  it("the analyzer going silent pauses (it is not a pass)", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(tick(t + 660_000));
    expect(r.state).toBe("step.analyzing");
    r.send(tick(t + 660_001));
    expect(r.state).toBe("paused");
    expect(r.ctx.lastReason).toContain("is metrics-analyzer running?");
  });

  // Found by the chaos soak: with the analyzer's processes restarting for longer than interval + progress
  // deadline, releases paused and stayed paused for good although results came back.
  it("a pause for silent analysis ends with the next result: the step restarts, and the thread says why", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(tick(t + 660_001));
    expect(r.ctx.paused).toMatchObject({ silence: true });
    const out = r.send(ev.analysis(t + 700_000, [verdict.pass()]));
    expect(r.state).toBe("step.analyzing");
    expect(r.ctx.paused).toBeNull();
    expect(r.ctx.bake).toMatchObject({ startedAt: t + 700_000, passed: 0 });
    expect(names(out)).toEqual(["cmd.notify.send"]);
    expect(r.ctx.lastReason).toContain("analysis results are back: restarting step 1 (10 %)");
  });

  it("an operator's pause does not end with an analysis result", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(ev.control(t + 1_000, "pause"));
    r.send(ev.analysis(t + 60_000, [verdict.pass()]));
    expect(r.state).toBe("paused");
    expect(r.ctx.paused?.silence).toBeUndefined();
  });

  it("a canary that loses Ready holds the step, and rolls back after the progress deadline", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(ev.ready(t + 1000, false));
    r.send(ev.analysis(t + 60_000, [verdict.pass()]));
    expect(r.state).toBe("step.analyzing");
    r.send(tick(t + 601_001));
    expect(r.state).toBe("rollingBack");
    expect(r.ctx.rollback?.reason).toBe("canary VMI not Ready for 10 min");
    expect(r.ctx.version).toBe(CANARY);
  });
});
