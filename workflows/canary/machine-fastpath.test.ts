import { describe, expect, it } from "vitest";
import { drive, names, toFirstBake, type Driver } from "./driver.test-util.js";
import { CANARY, STABLE, T0, ev, makeInput, makeSpec, verdict } from "./fixtures.test-util.js";
import type { WorkflowEvent } from "./types.js";

const gated = makeSpec({ steps: [{ weight: 10 }, { weight: 50, approval: { timeoutSeconds: 600, onTimeout: "reject" } }, { weight: 100 }] });

/** Bring a release into each live state that has traffic; returns the time reached. */
const setups: Record<string, (r: Driver) => number> = {
  "step.analyzing": (r) => toFirstBake(r, T0),
  "step.shifting": (r) => {
    const t = toFirstBake(r, T0);
    r.send(ev.analysis(t + 60_000, [verdict.pass()]));
    return t + 60_000;
  },
  "step.awaitingApproval": (r) => {
    const t = toFirstBake(r, T0);
    r.send(ev.analysis(t + 60_000, [verdict.pass()]));
    return t + 60_000;
  },
  paused: (r) => {
    const t = toFirstBake(r, T0);
    r.send(ev.control(t + 1000, "pause"));
    return t + 1000;
  },
  promoting: (r) => {
    const t = toFirstBake(r, T0);
    r.send(ev.control(t + 1000, "promote"));
    return t + 1000;
  },
  finalizing: (r) => {
    const t = toFirstBake(r, T0);
    r.send(ev.control(t + 1000, "promote"));
    r.send(ev.weightsSet(t + 2000, 100));
    return t + 2000;
  },
};

const triggers: Record<string, (t: number) => WorkflowEvent> = {
  "alert for the canary": (t) => ev.alert(t),
  "alert without a version": (t) => ev.alert(t, undefined),
  "canary crashed": (t) => ev.crashed(t),
  "canary deleted": (t) => ev.deleted(t),
  "canary phase Failed": (t) => ev.phaseFailed(t),
  "canary migration failed": (t) => ev.migrationFailed(t, CANARY),
};
const analysisTriggers: Record<string, (t: number) => WorkflowEvent> = {
  "critical verdict": (t) => ev.analysis(t, [verdict.critical()]),
};

const cases = Object.keys(setups).flatMap((state) => {
  const t = { ...triggers, ...(state === "finalizing" ? {} : analysisTriggers) };
  return Object.keys(t).map((trigger) => ({ state, trigger, make: t[trigger]! }));
});

describe("fast path: rolls back in the same transition", () => {
  it.each(cases)("$state + $trigger", ({ state, make }) => {
    const r = drive(makeInput(state === "step.awaitingApproval" ? gated : makeSpec()));
    const t = setups[state]!(r);
    expect(r.state).toBe(state);
    const out = r.send(make(t + 500));
    expect(r.state).toBe("rollingBack");
    expect(names(out)).toContain("set_weights:0");
    expect(r.ctx.rollback?.kind).toBe("rolledBack");
    // confirmation of weight 0 finishes it and stops the canary VMs
    const fin = r.send(ev.weightsSet(t + 600, 0));
    expect(r.state).toBe("rolledBack");
    expect(fin).toEqual([{ subject: "cmd.vm.stop", data: expect.objectContaining({ version: CANARY }) }]);
    if (state === "step.awaitingApproval") expect(names(out)).toContain("cmd.approval.cancel");
  });

  it.each([
    ["an alert for the stable version", ev.alert(T0 + 5000, STABLE)],
    ["a crash of a stable VMI", ev.crashed(T0 + 5000, STABLE)],
    ["an alert for another rollout", { ...ev.alert(T0 + 5000), data: { ...ev.alert(T0 + 5000).data, rollout: { namespace: "shop", name: "reviews" } } } as WorkflowEvent],
    ["a critical verdict of another canary version", ev.analysis(T0 + 5000, [verdict.critical()], 60_000, "v9")],
  ])("ignores %s", (_name, event) => {
    const r = drive();
    toFirstBake(r, T0);
    r.send(event);
    expect(r.state).toBe("step.analyzing");
  });

  it("a canary crash before any traffic rolls back without touching the routes", () => {
    const r = drive();
    r.send(ev.provisioned(T0 + 1000));
    const out = r.send(ev.crashed(T0 + 2000));
    expect(r.state).toBe("rolledBack");
    expect(names(out)).toEqual(["cmd.vm.stop"]);
    expect(r.ctx.lastReason).toBe("rolled back to v1.0.0: canary VMI ratings-v1-1-0 crashed: guest panic");
  });

  it("keepCanaryOnRollback keeps the canary VM", () => {
    const r = drive(makeInput(makeSpec({ keepCanaryOnRollback: true })));
    const t = toFirstBake(r, T0);
    r.send(ev.alert(t + 1000));
    expect(r.send(ev.weightsSet(t + 2000, 0))).toEqual([]);
    expect(r.ctx.lastReason).toContain("kept running (keepCanaryOnRollback)");
  });

  it("a rollback in the rollback window restores the old stable version in the status", () => {
    const r = drive();
    setups.finalizing!(r);
    expect(r.ctx.promoted).toBe(true);
    r.send(ev.alert(T0 + 10_000));
    expect(r.ctx.promoted).toBe(false);
    r.send(ev.weightsSet(T0 + 11_000, 0));
    expect(r.state).toBe("rolledBack");
  });
});
