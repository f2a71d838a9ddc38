import { describe, expect, it } from "vitest";
import { drive, names, toFirstBake } from "./driver.test-util.js";
import { T0, ev, tick } from "./fixtures.test-util.js";

describe("traffic weights", () => {
  it("retries a retryable weights failure on a later tick with backoff, then bakes", () => {
    const r = drive();
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.ready(T0 + 2000));
    r.send(ev.weightsFailed(T0 + 3000, 10));
    expect(r.state).toBe("step.shifting");
    expect(r.ctx.lastReason).toBe("setting canary weight 10 % failed (attempt 1): CONFLICT: resourceVersion changed; retrying in 5 s");
    expect(r.send(tick(T0 + 7999))).toEqual([]);
    expect(names(r.send(tick(T0 + 8000)))).toEqual(["set_weights:10"]);
    r.send(ev.weightsFailed(T0 + 9000, 10));
    expect(r.ctx.weights?.retryAt).toBe(T0 + 19_000); // 10 s after the 2nd attempt
    expect(names(r.send(tick(T0 + 19_000)))).toEqual(["set_weights:10"]);
    r.send(ev.weightsSet(T0 + 20_000, 10));
    expect(r.state).toBe("step.analyzing");
  });

  it("resends when nothing confirms the weights for 30 s", () => {
    const r = drive();
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.ready(T0 + 2000));
    expect(r.send(tick(T0 + 31_999))).toEqual([]);
    expect(names(r.send(tick(T0 + 32_000)))).toEqual(["set_weights:10"]);
  });

  it("a permanent weights failure rolls back", () => {
    const r = drive();
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.ready(T0 + 2000));
    const out = r.send(ev.weightsFailed(T0 + 3000, 10, false));
    expect(r.state).toBe("rollingBack");
    expect(names(out)).toEqual(["set_weights:0"]);
    expect(r.ctx.rollback?.reason).toBe("traffic-router cannot set canary weight 10 %: CONFLICT: resourceVersion changed");
  });

  it("a stalled shift rolls back after the progress deadline", () => {
    const r = drive();
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.ready(T0 + 2000));
    r.send(tick(T0 + 602_000));
    expect(r.state).toBe("step.shifting");
    r.send(tick(T0 + 602_001));
    expect(r.state).toBe("rollingBack");
    expect(r.ctx.rollback?.reason).toBe("canary weight 10 % not confirmed within 10 min (progressDeadlineSeconds)");
  });

  it("a failing rollback never gives up silently: retries with backoff and pages on every failure", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(ev.alert(t + 1000));
    for (let i = 0; i < 6; i++) {
      const out = r.send(ev.weightsFailed(t + 2000 + i * 120_000, 0, i % 2 === 0));
      expect(r.state).toBe("rollingBack");
      expect(names(out)).toEqual(["cmd.notify.send"]);
      expect(out[0]?.data).toMatchObject({ severity: "critical" });
      expect(names(r.send(tick(t + 2000 + i * 120_000 + 60_000)))).toEqual(["set_weights:0"]);
    }
    // silence after a resend: sent again after 30 s, with a page
    expect(names(r.send(tick(t + 2000 + 5 * 120_000 + 90_000)))).toEqual(["set_weights:0", "cmd.notify.send"]);
    r.send(ev.weightsSet(t + 900_000, 0));
    expect(r.state).toBe("rolledBack");
  });

  it("drift: someone edited the weights, put ours back and tell people", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    const out = r.send({
      type: "evt.rollout.drift_detected",
      now: t + 1000,
      data: { rollout: { namespace: "shop", name: "ratings" }, virtualService: "ratings", expectedCanaryWeight: 10, observedCanaryWeight: 40, editor: "kubectl-edit" },
    });
    expect(names(out)).toEqual(["set_weights:10", "cmd.notify.send"]);
    expect(r.ctx.lastReason).toContain("edited by kubectl-edit");
  });
});
