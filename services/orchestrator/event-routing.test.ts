import { describe, expect, it } from "vitest";
import { rolloutKey } from "../../schemas/subjects.js";
import { NAME, NS, STABLE, T0, ev, makeRequest, makeSpec } from "../../workflows/canary/fixtures.test-util.js";
import { applyEvent, inspect, type StoredRelease } from "./host.js";
import { onReleaseFinished, onReleaseRequested, routeEvent, type RolloutIndex, type RolloutSlot } from "./event-routing.js";

const key = rolloutKey(NS, NAME);
const req = (version: string, idem = `d-${version}`) => ({ releaseId: `${NS}/${NAME}/${version}`, data: { ...makeRequest(makeSpec(), version), idempotencyKey: idem } });

describe("router.onReleaseRequested", () => {
  it("starts the first release of a rollout", () => {
    const { decision, slot } = onReleaseRequested(undefined, req("v2"), { exists: false });
    expect(decision).toEqual({ kind: "start", releaseId: "shop/ratings/v2" });
    expect(slot).toMatchObject({ live: { releaseId: "shop/ratings/v2", version: "v2" }, queued: null, stableVersion: STABLE, service: NAME, keys: ["d-v2"] });
  });

  it.each([
    ["the same release id", req("v2", "other"), { exists: false }],
    ["the same idempotency key", req("v3", "d-v2"), { exists: false }],
    ["a stored release", req("v9"), { exists: true }],
  ])("a repeat (%s) starts nothing", (_n, r, opts) => {
    const first = onReleaseRequested(undefined, req("v2"), { exists: false }).slot;
    const again = onReleaseRequested(first, r, opts);
    expect(again.decision.kind).toBe("duplicate");
    expect(again.slot).toEqual(first);
  });

  it("a newer tag supersedes the live release and queues; a third supersedes both", () => {
    const s1 = onReleaseRequested(undefined, req("v2"), { exists: false }).slot;
    const r3 = onReleaseRequested(s1, req("v3"), { exists: false });
    expect(r3.decision).toEqual({ kind: "queue", releaseId: "shop/ratings/v3", queuedBehind: "shop/ratings/v2", supersede: [{ releaseId: "shop/ratings/v2", by: "shop/ratings/v3" }] });
    const r4 = onReleaseRequested(r3.slot, req("v4"), { exists: false });
    expect(r4.decision).toMatchObject({ kind: "queue", supersede: [{ releaseId: "shop/ratings/v2" }, { releaseId: "shop/ratings/v3" }] });
    expect(r4.slot.queued).toEqual({ releaseId: "shop/ratings/v4", version: "v4" });
  });

  it("when the live release finishes the queued one starts; promoted → it is the new stable", () => {
    const s1 = onReleaseRequested(undefined, req("v2"), { exists: false }).slot;
    const s2 = onReleaseRequested(s1, req("v3"), { exists: false }).slot;
    expect(onReleaseFinished(s2, "shop/ratings/v2", { outcome: "superseded", version: "v2" }).start).toEqual({ releaseId: "shop/ratings/v3", stableVersion: STABLE });
    const promoted = onReleaseFinished(s2, "shop/ratings/v2", { outcome: "promoted", version: "v2" });
    expect(promoted.start).toEqual({ releaseId: "shop/ratings/v3", stableVersion: "v2" });
    expect(promoted.slot).toMatchObject({ live: { releaseId: "shop/ratings/v3" }, queued: null, stableVersion: "v2" });
    // a superseded queued release just leaves the queue
    const s3 = onReleaseRequested(s2, req("v4"), { exists: false }).slot;
    expect(onReleaseFinished(s3, "shop/ratings/v3", { outcome: "superseded", version: "v3" })).toEqual({ slot: s3, start: null });
  });
});

describe("router.routeEvent", () => {
  const slot: RolloutSlot = { rollout: { namespace: NS, name: NAME }, service: NAME, stableVersion: STABLE, live: { releaseId: "shop/ratings/v2", version: "v2" }, queued: null, keys: [] };
  const index: RolloutIndex = { [key]: slot };
  const vmi = { namespace: NS, name: "ratings-v2" };

  it.each([
    ["the envelope releaseId", { type: "evt.traffic.weights_set", releaseId: "a/b/c", data: {} }, ["a/b/c"]],
    ["an alert by rollout", { type: "evt.alert.fired", data: { rollout: { namespace: NS, name: NAME } } }, ["shop/ratings/v2"]],
    ["an alert of an unknown rollout", { type: "evt.alert.fired", data: { rollout: { namespace: NS, name: "x" } } }, []],
    ["a canary VMI fact by rollout", { type: "evt.vm.crashed", data: { vmi, version: "v2", rollout: { namespace: NS, name: NAME } } }, ["shop/ratings/v2"]],
    ["a stable VMI fact by rollout", { type: "evt.vm.migration_started", data: { vmi, version: STABLE, rollout: { namespace: NS, name: NAME } } }, ["shop/ratings/v2"]],
    ["a VMI of another version", { type: "evt.vm.crashed", data: { vmi, version: "v0.1", rollout: { namespace: NS, name: NAME } } }, []],
    ["a VMI fact by app label", { type: "evt.vm.migration_started", data: { vmi, version: STABLE, app: NAME } }, ["shop/ratings/v2"]],
    ["a VMI fact by app label in another namespace", { type: "evt.vm.crashed", data: { vmi: { namespace: "other", name: "x" }, version: "v2", app: NAME } }, []],
    ["a provisioning result by version", { type: "evt.vm.provisioned", data: { vm: vmi, version: "v2", created: true } }, ["shop/ratings/v2"]],
    ["a release request", { type: "evt.release.requested", data: {} }, []],
  ])("%s", (_n, msg, expected) => {
    expect(routeEvent(msg, index)).toEqual(expected);
  });
});

describe("supersede end to end through the host: never two canaries", () => {
  it("the new release provisions only after the old one rolled back", () => {
    let slot: RolloutSlot | undefined;
    const stores = new Map<string, StoredRelease>();
    const published: string[] = [];
    const handle = (releaseId: string, event: Parameters<typeof applyEvent>[1], now: number, queuedBehind?: string) => {
      const r = applyEvent(stores.get(releaseId) ?? null, event, now, { queuedBehind: queuedBehind ?? null });
      stores.set(releaseId, r.stored);
      published.push(...r.commands.map((c) => `${releaseId.split("/")[2]} ${c.subject}${c.subject === "cmd.traffic.set_weights" ? `:${(c.data as { canaryWeight: number }).canaryWeight}` : ""}`));
      if (r.done && slot !== undefined) {
        const f = onReleaseFinished(slot, releaseId, { outcome: r.context.outcome!, version: r.context.version });
        slot = f.slot;
        if (f.start) handle(f.start.releaseId, { type: "siskin.start", stableVersion: f.start.stableVersion }, now);
      }
    };
    const request = (version: string, now: number) => {
      const r = req(version);
      const d = onReleaseRequested(slot, r, { exists: stores.has(r.releaseId) });
      slot = d.slot;
      const msg = { id: `req-${version}`, type: "evt.release.requested" as const, v: 1, occurredAt: "", releaseId: r.releaseId, data: r.data };
      if (d.decision.kind === "start") handle(r.releaseId, msg, now);
      if (d.decision.kind === "queue") {
        handle(r.releaseId, msg, now, d.decision.queuedBehind);
        for (const s of d.decision.supersede) handle(s.releaseId, { type: "siskin.superseded", by: s.by }, now);
      }
    };
    request("v2", T0);
    handle("shop/ratings/v2", { ...ev.ready(T0 + 1000, true, "v2"), id: "r1", v: 1, occurredAt: "" } as never, T0 + 1000);
    request("v3", T0 + 2000);
    expect(inspect(stores.get("shop/ratings/v3")!).state).toBe("queued");
    expect(inspect(stores.get("shop/ratings/v2")!).state).toBe("rollingBack");
    expect(published.filter((p) => p.startsWith("v3 cmd."))).toEqual([]);
    handle("shop/ratings/v2", { ...ev.weightsSet(T0 + 3000, 0), id: "w0", v: 1, occurredAt: "" } as never, T0 + 3000);
    expect(inspect(stores.get("shop/ratings/v2")!).state).toBe("superseded");
    expect(inspect(stores.get("shop/ratings/v3")!).state).toBe("provisioning");
    const order = published.filter((p) => p.includes("cmd.vm.provision") || p.includes("set_weights") || p.includes("vm.stop"));
    expect(order).toEqual(["v2 cmd.vm.provision", "v2 cmd.traffic.set_weights:10", "v2 cmd.traffic.set_weights:0", "v2 cmd.vm.stop", "v3 cmd.vm.provision"]);
  });
});
