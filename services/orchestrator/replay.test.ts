import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SiskinError } from "../../schemas/errors.js";
import type { Trace } from "../../schemas/trace.js";
import { parseTrace, replay, type ReplayResult } from "./replay.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "../../test/fixtures/traces");
const load = (name: string): Trace => parseTrace(JSON.parse(readFileSync(join(dir, name), "utf8")), name);
const weights = (r: ReplayResult) =>
  r.commands.filter((c) => c.subject === "cmd.traffic.set_weights").map((c) => [c.t, (c.data as { canaryWeight: number }).canaryWeight]);
const PROMOTING = new Set(["promoting", "finalizing", "succeeded"]);

/** No step advances and nothing promotes on an interval that was not a clean pass. */
function assertNeverAdvancesOnBadData(r: ReplayResult): void {
  for (const e of r.timeline) {
    const advanced = e.from === "step.analyzing" && (e.to === "step.shifting" || e.to === "step.awaitingApproval" || PROMOTING.has(e.to));
    if (e.event === "evt.analysis.completed" && advanced) {
      expect(e.verdicts?.every((v) => v.verdict === "pass"), `${e.t}s: ${e.reason}`).toBe(true);
    }
  }
}

describe("replay traces", () => {
  it("healthy.json: promoted through 10 → 50 → 100, old version stopped after the window", () => {
    const r = replay(load("healthy.json"));
    expect(r.outcome).toBe("promoted");
    expect(weights(r)).toEqual([
      [5, 10],
      [35, 50],
      [65, 100],
    ]);
    expect(r.commands.filter((c) => c.subject === "cmd.analysis.start")).toHaveLength(1);
    expect(r.commands.filter((c) => c.subject === "cmd.vm.stop").map((c) => [c.t, (c.data as { version: string }).version])).toEqual([[155, "v1.0.0"]]);
    expect(r.commands.at(-1)).toMatchObject({ subject: "evt.release.completed", data: { outcome: "promoted" } });
    assertNeverAdvancesOnBadData(r);
  });

  it("fast-5xx-at-50.json: the alert rolls back within one tick, before the next interval", () => {
    const r = replay(load("fast-5xx-at-50.json"));
    expect(r.outcome).toBe("rolledBack");
    const alert = r.timeline.find((e) => e.event === "evt.alert.fired");
    const done = r.timeline.find((e) => e.to === "rolledBack");
    expect(alert).toMatchObject({ t: 45, from: "step.analyzing", to: "rollingBack", weight: 50 });
    expect(done!.t - alert!.t).toBeLessThanOrEqual(1);
    expect(weights(r)).toEqual([
      [5, 10],
      [35, 50],
      [45, 0],
    ]);
    expect(r.timeline.filter((e) => e.event === "evt.analysis.completed" && e.t > 45)).toEqual([]);
    expect(r.reason).toContain("alert CanaryHigh5xx firing for v1.1.0");
  });

  it("latency-regression.json: two consecutive failed intervals roll back on the counted path", () => {
    const r = replay(load("latency-regression.json"));
    expect(r.outcome).toBe("rolledBack");
    expect(r.timeline.some((e) => e.event.startsWith("evt.alert"))).toBe(false);
    const fails = r.timeline.filter((e) => e.event === "evt.analysis.completed" && e.verdicts?.some((v) => v.verdict === "fail"));
    expect(fails.map((e) => [e.t, e.to])).toEqual([
      [65, "step.analyzing"],
      [95, "rollingBack"],
    ]);
    expect(fails[0]?.reason).toContain("failed interval 1 of 1 tolerated");
    expect(r.reason).toBe("rolled back to v1.0.0: 2 consecutive failed intervals (limit 1): latency-p99 420 ms > 1.2 × stable 280 ms = 336 ms");
    expect(weights(r).map(([, w]) => w)).toEqual([10, 50, 0]);
  });

  it("migration-blip.json: overlapping intervals are inconclusive, weights frozen, bake extended, then promoted", () => {
    const r = replay(load("migration-blip.json"));
    expect(r.outcome).toBe("promoted");
    const overlapped = r.timeline.filter((e) => e.reason.includes("overlapped a live migration"));
    expect(overlapped.map((e) => e.t)).toEqual([65, 95]);
    expect(overlapped[0]?.verdicts?.some((v) => v.verdict === "fail")).toBe(true); // the spike was seen, and not counted
    expect(weights(r).filter(([t]) => t! > 40 && t! < 70)).toEqual([]);
    expect(r.timeline.find((e) => e.event === "evt.vm.migration_completed")?.reason).toContain("bake extended by 30 s");
    const healthy = replay(load("healthy.json"));
    expect(r.seconds).toBeGreaterThan(healthy.seconds);
    assertNeverAdvancesOnBadData(r);
  });

  it("no-traffic.json: holds while no requests arrive, never passes on no data; promotes once traffic resumes", () => {
    const r = replay(load("no-traffic.json"));
    expect(r.outcome).toBe("promoted");
    // metrics with requests apply to windows ending after 125 s
    const held = r.timeline.filter((e) => e.event === "evt.analysis.completed" && e.t <= 125);
    expect(held.map((e) => e.to)).toEqual(["step.analyzing", "step.analyzing", "step.analyzing", "step.analyzing"]);
    expect(held[2]?.reason).toContain("3 consecutive inconclusive intervals (limit 2), noData=hold");
    expect(r.commands.some((c) => c.subject === "cmd.notify.send")).toBe(true);
    expect(weights(r)[1]?.[0]).toBeGreaterThan(125);
    assertNeverAdvancesOnBadData(r);
  });

  it("no-traffic.json without the traffic coming back: ends held at 10 %, never promoted", () => {
    const t = load("no-traffic.json");
    const r = replay({ ...t, durationSeconds: 600, events: t.events.filter((e) => !(e.kind === "metrics" && e.at === 125)) });
    expect(r).toMatchObject({ outcome: "unfinished", state: "step.analyzing" });
    expect(weights(r)).toEqual([[5, 10]]);
    assertNeverAdvancesOnBadData(r);
  });

  it("every shipped trace: valid msgIds in sequence, no promotion after unjudged data", () => {
    for (const name of ["healthy.json", "fast-5xx-at-50.json", "latency-regression.json", "migration-blip.json", "no-traffic.json"]) {
      const r = replay(load(name));
      expect(r.commands.map((c) => c.msgId)).toEqual(r.commands.map((_, i) => `shop/ratings/v1.1.0:${i}`));
      assertNeverAdvancesOnBadData(r);
    }
  });
});

describe("replay engine", () => {
  const base = load("healthy.json");

  it("approval gates, traffic failures and operator commands from the trace", () => {
    const trace: Trace = {
      ...base,
      rollout: {
        ...base.rollout,
        spec: { ...base.rollout.spec, approvers: { users: ["U42"] }, steps: [{ weight: 10 }, { weight: 100, approval: { timeoutSeconds: 600, onTimeout: "reject" } }] },
      },
      events: [
        ...base.events,
        { at: 4, kind: "traffic", fail: 2, retryable: true, message: "conflict" },
        { at: 54, kind: "approval", decision: "granted", by: "UEVE" },
        { at: 55, kind: "approval", decision: "granted", by: "U42" },
        { at: 60, kind: "control", action: "pause", by: "alice" },
        { at: 70, kind: "control", action: "resume", by: "alice" },
      ],
    };
    const r = replay(trace);
    expect(r.outcome).toBe("promoted");
    expect(weights(r)).toEqual([
      [5, 10],
      [10, 10],
      [20, 10],
      [55, 100],
    ]);
    expect(r.timeline.find((e) => e.event === "approval refused")).toMatchObject({
      t: 54,
      actor: "slack:UEVE",
      to: "step.awaitingApproval",
      reason: "approval 1-1 refused by the approval-gateway: you are not an approver; ask <@U42>",
    });
    expect(r.timeline.find((e) => e.event === "evt.approval.granted")).toMatchObject({ t: 55, actor: "slack:U42", to: "step.shifting" });
    expect(r.timeline.find((e) => e.to === "paused")).toMatchObject({ t: 60, actor: "cli:alice" });
    // resumed at 70: the bake restarts, so the first interval that counts ends after 100 s
    expect(r.timeline.find((e) => e.to === "finalizing")?.t).toBeGreaterThanOrEqual(100);
  });

  it("applies the gateway's approver policy: a non-approver never advances; the gate times out by its policy", () => {
    const gated = (approvers: { users?: string[]; groups?: string[] }, by: string, groups?: string[]): Trace => ({
      ...base,
      rollout: { ...base.rollout, spec: { ...base.rollout.spec, approvers, steps: [{ weight: 10 }, { weight: 100, approval: { timeoutSeconds: 120, onTimeout: "reject" } }] } },
      events: [...base.events, { at: 55, kind: "approval", decision: "granted", by, ...(groups === undefined ? {} : { groups }) }],
    });
    const refused = replay(gated({ users: ["U42"] }, "UEVE"));
    expect(refused.outcome).toBe("rolledBack");
    expect(refused.reason).toMatch(/expired without a decision/);
    expect(refused.timeline.some((e) => e.event === "evt.approval.granted")).toBe(false);
    expect(replay(gated({}, "U42")).timeline.find((e) => e.event === "approval refused")?.reason).toMatch(/no approvers are configured/);
    const viaGroup = replay(gated({ groups: ["SONCALL"] }, "UBOB", ["SONCALL"]));
    expect(viaGroup.outcome).toBe("promoted");
    expect(viaGroup.commands.length).toBeGreaterThan(0);
  });

  it("several releases of the rollout: a newer tag supersedes the live one, which ends first; the new one starts from step 1; never two canaries", () => {
    const r = replay(load("supersede.json"));
    expect(r.releases.map((x) => [x.version, x.outcome])).toEqual([
      ["v1.1.0", "superseded"],
      ["v1.2.0", "promoted"],
    ]);
    expect(r.outcome).toBe("promoted");
    const rows = (v: string) => r.timeline.filter((e) => e.release === v);
    const oldOut = rows("v1.1.0").find((e) => e.to === "superseded")!;
    expect(oldOut).toMatchObject({ t: 40, weight: 0 });
    const newFirst = rows("v1.2.0").filter((e) => e.weight > 0);
    expect(newFirst[0]).toMatchObject({ t: 45, weight: 10 });
    expect(rows("v1.2.0").map((e) => e.to).slice(0, 3)).toEqual(["queued", "provisioning", "awaitingCanaryReady"]);
    // At no point do two releases hold canary traffic.
    const holding = new Map<string, number>();
    for (const e of r.timeline) {
      holding.set(e.release!, e.weight);
      expect([...holding.values()].filter((w) => w > 0).length).toBeLessThanOrEqual(1);
    }
    expect(r.commands.filter((c) => c.subject === "cmd.vm.provision").map((c) => (c.data as { version: string }).version)).toEqual(["v1.1.0", "v1.2.0"]);
  });

  it("a template the provisioner refuses fails the same way in replay (preflight injected by the CLI)", () => {
    const calls: string[] = [];
    const r = replay(load("healthy.json"), {
      preflight: (_spec, version) => {
        calls.push(version);
        return [{ code: "BINDING_NOT_MESH_COMPATIBLE", message: "bridge binding", fix: "use masquerade" }];
      },
    });
    expect(calls).toEqual(["v1.1.0"]);
    expect(r).toMatchObject({ outcome: "failed", state: "failed" });
    expect(r.reason).toMatch(/BINDING_NOT_MESH_COMPATIBLE: bridge binding/);
    expect(weights(r)).toEqual([]);
  });

  it("times relative to a step: an entry at {step: 2, after: '10s'} happens 10 s after step 2's weight was confirmed", () => {
    const r = replay({ ...base, events: [...base.events, { at: { step: 2, after: "10s" }, kind: "alert", alertname: "SiskinCanaryHighErrorRate" }] });
    const at50 = r.timeline.find((e) => e.to === "step.analyzing" && e.weight === 50)!;
    expect(r.outcome).toBe("rolledBack");
    expect(r.timeline.find((e) => e.event === "evt.alert.fired")).toMatchObject({ t: at50.t + 10, from: "step.analyzing", to: "rollingBack" });
    // Never reached: a step the release never bakes anchors nothing.
    const never = replay({ ...base, events: [...base.events, { at: { step: 5 }, kind: "alert", alertname: "X" }] });
    expect(never.outcome).toBe("promoted");
  });

  it("a malformed trace gets one error per mistake, naming the field and the allowed values", () => {
    const bad = {
      ...base,
      tickSeconds: 0,
      extra: true,
      events: [
        { at: 1, kind: "vm", event: "exploded" },
        { at: 2, kind: "approval", decision: "maybe", by: "U1", colour: "red" },
        { at: 3, kind: "earthquake" },
        { at: 4, kind: "release" },
        { at: 5, kind: "vm", event: "ready" },
      ],
    };
    let message = "";
    try {
      parseTrace(bad, "bad.json");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split("\n").slice(1).map((l) => l.trim())).toEqual([
      '/: unknown field "extra"; allowed: description, rollout, version, startAt, tickSeconds, durationSeconds, events',
      "/tickSeconds: must be > 0 (found 0)",
      '/events/0/event: "exploded" is not allowed; allowed: ready, not_ready, crashed, deleted, failed, migration_started, migration_completed, migration_failed, provision_failed',
      '/events/1: unknown field "colour"; allowed: at, kind, decision, by, groups, comment',
      '/events/1/decision: "maybe" is not allowed; allowed: granted, denied, expired',
      '/events/2/kind: "earthquake" is not an event kind; allowed: vm, metrics, alert, approval, control, traffic, release',
      '/events/3: missing "version"',
    ]);
  });

  it("refuses an invalid trace, naming where", () => {
    expect(() => parseTrace({ ...base, events: [{ at: 1, kind: "vm", event: "exploded" }] }, "bad.json")).toThrow(SiskinError);
    expect(() => parseTrace({ ...base, events: [{ at: 1, kind: "vm", event: "exploded" }] }, "bad.json")).toThrow(/bad.json is not a valid replay trace [^]*\/events\/0\/event: "exploded" is not allowed/);
    expect(() => replay({ ...base, startAt: "2026-03-02T09:00:00Z", events: [{ at: "2026-03-01T00:00:00Z", kind: "vm", event: "ready" }] })).toThrow(/before the start/);
  });
});
