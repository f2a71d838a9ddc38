import { describe, expect, it } from "vitest";
import { drive, names, toFirstBake } from "./driver.test-util.js";
import { CANARY, STABLE, T0, ev, tick, verdict } from "./fixtures.test-util.js";

describe("live migration awareness", () => {
  it("freezes weight changes: the next step waits and shifts when the migration completes", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(ev.migrationStarted(t + 30_000, STABLE));
    expect(r.ctx.lastReason).toContain("weight changes frozen");
    r.send(tick(t + 60_000));
    // an interval overlapping the migration cannot pass the step
    r.send(ev.analysis(t + 61_000, [verdict.pass()]));
    expect(r.state).toBe("step.analyzing");
    r.send(ev.migrationCompleted(t + 90_000, STABLE));
    r.send(ev.analysis(t + 121_000, [verdict.pass()]));
    expect(r.state).toBe("step.analyzing"); // this window also overlapped it (61..121 s vs 30..90 s)
    const out = r.send(ev.analysis(t + 181_000, [verdict.pass()]));
    expect(r.state).toBe("step.shifting");
    expect(names(out)).toEqual(["set_weights:50"]);
  });

  it("a shift that is due while migrating waits for the migration to end", () => {
    const r = drive();
    r.send(ev.provisioned(T0 + 1000));
    r.send(ev.migrationStarted(T0 + 1500, STABLE));
    expect(r.send(ev.ready(T0 + 2000))).toEqual([]);
    expect(r.state).toBe("step.shifting");
    expect(r.send(tick(T0 + 60_000))).toEqual([]);
    expect(names(r.send(ev.migrationCompleted(T0 + 70_000, STABLE)))).toEqual(["set_weights:10"]);
  });

  it("overlapping intervals are inconclusive without touching the noData counter, even failing ones", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(ev.migrationStarted(t + 10_000, CANARY));
    for (let i = 1; i <= 5; i++) r.send(ev.analysis(t + i * 60_000, [verdict.fail()]));
    expect(r.state).toBe("step.analyzing");
    expect(r.ctx.counters).toEqual({ failures: 0, inconclusive: 0, errors: 0 });
    expect(r.ctx.lastReason).toContain("overlapped a live migration");
  });

  it("extends the bake by the migration's duration", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    expect(r.ctx.bake?.until).toBe(t + 60_000);
    r.send(ev.migrationStarted(t + 20_000, STABLE));
    r.send(ev.migrationCompleted(t + 45_000, STABLE));
    expect(r.ctx.bake?.until).toBe(t + 85_000);
    expect(r.ctx.lastReason).toContain("bake extended by 25 s");
  });

  it("a failed migration of the canary rolls back; of stable, it just unfreezes", () => {
    const a = drive();
    const t = toFirstBake(a, T0);
    a.send(ev.migrationStarted(t + 1000, STABLE));
    a.send(ev.migrationFailed(t + 2000, STABLE));
    expect(a.state).toBe("step.analyzing");
    expect(a.ctx.migrations).toEqual({});
    a.send(ev.migrationStarted(t + 3000, CANARY));
    a.send(ev.migrationFailed(t + 4000, CANARY));
    expect(a.state).toBe("rollingBack");
    expect(a.ctx.migrations).toEqual({});
  });

  it("a rollback is never frozen", () => {
    const r = drive();
    const t = toFirstBake(r, T0);
    r.send(ev.migrationStarted(t + 1000, STABLE));
    expect(names(r.send(ev.alert(t + 2000)))).toContain("set_weights:0");
  });
});
