import { afterEach, describe, expect, it } from "vitest";
import { createSimCluster } from "./sim.js";
import { ApiError } from "./status.js";
import { PatchType } from "./api.js";
import { startWatch } from "./watch.js";
import type { SimCluster } from "./sim.js";
import type { Target } from "./api.js";
import type { KubeObject, WatchEvent } from "./types.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
let sim: SimCluster;
afterEach(() => sim?.dispose());

const vs = (name: string, labels: Record<string, string> = {}, weights: [number, number] = [80, 20]): KubeObject => ({
  apiVersion: "networking.istio.io/v1beta1",
  kind: "VirtualService",
  metadata: { name, namespace: "default", labels },
  spec: {
    hosts: [name],
    http: [{ route: [{ destination: { host: name, subset: "v1" }, weight: weights[0] }, { destination: { host: name, subset: "v2" }, weight: weights[1] }] }],
  },
});

function target(resource: string, version?: string, namespace = "default", name?: string): Target {
  const type = sim.api.registry.resolve(resource);
  if (!type) throw new Error(`no type ${resource}`);
  const t: Target = { type, version: version ?? type.versions[0] ?? "v1" };
  if (type.namespaced) t.namespace = namespace;
  if (name) t.name = name;
  return t;
}

function statusOf(fn: () => unknown): ApiError["status"] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
  throw new Error("expected an ApiError");
}

describe("sim-cluster API semantics", () => {
  it("refuses a stale update with the real Conflict Status", () => {
    sim = createSimCluster({ clock: () => T0 });
    const created = sim.store.create(vs("reviews"));
    sim.store.patch("vs", "default", "reviews", { metadata: { labels: { touched: "yes" } } });
    const status = statusOf(() => sim.store.update({ ...created, spec: { hosts: ["x"] } }));
    expect(status).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'Operation cannot be fulfilled on virtualservices.networking.istio.io "reviews": the object has been modified; please apply your changes to the latest version and try again',
      reason: "Conflict",
      details: { name: "reviews", group: "networking.istio.io", kind: "virtualservices" },
      code: 409,
    });
  });

  it("requires a resourceVersion to update a custom resource", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vs("reviews"));
    const obj = vs("reviews");
    const status = statusOf(() => sim.store.update(obj));
    expect(status.code).toBe(422);
    expect(status.details?.causes?.[0]?.field).toBe("metadata.resourceVersion");
  });

  it("answers NotFound, AlreadyExists, missing namespace and invalid names like the real server", () => {
    sim = createSimCluster({ clock: () => T0 });
    expect(statusOf(() => sim.api.get(target("vs", "v1", "default", "nope")))).toMatchObject({
      code: 404,
      reason: "NotFound",
      message: 'virtualservices.networking.istio.io "nope" not found',
      details: { name: "nope", group: "networking.istio.io", kind: "virtualservices" },
    });
    sim.store.create(vs("reviews"));
    expect(statusOf(() => sim.store.create(vs("reviews")))).toMatchObject({ code: 409, reason: "AlreadyExists" });
    expect(statusOf(() => sim.store.create({ ...vs("reviews"), metadata: { name: "reviews", namespace: "team-x" } }))).toMatchObject({
      code: 404,
      message: 'namespaces "team-x" not found',
      details: { name: "team-x", kind: "namespaces" },
    });
    const invalid = statusOf(() => sim.store.create(vs("Bad_Name")));
    expect(invalid).toMatchObject({ code: 422, reason: "Invalid", details: { name: "Bad_Name", group: "networking.istio.io", kind: "VirtualService" } });
    expect(invalid.message).toMatch(/^VirtualService\.networking\.istio\.io "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(invalid.details?.causes).toEqual([expect.objectContaining({ field: "metadata.name", reason: "FieldValueInvalid" })]);
    const svc = statusOf(() => sim.store.create({ apiVersion: "v1", kind: "Service", metadata: { name: "1svc" }, spec: {} }));
    expect(svc.message).toContain("a DNS-1035 label");
  });

  it("stamps uid, creationTimestamp, generation and a store-wide increasing resourceVersion", () => {
    sim = createSimCluster({ clock: () => T0 });
    const a = sim.store.create(vs("a"));
    const b = sim.store.create({ apiVersion: "v1", kind: "Service", metadata: { name: "b" }, spec: { ports: [{ port: 80 }] } });
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.creationTimestamp).toBe("2026-03-01T12:00:00Z");
    expect(a.metadata.generation).toBe(1);
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(b.spec).toMatchObject({ type: "ClusterIP", ports: [{ port: 80, targetPort: 80, protocol: "TCP" }] });
  });

  it("keeps status and spec apart with the status subresource and bumps generation on spec changes only", () => {
    sim = createSimCluster({ clock: () => T0 });
    // A CRD that preserves unknown fields (the VMRollout CRD's schema would refuse `spec: {a: 1}`).
    sim.store.create({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { kind: "Widget", plural: "widgets", singular: "widget", shortNames: ["wd"] },
        versions: [{ name: "v1", served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
      },
    });
    const ro = sim.store.create({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "r" }, spec: { a: 1 }, status: { phase: "ignored" } });
    expect(ro.status).toBeUndefined();
    const s1 = sim.store.updateStatus({ ...ro, spec: { a: 2 }, status: { phase: "Progressing" } });
    expect(s1.spec).toEqual({ a: 1 });
    expect(s1.status).toEqual({ phase: "Progressing" });
    expect(s1.metadata.generation).toBe(1);
    const s2 = sim.store.update({ ...s1, spec: { a: 3 }, status: { phase: "Hacked" } });
    expect(s2.status).toEqual({ phase: "Progressing" });
    expect(s2.metadata.generation).toBe(2);
    const s3 = sim.store.patch("wd", "default", "r", { status: { phase: "x" } });
    expect(s3.metadata.resourceVersion).toBe(s2.metadata.resourceVersion);
    const s4 = sim.api.patch({ ...target("wd", undefined, "default", "r"), subresource: "status" }, PatchType.json, [{ op: "replace", path: "/status/phase", value: "Done" }]);
    expect(s4.status).toEqual({ phase: "Done" });
    expect(s4.metadata.generation).toBe(2);
  });

  it("serves one storage at v1, v1beta1 and v1alpha3", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vs("reviews"));
    for (const v of ["v1", "v1beta1", "v1alpha3"]) expect(sim.api.get(target("vs", v, "default", "reviews")).apiVersion).toBe(`networking.istio.io/${v}`);
  });

  it("rejects strategic merge on custom resources (415) and failed JSON patch tests (422)", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create(vs("reviews"));
    const t = target("vs", "v1", "default", "reviews");
    expect(statusOf(() => sim.api.patch(t, PatchType.strategic, { spec: {} }))).toMatchObject({ code: 415, reason: "UnsupportedMediaType" });
    expect(statusOf(() => sim.api.patch(t, PatchType.json, [{ op: "test", path: "/spec/http/0/route/0/weight", value: 1 }]))).toMatchObject({ code: 422, reason: "Invalid" });
    const ok = sim.api.patch(t, PatchType.json, [
      { op: "test", path: "/spec/http/0/route/0/weight", value: 80 },
      { op: "replace", path: "/spec/http/0/route/0/weight", value: 60 },
      { op: "replace", path: "/spec/http/0/route/1/weight", value: 40 },
    ]);
    expect(ok.metadata.generation).toBe(2);
    const stale = statusOf(() => sim.api.patch(t, PatchType.merge, { metadata: { resourceVersion: "1" }, spec: { hosts: [] } }));
    expect(stale.reason).toBe("Conflict");
  });

  it("validates but does not store on dry run", () => {
    sim = createSimCluster({ clock: () => T0 });
    const t = target("vs", "v1beta1");
    const out = sim.api.create(t, vs("dry"), { dryRun: true });
    expect(out.metadata.uid).toBeDefined();
    expect(sim.store.get("vs", "default", "dry")).toBeUndefined();
    expect(statusOf(() => sim.api.create(t, vs("Dry"), { dryRun: true })).code).toBe(422);
  });

  it("lists with label and field selectors, pages with limit/continue, and across namespaces", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
    for (const [i, name] of ["a", "b", "c", "d", "e"].entries()) sim.store.create(vs(name, { app: name, tier: i % 2 === 0 ? "even" : "odd" }));
    sim.store.create({ ...vs("z", { app: "z" }), metadata: { name: "z", namespace: "team-a", labels: { app: "z" } } });
    const names = (items: KubeObject[]): string[] => items.map((o) => o.metadata.name ?? "");
    expect(names(sim.store.list("vs", "default", { labelSelector: "tier=even" }))).toEqual(["a", "c", "e"]);
    expect(names(sim.store.list("vs", "default", { labelSelector: "app in (a,b),tier!=odd" }))).toEqual(["a"]);
    expect(names(sim.store.list("vs", "default", { fieldSelector: "metadata.name!=a" }))).toEqual(["b", "c", "d", "e"]);
    expect(names(sim.store.list("vs"))).toEqual(["a", "b", "c", "d", "e", "z"]);
    const page1 = sim.api.list(target("vs"), { limit: 2 });
    expect(names(page1.items)).toEqual(["a", "b"]);
    expect(page1.metadata.remainingItemCount).toBe(3);
    const page2 = sim.api.list(target("vs"), { limit: 2, continue: page1.metadata.continue ?? "" });
    expect(names(page2.items)).toEqual(["c", "d"]);
    expect(statusOf(() => sim.store.list("vs", "default", { fieldSelector: "spec.hosts=a" }))).toMatchObject({ code: 400, message: "field label not supported: spec.hosts" });
    expect(statusOf(() => sim.store.list("vs", "default", { labelSelector: "a in (b" })).code).toBe(400);
  });

  it("watches from a resourceVersion, translates selector moves, and answers 410 Expired past the history", () => {
    sim = createSimCluster({ clock: () => T0, historyLimit: 1000 });
    sim.store.create(vs("a", { app: "x" }));
    const rv = sim.store.create(vs("b", { app: "y" })).metadata.resourceVersion ?? "";
    const events: WatchEvent[] = [];
    const initial = startWatch(sim.api, target("vs"), { resourceVersion: "0", labelSelector: "app=x" }, (e) => events.push(e));
    sim.store.patch("vs", "default", "b", { metadata: { labels: { app: "x" } } });
    sim.store.patch("vs", "default", "a", { metadata: { labels: { app: "z" } } });
    sim.store.delete("vs", "default", "b");
    expect(events.map((e) => `${e.type} ${(e.object as KubeObject).metadata.name ?? ""}`)).toEqual(["ADDED a", "ADDED b", "DELETED a", "DELETED b"]);
    initial.stop();

    const replay: WatchEvent[] = [];
    startWatch(sim.api, target("vs", "v1alpha3"), { resourceVersion: rv }, (e) => replay.push(e)).stop();
    expect(replay.map((e) => e.type)).toEqual(["MODIFIED", "MODIFIED", "DELETED"]);
    expect((replay[0]?.object as KubeObject).apiVersion).toBe("networking.istio.io/v1alpha3");

    sim.expireHistory();
    const gone: WatchEvent[] = [];
    const h = startWatch(sim.api, target("vs"), { resourceVersion: rv }, (e) => gone.push(e));
    expect(h.ended).toBe(true);
    expect(gone).toEqual([{ type: "ERROR", object: expect.objectContaining({ kind: "Status", code: 410, reason: "Expired" }) }]);
  });

  it("serves any created CRD and lets a CRD be applied over a pre-registered one", () => {
    sim = createSimCluster({ clock: () => T0 });
    sim.store.create({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: { group: "example.com", scope: "Namespaced", names: { kind: "Widget", plural: "widgets", singular: "widget", shortNames: ["wd"] }, versions: [{ name: "v1", served: true, storage: true }] },
    });
    expect(sim.store.create({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }).metadata.uid).toBeDefined();
    expect(sim.store.get("wd", "default", "w")).toBeDefined();
    const crd = sim.store.get("crd", undefined, "vmrollouts.siskin.dev");
    expect(crd?.status).toMatchObject({ conditions: expect.arrayContaining([expect.objectContaining({ type: "Established", status: "True" })]) });
    sim.store.apply({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "vmrollouts.siskin.dev" },
      spec: {
        group: "siskin.dev",
        scope: "Namespaced",
        names: { kind: "VMRollout", plural: "vmrollouts", singular: "vmrollout", shortNames: ["vmro"] },
        versions: [{ name: "v1alpha1", served: true, storage: true, subresources: { status: {} }, additionalPrinterColumns: [{ name: "Step", type: "integer", jsonPath: ".status.step" }] }],
      },
    });
    expect(sim.api.registry.resolve("vmro")?.printerColumns.v1alpha1?.[0]?.name).toBe("Step");
    expect(statusOf(() => sim.store.create({ apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: "wrong" }, spec: { group: "x.io", scope: "Namespaced", names: { kind: "X", plural: "xs" }, versions: [{ name: "v1", storage: true }] } })).details?.causes?.[0]?.field).toBe("metadata.name");
    sim.store.delete("crd", undefined, "widgets.example.com");
    expect(sim.api.registry.resolve("wd")).toBeUndefined();
  });

  it("garbage-collects dependents unless orphaned, honours finalizers, and empties deleted namespaces", () => {
    sim = createSimCluster({ clock: () => T0 });
    const owner = sim.store.create(vs("owner"));
    const ref = { apiVersion: "networking.istio.io/v1", kind: "VirtualService", name: "owner", uid: owner.metadata.uid ?? "" };
    sim.store.create({ ...vs("dep"), metadata: { name: "dep", namespace: "default", ownerReferences: [ref] } });
    sim.store.delete("vs", "default", "owner");
    expect(sim.store.get("vs", "default", "dep")).toBeUndefined();

    const fin = sim.store.create({ ...vs("fin"), metadata: { name: "fin", namespace: "default", finalizers: ["siskin.dev/cleanup"] } });
    sim.store.delete("vs", "default", "fin");
    const terminating = sim.store.get("vs", "default", "fin");
    expect(terminating?.metadata.deletionTimestamp).toBe("2026-03-01T12:00:00Z");
    sim.store.patch("vs", "default", "fin", { metadata: { finalizers: null } });
    expect(sim.store.get("vs", "default", "fin")).toBeUndefined();
    expect(fin.metadata.uid).toBeDefined();

    sim.store.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-b" } });
    sim.store.create({ ...vs("x"), metadata: { name: "x", namespace: "team-b" } });
    sim.store.delete("ns", undefined, "team-b");
    expect(sim.store.list("vs", "team-b")).toEqual([]);
  });
});
