import { Value } from "typebox/value";
import { describe, expect, it } from "vitest";
import { AlertIndexEntry, RolloutIndexEntry } from "../../schemas/rollout-index.js";
import { drive, toFirstBake } from "../../workflows/canary/driver.test-util.js";
import { RELEASE_ID, T0, ev, makeInput, makeRequest, makeSpec, tick, verdict } from "../../workflows/canary/fixtures.test-util.js";
import { entryFromContext, entryFromRequest, MAX_IDLE_MS, nextWakeAt } from "./index-entry.js";

describe("index entry", () => {
  it("from a request: both readers' schemas, alert matchers and version label from the spec", () => {
    const spec = makeSpec({ versionLabel: "app-version", analysis: { intervalSeconds: 60, alerts: [{ labels: { alertname: "SLO", version: "{{version}}" } }] } });
    const e = entryFromRequest(RELEASE_ID, makeRequest(spec));
    expect(Value.Check(RolloutIndexEntry, e)).toBe(true);
    expect(Value.Check(AlertIndexEntry, e)).toBe(true);
    expect(e).toEqual({
      releaseId: RELEASE_ID, version: "v1.1.0", stableVersion: "v1.0.0", stableSubset: "v1.0.0", canarySubset: "v1.1.0",
      namespace: "shop", rollout: "ratings", service: "ratings", canaryVersion: "v1.1.0", versionLabel: "app-version",
      alertMatchers: [{ alertname: "SLO", version: "{{version}}" }],
    });
  });

  it("from a context: the weight appears once traffic was touched", () => {
    const r = drive();
    expect(entryFromContext(r.ctx, r.state, T0)).not.toHaveProperty("lastSetWeight");
    toFirstBake(r, T0);
    const e = entryFromContext(r.ctx, r.state, T0 + 3000);
    expect(e.lastSetWeight).toBe(10);
    expect(Value.Check(AlertIndexEntry, e)).toBe(true);
  });
});

describe("nextWakeAt", () => {
  it("provisioning: the provision deadline (+1, the guard is strict), else the idle cap", () => {
    const r = drive(makeInput(makeSpec({ progressDeadlineSeconds: 10 })));
    expect(r.state).toBe("provisioning");
    expect(nextWakeAt(r.ctx, r.state, T0)).toBe((r.ctx.provision?.deadline ?? 0) + 1);
    const far = drive(makeInput(makeSpec({ progressDeadlineSeconds: 3600 })));
    expect(nextWakeAt(far.ctx, far.state, T0)).toBe(T0 + MAX_IDLE_MS);
  });

  it("a retryable provisioning failure: the retry time", () => {
    const r = drive();
    r.send(ev.provisionFailed(T0 + 1000, true));
    expect(nextWakeAt(r.ctx, r.state, T0 + 1000)).toBe(T0 + 6000);
  });

  it("shifting: the resend time of the weights request", () => {
    const r = drive();
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.ready(T0 + 2000));
    expect(r.state).toBe("step.shifting");
    expect(nextWakeAt(r.ctx, r.state, T0 + 2000)).toBe(T0 + 2000 + 30_000);
  });

  it("analyzing: the bake end once the intervals passed; the idle cap before", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    expect(nextWakeAt(r.ctx, r.state, t)).toBe(t + MAX_IDLE_MS);
    // one passing interval, but the bake time is not over yet
    r.send(ev.analysis(t + 50_000, [verdict.pass()], 50_000));
    expect(r.state).toBe("step.analyzing");
    expect(r.ctx.bake?.passed).toBe(1);
    expect(nextWakeAt(r.ctx, r.state, t + 50_000)).toBe(t + 60_000);
    r.send(tick(t + 59_999));
    expect(r.state).toBe("step.analyzing");
    r.send(tick(t + 60_000));
    expect(r.state).toBe("step.shifting");
  });

  it("finalizing: the end of the rollback window; every tick before it changes nothing", () => {
    const r = drive(makeInput(makeSpec({ steps: [{ weight: 100 }], rollbackWindowSeconds: 20 })));
    const t = toFirstBake(r, T0, 100);
    r.send(ev.analysis(t + 60_000, [verdict.pass()]));
    expect(r.state).toBe("finalizing");
    const wake = nextWakeAt(r.ctx, r.state, t + 60_000);
    expect(wake).toBe(r.ctx.finalizeAt);
    expect(r.send(tick(wake - 1))).toEqual([]);
    r.send(tick(wake));
    expect(r.state).toBe("succeeded");
  });

  it("a queued release is due at once", () => {
    const r = drive(makeInput(makeSpec(), { queuedBehind: "shop/ratings/v1.0.9" }));
    expect(r.state).toBe("queued");
    expect(nextWakeAt(r.ctx, r.state, T0)).toBe(T0);
  });
});
