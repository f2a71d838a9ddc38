import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { canaryMachine } from "./machine.js";
import { drive, names, toFirstBake } from "./driver.test-util.js";
import { CANARY, NAME, STABLE, T0, ev, makeInput, makeSpec, tick, verdict } from "./fixtures.test-util.js";

describe("canary machine: the happy path", () => {
  it("provisions, shifts 10 → 50 → 100, promotes, waits the rollback window, stops the old version", () => {
    const r = drive();
    expect(r.state).toBe("provisioning");
    expect(names(r.last)).toEqual(["cmd.vm.provision"]);
    expect(r.last[0]?.data).toMatchObject({ version: CANARY, vmName: "ratings-v1-1-0" });

    r.send(ev.provisioned(T0 + 1000));
    expect(r.state).toBe("awaitingCanaryReady");
    expect(names(r.send(ev.ready(T0 + 2000)))).toEqual(["set_weights:10"]);
    expect(r.state).toBe("step.shifting");
    expect(r.last[0]?.data).toMatchObject({ stableVersion: STABLE, canaryVersion: CANARY, canarySubset: CANARY, stableSubset: STABLE, destinationRule: "ratings" });

    expect(names(r.send(ev.weightsSet(T0 + 3000, 10)))).toEqual(["cmd.analysis.start"]);
    expect(r.state).toBe("step.analyzing");
    expect(r.ctx.bake).toEqual({ startedAt: T0 + 3000, until: T0 + 63_000, passed: 0 });

    expect(names(r.send(ev.analysis(T0 + 63_000, [verdict.pass()])))).toEqual(["set_weights:50"]);
    r.send(ev.weightsSet(T0 + 64_000, 50));
    expect(r.last).toEqual([]); // the analyzer is started once per release
    r.send(ev.analysis(T0 + 124_000, [verdict.pass()]));
    r.send(ev.weightsSet(T0 + 125_000, 100));
    expect(r.state).toBe("step.analyzing");

    const promo = r.send(ev.analysis(T0 + 185_000, [verdict.pass()]));
    expect(r.state).toBe("finalizing");
    expect(names(promo)).toEqual(["cmd.status.write", "cmd.analysis.stop"]);
    expect(promo[0]?.data).toMatchObject({ status: { stableVersion: CANARY, phase: "Promoted", canaryWeight: 100 } });
    expect(r.ctx.promoted).toBe(true);

    expect(r.send(tick(T0 + 185_000 + 299_000))).toEqual([]);
    expect(r.state).toBe("finalizing");
    const fin = r.send(tick(T0 + 185_000 + 300_000));
    expect(r.state).toBe("succeeded");
    expect(r.done).toBe(true);
    expect(fin).toEqual([
      { subject: "cmd.vm.stop", data: expect.objectContaining({ version: STABLE, delete: false }) },
      { subject: "cmd.vm.prune", data: { rollout: expect.objectContaining({ name: NAME }), keep: [CANARY, STABLE], limit: 2, reason: expect.stringContaining("revisionHistoryLimit 2") } },
      {
        subject: "cmd.traffic.prune",
        data: expect.objectContaining({ virtualService: { name: "ratings" }, destinationRule: "ratings", keep: [CANARY, STABLE], limit: 2 }),
      },
    ]);
    expect(r.ctx.lastReason).toContain(`keeping ${CANARY} and ${STABLE} (revisionHistoryLimit 2)`);
    expect(r.ctx.outcome).toBe("promoted");
    expect(r.ctx.lastReason).toContain("v1.1.0 promoted");
  });

  it("a step needs both the bake time and a passing interval wholly at its weight", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    // A window that began before the weights were confirmed does not count toward this step.
    r.send(ev.analysis(t + 50_000, [verdict.pass()]));
    expect(r.ctx.bake?.passed).toBe(0);
    r.send(ev.analysis(t + 50_000, [verdict.pass()], 50_000));
    expect(r.ctx.bake?.passed).toBe(1);
    expect(r.state).toBe("step.analyzing"); // bake time not over yet
    r.send(tick(t + 60_000));
    expect(r.state).toBe("step.shifting");
  });

  // The bake starts when the step's weight is confirmed (t); a 60 s window [start, start + 60 s].
  it.each([
    ["starts 1 ms before the weight was confirmed", -1, 0],
    ["lies half before it (the old rule counted this)", -30_000, 0],
    ["lies one full interval before it", -60_000, 0],
    ["starts exactly when the weight was confirmed", 0, 1],
    ["starts 1 ms after", 1, 1],
  ])("an interval that %s counts %i time(s) toward the step", (_name, offset, passed) => {
    const r = drive(makeInput(makeSpec({ steps: [{ weight: 10, bakeIntervals: 2 }, { weight: 100 }] })));
    const t = toFirstBake(r, T0);
    r.send(ev.analysis(t + offset + 60_000, [verdict.pass()]));
    expect(r.ctx.bake?.passed).toBe(passed);
  });

  it("an approval between interval boundaries: the gated step is not judged on an interval half at the old weight", () => {
    const spec = makeSpec({ steps: [{ weight: 50 }, { weight: 100, approval: { timeoutSeconds: 600, onTimeout: "reject" } }] });
    const r = drive(makeInput(spec));
    const t = toFirstBake(r, T0, 50);
    r.send(ev.analysis(t + 60_000, [verdict.pass()], 60_000));
    expect(r.state).toBe("step.awaitingApproval");
    r.send(ev.granted(t + 90_000, "1-1"));
    r.send(ev.weightsSet(t + 91_000, 100)); // 100 % from t + 91 s
    // The window [t + 60 s, t + 120 s] was half at 50 %: it must not promote, even once the bake time passed.
    r.send(ev.analysis(t + 120_000, [verdict.pass()]));
    r.send(tick(t + 151_000));
    expect(r.state).toBe("step.analyzing");
    expect(r.ctx.bake?.passed).toBe(0);
    // The first window wholly at 100 % does.
    r.send(ev.analysis(t + 180_000, [verdict.pass()]));
    expect(r.state).toBe("finalizing");
  });

  it("a failing interval that began at the previous weight still resets the count", () => {
    const r = drive(makeInput(makeSpec({ steps: [{ weight: 20, bakeIntervals: 2 }, { weight: 100 }] })));
    const t = toFirstBake(r, T0, 20);
    r.send(ev.analysis(t + 60_000, [verdict.pass()]));
    expect(r.ctx.bake?.passed).toBe(1);
    r.send(ev.analysis(t + 90_000, [verdict.fail()], 60_000));
    expect(r.ctx.bake?.passed).toBe(0);
  });

  it("a failed interval restarts the step's count of passing intervals", () => {
    const r = drive(makeInput(makeSpec({ steps: [{ weight: 20, bakeIntervals: 2 }, { weight: 100 }] })));
    const t = toFirstBake(r, T0, 20);
    r.send(ev.analysis(t + 60_000, [verdict.pass()]));
    r.send(ev.analysis(t + 120_000, [verdict.fail()]));
    expect(r.ctx.bake?.passed).toBe(0);
    r.send(ev.analysis(t + 180_000, [verdict.pass()]));
    expect(r.state).toBe("step.analyzing");
    r.send(ev.analysis(t + 240_000, [verdict.pass()]));
    expect(r.state).toBe("step.shifting");
  });

  it("a last step below 100 still promotes to 100", () => {
    const r = drive(makeInput(makeSpec({ steps: [{ weight: 30 }], rollbackWindowSeconds: 0 })));
    const t = toFirstBake(r, T0, 30);
    expect(names(r.send(ev.analysis(t + 60_000, [verdict.pass()])))).toEqual(["set_weights:100"]);
    expect(r.state).toBe("promoting");
    r.send(ev.weightsSet(t + 61_000, 100));
    expect(r.state).toBe("succeeded"); // rollback window 0
    expect(names(r.all).slice(-6)).toEqual(["set_weights:100", "cmd.status.write", "cmd.analysis.stop", "cmd.vm.stop", "cmd.vm.prune", "cmd.traffic.prune"]);
  });

  it("snapshot JSON round trip mid-step, then continue with a real actor", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    const json = r.persisted();
    const restored = createActor(canaryMachine, { snapshot: JSON.parse(json), input: makeInput() });
    restored.start();
    restored.send(ev.analysis(t + 60_000, [verdict.pass()]));
    expect(restored.getSnapshot().value).toEqual({ step: "shifting" });
    expect(restored.getSnapshot().context.stepIndex).toBe(1);
    restored.stop();
  });

  it("an invalid step plan fails at once, naming the problem", () => {
    const r = drive(makeInput(makeSpec({ steps: [{ weight: 50 }, { weight: 40 }] })));
    expect(r.state).toBe("failed");
    expect(r.all).toEqual([]);
    expect(r.ctx.lastReason).toContain("spec.steps[1].weight 40 is not above the previous step's 50");
    expect(r.ctx.outcome).toBe("failed");
  });
});

describe("canary machine: provisioning", () => {
  it("retries a retryable provisioning failure on a later tick, with backoff", () => {
    const r = drive();
    r.send(ev.provisionFailed(T0 + 1000, true));
    expect(r.ctx.lastReason).toContain("retrying in 5 s");
    expect(r.send(tick(T0 + 5999))).toEqual([]);
    expect(names(r.send(tick(T0 + 6000)))).toEqual(["cmd.vm.provision"]);
    expect(r.ctx.provision?.attempts).toBe(2);
  });

  it("a permanent provisioning failure fails the release before any traffic, listing the problems", () => {
    const r = drive();
    r.send(ev.provisionFailed(T0 + 1000, false));
    expect(r.state).toBe("failed");
    expect(r.ctx.lastReason).toBe("cannot provision v1.1.0, no traffic was shifted: IMAGE_MISSING: image tag v1.1.0 not found (fix: push the image)");
    expect(names(r.all)).toEqual(["cmd.vm.provision"]);
  });

  it("the progress deadline rolls back when the canary never becomes Ready (no traffic to reset)", () => {
    const r = drive();
    r.send(ev.provisioned(T0 + 1000));
    r.send(tick(T0 + 600_000));
    expect(r.state).toBe("awaitingCanaryReady");
    const out = r.send(tick(T0 + 600_001));
    expect(r.state).toBe("rolledBack");
    expect(names(out)).toEqual(["cmd.vm.stop"]);
    expect(r.ctx.lastReason).toBe("rolled back to v1.0.0: canary VMI not Ready within 10 min (progressDeadlineSeconds)");
  });

  it("Ready before the provisioned event is fine; a stable VMI's readiness is not the canary's", () => {
    const r = drive();
    r.send(ev.ready(T0 + 1000, true, STABLE));
    expect(r.state).toBe("provisioning");
    r.send(ev.ready(T0 + 2000));
    expect(r.state).toBe("step.shifting");
  });

  it("queued behind a live release: waits, then starts against the new stable version", () => {
    const r = drive(makeInput(makeSpec(), { queuedBehind: "shop/ratings/v1.0.5" }));
    expect(r.state).toBe("queued");
    expect(r.all).toEqual([]);
    r.send(ev.ready(T0 + 1000));
    expect(r.state).toBe("queued");
    r.send({ type: "siskin.start", now: T0 + 5000, stableVersion: "v1.0.5" });
    expect(r.state).toBe("provisioning");
    expect(r.ctx.stableVersion).toBe("v1.0.5");
    expect(names(r.last)).toEqual(["cmd.vm.provision"]);
  });
});
