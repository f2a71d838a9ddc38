// @kubernetes/client-node 1.4.0 against sim-cluster: typed calls and their errors, watches from a
// resourceVersion, bookmarks, 410 Gone, and an informer that relists across an expired history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as k8s from "@kubernetes/client-node";
import { startSimCluster } from "../../sim/cluster/index.js";
import type { KubeObject, RunningSimCluster } from "../../sim/cluster/index.js";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const group = "networking.istio.io";
const listPath = (version: string): string => `/apis/${group}/${version}/namespaces/default/virtualservices`;
let sim: RunningSimCluster;
let kc: k8s.KubeConfig;
let co: k8s.CustomObjectsApi;

const vs = (name: string, weight = 100): KubeObject => ({
  apiVersion: `${group}/v1`,
  kind: "VirtualService",
  metadata: { name, namespace: "default", labels: { app: name } },
  spec: { hosts: [name], http: [{ route: [{ destination: { host: name, subset: "v1" }, weight }] }] },
});

/** Resolves when `check` holds, re-checking on every call of the returned `poke`. */
function until(check: () => boolean, what: string, ms = 10_000): { done: Promise<void>; poke: () => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  const poke = (): void => {
    if (check()) {
      clearTimeout(timer);
      resolve();
    }
  };
  return { done, poke };
}

beforeAll(async () => {
  sim = await startSimCluster({ clock: () => T0, historyLimit: 100 });
  kc = sim.kubeConfig();
  co = kc.makeApiClient(k8s.CustomObjectsApi);
});
afterAll(async () => {
  await sim?.close();
});

describe("client-node against sim-cluster", () => {
  it("gets, merge-patches, json-patches and sees real error codes", async () => {
    sim.store.create(vs("typed"));
    const ref = { group, version: "v1beta1", namespace: "default", plural: "virtualservices", name: "typed" };
    const got = (await co.getNamespacedCustomObject(ref)) as KubeObject;
    expect(got.apiVersion).toBe(`${group}/v1beta1`);
    const merged = (await co.patchNamespacedCustomObject(
      { ...ref, body: { metadata: { labels: { step: "1" } } }, fieldManager: "siskin" },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    )) as KubeObject;
    expect(merged.metadata.labels).toEqual({ app: "typed", step: "1" });
    const patched = (await co.patchNamespacedCustomObject({
      ...ref,
      body: [
        { op: "test", path: "/spec/http/0/route/0/weight", value: 100 },
        { op: "replace", path: "/spec/http/0/route/0/weight", value: 0 },
      ],
    })) as KubeObject & { spec: { http: Array<{ route: Array<{ weight: number }> }> } };
    expect(patched.spec.http[0]?.route[0]?.weight).toBe(0);
    const code = async (p: Promise<unknown>): Promise<[number, unknown]> => {
      try {
        await p;
        return [200, undefined];
      } catch (err) {
        expect(err).toBeInstanceOf(k8s.ApiException);
        const e = err as k8s.ApiException<string>;
        return [e.code, JSON.parse(e.body) as unknown];
      }
    };
    expect(await code(co.getNamespacedCustomObject({ ...ref, name: "nope" }))).toEqual([404, expect.objectContaining({ reason: "NotFound" })]);
    expect(await code(co.replaceNamespacedCustomObject({ ...ref, body: got }))).toEqual([
      409,
      expect.objectContaining({ reason: "Conflict", details: { name: "typed", group, kind: "virtualservices" } }),
    ]);
    expect(await code(co.patchNamespacedCustomObject({ ...ref, body: {} }, k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch)))).toEqual([
      415,
      expect.objectContaining({ reason: "UnsupportedMediaType" }),
    ]);
    expect(await code(co.createNamespacedCustomObject({ ...ref, body: { ...vs("typed"), apiVersion: `${group}/v1beta1` } }))).toEqual([
      409,
      expect.objectContaining({ reason: "AlreadyExists" }),
    ]);
    // Like a real server, a custom resource endpoint only accepts bodies of its own version.
    expect(await code(co.createNamespacedCustomObject({ ...ref, body: vs("other") }))).toEqual([400, expect.objectContaining({ reason: "BadRequest" })]);
  });

  it("watches with initial ADDED events, bookmarks, and ERROR 410 for an expired resourceVersion", async () => {
    sim.store.create(vs("w1"));
    const seen: string[] = [];
    const { done, poke } = until(() => seen.includes("MODIFIED w1") && seen.includes("BOOKMARK"), "watch events");
    const ac = await new k8s.Watch(kc).watch(
      listPath("v1"),
      { resourceVersion: "0", allowWatchBookmarks: true, labelSelector: "app=w1" },
      (type, obj: KubeObject) => {
        seen.push(type === "BOOKMARK" ? type : `${type} ${obj.metadata.name ?? ""}`);
        poke();
      },
      () => undefined,
    );
    sim.store.patch("vs", "default", "w1", { spec: { hosts: ["w1", "w1.default.svc.cluster.local"] } });
    sim.sendBookmarks();
    await done;
    ac.abort();
    expect(seen.slice(0, 2)).toEqual(["ADDED w1", "MODIFIED w1"]);

    const old = sim.store.get("vs", "default", "w1")?.metadata.resourceVersion ?? "";
    sim.store.patch("vs", "default", "w1", { metadata: { labels: { x: "y" } } });
    sim.expireHistory();
    const gone = await new Promise<{ type: string; obj: Record<string, unknown>; err: unknown }>((resolve) => {
      let first: { type: string; obj: Record<string, unknown> } | undefined;
      void new k8s.Watch(kc).watch(listPath("v1"), { resourceVersion: old }, (type, obj: Record<string, unknown>) => {
        first ??= { type, obj };
      }, (err) => resolve({ ...(first ?? { type: "", obj: {} }), err }));
    });
    expect(gone.type).toBe("ERROR");
    expect(gone.obj).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    expect(gone.err).toBeNull();
  });

  it("keeps an informer's cache correct across a forced 410 Gone by relisting", async () => {
    for (const n of ["inf-a", "inf-b", "inf-c"]) sim.store.create(vs(n));
    let lists = 0;
    let connects = 0;
    const errors: unknown[] = [];
    const informer = k8s.makeInformer<KubeObject & k8s.KubernetesObject>(kc, listPath("v1"), async () => {
      lists++;
      return (await co.listNamespacedCustomObject({ group, version: "v1", namespace: "default", plural: "virtualservices" })) as k8s.KubernetesListObject<KubeObject & k8s.KubernetesObject>;
    });
    const names = (): string[] =>
      informer
        .list("default")
        .map((o) => `${o.metadata?.name ?? ""}:${String((o as { spec?: { http?: Array<{ route?: Array<{ weight?: number }> }> } }).spec?.http?.[0]?.route?.[0]?.weight)}`)
        .filter((n) => n.startsWith("inf-"))
        .sort();
    const synced = until(() => names().length === 3 && sim.watchCount() > 0, "initial sync");
    const converged = until(() => lists >= 2 && JSON.stringify(names()) === JSON.stringify(["inf-a:100", "inf-c:30", "inf-d:100"]), "convergence after 410");
    const poke = (): void => {
      synced.poke();
      converged.poke();
    };
    informer.on(k8s.CONNECT, () => {
      connects++;
      poke();
    });
    informer.on(k8s.ERROR, (err) => errors.push(err));
    for (const ev of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) informer.on(ev, poke);
    await informer.start();
    const watching = setInterval(poke, 20);
    try {
      await synced.done;
      expect(names()).toEqual(["inf-a:100", "inf-b:100", "inf-c:100"]);
      // Changes made while the informer's watch is cut, then the history is compacted past them:
      // its re-watch from the old resourceVersion gets 410 Gone and it must relist to see them.
      sim.dropWatches();
      sim.store.delete("vs", "default", "inf-b");
      sim.store.patch("vs", "default", "inf-c", { spec: { http: [{ route: [{ destination: { host: "inf-c" }, weight: 30 }] }] } });
      sim.store.create(vs("inf-d"));
      sim.expireHistory();
      await converged.done;
    } finally {
      clearInterval(watching);
      await informer.stop();
    }
    expect(lists).toBeGreaterThanOrEqual(2);
    expect(connects).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  });

  it("relists after a watch is dropped and the history expired while it was away, then follows live changes", async () => {
    const informer = k8s.makeInformer<KubeObject & k8s.KubernetesObject>(kc, "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances", () =>
      co.listNamespacedCustomObject({ group: "kubevirt.io", version: "v1", namespace: "default", plural: "virtualmachineinstances" }) as Promise<
        k8s.KubernetesListObject<KubeObject & k8s.KubernetesObject>
      >,
    );
    const phase = (): string => String((informer.get("vm-1", "default") as { status?: { phase?: string } } | undefined)?.status?.phase ?? "");
    const running = until(() => phase() === "Running", "VMI Running in the informer");
    informer.on(k8s.ADD, running.poke);
    informer.on(k8s.UPDATE, running.poke);
    informer.on(k8s.CONNECT, running.poke);
    await informer.start();
    sim.store.create({ apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "vm-1", namespace: "default" }, spec: { domain: { devices: {} } } });
    sim.tick();
    sim.expireHistory();
    sim.advance(2000);
    await running.done;
    await informer.stop();
  });
});
