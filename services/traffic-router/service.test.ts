import { describe, expect, it } from "vitest";
import { message, type MessageOf } from "../../schemas/codec.js";
import { SiskinError } from "../../schemas/errors.js";
import { Command, Event } from "../../schemas/subjects.js";
import { KubeApiError, type EventPublisher, type IstioObjects } from "./ports.js";
import { applyPatch, type JsonPatchOp } from "./json-patch.js";
import { createService } from "./service.js";
import { loadDr, loadVs } from "./upstream-fixtures.test-util.js";
import type { DestinationRule, VirtualService } from "./vs-types.js";

/** An in-memory object store with resourceVersion checks, as the API server does. */
function fakeObjects<T extends { metadata?: { name?: string; namespace?: string; resourceVersion?: string } }>(initial: T[]) {
  let rv = 100;
  const store = new Map<string, T>();
  const key = (ns: string | undefined, name: string | undefined) => `${ns ?? ""}/${name ?? ""}`;
  for (const o of initial) store.set(key(o.metadata?.namespace, o.metadata?.name), { ...structuredClone(o), metadata: { ...o.metadata, resourceVersion: String(++rv) } });
  const writes: T[] = [];
  const patches: JsonPatchOp[][] = [];
  const port: IstioObjects<T> & { unavailable: boolean; patch(ref: { namespace: string; name: string }, ops: readonly JsonPatchOp[]): Promise<T> } = {
    unavailable: false,
    async get(ref) {
      if (port.unavailable) throw new KubeApiError("get: connect ECONNREFUSED", undefined);
      const o = store.get(key(ref.namespace, ref.name));
      return o === undefined ? null : structuredClone(o);
    },
    async replace(obj) {
      const k = key(obj.metadata?.namespace, obj.metadata?.name);
      const cur = store.get(k);
      if (cur === undefined) throw new KubeApiError("replace: not found", 404, "NotFound");
      if (obj.metadata?.resourceVersion !== cur.metadata?.resourceVersion) throw new KubeApiError("replace: the object has been modified", 409, "Conflict");
      const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      store.set(k, stored);
      writes.push(structuredClone(stored));
      return structuredClone(stored);
    },
    /** RFC 6902 as the API server applies it: a failed `test` fails the whole patch (seen as 409). */
    async patch(ref, ops) {
      const k = key(ref.namespace, ref.name);
      const cur = store.get(k);
      if (cur === undefined) throw new KubeApiError("patch: not found", 404, "NotFound");
      const r = applyPatch(cur, ops);
      if (!r.ok) throw new KubeApiError(`patch: op ${r.index} failed: ${r.message}`, 409, "Conflict");
      const doc = r.doc as T;
      const stored = { ...doc, metadata: { ...doc.metadata, resourceVersion: String(++rv) } };
      store.set(k, stored);
      writes.push(structuredClone(stored));
      patches.push([...ops]);
      return structuredClone(stored);
    },
  };
  return { port, store, writes, patches, get: (name: string) => store.get(key("default", name)) };
}

function recorder() {
  const out: Array<{ subject: string; id: string; data: Record<string, unknown> }> = [];
  const events: EventPublisher = {
    async publish(subject, msg) {
      out.push({ subject, id: msg.id, data: msg.data as Record<string, unknown> });
    },
  };
  return { events, out };
}

const withNs = <T extends { metadata?: Record<string, unknown> }>(o: T): T => ({ ...o, metadata: { ...o.metadata, namespace: "default" } });
const reviewsVs = () => withNs(loadVs("istio/bookinfo-vs-reviews-80-20.yaml"));
const reviewsDr = () => withNs(loadDr("istio/bookinfo-dr-all.yaml", "reviews"));

function cmd(canaryWeight: number, over: Partial<MessageOf<typeof Command.trafficSetWeights>["data"]> = {}): MessageOf<typeof Command.trafficSetWeights> {
  return message(Command.trafficSetWeights, {
    id: `w-${canaryWeight}`,
    occurredAt: "2025-01-01T00:00:00Z",
    releaseId: "default/reviews/v2",
    data: {
      rollout: { namespace: "default", name: "reviews" },
      virtualService: { name: "reviews" },
      destinationRule: "reviews",
      versionLabel: "version",
      stableVersion: "v1",
      canaryVersion: "v2",
      stableSubset: "v1",
      canarySubset: "v2",
      canaryWeight,
      ...over,
    },
  });
}

function setup(vs: VirtualService = reviewsVs(), dr: DestinationRule = reviewsDr()) {
  const vss = fakeObjects([vs]);
  const drs = fakeObjects([dr]);
  const { events, out } = recorder();
  const router = createService({ virtualServices: vss.port, destinationRules: drs.port, events, maxAttempts: 3 });
  return { vss, drs, out, router };
}

const weightsOf = (vs: VirtualService | undefined) => vs?.spec.http?.[0]?.route?.map((r) => r.weight);

describe("traffic-router service (upstream bookinfo reviews, fakes)", () => {
  it("writes the weights with a guarded JSON patch (weights and annotations only), reads back, reports", async () => {
    const { vss, drs, out, router } = setup();
    await router.handle(cmd(50));
    expect(vss.patches).toEqual([
      [
        { op: "test", path: "/spec/http/0/route/0/destination", value: { host: "reviews", subset: "v1" } },
        { op: "test", path: "/spec/http/0/route/0/weight", value: 80 },
        { op: "replace", path: "/spec/http/0/route/0/weight", value: 50 },
        { op: "test", path: "/spec/http/0/route/1/destination", value: { host: "reviews", subset: "v2" } },
        { op: "test", path: "/spec/http/0/route/1/weight", value: 20 },
        { op: "replace", path: "/spec/http/0/route/1/weight", value: 50 },
        { op: "test", path: "/metadata/resourceVersion", value: "101" },
        { op: "add", path: "/metadata/annotations", value: { "siskin.dev/canary-weight": "50", "siskin.dev/weights-release": "default/reviews/v2" } },
      ],
    ]);
    expect(weightsOf(vss.get("reviews"))).toEqual([50, 50]);
    expect(vss.get("reviews")?.metadata?.annotations).toEqual({ "siskin.dev/canary-weight": "50", "siskin.dev/weights-release": "default/reviews/v2" });
    expect(drs.writes).toEqual([]);
    expect(out).toEqual([
      {
        subject: Event.trafficWeightsSet,
        id: "w-50:weights_set",
        data: { canaryWeight: 50, routes: [{ kind: "http", index: 0, stableWeight: 50, canaryWeight: 50 }], resourceVersion: vss.get("reviews")?.metadata?.resourceVersion, attempts: 1 },
      },
    ]);
  });

  it("is idempotent: weights already as asked → attempts 0, no write", async () => {
    const { vss, out, router } = setup();
    await router.handle(cmd(20));
    expect(vss.writes).toEqual([]);
    expect(out[0]).toMatchObject({ subject: Event.trafficWeightsSet, data: { attempts: 0, canaryWeight: 20 } });
  });

  it("a concurrent edit of an unrelated field between our read and our write: one write, both edits survive", async () => {
    const { vss, out, router } = setup();
    const realPatch = vss.port.patch.bind(vss.port);
    vss.port.patch = async (ref, ops) => {
      const theirs = structuredClone(vss.get("reviews")!);
      theirs.spec.http![0]!.timeout = "5s";
      theirs.metadata = { ...theirs.metadata, annotations: { "team.example/owner": "ratings" } };
      await vss.port.replace(theirs);
      return realPatch(ref, ops);
    };
    // The VirtualService has annotations once the other editor wrote; a first write keeps them.
    const first = structuredClone(vss.get("reviews")!);
    first.metadata = { ...first.metadata, annotations: { "team.example/owner": "ratings" } };
    await vss.port.replace(first);
    await router.handle(cmd(50));
    const stored = vss.get("reviews");
    expect(weightsOf(stored)).toEqual([50, 50]);
    expect(stored?.spec.http?.[0]?.timeout).toBe("5s");
    expect(stored?.metadata?.annotations).toEqual({ "team.example/owner": "ratings", "siskin.dev/canary-weight": "50", "siskin.dev/weights-release": "default/reviews/v2" });
    expect(out[0]).toMatchObject({ subject: Event.trafficWeightsSet, data: { attempts: 1 } });
  });

  it("a concurrent edit of the weights fails the guard: re-reads, re-plans from the new weights", async () => {
    const { vss, out, router } = setup();
    const realPatch = vss.port.patch.bind(vss.port);
    let raced = false;
    vss.port.patch = async (ref, ops) => {
      if (!raced) {
        raced = true;
        const theirs = structuredClone(vss.get("reviews")!);
        theirs.spec.http![0]!.route![0]!.weight = 70;
        theirs.spec.http![0]!.route![1]!.weight = 30;
        await vss.port.replace(theirs);
      }
      return realPatch(ref, ops);
    };
    await router.handle(cmd(50));
    expect(weightsOf(vss.get("reviews"))).toEqual([50, 50]);
    expect(vss.patches).toHaveLength(1);
    expect(vss.patches[0]).toContainEqual({ op: "test", path: "/spec/http/0/route/0/weight", value: 70 });
    expect(out[0]).toMatchObject({ subject: Event.trafficWeightsSet, data: { attempts: 2 } });
  });

  it("adds the missing canary subset to the DestinationRule before moving traffic", async () => {
    const dr = reviewsDr();
    dr.spec.subsets = dr.spec.subsets?.filter((s) => s.name === "v1");
    const { vss, drs, out, router } = setup(reviewsVs(), dr);
    await router.handle(cmd(10));
    expect(drs.get("reviews")?.spec.subsets).toEqual([
      { name: "v1", labels: { version: "v1" } },
      { name: "v2", labels: { version: "v2" } },
    ]);
    expect(weightsOf(vss.get("reviews"))).toEqual([90, 10]);
    expect(out[0]?.subject).toBe(Event.trafficWeightsSet);
  });

  it.each<[string, Partial<MessageOf<typeof Command.trafficSetWeights>["data"]>, string]>([
    ["an unknown route name", { virtualService: { name: "reviews", routes: ["primary"] } }, "SISKIN_ERR_ROUTE_NOT_FOUND"],
    ["a third version that still gets traffic", { canarySubset: "v3", canaryVersion: "v3" }, "SISKIN_ERR_UNKNOWN_DESTINATION"],
    ["a missing VirtualService", { virtualService: { name: "ratings" } }, "SISKIN_ERR_NOT_FOUND"],
    ["a missing DestinationRule", { destinationRule: "ratings" }, "SISKIN_ERR_NOT_FOUND"],
    ["a stable subset selecting another version", { stableVersion: "v9" }, "SISKIN_ERR_SUBSET_CONFLICT"],
  ])("reports %s as a permanent weights_failed and writes no VirtualService", async (_n, over, code) => {
    const { vss, out, router } = setup();
    await router.handle(cmd(50, over));
    expect(vss.writes).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ subject: Event.trafficWeightsFailed, id: "w-50:weights_failed", data: { canaryWeight: 50, code, retryable: false } });
  });

  it("throws a retryable error when the API is unavailable; on the last delivery it also reports", async () => {
    const { vss, out, router } = setup();
    vss.port.unavailable = true;
    const err = await router.handle(cmd(50)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SiskinError);
    expect((err as SiskinError).retryable).toBe(true);
    expect(out).toEqual([]);
    await expect(router.handle(cmd(50), { lastAttempt: true })).rejects.toThrow(/unavailable|ECONNREFUSED/);
    expect(out[0]).toMatchObject({ subject: Event.trafficWeightsFailed, data: { code: "SISKIN_ERR_UNAVAILABLE", retryable: true } });
  });

  it("gives up (retryably) when every write conflicts", async () => {
    const { vss, router } = setup();
    vss.port.patch = async () => {
      throw new KubeApiError("patch: testing value /spec/http/0/route/0/weight failed", 409, "Conflict");
    };
    const err = (await router.handle(cmd(50)).catch((e: unknown) => e)) as SiskinError;
    expect(err.code).toBe("SISKIN_ERR_CONFLICT");
    expect(err.retryable).toBe(true);
  });

  it("fails the read-back when someone overwrites the weights right after our write", async () => {
    const { vss, out, router } = setup();
    const realPatch = vss.port.patch.bind(vss.port);
    vss.port.patch = async (ref, ops) => {
      const stored = await realPatch(ref, ops);
      const theirs = structuredClone(stored);
      theirs.spec.http![0]!.route![1]!.weight = 30;
      theirs.spec.http![0]!.route![0]!.weight = 70;
      await vss.port.replace(theirs);
      return stored;
    };
    await router.handle(cmd(50));
    expect(out[0]).toMatchObject({ subject: Event.trafficWeightsFailed, data: { code: "SISKIN_ERR_WEIGHT_MISMATCH", retryable: false } });
  });

  it("a mirror step, then a matched step, then the rollback: mirror, siskin-canary route, then the user's routes again", async () => {
    const { vss, out, router } = setup();
    await router.handle(cmd(0, { mirror: { percentage: 100 } }));
    expect(vss.get("reviews")?.spec.http?.[0]).toMatchObject({ mirror: { host: "reviews", subset: "v2" }, mirrorPercentage: { value: 100 } });
    expect(weightsOf(vss.get("reviews"))).toEqual([100, 0]);
    expect(out.at(-1)).toMatchObject({ subject: Event.trafficWeightsSet, data: { canaryWeight: 0, shape: "mirror:100" } });
    await router.handle(cmd(0, { match: [{ headers: { "x-canary": { exact: "always" } } }] }));
    const matched = vss.get("reviews")?.spec.http;
    expect(matched?.map((r) => r.name ?? "")).toEqual(["siskin-canary", ""]);
    expect(matched?.[1]?.mirror).toBeUndefined();
    expect(out.at(-1)).toMatchObject({ subject: Event.trafficWeightsSet, data: { canaryWeight: 0, shape: expect.stringMatching(/^match:[0-9a-f]{8}$/) } });
    await router.handle(cmd(0));
    const back = vss.get("reviews")?.spec;
    expect(back?.http).toHaveLength(1);
    expect(back?.http?.[0]?.mirror).toBeUndefined();
    expect(out.at(-1)).toMatchObject({ subject: Event.trafficWeightsSet, data: { canaryWeight: 0 } });
    expect((out.at(-1)?.data as { shape?: string }).shape).toBeUndefined();
  });

  it("a mirror step on a VirtualService that already mirrors elsewhere fails permanently, nothing written", async () => {
    const vs = reviewsVs();
    vs.spec.http![0]!.mirror = { host: "reviews", subset: "v3" };
    const { vss, out, router } = setup(vs);
    await router.handle(cmd(0, { mirror: { percentage: 100 } }));
    expect(vss.writes).toEqual([]);
    expect(out).toMatchObject([{ subject: Event.trafficWeightsFailed, data: { code: "SISKIN_ERR_MIRROR_CONFLICT", retryable: false, shape: "mirror:100" } }]);
  });
});
