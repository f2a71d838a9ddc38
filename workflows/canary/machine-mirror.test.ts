import { describe, expect, it } from "vitest";
import { trafficShapeOf } from "../../schemas/traffic.js";
import type { RouteMatch } from "../../schemas/rollout.js";
import { drive, names } from "./driver.test-util.js";
import { T0, ev, makeInput, makeSpec, tick, verdict } from "./fixtures.test-util.js";

const xCanary: RouteMatch[] = [{ headers: { "x-canary": { exact: "always" } } }];
const MATCH = trafficShapeOf({ match: xCanary });
const spec = makeSpec({ steps: [{ mirror: { percentage: 100 } }, { match: xCanary }, { weight: 10 }, { weight: 100 }] });

/** Traffic commands as `weight/mirror/match` for compact assertions. */
const traffic = (cmds: ReturnType<ReturnType<typeof drive>["send"]>) =>
  cmds.flatMap((c) => (c.subject === "cmd.traffic.set_weights" ? [{ weight: c.data.canaryWeight, mirror: c.data.mirror ?? null, match: c.data.match ?? null }] : []));

describe("mirror and matched steps", () => {
  it("mirror 100 % → match → 10 → 100: each step asks for its routes, is confirmed by its shape, and bakes", () => {
    const r = drive(makeInput(spec));
    r.send(ev.provisioned(T0 + 1000));
    expect(traffic(r.send(ev.ready(T0 + 2000)))).toEqual([{ weight: 0, mirror: { percentage: 100 }, match: null }]);
    expect(r.ctx.lastReason).toContain("shifting canary v1.1.0 to mirror 100 %");
    // A plain weight-0 confirmation (e.g. a late one) does not confirm the mirror.
    r.send(ev.weightsSet(T0 + 2500, 0));
    expect(r.state).toBe("step.shifting");
    r.send(ev.weightsSet(T0 + 3000, 0, "mirror:100"));
    expect(r.state).toBe("step.analyzing");
    expect(r.ctx).toMatchObject({ canaryWeight: 0, trafficShape: "mirror:100", trafficTouched: true });
    expect(r.ctx.lastReason).toContain("baking step 1 at mirror 100 % for 1 interval(s)");
    expect(names(r.all)).toContain("cmd.analysis.start");

    // Step 2: both steps have weight 0, so only the shape tells them apart.
    const out = r.send(ev.analysis(T0 + 63_000, [verdict.pass()]));
    expect(traffic(out)).toEqual([{ weight: 0, mirror: null, match: xCanary }]);
    expect(r.state).toBe("step.shifting");
    r.send(ev.weightsSet(T0 + 63_500, 0, "mirror:100"));
    expect(r.state).toBe("step.shifting");
    r.send(ev.weightsSet(T0 + 64_000, 0, MATCH));
    expect(r.state).toBe("step.analyzing");
    expect(r.ctx.lastReason).toContain("at match x-canary=always");

    // Step 3: a plain weight removes the matched route (no mirror, no match in the command).
    expect(traffic(r.send(ev.analysis(T0 + 125_000, [verdict.pass()])))).toEqual([{ weight: 10, mirror: null, match: null }]);
    r.send(ev.weightsSet(T0 + 126_000, 10));
    expect(r.ctx).toMatchObject({ canaryWeight: 10, trafficShape: "" });
  });

  it("a failing mirror interval rolls back to weight 0 without mirror, and never gave users any weight", () => {
    const r = drive(makeInput(spec));
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.ready(T0 + 2000));
    r.send(ev.weightsSet(T0 + 3000, 0, "mirror:100"));
    const out = r.send(ev.analysis(T0 + 63_000, [verdict.fail()]));
    r.send(ev.analysis(T0 + 123_000, [verdict.fail()]));
    const all = [...out, ...r.last];
    expect(r.state).toBe("rollingBack");
    expect(traffic(all).at(-1)).toEqual({ weight: 0, mirror: null, match: null });
    // The mirror step's late confirmation is not the rollback's.
    r.send(ev.weightsSet(T0 + 123_500, 0, "mirror:100"));
    expect(r.state).toBe("rollingBack");
    r.send(ev.weightsSet(T0 + 124_000, 0));
    expect(r.state).toBe("rolledBack");
    expect(Math.max(...traffic(r.all).map((t) => t.weight))).toBe(0);
  });

  it("a failed mirror write (another mirror in the way) is permanent: rolls back", () => {
    const r = drive(makeInput(spec));
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.ready(T0 + 2000));
    r.send(ev.weightsFailed(T0 + 3000, 0, false, "mirror:100"));
    expect(r.state).toBe("rollingBack");
    expect(r.ctx.rollback?.reason).toContain("mirror 100 %");
  });

  it("drift at a matched step re-sends the matched route", () => {
    const r = drive(makeInput(makeSpec({ steps: [{ match: xCanary }, { weight: 100 }] })));
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.ready(T0 + 2000));
    r.send(ev.weightsSet(T0 + 3000, 0, MATCH));
    const out = r.send({ type: "evt.rollout.drift_detected", now: T0 + 4000, data: { rollout: { namespace: "shop", name: "ratings" }, virtualService: "ratings", expectedCanaryWeight: 0, observedCanaryWeight: 30 } });
    expect(traffic(out)).toEqual([{ weight: 0, mirror: null, match: xCanary }]);
    expect(r.send(tick(T0 + 5000))).toEqual([]);
  });
});
