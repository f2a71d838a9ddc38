import { describe, expect, it } from "vitest";
import { Annotation } from "./behaviour.js";
import { IstioLabelNames, istioLabels, UnknownClient } from "./labels.js";
import { createLoadGenerator } from "./load.js";
import { createMesh, DefaultClient } from "./mesh.js";
import { IstioBuckets } from "./telemetry.js";
import { istioObjects, objects, service, vmi } from "./helpers.test-util.js";

const fixtures = istioObjects("istio/bookinfo-vs-reviews-90-10.yaml", "istio/bookinfo-dr-all.yaml");
const world = (annotations: Record<string, string> = {}) =>
  objects({
    ...fixtures,
    services: [service("reviews", { app: "reviews" })],
    vmis: [
      vmi("reviews-v1", { labels: { app: "reviews", version: "v1" } }),
      vmi("reviews-v2", { labels: { app: "reviews", version: "v2" }, annotations }),
    ],
  });

/** Parses exposition text into [name, labels-in-order, value] rows. */
function rows(text: string, name: string): Array<{ labels: Array<[string, string]>; value: number }> {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`))
    .map((l) => {
      const body = l.slice(name.length + 1, l.lastIndexOf("}"));
      const labels = [...body.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""] as [string, string]);
      return { labels, value: Number(l.slice(l.lastIndexOf(" ") + 1)) };
    });
}

describe("mesh: routing, scripted answers, snapshot", () => {
  it("splits 90/10 by the VirtualService and follows an update at once", () => {
    const mesh = createMesh({ clock: () => 0, seed: 1 });
    mesh.update(world());
    const a = mesh.generate({ service: "reviews", namespace: "default", count: 10_000 });
    expect(Math.abs((a.byVersion["v2"] ?? 0) / 10_000 - 0.1)).toBeLessThan(0.01);
    const w = world();
    const route = w.virtualServices[0]?.spec?.http?.[0]?.route ?? [];
    route.forEach((d) => (d.weight = 50));
    mesh.update(w);
    const b = mesh.generate({ host: "reviews", count: 10_000 });
    expect(Math.abs((b.byVersion["v2"] ?? 0) / 10_000 - 0.5)).toBeLessThan(0.015);
    expect(mesh.snapshot()["default/reviews"]?.total).toBe(20_000);
  });

  it("is deterministic for a seed", () => {
    const run = () => {
      const m = createMesh({ clock: () => 0, seed: 9 });
      m.update(world({ [Annotation.errorRate]: "0.3" }));
      return m.generate({ host: "reviews", count: 2000 });
    };
    expect(run()).toEqual(run());
  });

  it("a scripted 20 % error rate shows in codes; the script follows annotation changes", () => {
    const mesh = createMesh({ clock: () => 0 });
    mesh.update(world({ [Annotation.errorRate]: "0.2", [Annotation.errorCodes]: "503" }));
    const bad = mesh.generate({ host: "reviews", count: 20_000 });
    const v2 = bad.byVersion["v2"] ?? 0;
    expect(Math.abs((bad.byCode["503"] ?? 0) / v2 - 0.2)).toBeLessThan(0.03);
    mesh.update(world({ [Annotation.errorRate]: "0" }));
    expect(mesh.generate({ host: "reviews", count: 5000 }).byCode["503"]).toBeUndefined();
  });

  it("reports annotation problems per VMI", () => {
    const mesh = createMesh({ clock: () => 0 });
    mesh.update(world({ [Annotation.errorRate]: "lots" }));
    expect(mesh.problems()).toEqual([expect.stringContaining("VMI default/reviews-v2: annotation sim.siskin.dev/error-rate")]);
  });
});

describe("telemetry: Istio's metric names, label order and unknowns", () => {
  it("emits destination and source series with the label set in Istio's order", async () => {
    const mesh = createMesh({ clock: () => 0 });
    mesh.update(world());
    mesh.generate({ host: "reviews", count: 200 });
    const text = await mesh.telemetry.registry.metrics();
    for (const name of ["istio_requests_total", "istio_request_duration_milliseconds_bucket", "istio_request_duration_milliseconds_sum", "istio_request_duration_milliseconds_count", "istio_request_bytes_bucket", "istio_response_bytes_bucket"]) {
      const rs = rows(text, name);
      expect(rs.length, name).toBeGreaterThan(0);
      for (const r of rs) {
        const names = r.labels.map(([k]) => k).filter((k) => k !== "le");
        expect(names).toEqual([...IstioLabelNames]);
      }
    }
    const dest = rows(text, "istio_requests_total").find((r) => r.labels.some(([k, v]) => k === "reporter" && v === "destination") && r.labels.some(([k, v]) => k === "destination_version" && v === "v2"));
    expect(Object.fromEntries(dest?.labels ?? [])).toEqual({
      reporter: "destination",
      source_workload: "siskin-loadgen",
      source_canonical_service: "siskin-loadgen",
      source_canonical_revision: "latest",
      source_workload_namespace: "siskin-sim",
      source_principal: "spiffe://cluster.local/ns/siskin-sim/sa/default",
      source_app: "siskin-loadgen",
      source_version: "unknown",
      source_cluster: "Kubernetes",
      destination_workload: "reviews-v2",
      destination_workload_namespace: "default",
      destination_principal: "spiffe://cluster.local/ns/default/sa/default",
      destination_app: "reviews",
      destination_version: "v2",
      destination_service: "reviews.default.svc.cluster.local",
      destination_canonical_service: "reviews",
      destination_canonical_revision: "v2",
      destination_service_name: "reviews",
      destination_service_namespace: "default",
      destination_cluster: "Kubernetes",
      request_protocol: "http",
      response_code: "200",
      grpc_response_status: "",
      response_flags: "-",
      connection_security_policy: "mutual_tls",
    });
    const buckets = rows(text, "istio_request_duration_milliseconds_bucket").filter((r) => r.labels === r.labels).map((r) => r.labels.find(([k]) => k === "le")?.[1]);
    expect([...new Set(buckets)]).toEqual([...IstioBuckets.map(String), "+Inf"]);
    expect(rows(text, "istio_requests_total").filter((r) => r.labels[0]?.[1] === "source").length).toBeGreaterThan(0);
  });

  it("NR: only the source reports, the destination workload is unknown", () => {
    const mesh = createMesh({ clock: () => 0 });
    mesh.update(world());
    expect(mesh.request({ host: "nowhere.example" }).flag).toBe("NR");
    const uh = createMesh({ clock: () => 0 });
    const w = world();
    w.vmis = [];
    uh.update(w);
    expect(uh.request({ host: "reviews" })).toMatchObject({ code: 503, flag: "UH" });
    return mesh.telemetry.registry.metrics().then((text) => {
      const rs = rows(text, "istio_requests_total").map((r) => Object.fromEntries(r.labels));
      expect(rs).toHaveLength(1);
      expect(rs[0]).toMatchObject({
        reporter: "source", response_code: "404", response_flags: "NR", destination_service: "nowhere.example",
        destination_service_name: "unknown", destination_workload: "unknown", destination_version: "unknown",
        destination_canonical_service: "unknown", destination_principal: "unknown", destination_cluster: "unknown",
        connection_security_policy: "unknown",
      });
    });
  });

  it("a client outside the mesh has unknown source labels", () => {
    const labels = istioLabels("destination", UnknownClient, { kind: "local", code: 503, flag: "UH", service: undefined, subset: undefined, host: "x", reason: "", delayMs: 0 }, 503);
    expect(Object.keys(labels)).toEqual([...IstioLabelNames]);
    for (const k of IstioLabelNames.filter((n) => n.startsWith("source_"))) expect(labels[k]).toBe("unknown");
    expect(DefaultClient.workload).toBe("siskin-loadgen");
  });

  it("KubeVirt-style series describe the VMIs", async () => {
    const mesh = createMesh({ clock: () => 0 });
    const w = world();
    w.vmis.push(vmi("reviews-v3", { labels: { app: "reviews", version: "v3" }, phase: "Scheduling", ready: false }));
    w.vmis.push(vmi("reviews-v4", { labels: { app: "reviews", version: "v4" }, migrating: true }));
    mesh.update(w);
    const text = await mesh.telemetry.registry.metrics();
    expect(text).toContain('kubevirt_vmi_phase_count{namespace="default",phase="running",node="node-1"');
    expect(text).toMatch(/kubevirt_vmi_phase_count\{namespace="default",phase="scheduling",[^}]*\} 1/);
    expect(text).toMatch(/kubevirt_vmi_info\{name="reviews-v3",namespace="default",phase="scheduling"[^}]*\} 1/);
    expect(text).toContain("kubevirt_vmi_migrations_in_running_phase 1");
    expect(text).toContain('kubevirt_vmi_migration_running{name="reviews-v4",namespace="default",node="node-1"} 1');
  });
});

describe("load generator", () => {
  it("sends rate × ms per tick, carries fractions, stops at its bounds", () => {
    const sent: number[] = [];
    const gen = createLoadGenerator((t) => {
      sent.push(t.count);
      return { total: t.count, byVersion: {}, byCode: {}, byFlag: {} };
    });
    const l = gen.start({ host: "reviews", rps: 15, maxSeconds: 2 });
    expect(gen.tick(100)).toBe(1); // 1.5 → 1, carry .5
    expect(gen.tick(100)).toBe(2); // 2.0
    expect(gen.tick(5000)).toBe(27); // clipped at 2 s: 30 in all
    expect(l.sent).toBe(30);
    expect(gen.active()).toEqual([]);
    gen.start({ host: "reviews", rps: 1000, maxRequests: 7 });
    expect(gen.tick(1000)).toBe(7);
    expect(gen.active()).toEqual([]);
    expect(() => gen.start({ host: "x", rps: 10 })).toThrow(/bounded/);
    expect(() => gen.start({ host: "x", rps: 0, maxRequests: 1 })).toThrow(/rps/);
    const s = gen.start({ host: "x", rps: 10, maxRequests: 100 });
    gen.stop(s.id);
    expect(gen.tick(1000)).toBe(0);
  });
});
