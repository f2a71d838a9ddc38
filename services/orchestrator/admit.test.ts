// Finding 1: a release request names a rollout and a version; the spec is the API server's, pinned
// to metadata.generation and recorded in the release. A forged spec cannot get in.
import { describe, expect, it } from "vitest";
import type { MessageOf } from "../../schemas/codec.js";
import type { ReleaseRequest } from "../../schemas/release.js";
import type { VMRolloutSpec } from "../../schemas/rollout.js";
import { CANARY, NAME, NS, RELEASE_ID, makeSpec } from "../../workflows/canary/fixtures.test-util.js";
import { inspect } from "./host.js";
import type { RolloutSpecs } from "./ports.js";
import { createKvReleaseStore } from "./store.js";
import { createWorld, envelope, instance } from "./kit.test-util.js";

/** The API server's VMRollouts, in memory: what `kubectl apply` put there. */
function apiServer(items: Record<string, { spec: VMRolloutSpec; generation: number }>): RolloutSpecs & { reads: number } {
  const self = {
    reads: 0,
    async get(namespace: string, name: string) {
      self.reads++;
      return items[`${namespace}/${name}`] ?? null;
    },
  };
  return self;
}

const gated = makeSpec({
  image: "registry.example/ratings",
  steps: [{ weight: 10 }, { weight: 50, approval: { timeoutSeconds: 600, onTimeout: "reject" } }, { weight: 100 }],
  approvers: { users: ["U0ONCALL"] },
});
const request = (over: Partial<ReleaseRequest> = {}): ReleaseRequest => ({
  rollout: { namespace: NS, name: NAME },
  version: CANARY,
  requestedBy: { kind: "api", id: "U0ALICE" },
  idempotencyKey: "k1",
  ...over,
});

describe("admission of cmd.orchestrator.release", () => {
  it("states evt.release.requested with the API server's spec and generation; the release records both", async () => {
    const world = createWorld();
    const api = apiServer({ [`${NS}/${NAME}`]: { spec: gated, generation: 7 } });
    const svc = instance(world, { rollouts: api });
    await svc.handle(envelope("cmd.orchestrator.release", request(), { id: "req-1" }));
    const stated = world.publisher.stored.filter((c) => c.subject === "evt.release.requested");
    expect(stated).toHaveLength(1);
    expect(stated[0]).toMatchObject({ msgId: "requested:req-1", releaseId: RELEASE_ID, causationId: "req-1", data: { rollout: { namespace: NS, name: NAME, generation: 7 }, spec: gated, version: CANARY } });

    // The orchestrator's own event, as its consumer delivers it, starts the release from that spec.
    const evt = envelope("evt.release.requested", stated[0]!.data as MessageOf<"evt.release.requested">["data"], { id: "requested:req-1" });
    await svc.handle(evt);
    const stored = await createKvReleaseStore(world.releasesKv).load(RELEASE_ID);
    const ctx = inspect(stored!.value).context;
    expect(ctx.rollout).toEqual({ namespace: NS, name: NAME, generation: 7 });
    expect(ctx.spec).toEqual(gated);
    const provision = world.publisher.stored.find((c) => c.subject === "cmd.vm.provision");
    expect(provision?.data).toMatchObject({ spec: { image: "registry.example/ratings", approvers: { users: ["U0ONCALL"] } }, version: CANARY });
  });

  it("a request carrying a spec of its own is not a valid message (the codec refuses it; it is dead-lettered)", () => {
    const forged = { ...request(), spec: makeSpec({ steps: [{ weight: 100 }], image: "evil.example/miner" }) };
    expect(() => envelope("cmd.orchestrator.release", forged as unknown as ReleaseRequest)).toThrow(/spec/);
  });

  it("a redelivered request is stated once (msgId from the request)", async () => {
    const world = createWorld();
    const svc = instance(world, { rollouts: apiServer({ [`${NS}/${NAME}`]: { spec: gated, generation: 1 } }) });
    const m = envelope("cmd.orchestrator.release", request(), { id: "req-2" });
    await svc.handle(m);
    await svc.handle(m);
    expect(world.publisher.calls.map((c) => c.duplicate)).toEqual([false, true]);
  });

  it.each([
    ["an unknown rollout", {}, request(), /SISKIN_ERR_NOT_FOUND|does not exist on the API server/],
    ["a version the rollout's versionPattern refuses", { [`${NS}/${NAME}`]: { spec: { ...gated, versionPattern: "v[0-9]*.[0-9]*.[0-9]*" }, generation: 2 } }, request({ version: "debug-shell" }), /does not match the rollout's versionPattern/],
  ])("refuses %s permanently, publishing nothing", async (_name, items, req, why) => {
    const world = createWorld();
    const svc = instance(world, { rollouts: apiServer(items) });
    await expect(svc.handle(envelope("cmd.orchestrator.release", req))).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(why) });
    expect(world.publisher.calls).toEqual([]);
  });
});
