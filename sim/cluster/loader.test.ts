import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createSimCluster } from "./sim.js";
import { loadManifests, parseManifests } from "./loader.js";
import { startSimCluster } from "./index.js";
import type { SimCluster } from "./sim.js";

const upstream = join(import.meta.dirname, "..", "..", "test", "fixtures", "upstream");
let sim: SimCluster | undefined;
afterEach(() => sim?.dispose());

describe("manifest loading", () => {
  it("orders CRDs and Namespaces first and unwraps Lists", () => {
    const objs = parseManifests(`
apiVersion: widgets.example.com/v1
kind: Widget
metadata: {name: w, namespace: team}
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Namespace, metadata: {name: team}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.widgets.example.com}
spec: {group: widgets.example.com, scope: Namespaced, names: {kind: Widget, plural: widgets}, versions: [{name: v1, served: true, storage: true}]}
---
# empty document
`);
    expect(objs.map((o) => o.kind)).toEqual(["CustomResourceDefinition", "Namespace", "Widget"]);
  });

  it("applies upstream fixtures, twice without error", () => {
    sim = createSimCluster({ clock: () => Date.parse("2026-03-01T12:00:00Z") });
    const text = ["istio/bookinfo-dr-all.yaml", "istio/bookinfo-vs-all-v1.yaml", "kubevirt/vmi-istio-user-guide.yaml"].map((f) => readFileSync(join(upstream, f), "utf8")).join("\n---\n");
    expect(loadManifests(sim.store, text)).toHaveLength(10);
    loadManifests(sim.store, text);
    expect(sim.store.list("dr", "default")).toHaveLength(4);
    expect(sim.store.get("svc", "default", "vmi-istio")?.spec).toMatchObject({ selector: { app: "vmi-istio" } });
  });

  it("loads a directory at start", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sim-cluster-load-"));
    try {
      await writeFile(join(dir, "vs.yaml"), readFileSync(join(upstream, "istio", "bookinfo-vs-reviews-80-20.yaml"), "utf8"));
      await writeFile(join(dir, "ignored.txt"), "not yaml");
      const served = await startSimCluster({ clock: () => 0, loadDir: dir });
      try {
        expect(served.store.get("vs", "default", "reviews")?.apiVersion).toBe("networking.istio.io/v1");
      } finally {
        await served.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
